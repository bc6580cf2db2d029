#!/usr/bin/env python3
"""Build the annotated source dossier: seeds/ + content/ -> site/.

    python build.py                  build site/ and print a summary
    python build.py clean FILE       print the article text of a seed, one block per line
    python build.py clean FILE --explain
                                     ... with the headline and every removed line and its rule
    python build.py check            lint the annotations; writes nothing
    python build.py serve            build, serve on http://localhost:8000, rebuild on change

The build reads and checks everything before it writes anything; a build with errors
leaves the previous site/ untouched. Exit codes: 0 built, 1 invalid input, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from dossier import search
from dossier.anchor import Text, anchor_claims, anchor_dates, anchor_mentions, anchor_quotes
from dossier.annotations import (
    Dossier,
    annotation_path,
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
from dossier.clean import Rules, clean_text, explain_lines, load_rules
from dossier.index import Index, build_index, sentences
from dossier.inputs import check_inputs, read_regular
from dossier.models import Answer, Claim, Entity, Problem, Problems, Source, Where
from dossier.output import CACHE_DIR, BuildLock, OutputRefused, check_output, remove_leftovers
from dossier.overlap import credits
from dossier.parallel import map_items
from dossier.progress import Progress
from dossier.relocate import Memory, load_lock, remember, save_lock
from dossier.render import Renderer, counts, date_units
from dossier.seeds import read_seed
from dossier.text import safe_text
from dossier.write import SiteWriter
from dossier.yamlio import line_text, load_schema

ROOT = Path(__file__).resolve().parent


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
    rules_path = root / "content" / "boilerplate.yaml"
    rules = load_rules(rules_path, problems, root=root)
    dossier = read_dossier(root, problems)
    errors_before = len(problems.errors)
    entities = read_entities(root, problems)
    registry_ok = len(problems.errors) == errors_before
    seeds = find_seeds(root, problems)
    orphan_annotations(root, seeds, problems)
    memory, tally, cache = load_lock(root), Counter[str](), SourceCache(root)
    shared = digest(code_version(), _bytes(rules_path), " ".join(entities), registry_ok)
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
          base_url: str = "") -> dict[str, int] | None:
    """Run every stage, one build of a project at a time; return the counts, or None when
    errors (or, if strict, warnings) stopped the build before the site was changed."""
    try:
        out = check_output(out, root)
    except OutputRefused as exc:
        problems.error(Where("--out"), str(exc))
        return None
    try:
        with BuildLock(root):
            remove_leftovers(out, root)
            return _build(root, out, problems, strict, base_url)
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
           base_url: str) -> dict[str, int] | None:
    """The stages of one build, in order (see build)."""
    started, stages = time.perf_counter(), Stages()
    # 1-3. Read everything, clean each seed, anchor its annotations.
    project = read_project(root, problems)
    if base_url:
        project = replace(project, dossier=replace(
            project.dossier, base_url=base_url if base_url.endswith("/") else base_url + "/"))
    stages.done("read, clean and anchor")
    # 4. Cross-reference: entity pages, date pages, timeline, shared passages.
    index = build_index(project.sources, project.entities, problems, set(project.seeds),
                        warn_unused=project.complete, claims=project.claims,
                        shared=shared_passages(root))
    stages.done("index")
    if problems.errors or (strict and problems.warnings):
        return None
    # 5. The search index, built by Pagefind in the background from what is searchable
    #    (kept as it is when that did not change), while Python renders.
    manifest = Manifest(root, out)
    search_key, bundle, indexing = search_bundle(index, manifest, root / CACHE_DIR)
    stages.done("search documents")
    # 6. Render every page whose inputs changed since the last build, into a staging folder.
    writer = SiteWriter(out, root / "templates" / "static", root,
                        incremental=bool(manifest.pages))
    try:
        parts = PartsCache(root)
        renderer = Renderer(root / "templates", project.dossier, index, project.entities,
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
        problems.error(Where("build.py"), f"the search index could not be built: {exc}; "
                       "reinstall Pagefind (pip install -e .) and build again")
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
    return {**counts(index), "files": files, "warnings": len(problems.warnings),
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
    A seed whose annotation file is invalid is skipped (the file's problems say why)."""
    errors = len(problems.errors)
    meta = read_source(root, sid, path, problems)
    if meta is None and annotation_path(root, sid).exists():
        return None
    raw = read_seed(path, rel(path, root), problems)
    if raw is None or len(problems.errors) > errors:
        return None
    kind = "html" if path.suffix.lower() in (".html", ".htm") else "text"
    cleaned = clean_text(raw, rules, kind=kind, source_id=sid,
                         publisher=publisher_key(meta.url) if meta else None,
                         headline=meta.headline if meta else None)
    if meta is None:
        problems.warn(Where(rel(path, root)), f"no annotations: add content/sources/{sid}.yaml; "
                      "the source is shown as unannotated")
        meta = unannotated(sid, rel(path, root), cleaned.headline)
    text = Text(cleaned, meta.seed)
    source = Source(meta, cleaned,
                    anchor_mentions(meta, text, entities, problems, memory, tally, registry_ok),
                    anchor_dates(meta, text, problems, memory, tally),
                    anchor_quotes(meta, text, entities, problems, memory, tally))
    return replace(source, credits=credits(source), around=sentences(source))


