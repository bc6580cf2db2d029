"""Cross-reference the anchored sources: what each entity and date page will list.

Everything here is computed once, in Python, and handed to the templates finished.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Container
from dataclasses import dataclass, field, replace
from functools import cached_property

from . import dates, overlap
from .models import (
    DEFAULT_KINDS,
    RELATIONS,
    Claim,
    DateRef,
    Entity,
    Kind,
    Mention,
    Problem,
    Problems,
    Quote,
    Source,
    Where,
)
from .overlap import Credit, Origin, SharedPassage, Side
from .text import sentence_around


@dataclass(frozen=True)
class Context:
    """An annotation in the sentence around it, for listing on another page."""

    source: Source
    fragment: str
    """The annotation's id on the source page."""
    before: str
    quote: str
    after: str


@dataclass(frozen=True)
class Link:
    """A relation as shown on one entity's page."""

    label: str
    other: Entity
    source: Source
    quote: str


@dataclass(frozen=True)
class EntityInfo:
    """Everything an entity page shows beyond the entity record itself."""

    entity: Entity
    mentions: tuple[tuple[Source, tuple[Context, ...]], ...]
    """Mentions grouped by source, sources in date order, mentions in reading order."""
    count: int
    quoted_as: tuple[tuple[str, int], ...]
    """Each exact form the sources use, with how often."""
    links: tuple[Link, ...]
    """Relations from and to this entity."""
    together: tuple[tuple[Entity, int], ...]
    """Entities in the same paragraphs, with the number of paragraphs shared."""


@dataclass(frozen=True)
class Said:
    """Quoted or reported speech, as listed on other pages."""

    source: Source
    quote: Quote

    @property
    def paragraph(self) -> str:
        """The fragment of the paragraph that holds it on the source page."""
        return f"p-{self.quote.span.block + 1}"


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event."""

    ref: DateRef
    context: Context


@dataclass(frozen=True)
class Index:
    """The cross-reference of the whole dossier."""

    sources: tuple[Source, ...]
    """In publication order (unannotated sources last)."""
    entities: dict[str, EntityInfo]
    by_kind: dict[str, tuple[EntityInfo, ...]]
    """Per kind, sorted by name."""
    date_pages: dict[str, tuple[Context, ...]]
    """Calendar unit (YYYY, YYYY-MM, YYYY-MM-DD) -> expressions listed there."""
    date_refs: dict[tuple[str, str], DateRef]
    """(source id, fragment) -> the date reference."""
    timeline: tuple[TimelineEntry, ...]
    said_by: dict[str, tuple[Said, ...]] = field(default_factory=dict)
    """Entity id -> what it said, across sources in date order."""
    unnamed: tuple[tuple[str, tuple[Said, ...]], ...] = ()
    """Each unnamed speaker (as described), with what it said; most quoted first."""
    claims: tuple[Claim, ...] = ()
    passages: tuple[SharedPassage, ...] = ()
    """Passages two or more sources share, verbatim or nearly."""
    credits: dict[str, tuple[Credit, ...]] = field(default_factory=dict)
    """Per source: the agencies it carries or credits."""
    origins: tuple[Origin, ...] = ()
    """Groups of sources that go back to one report."""

    @cached_property
    def totals(self) -> tuple[int, int, int, int]:
        """The sources' mentions, dates, lines removed and quotes (source_totals), summed."""
        found = [0, 0, 0, 0]
        for src in self.sources:
            for n, k in enumerate(source_totals(src)):
                found[n] += k
        return found[0], found[1], found[2], found[3]

    @cached_property
    def by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def order(self) -> dict[str, int]:
        """Each source's place in publication order."""
        return {s.id: n for n, s in enumerate(self.sources)}

    @cached_property
    def origin_of(self) -> dict[str, Origin]:
        """Each source's origin."""
        return {m: o for o in self.origins for m in o.members}

    def shared_in(self, sid: str) -> list[tuple[SharedPassage, Side, Side]]:
        """The passages of a source shared with others: (passage, this side, the twin)."""
        return self._shared_by.get(sid, [])

    @cached_property
    def _shared_by(self) -> dict[str, list[tuple[SharedPassage, Side, Side]]]:
        found: dict[str, list[tuple[SharedPassage, Side, Side]]] = {}
        for p in self.passages:
            for sid in dict.fromkeys((p.a.source, p.b.source)):
                found.setdefault(sid, []).append((p, p.side(sid), p.other(sid)))
        return found


