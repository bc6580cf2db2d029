"""The page plan: every page of the site as a record, before any of it is rendered.

`plan(site)` turns the index into `Page` records, each with its path, its template, a key (a
digest of exactly what the page shows) and its context. The build compares each key with the
last build's and renders only the pages whose key changed: a page's context, the costly part
(a source's article laid out with every annotation a link), is made only then. The sitemap is
the plan's paths.

Pages that would grow with the dossier are split: an entity's mentions in pages of
PAGE_SOURCES sources, the sources index and each kind's index in pages of LIST_ROWS rows, the
timeline by year (a year with more than TIMELINE_ROWS events by month). So an edit remakes the
pages that show what it changed, and no page grows without bound.
"""

from __future__ import annotations

import bisect
import operator
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, NamedTuple

from . import overlap
from .annotations import Dossier
from .cache import digest
from .dates import date_tree, date_units, parent_unit, units_within
from .index import Context, EntityInfo, Index, Said, TimelineEntry, counts
from .models import Entity, Kind, Source
from .paths import date_path, entity_path, mentions_path, source_path, timeline_path
from .update import WHOLE, Changed

PAGE_SOURCES = 100
"""Sources per page of an entity's mentions. A popular entity (the main country) is mentioned
in most sources; in pages of this many, one edit re-renders one page, not thousands of
mentions, and no page grows without bound."""

LIST_ROWS = 200
"""Rows per page of the sources index and of each kind's index."""

HOME_ROWS = 50
"""Sources the home page lists (the first page of the sources index has more)."""

DATE_SOURCES = 100
"""Sources per page of a date page (a year every source names would otherwise list them
all)."""

TIMELINE_ROWS = 500
"""Events on one timeline page: a dossier with more has a page per year (per month in a year
with more than this), and the timeline page lists them."""

LISTING_TEMPLATES = ("entity.html", "mentions.html", "date.html", "quotes.html",
                     "claims.html", "sources.html", "kind.html", "home.html", "timeline.html")
"""The pages that list sources, keyed on what the tool's own templates show of them."""


@dataclass(frozen=True)
class Page:
    """One page of the site, as planned."""

    path: str
    """Site-relative, e.g. 'sources/beta.html'."""
    template: str
    key: str
    """A digest of the templates and of everything the page shows: a page whose key is the
    one the last build wrote it with is kept as it is."""
    context: Callable[[Site], Mapping[str, object]] = field(compare=False, repr=False)
    """The template's values, made from the site being built only when the page is rendered
    (a page kept from the last plan is made from this build's records, which its key says
    show the same)."""


Memo = dict[str, tuple[tuple[object, ...], Page]]


@dataclass(frozen=True)
class Pager:
    """Where one page of a list split into pages sits among the others."""

    page: int
    pages: list[tuple[int, str]]
    """(number, site-relative path) of every page; empty when the list fits on one. Only the
    number of pages is shown, so that a page changes only when its own rows do."""
    first: int = 0
    end: int = 0
    """Its rows: items[first:end] of the list."""


@dataclass(frozen=True)
class TimelinePart:
    """The events one timeline page shows (what graphics.timeline_svg draws)."""

    label: str
    """'2015', '2015-03', or '' for the whole timeline on one page."""
    path: str
    timeline: tuple[TimelineEntry, ...]
    sources: tuple[Source, ...]
    """The sources of those events, in publication order (one row of the chart each)."""
    dates: str = ""
    """The date page of that year or month ('' when it has none)."""
    page: int = 1
    pages: int = 1
    """Which page of that year or month this is, of how many (more than one only in a month
    busier than a page holds)."""


