"""The build, stage by stage: seeds/ + content/ -> site/.

`build()` is the table of contents: read the inputs, clean each seed, anchor its annotations,
cross-reference them in an index, render the pages and the search index, write the site in
one swap. It reads and checks everything before it writes anything; a build with errors
leaves the previous site/ untouched. The commands that call it are in dossier/cli.py.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path

from dossier import opendata, search
from dossier.annotations import rel
from dossier.cache import (
    Manifest,
    PartsCache,
    code_version,
    digest,
    record_digests,
    shared_passages,
    tree_digest,
)
from dossier.dates import date_units
from dossier.index import Index, counts
from dossier.layout import static_folders, template_folders
from dossier.models import Problems, Source, Where
from dossier.output import (
    CACHE_DIR,
    MARKER,
    BuildLock,
    OutputRefused,
    check_output,
    remove_leftovers,
)
from dossier.pages import Page, Plan, Site, plan
from dossier.progress import Progress
from dossier.project import Project, anchor_memory, input_names, read_project
from dossier.relocate import save_lock
from dossier.render import Renderer, TemplateProblem, own_listing, render_pages
from dossier.unchanged import remember
from dossier.update import Inputs, index_project, prepare
from dossier.write import SiteWriter


class Stages:
    """Wall-clock time per stage of a build, for the summary and the benchmarks."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + now - self._last
        self._last = now

    def line(self) -> str:
        return ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in self.times.items())


def build(root: Path, out: Path, problems: Problems, strict: bool = False,
          base_url: str = "", keep: Callable[[Project], None] | None = None,
          preview: bool = False, changed: Collection[str] | None = None
          ) -> dict[str, int] | None:
    """Run every stage, one build of a project at a time; return the counts, or None when
    errors (or, if strict, warnings) stopped the build before the site was changed. `keep`
    is handed the project once it is read (the preview's annotation tools work from it).
    `preview`: the live preview, which trusts that the files it wrote are still as it wrote
    them (a command-line build checks every kept file against the manifest); `changed`: the
    files its watcher saw change since its last build (see project.read_project)."""
    try:
        out = check_output(out, root)
    except OutputRefused as exc:
        problems.error(Where("--out"), str(exc))
        return None
    settle(root, out)  # the background work of the last preview rebuild
    try:
        lock = BuildLock(root).__enter__()
        try:
            remove_leftovers(out, root)
            result, later = _build(root, out, problems, strict, base_url, keep, preview,
                                   changed)
            if result is not None and not preview:
                remember(root, out, (strict, base_url), result, list(problems.items))
        except BaseException:
            lock.__exit__(None, None, None)
            raise
        if later is None:
            lock.__exit__(None, None, None)
        else:
            _start_later(root, out, later, lock)
        return result
    except OSError as exc:
        where = _failed_at(exc, out, root)
        fix = ("delete .dossier-cache/ (that only makes the next build slower)"
               if where.startswith(str(CACHE_DIR)) else
               "free disk space or make the folder writable")
        problems.error(Where(where), f"{exc.strerror or exc}: the build stopped and left "
                       f"{rel(out, root)} as it was; {fix}, then build again")
        return None


_LATER: dict[tuple[Path, Path], tuple[threading.Thread, threading.Event]] = {}
"""The background work of each project's last preview rebuild while it runs, with the event
that lets it begin (see release)."""

LATER_WAIT = 0.5
"""How long the background work waits to be released before it begins anyway (a caller of
the preview's build that never calls `release`)."""


def _start_later(root: Path, out: Path, later: Callable[[], None], lock: BuildLock) -> None:
    """Run `later` in a thread that holds the build lock until it is done, once released (or
    after LATER_WAIT). If it fails the next build is made whole (it finds no record of this
    one in memory)."""
    go = threading.Event()

    def run() -> None:
        try:
            go.wait(LATER_WAIT)
            later()
        except search.SearchFailed as exc:
            print(f"error: {search_failed(exc)}", file=sys.stderr, flush=True)
        except OSError as exc:
            print(f"error: {exc.strerror or exc}: the open data and search index were not "
                  f"all written; the next build writes them", file=sys.stderr, flush=True)
        finally:
            lock.__exit__(None, None, None)

    thread = threading.Thread(target=run, name="dossier-open-data", daemon=True)
    _LATER[_site_of(root, out)] = (thread, go)
    thread.start()


def release(root: Path, out: Path) -> None:
    """Let the background work of the last preview rebuild of this site begin: the preview
    calls this once it told the browser to reload, so that the work does not slow the reload
    down (both want the interpreter)."""
    held = _LATER.get(_site_of(root, out))
    if held is not None:
        held[1].set()


