"""The index kept between builds of one process (the live preview), with the changed sources
applied to it instead of indexing every source again.

`index_project` gives the same Index as index.build_index for the same inputs (the tests build
both ways and compare the sites), and says what changed: which sources, which entities' pages
show them, which date pages list them. The page plan (pages.replan) remakes the keys of those
pages only. When anything but the sources changed (the registry, the claims, the kinds, which
seeds exist), the index is built again whole.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import overlap
from .index import (
    Context,
    EntityInfo,
    Index,
    TimelineEntry,
    build_index,
    check_spans,
    context,
    links_by_entity,
    reference_problems,
    registry_problems,
    source_totals,
    speakers,
    timeline_order,
)
from .models import Claim, DateRef, Entity, Kind, Problem, Problems, Source
from .overlap import SharedPassage


@dataclass(frozen=True)
class Changed:
    """What an update changed; None for each when the index was built whole."""

    sources: frozenset[str] | None = None
    """Sources added, removed or changed, and the sources that show them (shared passages,
    origins)."""
    entities: frozenset[str] | None = None
    """Entities whose page shows one of those sources, or whose mentions changed."""
    units: frozenset[str] | None = None
    """Date pages that list one of those sources; None also when the set of pages changed."""


WHOLE = Changed()


@dataclass(frozen=True)
class Inputs:
    """What the index is made from besides the sources."""

    entities: dict[str, Entity]
    seed_ids: frozenset[str]
    warn_unused: bool
    claims: tuple[Claim, ...]
    kinds: tuple[Kind, ...]


@dataclass
class State:
    """An index and the per-source pieces it was put together from."""

    index: Index
    inputs: Inputs
    by_id: dict[str, Source]
    mentions: dict[str, dict[str, tuple[Context, ...]]] = field(default_factory=dict)
    """Entity id -> source id -> its mentions there, in reading order."""
    together: dict[str, Counter[str]] = field(default_factory=dict)
    """Entity id -> in how many paragraphs each other entity appears with it."""
    units: dict[str, dict[str, tuple[Context, ...]]] = field(default_factory=dict)
    """Date page -> source id -> its date expressions listed there."""
    spans: dict[str, Problems] = field(default_factory=dict)
    """Source id -> the problems of its annotations' spans."""
    report: Report = field(default_factory=lambda: Report())
    """What the index reported, in parts."""
    ready: bool = False
    """Whether the pieces above have been made (at the first update)."""


@dataclass
class Report:
    """The problems the index reports (index.entity_problems), in the parts they are put
    together from, each made again only when what it is made from changed."""

    references: list[Problem] | None = None
    """Dangling references of the registry (made once: the registry is an input)."""
    spans: list[Problem] | None = None
    """Each source's annotations that cover no text, in the sources' order."""
    told: dict[str, tuple[list[Problem], list[Problem]]] = field(default_factory=dict)
    """Entity id -> its warnings (index.registry_problems)."""
    entities: list[Problem] | None = None
    """Those warnings in the order reported."""


_LAST: dict[Path, State] = {}
"""The last index of each project this process built."""


def index_project(root: Path, sources: list[Source], inputs: Inputs, problems: Problems,
                  shared: Callable[[list[Source]], tuple[SharedPassage, ...]]
                  ) -> tuple[Index, Changed]:
    """The index of these sources, updated from the last one when only sources changed."""
    last = _LAST.pop(root, None)
    if last is None or last.inputs != inputs:
        state = _whole(sources, inputs, problems, shared)
        changed = WHOLE
    else:
        state, changed = _apply(last, sources, problems, shared)
    _LAST[root] = state
    return state.index, changed


def forget(root: Path) -> None:
    """Drop the kept index (a build that failed part way)."""
    _LAST.pop(root, None)


