"""Stages 1-3 of the build: the project read, each seed cleaned and its annotations anchored.

`read_project` is what every command works from (`build`, `check`, `serve`, `check --fix`);
`load_source` reads, cleans and anchors one seed. Sources whose inputs did not change come from
the cache (dossier/cache.py), the rest are made on every core.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from dossier import capture
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
from dossier.cache import SourceCache, code_version, digest, file_digest, recall_digests
from dossier.clean import Rules, clean_text, dossier_rules
from dossier.index import sentences
from dossier.inputs import check_inputs, read_regular
from dossier.layout import DEFAULT_RULES
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
from dossier.overlap import credits
from dossier.parallel import map_items
from dossier.progress import Progress
from dossier.relocate import Memory, load_lock, remember
from dossier.seeds import decode_seed, seed_bytes, seed_kind


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
    anew: int = 0
    """How many sources this read cleaned and anchored anew (not from the cache)."""


def read_project(root: Path, problems: Problems, write_cache: bool = True,
                 changed: Collection[str] | None = None) -> Project:
    """Stages 1-3: read the rules, the registry, the seeds and their annotations; clean each
    seed and anchor its annotations in the cleaned text (unchanged sources come from the cache,
    which is updated unless write_cache is false). Nothing is read when an input folder holds a
    link to outside the project or a file that is not a regular file.

    `changed`: the files the live preview saw change since its last build. When they are only
    seeds and annotation files of existing sources, the rest is taken from that build's read
    (its problems reported again): a rebuild reads what the edit touched."""
    last = _LAST.pop(root, None) if write_cache else None
    sids = _changed_sources(root, changed, last) if last is not None else None
    if last is None or sids is None:
        start = len(problems.items)
        if not check_inputs(root, problems):
            return Project(Dossier(), {}, {}, [], False, Counter(), {})
        last = Read(_head(root, problems))
        last.head.problems = problems.items[start:]
        sids = list(last.head.seeds)
    else:
        problems.items.extend(last.head.problems)
    anew = _load(root, last, sids, write_cache)
    project = replace(_assemble(root, last, problems, sids), anew=anew)
    if write_cache:
        _LAST[root] = last
    return project


@dataclass
class Head:
    """What a project's sources are read against, read before any of them."""

    rules: Rules
    dossier: Dossier
    entities: dict[str, Entity]
    registry_ok: bool
    seeds: dict[str, Path]
    shared: str
    """The part of every source's cache key that is not the source's own."""
    problems: list[Problem] = field(default_factory=list)
    """What reading all this reported."""

    @cached_property
    def by_name(self) -> dict[str, str]:
        """Each seed's id by its file's name."""
        return {path.name: sid for sid, path in self.seeds.items()}


@dataclass
class Read:
    """A project as the last read in this process found it, source by source."""

    head: Head
    found: dict[str, tuple[Source | None, list[Problem], dict[str, Memory]]] = \
        field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    assembled: Assembled | None = None
    tallies: dict[str, Counter[str]] = field(default_factory=dict)
    total: Counter[str] = field(default_factory=Counter)
    """The sum of the tallies: how many anchors were exact, relocated ..."""


_LAST: dict[Path, Read] = {}


def _head(root: Path, problems: Problems) -> Head:
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
    shared = digest(code_version(), _bytes(DEFAULT_RULES),
                    _bytes(root / "content" / "boilerplate.yaml"), " ".join(entities), registry_ok)
    return Head(rules, dossier, entities, registry_ok, seeds, shared)


def _changed_sources(root: Path, changed: Collection[str] | None, last: Read) -> list[str] | None:
    """The sources whose seed or annotation file these are, if that is all they are (files
    of existing sources, regular, not links); else None: read everything."""
    if changed is None:
        return None
    seeds, by_name = last.head.seeds, last.head.by_name
    base = os.path.realpath(root)
    found = set()
    for path in changed:
        parts = os.path.relpath(os.path.realpath(path), base).split(os.sep)
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode)
        except OSError:
            regular = None  # gone
        if len(parts) == 3 and parts[:2] == ["content", "sources"] and \
                parts[2].endswith(".yaml") and parts[2][:-5] in seeds and regular is not False:
            found.add(parts[2][:-5])
        elif len(parts) == 2 and parts[0] == "seeds" and parts[1] in by_name and regular:
            found.add(by_name[parts[1]])
        else:
            return None
    return [sid for sid in seeds if sid in found]