def clean_command(root: Path, file: Path, explain: bool, problems: Problems) -> list[str] | None:
    """The lines `build.py clean FILE` prints: what the source page's <article> holds."""
    if not check_inputs(root, problems):
        return None
    rules = load_rules(root / "content" / "boilerplate.yaml", problems, root=root)
    raw = read_seed(file, str(file), problems)
    if raw is None or problems.errors:
        return None
    meta = None
    if file.resolve().parent == (root / "seeds").resolve():
        meta = read_source(root, file.stem, file, Problems())
    kind = "html" if file.suffix.lower() in (".html", ".htm") else "text"
    cleaned = clean_text(raw, rules, kind=kind, source_id=file.stem,
                         publisher=publisher_key(meta.url) if meta else None,
                         headline=meta.headline if meta else None)
    return explain_lines(cleaned) if explain else [b.text for b in cleaned.blocks]


def profiled(run):  # type: ignore[no-untyped-def]
    """Run the build under cProfile and print where the time went, to standard error."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(run)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative").print_stats(25)
    print(text.getvalue(), file=sys.stderr)
    return result


def check_command(root: Path, problems: Problems, strict: bool) -> int:
    """`build.py check`: every build problem plus the lint findings; writes nothing."""
    project = read_project(root, problems, write_cache=False)
    build_index(project.sources, project.entities, problems, set(project.seeds),
                warn_unused=False, shared=lambda sources: ())  # lint needs no overlaps
    if not problems.errors:
        from dossier.check import check

        check(project, root, problems)
    report(problems, strict, root)
    failed = bool(problems.errors) or (strict and bool(problems.warnings))
    if not problems.items:
        print("No findings.")
    return 1 if failed else 0


def report(problems: Problems, strict: bool, root: Path) -> None:
    """Print every problem, each followed by the offending line of its file."""
    for p in problems.items:
        if p.where.line and not p.line_text:
            p = replace(p, line_text=line_text(root / p.where.path, p.where.line))
        print(p.format(), file=sys.stderr)
    if problems.items:
        e, w = len(problems.errors), len(problems.warnings)
        print(f"{e} error(s), {w} warning(s)" + (" (--strict: warnings count as errors)"
                                                  if strict and w else ""), file=sys.stderr)


def summary(c: dict[str, int], out: Path) -> str:
    return (f"Built {c['sources']} sources: {c['entities']} entities ({c['person']} people, "
            f"{c['unit']} units, {c['organisation']} organisations, {c['place']} places), "
            f"{c['mentions']} mentions, {c['dates']} dates on {c['date_pages']} date pages; "
            f"{c['removed']} lines of boilerplate removed; {c['warnings']} warning(s)"
            + (f", {c['relocated']} anchor(s) relocated" if c["relocated"] else "") + "; "
            f"{c['files']} files written in {c['ms']} ms ({c['stages']}).\n"
            f"Open {out / 'index.html'} in a browser, or run: python -m http.server -d {out} 8000")


def port_number(text: str) -> int:
    """--port: a TCP port, 1 to 65535 (anything else is a usage error, exit code 2)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{safe_text(text)}' is not a port: give a number "
                                         "from 1 to 65535")
    return int(text)