def _whole(sources: list[Source], inputs: Inputs, problems: Problems,
           shared: Callable[[list[Source]], tuple[SharedPassage, ...]]) -> State:
    index = build_index(sources, inputs.entities, problems, set(inputs.seed_ids),
                        warn_unused=inputs.warn_unused, claims=inputs.claims, shared=shared,
                        kinds=inputs.kinds)
    return State(index, inputs, {s.id: s for s in index.sources})
    # (its pieces are made at the first update: a command-line build never needs them)


def prepare(root: Path) -> None:
    """Make the pieces of the kept index now (the live preview, in the background after a
    build), so that the first edit does not wait for them."""
    if (state := _LAST.get(root)) is not None:
        _ready(state)


def _ready(state: State) -> None:
    if not state.ready:
        for src in state.index.sources:
            _add(state, src)
        state.ready = True


def _add(state: State, src: Source) -> None:
    """Record what one source adds to the index's pieces."""
    for eid, found in _contexts(src).items():
        state.mentions.setdefault(eid, {})[src.id] = found
    for a, b in _pairs(src):
        state.together.setdefault(a, Counter())[b] += 1
    for unit, found in _dated(src).items():
        state.units.setdefault(unit, {})[src.id] = found
    spans = Problems()
    check_spans(src, spans)
    state.spans[src.id] = spans


def _drop(state: State, src: Source) -> None:
    """Take one source's share out of the index's pieces."""
    for eid in {m.entity for m in src.mentions}:
        state.mentions[eid].pop(src.id, None)
    for a, b in _pairs(src):
        counter = state.together[a]
        counter[b] -= 1
        if counter[b] == 0:
            del counter[b]
    for unit in {d.page for d in src.dates}:
        state.units[unit].pop(src.id, None)
        if not state.units[unit]:
            del state.units[unit]
    state.spans.pop(src.id, None)


def _contexts(src: Source) -> dict[str, tuple[Context, ...]]:
    found: dict[str, list[Context]] = {}
    for m in src.mentions:
        found.setdefault(m.entity, []).append(context(src, m.id, m.span.start, m.span.end))
    return {eid: tuple(c) for eid, c in found.items()}


def _dated(src: Source) -> dict[str, tuple[Context, ...]]:
    found: dict[str, list[Context]] = {}
    for ref in src.dates:
        found.setdefault(ref.page, []).append(context(src, ref.id, ref.span.start, ref.span.end))
    return {unit: tuple(c) for unit, c in found.items()}


def _pairs(src: Source) -> list[tuple[str, str]]:
    """Each ordered pair of different entities mentioned in one paragraph, once per paragraph
    (index._cooccurrence)."""
    per_block: dict[int, set[str]] = {}
    for m in src.mentions:
        per_block.setdefault(m.span.block, set()).add(m.entity)
    return [(a, b) for ents in per_block.values() for a in ents for b in ents if a != b]