@dataclass
class Site:
    """What the pages are made from: the index and the registry, each source's cache key,
    and `base`, a digest of the templates and the dossier's settings."""

    index: Index
    dossier: Dossier
    entities: dict[str, Entity]
    source_keys: dict[str, str]
    base: str
    own_listing: bool = False
    """The dossier has its own version of a template that lists sources: those pages are then
    keyed on whole sources (see listed)."""

    @property
    def by_id(self) -> dict[str, Source]:
        return self.index.by_id

    @cached_property
    def whole(self) -> str:
        """A digest of every source (by its cache key), the registry and the claims: the key
        of what is made from the whole dossier ('' when a source has no key: always made)."""
        keys, ix = self.source_keys, self.index
        if not all(s.id in keys for s in ix.sources):
            return ""
        return digest("whole", sorted(keys.items()), sorted(self.entities.items()), ix.claims)

    @cached_property
    def counts(self) -> dict[str, int]:
        return counts(self.index)

    @cached_property
    def stamp(self) -> tuple[object, ...]:
        """What every page's key has in it beside what the page shows: the templates and
        settings, and (with the dossier's own listing templates) the whole dossier."""
        if self.own_listing:
            return self.base, self.whole
        return self.base, self.index.by_id.keys() <= self.source_keys.keys()

    def key(self, *shown: object) -> str:
        """A page's key from what it shows, with the templates'."""
        return digest(self.base, *shown)

    def listed(self, src: Source) -> object:
        """What a page that lists a source's passages shows of it: its address, headline and
        citation. With the dossier's own listing templates, which may show anything of it,
        the whole source (its cache key)."""
        if self.own_listing:
            return self.source_keys.get(src.id) or src
        return src.id, src.meta.headline, src.meta.publisher, src.meta.published

    def row(self, src: Source) -> object:
        """A source as the sources index lists it: what `listed` gives, and its counts."""
        meta = src.meta
        return (self.listed(src), meta.agency, meta.annotated, len(src.mentions),
                len(src.dates))

    def said(self, s: Said) -> object:
        """A statement as a page lists it, with the names of who said it and through whom."""
        named = [(e, self.entities[e].name) for e in (s.quote.speaker, s.quote.via)
                 if e and e in self.entities]
        return self.listed(s.source), s.paragraph, s.quote, named

    def narrowed(self, *shown: object) -> str:
        """The key of a page made from the whole dossier, from what it shows; from the whole
        dossier with the dossier's own templates ('' when there is no whole key)."""
        if not self.stamp[1]:  # a source without a cache key
            return ""
        return self.key(self.whole) if self.own_listing else self.key(*shown)


Owner = tuple[str, str]
"""What a group of pages is made from: ('source', id), ('entity', id), ('date', unit) or
('lists', '') for the pages made from the whole dossier."""


@dataclass
class Plan:
    """Every page of the site, grouped by what each is made from."""

    owned: dict[Owner, list[Page]]
    stamp: tuple[object, ...] = ()
    """The templates and settings the pages were planned with (Site.stamp)."""
    memo: dict[str, tuple[tuple[object, ...], Page]] = field(default_factory=dict)
    """Pages made from the whole dossier, with the records they were made from: kept while
    those are the same records (see _kept)."""
    timeline: dict[str, tuple[TimelinePart, Page]] = field(default_factory=dict)
    """The timeline's pages by path, with what each was made from (see timeline_pages)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Each page's key, by path."""
    remade: list[Page] = field(default_factory=list)
    """The pages this plan made again (by path): the others are the very pages of the plan it
    was made from, with the same keys."""
    gone: frozenset[str] = frozenset()
    """The paths of that plan's pages that this one does not have."""

    @cached_property
    def pages(self) -> list[Page]:
        """Sorted by path."""
        return sorted((page for group in self.owned.values() for page in group),
                      key=_path)


def _path(page: Page) -> str:
    return page.path


LISTS: Owner = ("lists", "")


def plan(site: Site, last: Plan | None = None, changed: Changed = WHOLE) -> Plan:
    """Every page of the site. With the last build's plan and what changed since (from
    update.index_project), the pages of sources, entities and dates that did not change are
    taken from it as they were, and the keys of the others made again."""
    ix = site.index
    previous = last
    if last is None or last.stamp != site.stamp:
        last, changed = Plan({}), WHOLE
    memo = last.memo
    fresh = Plan(dict(last.owned), site.stamp, dict(memo))
    units = date_units(list(ix.date_pages))
    made = [
        *_regroup(fresh, last, "source", changed.sources, site.by_id,
                  lambda sid: [source_page(site, site.by_id[sid])]),
        *_regroup(fresh, last, "entity", changed.entities, ix.entities,
                  lambda eid: entity_pages(site, ix.entities[eid], memo, fresh.memo)),
        *_regroup(fresh, last, "date", changed.units, set(units),
                  lambda unit: date_pages(site, unit, units, memo, fresh.memo)), LISTS]
    fresh.owned[LISTS] = [
        *whole_pages(site, memo, fresh.memo), *kind_pages(site, memo, fresh.memo),
        *source_list_pages(site, memo, fresh.memo), dates_index(site, units),
        *timeline_pages(site, last.timeline, fresh.timeline, units)]
    _account(fresh, previous, made if previous is last else None)
    return fresh


