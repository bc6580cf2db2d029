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

from dossier import search
from dossier.annotations import rel
from dossier.cache import Manifest, PartsCache, digest, shared_passages
from dossier.index import Index, build_index
from dossier.layout import static_folders, template_folders
from dossier.models import Problems, Where
from dossier.output import CACHE_DIR, BuildLock, OutputRefused, check_output, remove_leftovers
from dossier.project import Project, anchor_memory, read_project
from dossier.relocate import save_lock
from dossier.render import Renderer, counts, date_units
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
          base_url: str = "", keep: Callable[[Project], None] | None = None
          ) -> dict[str, int] | None:
    """Run every stage, one build of a project at a time; return the counts, or None when
    errors (or, if strict, warnings) stopped the build before the site was changed. `keep`
    is handed the project once it is read (the preview's annotation tools work from it)."""
    try:
        out = check_output(out, root)
    except OutputRefused as exc:
        problems.error(Where("--out"), str(exc))
        return None
    try:
        with BuildLock(root):
            remove_leftovers(out, root)
            return _build(root, out, problems, strict, base_url, keep)
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
           base_url: str, keep: Callable[[Project], None] | None = None
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
    index = build_index(project.sources, project.entities, problems, set(project.seeds),
                        warn_unused=project.complete, claims=project.claims,
                        shared=shared_passages(root), kinds=project.dossier.kinds)
    stages.done("index")
    if problems.errors or (strict and problems.warnings):
        return None
    # 5. The search index, built by Pagefind in the background from what is searchable
    #    (kept as it is when that did not change), while Python renders.
    manifest = Manifest(root, out)
    search_key, bundle, indexing = search_bundle(index, manifest, root / CACHE_DIR)
    stages.done("search documents")
    # 6. Render every page whose inputs changed since the last build, into a staging folder.
    writer = SiteWriter(out, static_folders(root), root,
                        incremental=bool(manifest.pages))
    try:
        parts = PartsCache(root)
        renderer = Renderer(template_folders(root), root, project.dossier, index, project.entities,
                            project.keys, manifest, sink=writer.put, parts=parts)
        pages = renderer.all_pages(problems)
        stages.done("render")
        if problems.errors or (strict and problems.warnings):
            return None
        if indexing is not None:
            bundle = indexing.result()
        stages.done("search index (waiting)")
        # 7. Write what changed, and remember it for the next build.
        for path, data in (*pages.items(), *bundle.items()):
            writer.put(path, data)
        files = writer.finish()
    except search.SearchFailed as exc:
        problems.error(Where("site/pagefind"), f"the search index could not be built: {exc}; "
                       "reinstall Pagefind (pip install --force-reinstall pagefind-bin) and "
                       "build again")
        return None
    finally:
        writer.abort()
        if indexing is not None:
            indexing.cancel()
    renderer.keys.update({p: digest(search_key, p) for p in bundle})
    manifest.save(renderer.keys)
    parts.save({s.id for s in project.sources})
    lock = anchor_memory(project)
    if lock != project.remembered:
        save_lock(root, lock)
    stages.done("write")
    tally = counts(index)
    per_kind = ", ".join(f"{tally[k.id]} {k.short.lower()}" for k in project.dossier.kinds)
    return {**tally, "per_kind": per_kind, "files": files, "warnings": len(problems.warnings),
            "relocated": project.anchors["relocated"], "stages": stages.line(),
            "ms": round((time.perf_counter() - started) * 1000)}


def search_bundle(index: Index, manifest: Manifest, work: Path
                  ) -> tuple[str, dict[str, bytes | None], search.Indexing | None]:
    """The search documents' key and the Pagefind bundle: {file: None} when the last build's
    bundle was made from the same searchable text and is still in place; else nothing yet,
    and Pagefind started on the search documents."""
    docs = search.documents(index, date_units(list(index.date_pages)))
    key = search.key(docs)
    kept = manifest.kept(lambda p: p.startswith(f"{search.BUNDLE}/"), lambda p: digest(key, p))
    if kept:
        return key, dict.fromkeys(kept), None
    return key, {}, search.Indexing(docs, work)