def _apply(state: State, sources: list[Source], problems: Problems,
           shared: Callable[[list[Source]], tuple[SharedPassage, ...]]) -> tuple[State, Changed]:
    """Apply the sources that differ from the last build's (added, removed, or a new record)."""
    _ready(state)
    now = {s.id: s for s in sources}
    old = state.by_id
    gone = [old[sid] for sid in old if sid not in now or now[sid] is not old[sid]]
    new = [s for sid, s in now.items() if sid not in old or old[sid] is not s]
    had = any(state.spans[s.id].items for s in gone if s.id in state.spans)
    for src in gone:
        _drop(state, src)
    for src in new:
        _add(state, src)
    spans_same = not had and not any(state.spans[s.id].items for s in new)
    ix, inputs = state.index, state.inputs
    touched = {s.id for s in (*gone, *new)}
    if not touched:
        _problems(state, problems, spans_same=True, shows=())
        return state, Changed(frozenset(), frozenset(), frozenset())
    ordered, same_order = _order(ix, gone, new, now)
    if same_order:  # the same sources in the same order: only records replaced
        by_id, order = {**ix.by_id, **{s.id: s for s in new}}, ix.order
    else:
        by_id, order = {s.id: s for s in ordered}, {s.id: n for n, s in enumerate(ordered)}
    entities = inputs.entities
    links = links_by_entity(entities, by_id)
    said_by, unnamed = (ix.said_by, ix.unnamed) if not any(
        s.quotes for s in (*gone, *new)) else speakers(ordered)
    shows = _shown_by(gone, new, entities, links, ix)
    infos = dict(ix.entities)
    for eid in shows:
        if eid in entities:
            infos[eid] = _info(state, entities[eid], order, links.get(eid, ()),
                               ix.entities.get(eid), ix.order, touched)
    # the same entities with the same names: each kind's index in the same order
    by_kind = {kind: tuple(infos[i.entity.id] for i in listed)
               if any(i.entity.id in shows for i in listed) else listed
               for kind, listed in ix.by_kind.items()}
    units = {d.page for s in (*gone, *new) for d in s.dates}
    date_pages = dict(ix.date_pages)
    for unit in units:
        if unit in state.units:
            date_pages[unit] = tuple(c for sid in sorted(state.units[unit], key=order.__getitem__)
                                     for c in state.units[unit][sid])
        else:
            date_pages.pop(unit, None)
    same_units = date_pages.keys() == ix.date_pages.keys()
    date_refs = dict(ix.date_refs)
    for src in gone:
        for ref in src.dates:
            date_refs.pop((src.id, ref.id), None)
    date_refs.update({(s.id, ref.id): ref for s in new for ref in s.dates})
    passages, origins = _overlap(ix, gone, new, ordered, shared)
    credits = _credits(ix, new, ordered, touched, same_order)
    if origins is None:
        origins = overlap.origins(list(ordered), passages, credits)
    claims = tuple(replace(c, answers=tuple(sorted(c.answers, key=lambda a: (
        order.get(a.source, 0), a.span.start)))) for c in inputs.claims)
    index = Index(ordered, infos, by_kind,
                  date_pages if same_units else dict(sorted(date_pages.items())), date_refs,
                  _timeline(ix.timeline, gone, new, by_id), said_by, unnamed, claims, passages,
                  credits, origins)
    _carry(ix, index, gone, new, by_id, order)
    state = replace(state, index=index, by_id=by_id)
    _problems(state, problems, spans_same and same_order, shows)
    related = _related(index, touched) | _related(ix, touched)
    return state, Changed(frozenset(touched | related), frozenset(shows),
                          frozenset(units) if same_units else None)


def _credits(ix: Index, new: list[Source], ordered: tuple[Source, ...], touched: set[str],
             same_order: bool) -> dict[str, tuple[overlap.Credit, ...]]:
    """The agencies each source carries or credits: the last index's, those of the changed
    sources found again."""
    def of(src: Source) -> tuple[overlap.Credit, ...]:
        return overlap.credits(src) if src.credits is None else src.credits

    if same_order:
        return {**ix.credits, **{s.id: of(s) for s in new}}
    return {s.id: ix.credits[s.id] if s.id in ix.credits and s.id not in touched else of(s)
            for s in ordered}


def _carry(ix: Index, index: Index, gone: list[Source], new: list[Source],
           by_id: dict[str, Source], order: dict[str, int]) -> None:
    """Give the new index what the last one worked out and is still right, or is right with
    the changed sources' share taken out and put in: the sources by id and in order, the
    totals, each source's shared passages and origin."""
    index.__dict__.update(by_id=by_id, order=order)
    if "totals" in ix.__dict__:
        totals = list(ix.totals)
        for sign, sources in ((-1, gone), (1, new)):
            for src in sources:
                for n, k in enumerate(source_totals(src)):
                    totals[n] += sign * k
        index.__dict__["totals"] = tuple(totals)
    if index.passages is ix.passages and "_shared_by" in ix.__dict__:
        index.__dict__["_shared_by"] = ix.__dict__["_shared_by"]
    if index.origins is ix.origins and "origin_of" in ix.__dict__:
        index.__dict__["origin_of"] = ix.__dict__["origin_of"]