def _load(root: Path, read: Read, sids: list[str], write_cache: bool) -> int:
    """Clean and anchor these sources (from the cache when their inputs did not change);
    how many were not in the cache."""
    head = read.head
    memory, cache = load_lock(root), SourceCache(root)
    todo = []
    progress = Progress("Cleaning and anchoring", len(sids))
    if write_cache:  # a check (which writes no cache) reads every input again
        recall_digests(root)
    names = iter(input_names(root, head.seeds, sids))
    for sid in sids:
        read.keys[sid] = key = digest(head.shared, sid, head.seeds[sid].name,
                                      file_digest(next(names)), file_digest(next(names)))
        hit = cache.get(sid, key)
        if hit is None:
            todo.append((sid, head.seeds[sid], key, memory.get(sid, {})))
        else:
            read.found[sid] = hit
            _tally(read, sid, Counter(exact=len(hit[0].mentions) + len(hit[0].dates)))
            progress.step()
    # The sources not in the cache are cleaned and anchored on every core.
    work = (root, head.rules, head.entities, head.registry_ok, write_cache)
    for (sid, *_), (source, raised, counted, anchored) in zip(
            todo, map_items(_load_one, todo, work, done=progress.step), strict=True):
        read.found[sid] = (source, raised, anchored)
        _tally(read, sid, counted)
        if write_cache and source is not None and not any(p.severity == "error" for p in raised):
            cache.keep(sid, read.keys[sid], (source, raised, anchored))
    progress.close()
    return len(todo)


def input_names(root: Path, seeds: dict[str, Path], sids: Iterable[str] | None = None
                ) -> list[str]:
    """The files each of these sources (all of them by default) is read from, by name: its
    seed, its annotations."""
    annotations = str(annotation_path(root, "x").parent)
    return [name for sid in (seeds if sids is None else sids)
            for name in (str(seeds[sid]), os.path.join(annotations, f"{sid}.yaml"))]


def _tally(read: Read, sid: str, counted: Counter[str]) -> None:
    read.total.subtract(read.tallies.get(sid, Counter()))
    read.total.update(counted)
    read.tallies[sid] = counted


def _assemble(root: Path, read: Read, problems: Problems, sids: list[str]) -> Project:
    """The project from what was read, every problem reported in the order of a whole read;
    the last assembly with the sources `sids` replaced, when neither their last read nor this
    one reported a problem."""
    head = read.head
    sources, raised, complete = _sources(read, sids)
    problems.items.extend(raised)
    keys = read.keys if len(read.keys) == len(sources) else \
        {s.id: read.keys[s.id] for s in sources}
    memory, tally = load_lock(root), +read.total
    claims = anchor_claims(read_claims(root, problems), Texts(sources), head.entities,
                           problems, memory, tally, head.seeds)
    now = {sid: found[2] for sid, found in read.found.items()}
    return Project(head.dossier, head.entities, head.seeds, list(sources), complete, tally,
                   dict(keys), claims, now, memory)


def _sources(read: Read, sids: list[str]) -> tuple[list[Source], list[Problem], bool]:
    """The sources read, in the seeds' order, what reading them reported, and whether that
    was without an error of the annotations (see _assemble)."""
    last, head = read.assembled, read.head
    if last is not None and all(not read.found[sid][1] and read.found[sid][0] is not None
                                for sid in sids) and all(sid in last.at for sid in sids):
        for sid in sids:
            last.sources[last.at[sid]] = read.found[sid][0]
        return last.sources, last.raised, last.complete
    sources, raised, at = [], [], {}
    complete = not any(p.severity == "error" for p in head.problems)
    for sid in head.seeds:
        source, found, _ = read.found[sid]
        raised.extend(found)
        complete = complete and not any(p.where.path.startswith("content/") and
                                        p.severity == "error" for p in found)
        if source is not None:
            at[sid] = len(sources)
            sources.append(source)
    clean = {sid for sid in head.seeds if not read.found[sid][1]}
    read.assembled = Assembled(sources, raised, complete, {s: n for s, n in at.items()
                                                           if s in clean})
    return sources, raised, complete


@dataclass
class Assembled:
    """The last assembly of a read's sources (_sources)."""

    sources: list[Source]
    raised: list[Problem]
    complete: bool
    at: dict[str, int]
    """Where each source that reported no problem is in `sources`."""


class Texts(Mapping[str, tuple[Text, SourceMeta]]):
    """Each source's text as the claims are anchored in it, made for the sources they cite."""

    def __init__(self, sources: list[Source]) -> None:
        self.listed = sources
        self.made: dict[str, tuple[Text, SourceMeta]] = {}

    @cached_property
    def sources(self) -> dict[str, Source]:
        return {s.id: s for s in self.listed}

    def __getitem__(self, sid: str) -> tuple[Text, SourceMeta]:
        if sid not in self.made:
            src = self.sources[sid]
            self.made[sid] = (Text(src.cleaned, src.meta.seed), src.meta)
        return self.made[sid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.listed)


def _bytes(path: Path) -> bytes:
    try:
        return read_regular(path)
    except OSError:
        return b""


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
    kind = seed_kind(path)
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