def context(source: Source, fragment: str, start: int, end: int) -> Context:
    """The sentence around text[start:end] of a source, split at the annotation."""
    text = source.cleaned.text
    s, e = next(((s, e) for a, b, s, e in source.around if a == start and b == end), (-1, -1))
    if s < 0:
        s, e = sentence_span(text, start, end)
    return Context(source, fragment, text[s:start], text[start:end], text[end:e])


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence around text[start:end] starts and ends (within its block)."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    block = text[first:] if last == -1 else text[first:last]
    s, e = sentence_around(block, start - first, end - first)
    return first + s, first + e


def sentences(source: Source) -> tuple[tuple[int, int, int, int], ...]:
    """Source.around: the sentence of every mention and date."""
    text = source.cleaned.text
    spans = sorted({(a.span.start, a.span.end) for a in (*source.mentions, *source.dates)})
    return tuple((a, b, *sentence_span(text, a, b)) for a, b in spans)


def build_index(sources: list[Source], entities: dict[str, Entity], problems: Problems,
                seed_ids: set[str], warn_unused: bool = True,
                claims: tuple[Claim, ...] = (),
                shared: Callable[[list[Source]], tuple[SharedPassage, ...]]
                = overlap.shared_passages,
                kinds: tuple[Kind, ...] = DEFAULT_KINDS) -> Index:
    """Cross-reference every source; report dangling references and (if every annotation
    file could be read, so the report is not noise) entities no source mentions. `shared`
    finds the passages sources share (the build's caches it)."""
    ordered = tuple(sorted(sources, key=lambda s: (s.meta.published.date or "9999", s.id)))
    by_id = {s.id: s for s in ordered}
    per_entity: dict[str, list[tuple[Source, Mention]]] = defaultdict(list)
    for src in ordered:
        for m in src.mentions:
            per_entity[m.entity].append((src, m))
    together = _cooccurrence(ordered)
    links = links_by_entity(entities, by_id)
    infos = {}
    for eid, entity in entities.items():
        found = per_entity.get(eid, [])
        infos[eid] = EntityInfo(
            entity=entity,
            mentions=_grouped(found),
            count=len(found),
            quoted_as=tuple(sorted(Counter(m.quote for _, m in found).items(),
                                   key=lambda qc: (-qc[1], qc[0]))),
            links=tuple(links.get(eid, ())),
            together=tuple((entities[o], n) for o, n in
                           sorted(together[eid].items(), key=lambda on: (-on[1], on[0]))),
        )
    by_kind = {kind: tuple(sorted((i for i in infos.values() if i.entity.kind == kind),
                                  key=lambda i: (i.entity.name.casefold(), i.entity.id)))
               for kind in (k.id for k in kinds)}
    date_pages: dict[str, list[Context]] = defaultdict(list)
    timeline = []
    date_refs = {}
    for src in ordered:
        for ref in src.dates:
            ctx = context(src, ref.id, ref.span.start, ref.span.end)
            date_pages[ref.page].append(ctx)
            timeline.append(TimelineEntry(ref, ctx))
            date_refs[(src.id, ref.id)] = ref
    timeline.sort(key=timeline_order)
    said_by, unnamed = speakers(ordered)
    order = {src.id: n for n, src in enumerate(ordered)}
    claims = tuple(replace(c, answers=tuple(sorted(c.answers, key=lambda a: (
        order.get(a.source, 0), a.span.start)))) for c in claims)
    passages = shared(list(ordered))
    credits = {src.id: overlap.credits(src) if src.credits is None else src.credits
               for src in ordered}
    index = Index(ordered, infos, by_kind, {k: tuple(v) for k, v in sorted(date_pages.items())},
                  date_refs, tuple(timeline), said_by, unnamed, claims, passages, credits,
                  overlap.origins(list(ordered), passages, credits))
    entity_problems(entities, frozenset(seed_ids), problems, index, warn_unused)
    return index