def check_base_url(value: str) -> None:
    """Raise ValueError unless --base-url is empty or an address base_url in
    content/dossier.yaml could hold (the same rule, from its schema): it goes into every page,
    the feed and the sitemap."""
    rule = load_schema("dossier.schema.json")["properties"]["base_url"]["pattern"]
    if value and not re.search(rule, value):
        raise ValueError(f"--base-url '{safe_text(value)}' is not an http(s) address (such as "
                         "https://example.org/dossier/)")


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                        help="project folder (default: the folder of build.py)")
    common.add_argument("--out", type=Path, default=argparse.SUPPRESS,
                        help="output folder (default: ROOT/site)")
    common.add_argument("--strict", action="store_true", default=argparse.SUPPRESS,
                        help="treat warnings as errors")
    common.add_argument("--profile", action="store_true", default=argparse.SUPPRESS,
                        help="show where the build's time went (the 25 costliest calls)")
    common.add_argument("--base-url", default=argparse.SUPPRESS,
                        help="where the site is published (overrides base_url in "
                        "content/dossier.yaml)")
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n")[0],
                                     parents=[common])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("build", parents=[common], help="build the site (the default)")
    clean = sub.add_parser("clean", parents=[common], help="print the article text of a seed")
    clean.add_argument("file", type=Path)
    clean.add_argument("--explain", action="store_true",
                       help="also print the headline and every removed line with its rule")
    sub.add_parser("check", parents=[common], help="lint the annotations (writes nothing)")
    serve_cmd = sub.add_parser("serve", parents=[common],
                               help="build, serve the site, rebuild and reload on every change")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=port_number, default=8000,
                           help="port (default 8000)")
    args = parser.parse_args(argv)
    root = getattr(args, "root", ROOT).resolve()
    if not root.is_dir():
        parser.error(f"--root {safe_text(str(root))}: no such folder; give the dossier's folder "
                     "(the one holding seeds/ and content/)")
    args.strict = getattr(args, "strict", False)
    args.out = getattr(args, "out", None)
    args.base_url = getattr(args, "base_url", "")
    problems = Problems()
    if args.command == "clean":
        lines = clean_command(root, args.file, args.explain, problems)
        if lines is None:
            report(problems, False, root)
            return 1
        sys.stdout.write("".join(line + "\n" for line in lines))
        return 0
    if args.command == "check":
        return check_command(root, problems, args.strict)
    try:
        out = check_output(args.out or root / "site", root)
        check_base_url(args.base_url)
    except (OutputRefused, ValueError) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from dossier.serve import serve

        return serve(root, out, lambda p: build(root, out, p, args.strict, args.base_url),
                     lambda p: report(p, args.strict, root), args.host, args.port)
    if getattr(args, "profile", False):
        result = profiled(lambda: build(root, out, problems, args.strict, args.base_url))
    else:
        result = build(root, out, problems, args.strict, args.base_url)
    report(problems, args.strict, root)
    if result is None:
        print(f"Build failed; {out} was left as it was.", file=sys.stderr)
        return 1
    print(summary(result, out))
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM: the build stops as on Ctrl-C, its staging folders removed on the way out."""


def _stop(signum: int, _frame: object) -> None:
    raise Terminated


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into a reader that stopped (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt as stopped:
        print("Stopped; the site was left as it was.", file=sys.stderr)
        sys.exit(143 if isinstance(stopped, Terminated) else 130)