def _regroup(fresh: Plan, last: Plan, kind: str, changes: frozenset[str] | None,
             now: Collection[str], make: Callable[[str], list[Page]]) -> list[Owner]:
    """The pages of every source, entity or date (`kind`) there is `now`: the last plan's,
    with those of the `changes` made again (all of them when changes is None). Returns the
    owners whose pages it made again or dropped."""
    names = changes if changes is not None else \
        {name for k, name in last.owned if k == kind} | set(now)
    made = []
    for name in sorted(names):
        owner = (kind, name)
        if name in now:
            fresh.owned[owner] = make(name)
        else:
            fresh.owned.pop(owner, None)
        made.append(owner)
    return made


def _account(fresh: Plan, previous: Plan | None, made: list[Owner] | None) -> None:
    """The plan's keys, the pages it made again and the paths it dropped, from the `previous`
    plan and the owners whose pages were `made` again (None: all of them)."""
    if made is None:
        fresh.keys = {page.path: page.key for page in fresh.pages}
        fresh.remade = fresh.pages
        if previous is not None:
            fresh.gone = frozenset(previous.keys.keys() - fresh.keys.keys())
        return
    assert previous is not None
    before = {page.path for owner in made for page in previous.owned.get(owner, ())}
    pages = sorted((page for owner in made for page in fresh.owned.get(owner, ())), key=_path)
    gone = before - {page.path for page in pages}
    fresh.keys = dict(previous.keys)
    for path in gone:
        del fresh.keys[path]
    fresh.keys.update((page.path, page.key) for page in pages)
    fresh.remade, fresh.gone = pages, frozenset(gone)


def _kept(memo: dict[str, tuple[tuple[object, ...], Page]],
          fresh: dict[str, tuple[tuple[object, ...], Page]], path: str,
          made_from: tuple[object, ...], make: Callable[[], Page]) -> Page:
    """The last build's page at `path` if it was made from the same records, else a new one.
    (Compared as tuples: element by element, the same object first, which is quick, for the
    index keeps the records of unchanged sources and entities; equal values for the others.)"""
    old = memo.get(path)
    if old is not None and old[0] == made_from:
        page = old[1]
    else:
        page = make()
    fresh[path] = (made_from, page)
    return page


# ----------------------------------------------------------------- the whole dossier


def whole_pages(site: Site, memo: Memo, fresh: Memo) -> list[Page]:
    """The home page, who said what and the claims."""
    ix, shown = site.index, site.counts
    first = ix.sources[:HOME_ROWS]

    def make_home() -> Page:
        origins = [(o, [site.listed(site.by_id[m]) for m in o.members if m in site.by_id])
                   for o in home_origins(ix)]
        return Page("index.html", "home.html",
                    site.narrowed("home", shown, len(ix.origins), origins,
                                  [site.row(s) for s in first]),
                    _home)

    members = (site.by_id[m] for o in home_origins(ix) for m in o.members if m in site.by_id)
    home = _kept(memo, fresh, "index.html", (repr(shown), ix.origins, *first, *members),
                 make_home)
    named = [(site.entities[eid], said) for eid, said in ix.said_by.items()]
    named.sort(key=lambda es: (-len(es[1]), es[0].name.casefold()))
    said = [(e.id, e.name, e.kind, [site.said(s) for s in by]) for e, by in named]
    unnamed = [(label, [site.said(s) for s in by]) for label, by in ix.unnamed]
    quotes = Page("quotes.html", "quotes.html", site.narrowed(
        "quotes", said, unnamed, [shown[k] for k in ("quotes", "unnamed", "unnamed_share")]),
                  _quotes)
    answered = sorted({a.source for c in ix.claims for a in c.answers})
    speakers = sorted({a.speaker for c in ix.claims for a in c.answers if a.speaker})
    claims = Page("claims.html", "claims.html", site.narrowed(
        "claims", ix.claims, [site.listed(site.by_id[sid]) for sid in answered
                              if sid in site.by_id],
        [site.entities.get(eid) for eid in speakers]), _whole_index)
    return [home, quotes, claims]