def timeline_order(t: TimelineEntry) -> tuple[str, str, str, str, int]:
    """Where an event sits on the timeline: by the time it refers to, then by source."""
    return (t.ref.start, t.ref.end, t.context.source.meta.published.date, t.context.source.id,
            t.ref.span.start)


def entity_problems(entities: dict[str, Entity], seed_ids: frozenset[str], problems: Problems,
                    index: Index, warn_unused: bool) -> None:
    """What the index reports, in order: dangling references, annotations that cover no text,
    entities no source mentions and descriptions citing a source that does not mention the
    entity (both only if every annotation file could be read, so the report is not noise).
    update._problems puts the same report together from its parts, kept between builds."""
    problems.items.extend(reference_problems(entities, seed_ids))
    for src in index.sources:
        check_spans(src, problems)
    if warn_unused:
        told = [registry_problems(info, index.by_id) for info in index.entities.values()]
        problems.items.extend(p for unused, _ in told for p in unused)
        problems.items.extend(p for _, cited in told for p in cited)


def reference_problems(entities: dict[str, Entity], seed_ids: frozenset[str]) -> list[Problem]:
    found = Problems()
    _check_references(entities, set(seed_ids), found)
    return found.items


def registry_problems(info: EntityInfo, sources: dict[str, Source],
                      mentioned: Container[str] | None = None
                      ) -> tuple[list[Problem], list[Problem]]:
    """What an entity's record is warned of: not mentioned at all; and citing a source that
    does not mention it (`mentioned`: the ids of the sources that do, if known)."""
    unused, cited = Problems(), Problems()
    if not info.mentions:
        unused.warn(info.entity.where, f"entity '{info.entity.id}' is not mentioned in any "
                    "source")
    _check_citations(info, sources, cited, mentioned)
    return unused.items, cited.items