def _site_of(root: Path, out: Path) -> tuple[Path, Path]:
    """Which project's site a background thread writes, however the caller spelled the paths."""
    return Path(os.path.abspath(root)), Path(os.path.abspath(out))


def settle(root: Path, out: Path) -> None:
    """Wait for the background work of the last preview rebuild of this site, if any."""
    release(root, out)
    held = _LATER.pop(_site_of(root, out), None)
    if held is not None:
        held[0].join()


def _failed_at(exc: OSError, out: Path, root: Path) -> str:
    """The file an OSError names, if it is still there to look at; else the output folder (a
    full disk names no file; a staging folder is gone once the build stopped)."""
    if exc.filename and os.path.lexists(exc.filename):
        return rel(Path(exc.filename), root)
    return rel(out, root)


def _build(root: Path, out: Path, problems: Problems, strict: bool,
           base_url: str, keep: Callable[[Project], None] | None = None, preview: bool = False,
           changed: Collection[str] | None = None
           ) -> tuple[dict[str, int] | None, Callable[[], None] | None]:
    """The stages of one build, in order (see build): its counts (None when it stopped), and
    what is left to do in the background (the preview's rebuilds: the open data and the
    search index, after the pages)."""
    started, stages = time.perf_counter(), Stages()
    # 1-3. Read everything, clean each seed, anchor its annotations.
    project = _read(root, problems, keep, base_url, changed)
    stages.done("read, clean and anchor")
    # 4. Cross-reference: entity pages, date pages, timeline, shared passages.
    index, changed = index_project(root, project.sources, Inputs(
        project.entities, frozenset(project.seeds), project.complete, project.claims,
        project.dossier.kinds), problems, shared_passages(root))
    stages.done("index")
    if problems.errors or (strict and problems.warnings):
        return None, None
    # 5. Plan every page of the site, each with a key of what it shows.
    templates = template_folders(root)
    site = _site(project, index, templates)
    last = _LAST.pop((root, out), None)
    planned = plan(site, last.plan if last else None, changed)
    live = last if preview and last and (out / MARKER).is_file() else None
    manifest = live.manifest if live else Manifest(root, out)
    todo = to_render(planned, live.plan if live else None, manifest)
    stages.done("plan")
    # 6. Render the pages whose key changed, into a staging folder.
    record = Record(root, out, project, planned, manifest)
    writer = SiteWriter(out, static_folders(root), root, incremental=bool(manifest.pages),
                        in_place=live.pages if live else None)
    searching = None
    try:
        if live is None and len(index.sources) <= BESIDE:
            searching = Searching(index, manifest, root / CACHE_DIR)  # beside the render
        kept = live.pages - live.static - planned.gone if live else None
        _render(writer, Renderer(templates, root, site), todo, planned, record.keys, kept)
        stages.done("render")
        if live is not None:
            # 7-8. The preview's rebuild: the pages go in place now (the browser reloads);
            #      the open data and the search index follow (`later`, in the background).
            files = writer.finish()
            record.wrote(writer)
            return _summary(project, index, files, stages, started, problems,
                            len(todo)), partial(
                _data_later, site, record, live.data)
        # 7. The open data, and the search index by Pagefind from what is searchable (kept
        #    when that did not change): after rendering, so that Pagefind and the render
        #    workers never peak together.
        _data(site, record, writer, searching)
        stages.done("open data and search index")
        # 8. Write what changed in one swap, and remember it for the next build.
        files = writer.finish()
    except TemplateProblem as exc:
        problems.error(exc.where, exc.message, exc.line_text)
        return None, None
    except search.SearchFailed as exc:
        problems.error(Where("site/pagefind"), search_failed(exc))
        return None, None
    finally:
        writer.abort()
        if searching is not None:
            searching.cancel()
    record.wrote(writer)
    record.save()
    stages.done("write")
    # the preview's first build: what its next rebuild updates, made in the background
    return _summary(project, index, files, stages, started, problems, len(todo)), \
        partial(prepare, root) if preview else None


def _read(root: Path, problems: Problems, keep: Callable[[Project], None] | None,
          base_url: str, changed: Collection[str] | None) -> Project:
    project = read_project(root, problems, changed=changed)
    if keep is not None:
        keep(project)
    if base_url:
        project = replace(project, dossier=replace(
            project.dossier, base_url=base_url if base_url.endswith("/") else base_url + "/"))
    # What was read lives until the build ends (and, in the preview, the next builds): out
    # of the collector's reach, a collection does not walk a large dossier's every record.
    gc.freeze()
    return project