def paged(items: Sequence[Any], rows: int, path: Callable[[int], str],
          names: Callable[[], Sequence[str]] | None = None
          ) -> list[tuple[Sequence[Any], Pager]]:
    """A list split into pages, each with its pager (one page when it fits): pages of `rows`,
    or, given the items' `names` (asked only when they do not fit one page), pages that end
    where the names say (see breaks)."""
    if len(items) <= rows:
        ends = [len(items)]
    elif names is None:
        ends = list(range(rows, len(items), rows)) + [len(items)]
    else:
        ends = breaks(names(), rows)
    links = [] if len(ends) == 1 else [(k, path(k)) for k in range(1, len(ends) + 1)]
    starts = [0, *ends[:-1]]
    return [(items[a:b], Pager(k, links, a, b))
            for k, (a, b) in enumerate(zip(starts, ends, strict=True), start=1)]


def breaks(names: Sequence[str], rows: int) -> list[int]:
    """Where to end each page of a list of about `rows` items a page, so that an item added or
    taken away changes its own page, not every page after it (as pages of exactly `rows`
    would): a page ends after an item whose name's checksum is 0 modulo `rows` less a quarter
    (at random, one in that many), once it has a quarter of `rows`; and at four times `rows`
    at the most. The ends of the pages, the last one len(names)."""
    least = max(1, rows // 4)
    every = max(1, rows - least)
    cuts = _CUTS.setdefault(every, {})
    ends, start = [], 0
    for n, item in enumerate(names, start=1):
        size = n - start
        if size < least:
            continue
        cut = cuts.get(item)
        if cut is None:
            cut = cuts[item] = zlib.crc32(item.encode()) % every == 0
        if cut or size >= rows * 4:
            ends.append(n)
            start = n
    if start < len(names) or not ends:
        ends.append(len(names))
    return ends


_CUTS: dict[int, dict[str, bool]] = {}
"""For each page size of `breaks`, whether a page may end after each name seen (so that a
list planned again costs a look-up per item)."""


def list_path(folder: str, page: int) -> str:
    """Page `page` of the index of a folder ('sources', a kind's folder); 'index' is no
    source or entity id, so its folder holds no page of one."""
    return f"{folder}/index.html" if page == 1 else f"{folder}/index/{page}.html"


def source_list_pages(site: Site, memo: Memo, fresh: Memo) -> list[Page]:
    """The sources index, LIST_ROWS sources a page."""
    ix = site.index

    def make(chunk: Sequence[Source], pager: Pager) -> Page:
        return Page(list_path("sources", pager.page), "sources.html",
                    site.narrowed("sources", len(pager.pages), [site.row(s) for s in chunk]),
                    partial(_sources_list, pager))

    return [_kept(memo, fresh, list_path("sources", pager.page),
                  (len(pager.pages), *chunk), partial(make, chunk, pager))
            for chunk, pager in paged(ix.sources, LIST_ROWS, partial(list_path, "sources"))]


def kind_pages(site: Site, memo: Memo, fresh: Memo) -> list[Page]:
    """Each kind's index, LIST_ROWS entities a page."""
    def make(kind: Kind, chunk: Sequence[EntityInfo], pager: Pager) -> Page:
        rows = [(i.entity.id, i.entity.name, i.entity.type, i.count, len(i.mentions))
                for i in chunk]
        return Page(list_path(kind.folder, pager.page), "kind.html",
                    site.narrowed("kind", kind, len(pager.pages), rows),
                    partial(_kind_list, kind, pager))

    return [_kept(memo, fresh, list_path(kind.folder, pager.page),
                  (repr(kind), len(pager.pages), *chunk),
                  partial(make, kind, chunk, pager))
            for kind in site.dossier.kinds
            for chunk, pager in paged(site.index.by_kind[kind.id], LIST_ROWS,
                                      partial(list_path, kind.folder))]


# ----------------------------------------------------------------- sources and entities


def source_page(site: Site, src: Source) -> Page:
    """A source's page: its article with every annotation a link."""
    ix = site.index
    shown = {m.entity for m in src.mentions} | {eid for q in src.quotes
                                                for eid in (q.speaker, q.via) if eid}
    shared = ix.shared_in(src.id)
    origin = site.index.origin_of.get(src.id)
    related = {t.source for _, _, t in shared} | set(origin.members if origin else ())
    key = site.key("source", site.source_keys.get(src.id) or src,
                   [(e.id, e.name, e.kind) for e in map(site.entities.get, sorted(shown))
                    if e is not None], shared, origin,
                   [site.listed(site.by_id[sid]) for sid in sorted(related)
                    if sid in site.by_id])
    return Page(source_path(src), "source.html", key, partial(source_context, src.id))


def source_context(sid: str, site: Site) -> dict[str, object]:
    from .render import article_blocks  # the article's layout is the renderer's

    src = site.by_id[sid]
    shared = site.index.shared_in(src.id)
    return {"source": src, "blocks": article_blocks(src, site.entities),
            "in_source": entities_in(src, site.entities),
            "said": [Said(src, q) for q in src.quotes], "shared": shared,
            "origin": site.index.origin_of.get(src.id),
            "shared_blocks": {b for _, side, _ in shared
                              for b in range(side.block, side.last_block + 1)},
            "credits": site.index.credits.get(src.id, ())}


def entities_in(src: Source, entities: dict[str, Entity]) -> list[tuple[Entity, int]]:
    """The entities a source mentions, with how often, by kind and name."""
    found: dict[str, int] = {}
    for m in src.mentions:
        found[m.entity] = found.get(m.entity, 0) + 1
    return sorted(((entities[e], n) for e, n in found.items()),
                  key=lambda en: (en[0].kind, en[0].name.casefold()))


def entity_pages(site: Site, info: EntityInfo, memo: Memo | None = None,
                 fresh: Memo | None = None) -> list[Page]:
    """An entity's page (with its first PAGE_SOURCES sources) and its further pages of
    mentions (each kept from the last plan, `memo`, while it lists the same records)."""
    e = info.entity
    said = site.index.said_by.get(e.id, ())
    chunks = paged(info.mentions, PAGE_SOURCES, partial(mentions_path, e),
                   lambda: [src.id for src, _ in info.mentions])
    first, pager = chunks[0]
    found = [Page(entity_path(e), "entity.html", _entity_key(site, info, first, said),
                  partial(_entity, e.id, pager))]
    for k, (chunk, pager) in enumerate(chunks[1:], start=2):
        def make(k: int = k, chunk: Sequence[Any] = chunk, pager: Pager = pager) -> Page:
            key = site.key("mentions", e.id, e.name, e.kind, k, len(chunks),
                           [(site.listed(src), [shown(c) for c in contexts])
                            for src, contexts in chunk])
            return Page(mentions_path(e, k), "mentions.html", key,
                        partial(_entity, e.id, pager))

        made_from = (e, len(chunks), *chunk)  # (source, its passages) each: kept records
        found.append(_kept(memo or {}, fresh if fresh is not None else {},
                           mentions_path(e, k), made_from, make))
    return found


def _entity_key(site: Site, info: EntityInfo, first: Sequence[tuple[Source, Any]],
                said: tuple[Said, ...]) -> str:
    """Everything an entity page shows: the entity, the passages and statements it lists with
    what it shows of their sources, and the other entities it names."""
    cited = sorted({sid for st in info.entity.description for sid in st.sources})
    return site.key(
        "entity", info.entity, info.count, info.quoted_as, len(info.mentions),
        [(site.listed(src), [shown(c) for c in contexts]) for src, contexts in first],
        [(lk.label, lk.other.id, lk.other.name, lk.other.kind, site.listed(lk.source),
          lk.quote) for lk in info.links],
        [(o.id, o.name, o.kind, n) for o, n in info.together],
        [site.listed(site.by_id[sid]) if sid in site.by_id else sid for sid in cited],
        [site.said(s) for s in said])


def shown(c: Context) -> tuple[str, str, str, str]:
    """A passage as a page lists it."""
    return c.fragment, c.before, c.quote, c.after


# ----------------------------------------------------------------- dates and the timeline


def dates_index(site: Site, units: list[str]) -> Page:
    """The page of every year, month and day the dates resolve to."""
    ix = site.index
    return Page("dates/index.html", "dates.html", site.narrowed(
        "dates", [(u, len(ix.date_pages.get(u, ()))) for u in units]),
        partial(_dates_index, units))


def date_pages(site: Site, unit: str, units: list[str], memo: Memo, fresh: Memo) -> list[Page]:
    """A year's, month's or day's page: the expressions that resolve to it, DATE_SOURCES
    sources a page (each page kept from the last plan, `memo`, while it lists the same
    records)."""
    ix = site.index
    within = units_within(unit, units)
    by_source: dict[str, list[Context]] = {}
    for c in ix.date_pages.get(unit, ()):
        by_source.setdefault(c.source.id, []).append(c)
    chunks = paged(list(by_source.values()), DATE_SOURCES, partial(date_path, unit),
                   lambda: list(by_source))

    def make(chunk: Sequence[list[Context]], pager: Pager) -> Page:
        key = site.key("date", unit, within, len(pager.pages),
                       [(site.listed(c.source), *shown(c),
                         ix.date_refs.get((c.source.id, c.fragment)))
                        for contexts in chunk for c in contexts])
        return Page(date_path(unit, pager.page), "date.html", key,
                    partial(_date, unit, within, pager))

    return [_kept(memo, fresh, date_path(unit, pager.page),
                  (unit, *within, len(chunks), *(c for contexts in chunk for c in contexts)),
                  partial(make, chunk, pager))
            for chunk, pager in chunks]


class Slice(NamedTuple):
    """The events of one timeline page: timeline[first:end]."""

    label: str
    page: int
    pages: int
    """How many pages that year or month has (more than one only in a month busier than a
    page holds)."""
    first: int
    end: int


class PartLink(NamedTuple):
    """A timeline page as the overview lists it."""

    label: str
    path: str
    events: int
    page: int
    pages: int


def timeline_layout(entries: Sequence[TimelineEntry]) -> list[Slice]:
    """Which events each timeline page shows (the timeline is sorted by start): one page with
    every event, or one per year, one per month in a year with more than TIMELINE_ROWS, and
    pages of TIMELINE_ROWS in a month with more. Found by bisecting, not by walking every
    event."""
    if len(entries) <= TIMELINE_ROWS:
        return [Slice("", 1, 1, 0, len(entries))]
    found = []
    for year, lo, hi in _runs(entries, 4, 0, len(entries)):
        if hi - lo <= TIMELINE_ROWS:
            found.append(Slice(year, 1, 1, lo, hi))
            continue
        for month, first, end in _runs(entries, 7, lo, hi):
            n = -(-(end - first) // TIMELINE_ROWS)
            found += [Slice(month, k, n, first + (k - 1) * TIMELINE_ROWS,
                            min(end, first + k * TIMELINE_ROWS)) for k in range(1, n + 1)]
    return found


def _runs(entries: Sequence[TimelineEntry], width: int, lo: int, hi: int
          ) -> list[tuple[str, int, int]]:
    """The runs of entries[lo:hi] whose start begins the same (its first `width` characters:
    the year or the month), as (that beginning, first, end)."""
    found = []
    while lo < hi:
        label = entries[lo].ref.start[:width]
        end = bisect.bisect_right(entries, label, lo, hi, key=lambda t: t.ref.start[:width])
        found.append((label, lo, end))
        lo = end
    return found


def _sources_of(entries: Sequence[TimelineEntry], order: Mapping[str, int]
                ) -> tuple[Source, ...]:
    """The sources of these events, in publication order."""
    found = {t.context.source.id: t.context.source for t in entries}
    return tuple(sorted(found.values(), key=lambda s: order[s.id]))


def timeline_pages(site: Site, last: dict[str, tuple[TimelinePart, Page]],
                   fresh: dict[str, tuple[TimelinePart, Page]], units: Collection[str]
                   ) -> list[Page]:
    """The timeline: one page, or a page listing its parts and a page per part. What it shows
    is the dates and the sources that give them, nothing of the mentions. A part is taken from
    the `last` plan while it holds the very same events (the index keeps the records of the
    events of unchanged sources)."""
    ix = site.index
    layout = timeline_layout(ix.timeline)
    found = []
    for at in layout:
        path = timeline_path(at.label, at.page)
        dates = date_path(at.label) if at.label in units else ""
        events = ix.timeline[at.first:at.end]
        old = last.get(path)
        if old is None or (old[0].dates, old[0].pages) != (dates, at.pages) or \
                len(old[0].timeline) != len(events) or \
                not all(map(operator.is_, old[0].timeline, events)):
            old = _timeline_part(site, at, path, events, dates)
        fresh[path] = old
        found.append(old[1])
    if layout[0].label:
        listing = [PartLink(at.label, timeline_path(at.label, at.page), at.end - at.first,
                            at.page, at.pages) for at in layout]
        found.append(Page("timeline.html", "timeline.html", site.key("timeline", listing),
                          partial(_timeline, TimelinePart("", "timeline.html", (), ()),
                                  listing)))
    return found


def _timeline_part(site: Site, at: Slice, path: str, events: tuple[TimelineEntry, ...],
                   dates: str) -> tuple[TimelinePart, Page]:
    part = TimelinePart(at.label, path, events, _sources_of(events, site.index.order), dates,
                        at.page, at.pages)
    key = site.key("timeline", part.label, part.dates, part.page, part.pages,
                   [(site.listed(t.context.source), t.ref) for t in part.timeline])
    return part, Page(part.path, "timeline.html", key, partial(_timeline, part, ()))


# ----------------------------------------------------------------- contexts
# Each takes the site being built, last, so that a page kept from the last build's plan holds
# no records of that build.


def home_origins(ix: Index) -> tuple[overlap.Origin, ...]:
    """The origins the home page lists: all of them, or in a dossier of more than LIST_ROWS,
    the first LIST_ROWS of those with more than one source."""
    if len(ix.origins) <= LIST_ROWS:
        return ix.origins
    return tuple(o for o in ix.origins if len(o.members) > 1)[:LIST_ROWS]


def _home(site: Site) -> dict[str, object]:
    ix = site.index
    first = ix.sources[:HOME_ROWS]
    origins = home_origins(ix)
    return {"index": ix, "counts": site.counts, "listed": first, "pager": None,
            "origins": origins, "origins_more": len(ix.origins) - len(origins),
            "listed_all": len(first) == len(ix.sources),
            "origins_summary": overlap.summary(ix.origins, len(ix.sources))}


def _quotes(site: Site) -> dict[str, object]:
    ix = site.index
    named = [(site.entities[eid], said) for eid, said in ix.said_by.items()]
    named.sort(key=lambda es: (-len(es[1]), es[0].name.casefold()))
    return {"index": ix, "named": named, "counts": site.counts}


def _whole_index(site: Site) -> dict[str, object]:
    return {"index": site.index}


def _sources_list(pager: Pager, site: Site) -> dict[str, object]:
    ix = site.index
    chunk = ix.sources[(pager.page - 1) * LIST_ROWS:pager.page * LIST_ROWS]
    return {"index": ix, "listed": chunk, "pager": pager,
            "listed_all": len(chunk) == len(ix.sources)}


def _kind_list(kind: Kind, pager: Pager, site: Site) -> dict[str, object]:
    infos = site.index.by_kind[kind.id][(pager.page - 1) * LIST_ROWS:pager.page * LIST_ROWS]
    return {"kind_info": kind, "infos": infos, "pager": pager}


def _entity(eid: str, pager: Pager, site: Site) -> dict[str, object]:
    info = site.index.entities[eid]
    chunk = info.mentions[pager.first:pager.end]
    return {"info": info, "said": site.index.said_by.get(eid, ()), "chunk": chunk,
            "pager": pager}


def _dates_index(units: list[str], site: Site) -> dict[str, object]:
    return {"tree": date_tree(units), "index": site.index}


def _date(unit: str, within: list[str], pager: Pager, site: Site) -> dict[str, object]:
    ix = site.index
    contexts = ix.date_pages.get(unit, ())
    if pager.pages:  # this page's sources' expressions
        ids = list(dict.fromkeys(c.source.id for c in contexts))
        shown = set(ids[pager.first:pager.end])
        contexts = tuple(c for c in contexts if c.source.id in shown)
    return {"unit": unit, "contexts": contexts, "refs": ix.date_refs,
            "within": within, "parent": parent_unit(unit), "pager": pager}


def _timeline(part: TimelinePart, parts: object, site: Site) -> dict[str, object]:
    return {"index": site.index, "part": part, "parts": parts}