def _order(ix: Index, gone: list[Source], new: list[Source], now: dict[str, Source]
           ) -> tuple[tuple[Source, ...], bool]:
    """The sources in publication order: the last order with the changed sources put in; and
    whether that is the last order (the same sources, none of them moved)."""
    def key(s: Source) -> tuple[str, str]:
        return s.meta.published.date or "9999", s.id

    if any(sid not in now for sid in (s.id for s in gone)) or \
            any(key(s) != key(now[s.id]) for s in gone if s.id in now) or len(new) > len(gone):
        return tuple(sorted(now.values(), key=key)), False
    ordered = list(ix.sources)
    for src in new:  # the sources of `gone` again, each in its place
        ordered[ix.order[src.id]] = src
    return tuple(ordered), True


def _shown_by(gone: list[Source], new: list[Source], entities: dict[str, Entity],
              links: dict[str, list], ix: Index) -> set[str]:
    """The entities whose pages show something of these sources."""
    ids = {s.id for s in (*gone, *new)}
    found = {m.entity for s in (*gone, *new) for m in s.mentions}
    found |= {e for s in (*gone, *new) for q in s.quotes for e in (q.speaker, q.via) if e}
    found |= {eid for eid, lks in links.items() if any(lk.source.id in ids for lk in lks)}
    found |= {eid for eid, info in ix.entities.items()
              if any(lk.source.id in ids for lk in info.links)}
    found |= {e.id for e in entities.values()
              if any(sid in ids for st in e.description for sid in st.sources)}
    return found


def _info(state: State, entity: Entity, order: dict[str, int], links: Iterable,
          before: EntityInfo | None = None, was: dict[str, int] | None = None,
          touched: Set[str] = frozenset()) -> EntityInfo:
    """An entity's record from the pieces (index.build_index makes the same): from its last
    record `before` (made in the sources' order `was`), when there is one, with the mentions
    of the `touched` sources taken out and put back in their places, the others not looked
    at."""
    per_source = state.mentions.get(entity.id, {})
    if before is None or was is None:
        mentions = tuple((per_source[sid][0].source, per_source[sid])
                         for sid in sorted(per_source, key=order.__getitem__))
        quotes = Counter(c.quote for _, found in mentions for c in found)
    else:
        mentions, quotes = _mentions_again(before, per_source, was, order, touched)
    together = state.together.get(entity.id, Counter())
    entities = state.inputs.entities
    return EntityInfo(
        entity=entity, mentions=mentions, count=sum(quotes.values()),
        quoted_as=tuple(sorted(quotes.items(), key=lambda qc: (-qc[1], qc[0]))),
        links=tuple(links),
        together=tuple((entities[o], n) for o, n in
                       sorted(together.items(), key=lambda on: (-on[1], on[0]))))


def _mentions_again(before: EntityInfo, per_source: dict[str, tuple[Context, ...]],
                    was: dict[str, int], order: dict[str, int], touched: Set[str]
                    ) -> tuple[tuple[tuple[Source, tuple[Context, ...]], ...], Counter[str]]:
    """An entity's mentions by source, in the sources' order, and how often each wording is
    used: its last record's (in the last order, `was`) with the touched sources' taken out
    and put back in their places, each found by bisection."""
    quotes = Counter(dict(before.quoted_as))
    kept = list(before.mentions)
    for sid in touched:
        if sid in was:
            at = bisect.bisect_left(kept, was[sid], key=lambda item: was[item[0].id])
            if at < len(kept) and kept[at][0].id == sid:
                quotes.subtract(c.quote for c in kept.pop(at)[1])
    for sid in sorted(touched & per_source.keys(), key=order.__getitem__):
        found = per_source[sid]
        quotes.update(c.quote for c in found)
        at = bisect.bisect_left(kept, order[sid], key=lambda item: order[item[0].id])
        kept.insert(at, (found[0].source, found))
    return tuple(kept), +quotes


