"""The build, stage by stage: seeds/ + content/ -> site/.

`build()` is the table of contents: read the inputs, clean each seed, anchor its annotations,
cross-reference them in an index, render the pages and the search index, write the site in
one swap. It reads and checks everything before it writes anything; a build with errors
leaves the previous site/ untouched. The commands that call it are in dossier/cli.py.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dossier import capture, search
from dossier.anchor import Text, anchor_claims, anchor_dates, anchor_mentions, anchor_quotes
from dossier.annotations import (
    PAGE_FIELDS,
    Dossier,
    annotation_path,
    fill_from_page,
    find_seeds,
    orphan_annotations,
    publisher_key,
    read_claims,
    read_dossier,
    read_entities,
    read_source,
    rel,
    unannotated,
)
from dossier.cache import (
    Manifest,
    PartsCache,
    SourceCache,
    code_version,
    digest,
    shared_passages,
)
from dossier.clean import Rules, clean_text, dossier_rules
from dossier.index import Index, build_index, sentences
from dossier.inputs import check_inputs, read_regular
from dossier.layout import DEFAULT_RULES, static_folders, template_folders
from dossier.metadata import page_metadata
from dossier.models import (
    Answer,
    Claim,
    Entity,
    Problem,
    Problems,
    Published,
    Source,
    SourceMeta,
    Where,
)
from dossier.output import CACHE_DIR, BuildLock, OutputRefused, check_output, remove_leftovers
from dossier.overlap import credits
from dossier.parallel import map_items
from dossier.progress import Progress
from dossier.relocate import Memory, load_lock, remember, save_lock
from dossier.render import Renderer, counts, date_units
from dossier.seeds import decode_seed, seed_bytes
from dossier.write import SiteWriter


@dataclass(frozen=True)
class Project:
    """Everything read, cleaned and anchored: what every command works from."""

    dossier: Dossier
    entities: dict[str, Entity]
    seeds: dict[str, Path]
    """Seed files by source id."""
    sources: list[Source]
    """Sources whose seed and annotation file could be read, cleaned and anchored."""
    complete: bool
    """True when every annotation file could be read (so 'unused entity' warnings are sound)."""
    anchors: Counter[str]
    """How many annotations were anchored exact, relocated, ambiguous or orphaned."""
    keys: dict[str, str]
    """Each source's cache key: a hash of everything its cleaning and anchoring read."""
    claims: tuple[Claim, ...] = ()
    """Questions the sources answer, with each answer anchored in its source."""
    memory: dict[str, dict[str, Memory]] = field(default_factory=dict)
    """Where each source's anchors are now (claims' answers apart), by source id."""
    remembered: dict[str, dict[str, Memory]] = field(default_factory=dict)
    """What .dossier-cache/anchors.json held at the start of the build."""


def read_project(root: Path, problems: Problems, write_cache: bool = True) -> Project:
    """Stages 1-3: read the rules, the registry, the seeds and their annotations; clean each
    seed and anchor its annotations in the cleaned text (unchanged sources come from the cache,
    which is updated unless write_cache is false). Nothing is read when an input folder holds a
    link to outside the project or a file that is not a regular file."""
    if not check_inputs(root, problems):
        return Project(Dossier(), {}, {}, [], False, Counter(), {})
    rules = dossier_rules(root, problems)
    errors_before = len(problems.errors)
    dossier = read_dossier(root, problems)
    # The registry is read against the dossier's kinds: not when those are wrong (every
    # entity would be an error of its own).
    entities = read_entities(root, problems, dossier.kinds) \
        if len(problems.errors) == errors_before else {}
    registry_ok = len(problems.errors) == errors_before
    seeds = find_seeds(root, problems)
    orphan_annotations(root, seeds, problems)
    memory, tally, cache = load_lock(root), Counter[str](), SourceCache(root)
    shared = digest(code_version(), _bytes(DEFAULT_RULES),
                    _bytes(root / "content" / "boilerplate.yaml"), " ".join(entities), registry_ok)
    found: dict[str, tuple[Source | None, list[Problem], dict[str, Memory]]] = {}
    keys, todo = {}, []
    progress = Progress("Cleaning and anchoring", len(seeds))
    for sid, path in seeds.items():
        keys[sid] = digest(shared, sid, path.name, _bytes(path),
                           _bytes(annotation_path(root, sid)))
        hit = cache.get(sid, keys[sid])
        if hit is None:
            todo.append((sid, path, keys[sid], memory.get(sid, {})))
        else:
            found[sid] = hit
            tally["exact"] += len(hit[0].mentions) + len(hit[0].dates)
            progress.step()
    # The sources not in the cache are cleaned and anchored on every core.
    work = (root, rules, entities, registry_ok, write_cache)
    for (sid, *_), (source, raised, counted, anchored) in zip(
            todo, map_items(_load_one, todo, work, done=progress.step), strict=True):
        found[sid] = (source, raised, anchored)
        tally.update(counted)
        if write_cache and source is not None and not any(p.severity == "error" for p in raised):
            cache.keep(sid, keys[sid], (source, raised, anchored))
    progress.close()
    sources, complete, now = [], not problems.errors, {}
    for sid in seeds:
        source, raised, now[sid] = found[sid]
        problems.items.extend(raised)
        complete = complete and not any(p.where.path.startswith("content/") and
                                        p.severity == "error" for p in raised)
        if source is not None:
            sources.append(source)
        else:
            del keys[sid]
    texts = {s.id: (Text(s.cleaned, s.meta.seed), s.meta) for s in sources}
    claims = anchor_claims(read_claims(root, problems), texts, entities, problems, memory, tally)
    return Project(dossier, entities, seeds, sources, complete, tally, keys, claims, now, memory)