def _site(project: Project, index: Index, templates: list[Path]) -> Site:
    """What the pages are made from, with a digest of the templates and settings."""
    base = digest(code_version(), *map(tree_digest, templates), project.dossier)
    return Site(index, project.dossier, project.entities, project.keys, base,
                own_listing(templates, base))


def _summary(project: Project, index: Index, files: int, stages: Stages, started: float,
             problems: Problems, rendered: int) -> dict[str, int]:
    tally = counts(index)
    per_kind = ", ".join(f"{tally[k.id]} {k.short.lower()}" for k in project.dossier.kinds)
    return {**tally, "per_kind": per_kind, "files": files, "warnings": len(problems.warnings),
            "relocated": project.anchors["relocated"], "stages": stages.line(),
            "redid": f"{project.anew} source{'' if project.anew == 1 else 's'} and {rendered} "
                     f"page{'' if rendered == 1 else 's'}",
            "ms": round((time.perf_counter() - started) * 1000)}


def search_failed(exc: Exception) -> str:
    return (f"the search index could not be built: {exc}; reinstall Pagefind (pip install "
            "--force-reinstall pagefind-bin) and build again")


def _render(writer: SiteWriter, renderer: Renderer, todo: list[Page], planned: Plan,
            keys: dict[str, str], kept: set[str] | None = None) -> None:
    """Render the pages to make (on every core) into the writer; keep the others (`kept`:
    the pages the last build in this process wrote that this one still has)."""
    progress = Progress("Rendering", len(todo))
    for page, data in render_pages(renderer, todo, progress.step):
        writer.put(page.path, data)
        keys[page.path] = page.key or digest(data)
    progress.close()
    if kept is not None and writer.in_place is not None:
        writer.keep(kept)
        return
    for page in planned.pages:
        writer.put(page.path, None)  # kept as the last build wrote it, if not staged


def _data(site: Site, record: Record, writer: SiteWriter,
          searching: Searching | None = None) -> None:
    """The open data and the search index (Pagefind started now, unless `searching`
    already), into the writer."""
    html = [page.path for page in record.plan.pages]
    for path, (data, key) in open_data(site, html, record.manifest, record.parts).items():
        writer.put(path, data)
        record.keys[path] = key
    searching = searching or Searching(site.index, record.manifest, record.root / CACHE_DIR)
    for path, data in searching.bundle().items():
        writer.put(path, data)
        record.keys[path] = digest(searching.key, path)


def _data_later(site: Site, record: Record, written: set[str]) -> None:
    """The preview's open data and search index, put in place after its pages, then the
    build's records and what the next rebuild updates (in the background, holding the build
    lock: the next build waits)."""
    writer = SiteWriter(record.out, [], record.root, incremental=True, in_place=written)
    try:
        _data(site, record, writer)
        writer.finish()
    finally:
        writer.abort()
    record.wrote(writer)
    record.save()
    prepare(record.root)  # what the next rebuild updates


def _is_data(path: str) -> bool:
    return opendata.is_export(path) or path.startswith(f"{search.BUNDLE}/")



class Record:
    """What a build remembers for the next one: every file's key (the manifest), each
    source's parts of the open data, where the anchors are, and the plan (for a next build in
    this process)."""

    def __init__(self, root: Path, out: Path, project: Project, planned: Plan,
                 manifest: Manifest) -> None:
        self.root, self.out, self.project, self.plan = root, out, project, planned
        self.manifest, self.parts = manifest, PartsCache(root)
        self.keys = dict(planned.keys)  # then the rendered and data files' own
        self.pages: set[str] = set()
        self.static: set[str] = set()
        self.data: set[str] = set()
        """The files of the site this build wrote or kept: pages (and static files), and the
        open data and search index."""
        self.changed: set[str] | None = set()
        """The files put in place one by one (None: the site was swapped whole)."""

    def wrote(self, writer: SiteWriter) -> None:
        paths = set(writer.wanted)
        if writer.static:  # it wrote the pages, and perhaps the open data with them
            data = {p for p in paths if _is_data(p)} if writer.in_place is None else set()
            self.pages |= paths - data
            self.static |= writer.static_paths
            self.data |= data
        else:
            self.data |= paths
        if writer.in_place is None:
            self.changed = None
        elif self.changed is not None:
            self.changed |= writer.written

    def save(self) -> None:
        self.manifest.save(self.keys, self.changed)
        self.parts.save({s.id for s in self.project.sources})
        record_digests(self.root, input_names(self.root, self.project.seeds))
        lock = anchor_memory(self.project)
        if lock != self.project.remembered:
            save_lock(self.root, lock)
        _LAST[(self.root, self.out)] = Last(self.plan, self.manifest, self.pages, self.data,
                                            self.static)