def _timeline(before: tuple[TimelineEntry, ...], gone: list[Source], new: list[Source],
              by_id: dict[str, Source]) -> tuple[TimelineEntry, ...]:
    """The timeline with the events of `gone` taken out and those of `new` put in: each found
    by its place in the order (bisect), not by walking every event."""
    kept = list(before)
    for src in gone:
        for ref in src.dates:
            at = bisect.bisect_left(kept, _place(src, ref), key=timeline_order)
            while at < len(kept) and kept[at].ref is not ref:  # others in the same place
                at += 1
            if at == len(kept):  # not where its place says (never seen): walk them all
                kept = [t for t in kept if t.context.source.id != src.id]
                break
            del kept[at]
    for src in new:
        for ref in src.dates:
            entry = TimelineEntry(ref, context(src, ref.id, ref.span.start, ref.span.end))
            bisect.insort(kept, entry, key=timeline_order)
    return tuple(kept)


def _place(src: Source, ref: DateRef) -> tuple[str, str, str, str, int]:
    """Where an event of this source sits on the timeline (index.timeline_order)."""
    return ref.start, ref.end, src.meta.published.date, src.id, ref.span.start


def _overlap(ix: Index, gone: list[Source], new: list[Source], ordered: tuple[Source, ...],
             shared: Callable[[list[Source]], tuple[SharedPassage, ...]]
             ) -> tuple[tuple[SharedPassage, ...], tuple[overlap.Origin, ...] | None]:
    """The shared passages, and the origins when they stay as they were (else None)."""
    before = {s.id: s for s in gone}
    after = {s.id: s for s in new}
    same_text = before.keys() == after.keys() and all(
        before[sid].cleaned == after[sid].cleaned for sid in before)
    passages = ix.passages if same_text else shared(list(ordered))
    same_origin = same_text and all(
        _origin_inputs(before[sid]) == _origin_inputs(after[sid]) for sid in before)
    return passages, ix.origins if same_origin else None


def _origin_inputs(src: Source) -> object:
    meta = src.meta
    return meta.published.date, meta.agency, meta.publisher, src.credits


def _related(ix: Index, ids: set[str]) -> set[str]:
    """Sources whose pages name one of these (shared passages, origins)."""
    found = set()
    for sid in ids:
        found |= {t.source for _, _, t in ix.shared_in(sid)}
        if (origin := ix.origin_of.get(sid)) is not None:
            found |= set(origin.members)
    return found


def _problems(state: State, problems: Problems, spans_same: bool = False,
              shows: Iterable[str] | None = None) -> None:
    """The problems index.build_index reports, in its order, from the parts kept in the
    state's report: the spans' again unless `spans_same`, the warnings of the entities that
    `shows` (None: all of them)."""
    ix, inputs, report = state.index, state.inputs, state.report
    if report.references is None:
        report.references = reference_problems(inputs.entities, inputs.seed_ids)
    if report.spans is None or not spans_same:
        report.spans = [p for s in ix.sources for p in state.spans[s.id].items]
    problems.items.extend((*report.references, *report.spans))
    if not inputs.warn_unused:
        return
    changed = report.entities is None
    for eid in ix.entities if shows is None or changed else shows:
        if eid in ix.entities:
            told = registry_problems(ix.entities[eid], ix.by_id, state.mentions.get(eid, {}))
            changed = changed or report.told.get(eid) != told
            report.told[eid] = told
    if changed:
        told = [report.told[eid] for eid in ix.entities]
        report.entities = [*(p for unused, _ in told for p in unused),
                           *(p for _, cited in told for p in cited)]
    problems.items.extend(report.entities or ())