def _bytes(path: Path) -> bytes:
    try:
        return read_regular(path)
    except OSError:
        return b""


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


def anchor_memory(project: Project) -> dict[str, dict[str, Memory]]:
    """Where every anchor sits now, per source: what the next build compares against."""
    answers: dict[str, list[Answer]] = {}
    for claim in project.claims:
        for answer in claim.answers:
            answers.setdefault(answer.source, []).append(answer)
    return {s.id: {**project.memory[s.id],
                   **{a.key: remember(s.cleaned.text, a.span.start, a.span.end)
                      for a in answers.get(s.id, ())}}
            for s in project.sources}


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


def _load_one(item: tuple[str, Path, str, dict[str, Memory]], root: Path, rules: Rules,
              entities: dict[str, Entity], registry_ok: bool, write_cache: bool
              ) -> tuple[Source | None, list[Problem], Counter[str], dict[str, Memory]]:
    """Clean and anchor one source not in the cache, and cache it with where its anchors are
    (in a worker process)."""
    sid, path, key, memory = item
    problems, tally = Problems(), Counter[str]()
    source = load_source(root, sid, path, rules, entities, problems, memory, tally, registry_ok)
    anchored = {} if source is None else {
        a.key: remember(source.cleaned.text, a.span.start, a.span.end)
        for a in (*source.mentions, *source.dates, *source.quotes)}
    if write_cache and source is not None and not problems.errors:
        SourceCache(root).put(sid, key, source, problems.items, anchored)
    return source, problems.items, tally, anchored


def load_source(root: Path, sid: str, path: Path, rules: Rules, entities: dict[str, Entity],
                problems: Problems, memory: dict[str, Memory] | None = None,
                tally: Counter[str] | None = None, registry_ok: bool = True) -> Source | None:
    """Read, clean and anchor one seed (memory: where its anchors were at the last build).
    A seed whose annotation file is invalid is skipped (the file's problems say why); a seed
    that no longer matches its recorded digest is an error (dossier.capture)."""
    errors = len(problems.errors)
    meta = read_source(root, sid, path, problems)
    if meta is None and annotation_path(root, sid).exists():
        return None
    data = seed_bytes(path, rel(path, root), problems)
    if data is None:
        return None
    actual = capture.sha256(data)
    if meta is not None:  # first: a changed seed may no longer even read as text
        capture.verify(meta, actual, problems)
    raw = decode_seed(data, rel(path, root), problems)
    if raw is None or len(problems.errors) > errors:
        return None
    kind = "html" if path.suffix.lower() in (".html", ".htm") else "text"
    if meta is None:
        problems.warn(Where(rel(path, root)), f"no annotations: add content/sources/{sid}.yaml "
                      f"(dossier add {rel(path, root)} writes one); the source is shown as "
                      "unannotated")
        meta = unannotated(sid, rel(path, root), None)
    if kind == "html" and not all(getattr(meta, f) for f in PAGE_FIELDS):
        meta = fill_from_page(meta, page_metadata(raw))
    if meta.annotated:
        _missing_fields(meta, kind, problems)
    cleaned = clean_text(raw, rules, kind=kind, source_id=sid, publisher=publisher_key(meta.url),
                         headline=meta.headline or None)
    if not meta.headline:
        meta = replace(meta, headline=cleaned.headline or sid)
    text = Text(cleaned, meta.seed)
    source = Source(meta, cleaned,
                    anchor_mentions(meta, text, entities, problems, memory, tally, registry_ok),
                    anchor_dates(meta, text, problems, memory, tally),
                    anchor_quotes(meta, text, entities, problems, memory, tally))
    return replace(source, credits=credits(source), around=sentences(source), sha256=actual)


REQUIRED = {"headline": "headline: …", "publisher": "publisher: …",
            "published": "published: {date: YYYY-MM-DD}", "url": "url: https://…"}
"""The bibliographic fields every source should have, and how to write each."""


def _missing_fields(meta: SourceMeta, kind: str, problems: Problems) -> None:
    """One warning naming the fields neither the annotation file nor the page gives."""
    missing = [name for name in REQUIRED if getattr(meta, name) in ("", Published("", False, ""))]
    if not missing:
        return
    given = "neither this file nor the saved page gives" if kind == "html" else \
        "this file does not give"
    problems.warn(meta.where, f"{given} the {', '.join(missing)}; add "
                  + "; ".join(REQUIRED[name] for name in missing))