def speakers(sources: tuple[Source, ...]) -> tuple[dict[str, tuple[Said, ...]],
                                                     tuple[tuple[str, tuple[Said, ...]], ...]]:
    """What each named speaker said, and what each unnamed one said (grouped by description,
    ignoring case)."""
    named: dict[str, list[Said]] = defaultdict(list)
    unnamed: dict[str, list[Said]] = defaultdict(list)
    labels: dict[str, str] = {}
    for src in sources:
        for quote in src.quotes:
            if quote.speaker:
                named[quote.speaker].append(Said(src, quote))
            else:
                key = quote.anonymous.casefold()
                labels.setdefault(key, quote.anonymous)
                unnamed[key].append(Said(src, quote))
    groups = sorted(unnamed.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return ({k: tuple(v) for k, v in sorted(named.items())},
            tuple((labels[k], tuple(v)) for k, v in groups))


def _grouped(found: list[tuple[Source, Mention]]) -> tuple[tuple[Source, tuple[Context, ...]], ...]:
    groups: dict[str, list[Context]] = {}
    sources: dict[str, Source] = {}
    for src, m in found:
        sources[src.id] = src
        groups.setdefault(src.id, []).append(context(src, m.id, m.span.start, m.span.end))
    return tuple((sources[sid], tuple(ctxs)) for sid, ctxs in groups.items())


def _cooccurrence(sources: tuple[Source, ...]) -> dict[str, Counter[str]]:
    """For each entity, in how many paragraphs each other entity appears with it."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for src in sources:
        per_block: dict[int, set[str]] = defaultdict(set)
        for m in src.mentions:
            per_block[m.span.block].add(m.entity)
        for ents in per_block.values():
            for a in ents:
                for b in ents:
                    if a != b:
                        counts[a][b] += 1
    return counts


def links_by_entity(entities: dict[str, Entity], sources: dict[str, Source]
                    ) -> dict[str, list[Link]]:
    """Each entity's relations as its page shows them, from both ends."""
    links: dict[str, list[Link]] = defaultdict(list)
    for entity in entities.values():
        for rel in entity.relations:
            if rel.target not in entities or rel.source not in sources:
                continue
            forward, backward = RELATIONS[rel.relation]
            src = sources[rel.source]
            links[entity.id].append(Link(forward, entities[rel.target], src, rel.quote))
            links[rel.target].append(Link(backward, entity, src, rel.quote))
    for eid in links:
        links[eid].sort(key=lambda lk: (lk.label, lk.other.name.casefold(), lk.source.id))
    return links


def _check_references(entities: dict[str, Entity], sources: set[str],
                      problems: Problems) -> None:
    """Unknown entities and sources an entity refers to: one error per entity and missing
    source, naming every place of the entity that cites it (a removed seed is cited many
    times)."""
    for entity in entities.values():
        missing: dict[str, list[str]] = {}
        for n, statement in enumerate(entity.description, 1):
            for sid in statement.sources:
                if sid not in sources:
                    missing.setdefault(sid, []).append(f"description {n}")
        for rel in entity.relations:
            if rel.target not in entities:
                problems.error(entity.where, f"entity '{entity.id}': relation {rel.relation} "
                               f"points to unknown entity '{rel.target}'")
            if rel.source not in sources:
                missing.setdefault(rel.source, []).append(f"relation {rel.relation}")
        for sid, places in missing.items():
            close = difflib.get_close_matches(sid, sorted(sources), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.error(entity.where, f"entity '{entity.id}' cites '{sid}', which is not a "
                           f"source (no seeds/{sid}.txt or .html), in {', '.join(places)}; "
                           f"{hint}restore the seed, or cite a seed's id")


def check_spans(src: Source, problems: Problems) -> None:
    """Every mention and date of a source covers some text (else it cannot be linked)."""
    for a in (*src.mentions, *src.dates):
        if a.span.start >= a.span.end:
            problems.error(Where(src.meta.where.path), f"annotation '{a.id}' covers no text "
                           "and cannot be linked; remove it")


def _check_citations(info: EntityInfo, sources: dict[str, Source], problems: Problems,
                     mentioned: Container[str] | None = None) -> None:
    """Warn when a description cites a source that never mentions the entity."""
    if not info.mentions or not any(st.sources for st in info.entity.description):
        return  # not mentioned at all is reported already; or it cites no source
    if mentioned is None:
        mentioned = {src.id for src, _ in info.mentions}
    for statement in info.entity.description:
        for sid in statement.sources:
            if sid in sources and sid not in mentioned:
                problems.warn(info.entity.where, f"entity '{info.entity.id}' cites {sid}, "
                              "which does not mention it")


def counts(ix: Index) -> dict[str, int]:
    """What the home page and the build's summary count."""
    mentions, dated, removed, quotes = ix.totals
    unnamed = sum(len(said) for _, said in ix.unnamed)
    return {
        "sources": len(ix.sources),
        "entities": len(ix.entities),
        **{kind: len(infos) for kind, infos in ix.by_kind.items()},
        "mentions": mentions,
        "dates": dated,
        "date_pages": len(dates.date_units(list(ix.date_pages))),
        "removed": removed,
        "quotes": quotes,
        "unnamed": unnamed,
        "unnamed_share": round(100 * unnamed / quotes) if quotes else 0,
        "claims": len(ix.claims),
    }


def source_totals(src: Source) -> tuple[int, int, int, int]:
    """What one source adds to the counts: mentions, dates, lines removed, quotes."""
    return (len(src.mentions), len(src.dates),
            sum(1 for r in src.cleaned.removed if r.rule != "headline"), len(src.quotes))
