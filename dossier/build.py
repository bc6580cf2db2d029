"""The build, stage by stage: seeds/ + content/ -> site/.

`build()` is the table of contents: read the inputs, clean each seed, anchor its annotations,
cross-reference them in an index, render the pages and the search index, write the site in
one swap. It reads and checks everything before it writes anything; a build with errors
leaves the previous site/ untouched. The commands that call it are in dossier/cli.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from dossier import opendata, search
from dossier.annotations import rel
from dossier.cache import Manifest, PartsCache, code_version, digest, shared_passages, tree_digest
from dossier.dates import date_units
from dossier.index import Index, counts
from dossier.layout import static_folders, template_folders
from dossier.models import Problems, Source, Where
from dossier.output import CACHE_DIR, BuildLock, OutputRefused, check_output, remove_leftovers
from dossier.pages import Page, Plan, Site, plan
from dossier.progress import Progress
from dossier.project import Project, anchor_memory, read_project
from dossier.relocate import save_lock
from dossier.render import Renderer, TemplateProblem, own_listing, render_pages
from dossier.update import Inputs, index_project
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
          preview: bool = False
          ) -> dict[str, int] | None:
    """Run every stage, one build of a project at a time; return the counts, or None when
    errors (or, if strict, warnings) stopped the build before the site was changed. `keep`
    is handed the project once it is read (the preview's annotation tools work from it).
    `preview`: the live preview, which trusts that the files it wrote are still as it wrote
    them (a command-line build checks every kept file against the manifest)."""
    try:
        out = check_output(out, root)
    except OutputRefused as exc:
        problems.error(Where("--out"), str(exc))
        return None
    try:
        with BuildLock(root):
            remove_leftovers(out, root)
            return _build(root, out, problems, strict, base_url, keep, preview)
    except OSError as exc:
        where = _failed_at(exc, out, root)
        fix = ("delete .dossier-cache/ (that only makes the next build slower)"
               if where.startswith(str(CACHE_DIR)) else
               "free disk space or make the folder writable")
        problems.error(Where(where), f"{exc.strerror or exc}: the build stopped and left "
                       f"{rel(out, root)} as it was; {fix}, then build again")
        return None


def _failed_at(exc: OSError, out: Path, root: Path) -> str:
    """The file an OSError names, if it is still there to look at; else the output folder (a
    full disk names no file; a staging folder is gone once the build stopped)."""
    if exc.filename and os.path.lexists(exc.filename):
        return rel(Path(exc.filename), root)
    return rel(out, root)


def _build(root: Path, out: Path, problems: Problems, strict: bool,
           base_url: str, keep: Callable[[Project], None] | None = None, preview: bool = False
           ) -> dict[str, int] | None:
    """The stages of one build, in order (see build)."""
    started, stages = time.perf_counter(), Stages()
    # 1-3. Read everything, clean each seed, anchor its annotations.
    project = read_project(root, problems)
    if keep is not None:
        keep(project)
    if base_url:
        project = replace(project, dossier=replace(
            project.dossier, base_url=base_url if base_url.endswith("/") else base_url + "/"))
    stages.done("read, clean and anchor")
    # 4. Cross-reference: entity pages, date pages, timeline, shared passages.
    index, changed = index_project(root, project.sources, Inputs(
        project.entities, frozenset(project.seeds), project.complete, project.claims,
        project.dossier.kinds), problems, shared_passages(root))
    stages.done("index")
    if problems.errors or (strict and problems.warnings):
        return None
    # 5. Plan every page of the site, each with a key of what it shows.
    templates = template_folders(root)
    base = digest(code_version(), *map(tree_digest, templates), project.dossier)
    site = Site(index, project.dossier, project.entities, project.keys, base,
                own_listing(templates, base))
    last = _PLANS.pop((root, out), None)
    planned = plan(site, last, changed)
    manifest = Manifest(root, out)
    writer = SiteWriter(out, static_folders(root), root, incremental=bool(manifest.pages))
    keys = {page.path: page.key for page in planned.pages}
    todo = to_render(planned, last if preview and writer.incremental else None, manifest)
    stages.done("plan")
    parts = PartsCache(root)
    try:
        # 6. Render the pages whose key changed, into a staging folder; then the open data.
        progress = Progress("Rendering", len(todo))
        for page, data in render_pages(Renderer(templates, root, site), todo, progress.step):
            writer.put(page.path, data)
            keys[page.path] = page.key or digest(data)
        progress.close()
        for page in planned.pages:
            writer.put(page.path, None)  # kept as the last build wrote it, if not staged
        exports = open_data(site, [page.path for page in planned.pages], manifest, parts)
        for path, (data, key) in exports.items():
            writer.put(path, data)
            keys[path] = key
        stages.done("render")
        # 7. The search index, by Pagefind, from what is searchable (kept when that did not
        #    change); after rendering, so that it and the render workers never peak together.
        search_key, bundle = search_bundle(index, manifest, root / CACHE_DIR)
        stages.done("search index")
        # 8. Write what changed in one swap, and remember it for the next build.
        for path, data in bundle.items():
            writer.put(path, data)
            keys[path] = digest(search_key, path)
        files = writer.finish()
    except TemplateProblem as exc:
        problems.error(exc.where, exc.message, exc.line_text)
        return None
    except search.SearchFailed as exc:
        problems.error(Where("site/pagefind"), f"the search index could not be built: {exc}; "
                       "reinstall Pagefind (pip install --force-reinstall pagefind-bin) and "
                       "build again")
        return None
    finally:
        writer.abort()
    manifest.save(keys)
    parts.save({s.id for s in project.sources})
    _PLANS[(root, out)] = planned
    lock = anchor_memory(project)
    if lock != project.remembered:
        save_lock(root, lock)
    stages.done("write")
    tally = counts(index)
    per_kind = ", ".join(f"{tally[k.id]} {k.short.lower()}" for k in project.dossier.kinds)
    return {**tally, "per_kind": per_kind, "files": files, "warnings": len(problems.warnings),
            "relocated": project.anchors["relocated"], "stages": stages.line(),
            "ms": round((time.perf_counter() - started) * 1000)}


_PLANS: dict[tuple[Path, Path], Plan] = {}
"""The plan of the last build of each project and site folder in this process (the preview)."""


def to_render(planned: Plan, last: Plan | None, manifest: Manifest) -> list[Page]:
    """The pages whose key changed: since the last build in this process, which wrote every
    page it planned; else since the build the manifest records, whose file must also still be
    as that build left it. (A page with no key is always rendered.)"""
    if last is None:
        return [p for p in planned.pages if not (p.key and manifest.unchanged(p.path, p.key))]
    was = last.keys
    return [p for p in planned.pages if not (p.key and was.get(p.path) == p.key)]


def search_bundle(index: Index, manifest: Manifest, work: Path
                  ) -> tuple[str, dict[str, bytes | None]]:
    """The search documents' key and the Pagefind bundle: {file: None} when the last build's
    bundle was made from the same searchable text and is still in place."""
    docs = search.documents(index, date_units(list(index.date_pages)))
    key = search.key(docs)
    kept = manifest.kept(lambda p: p.startswith(f"{search.BUNDLE}/"), lambda p: digest(key, p))
    if kept:
        return key, dict.fromkeys(kept)
    indexing = search.Indexing(docs, work)
    try:
        return key, indexing.result()
    finally:
        indexing.cancel()  # stopped (Ctrl-C, a signal): Pagefind with it


def open_data(site: Site, html: list[str], manifest: Manifest, parts: PartsCache
              ) -> dict[str, tuple[bytes | None, str]]:
    """The open-data files, each with its key: (None, key) for each when the last build's
    are still right (nothing they are made from changed); a source's parts of them are made
    again only when it changed (PartsCache)."""
    def key(path: str) -> str:
        return digest(site.base, site.whole, "export", path)

    kept = manifest.kept(opendata.is_export, key) if site.whole else []
    if kept:
        return {path: (None, key(path)) for path in kept}

    def part_key(src: Source) -> str:
        """What a source's parts show: the source, and the names and kinds of the entities
        it mentions ('' when it has no cache key: always made)."""
        if src.id not in site.source_keys:
            return ""
        named = sorted({m.entity for m in src.mentions})
        return digest(site.base, site.source_keys[src.id],
                      [(e.id, e.name, e.kind) for e in map(site.entities.get, named) if e])

    def kept_part(src: Source) -> opendata.Parts | None:
        return parts.get(src.id, k) if (k := part_key(src)) else None

    def made_part(src: Source, made: opendata.Parts) -> None:
        if k := part_key(src):
            parts.put(src.id, k, made)

    files = opendata.exports(site.index, site.entities, site.dossier, html, kept_part, made_part)
    return {path: (data, key(path) if site.whole else digest(data))
            for path, data in files.items()}