@dataclass(frozen=True)
class Last:
    """What the last build of a project and site folder in this process made."""

    plan: Plan
    manifest: Manifest
    pages: set[str]
    """The pages and static files of the site it wrote or kept."""
    data: set[str]
    """Its open data and search index."""
    static: set[str]
    """Its static files (of `pages`)."""


_LAST: dict[tuple[Path, Path], Last] = {}
"""The last successful build of each project and site folder (the live preview's)."""


def to_render(planned: Plan, last: Plan | None, manifest: Manifest) -> list[Page]:
    """The pages whose key changed: since the last build in this process, which wrote every
    page it planned; else since the build the manifest records, whose file must also still be
    as that build left it. (A page with no key is always rendered.)"""
    if last is None:
        return [p for p in planned.pages if not (p.key and manifest.unchanged(p.path, p.key))]
    was = last.keys  # the plan `planned` was made from: only the pages it made again can differ
    return [p for p in planned.remade if not (p.key and was.get(p.path) == p.key)]


BESIDE = 2000
"""Up to this many sources, Pagefind indexes while the pages render (both fit in memory
with room to spare); above it, after rendering, so that the two never peak together."""


class Searching:
    """The search index of one build: the documents' key, and the last build's bundle when
    it was made from the same searchable text and is still in place; else Pagefind, started."""

    def __init__(self, index: Index, manifest: Manifest, work: Path) -> None:
        docs = search.documents(index, date_units(list(index.date_pages)))
        self.key = search.key(docs)
        self.kept = manifest.kept(lambda p: p.startswith(f"{search.BUNDLE}/"),
                                  lambda p: digest(self.key, p))
        self.indexing = None if self.kept else search.Indexing(docs, work)

    def bundle(self) -> dict[str, bytes | None]:
        """The bundle's files ({path: None} for those kept); waits for Pagefind."""
        if self.indexing is None:
            return dict.fromkeys(self.kept)
        try:
            return self.indexing.result()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop Pagefind if it still runs (the build stopped: Ctrl-C, a signal, an error)."""
        if self.indexing is not None:
            self.indexing.cancel()


def open_data(site: Site, html: list[str], manifest: Manifest, parts: PartsCache
              ) -> dict[str, tuple[bytes | None, str]]:
    """The open-data files, each with its key: (None, key) for each when the last build's
    are still right (nothing they are made from changed); a source's parts of them are made
    again only when it changed (PartsCache)."""
    part_keys: dict[str, str] = {}

    def part_key(src: Source) -> str:
        """What a source's parts show: the source, and the names and kinds of the entities
        it mentions ('' when it has no cache key: always made). Made once per source."""
        if src.id not in part_keys:
            named = sorted({m.entity for m in src.mentions})
            part_keys[src.id] = "" if src.id not in site.source_keys else digest(
                site.base, site.source_keys[src.id],
                [(e.id, e.name, e.kind) for e in map(site.entities.get, named) if e])
        return part_keys[src.id]

    @cache
    def key(path: str) -> str:
        """A file of one source's: that source's part key; a joined file: the whole's (made
        once per file: the manifest check, the kept files and the written ones ask it)."""
        if sid := opendata.source_file(path):
            own = part_key(site.by_id[sid]) if sid in site.by_id else ""
            return digest(own, path) if own else ""
        return digest(site.base, site.whole, "export", path) if site.whole else ""

    kept = manifest.kept(opendata.is_export, key)
    if kept and all(key(path) for path in kept):
        return {path: (None, key(path)) for path in kept}

    def kept_part(src: Source) -> opendata.Parts | None:
        return parts.get(src.id, k) if (k := part_key(src)) else None

    def made_part(src: Source, made: opendata.Parts) -> None:
        if k := part_key(src):
            parts.put(src.id, k, made)

    files = opendata.exports(site.index, site.entities, site.dossier, html, kept_part, made_part)
    out: dict[str, tuple[bytes | None, str]] = {}
    for path, data in files.items():
        k = key(path)
        if not k:
            out[path] = (data, digest(data))
        elif opendata.source_file(path) and manifest.unchanged(path, k):
            out[path] = (None, k)  # that source's file as the last build wrote it
        else:
            out[path] = (data, k)
    return out
