"""Render the indexed dossier to HTML pages with Jinja2 templates.

Python decides what each page lists and in which order; the templates only lay it out.
Returns {site-relative path: bytes}; nothing is written here.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

from . import dates, graphics, opendata, overlap
from .annotations import Dossier
from .cache import Manifest, PartsCache, code_version, digest, tree_digest
from .index import Context, EntityInfo, Index, Said
from .layout import template_file
from .models import Entity, Problem, Problems, Source, Where
from .parallel import map_items
from .paths import date_path, entity_path, mentions_path, source_path
from .progress import Progress
from .text import editor_lines

PAGE_SOURCES = 100
"""Sources per page of an entity's mentions. A popular entity (the main country) is mentioned
in most sources; in pages of this many, one edit re-renders one page, not thousands of
mentions, and no page grows without bound."""


@dataclass(frozen=True)
class Segment:
    """A run of article text: plain, or the element of the annotation covering it.

    At the top of a block a segment is plain text or a link (<a class="m">). Annotations may
    nest ("US" inside "US-led coalition"): then the outermost is one link over the whole
    phrase, its `parts` split its text into plain runs and the annotations inside it (marked
    <span class="m-in">, themselves with parts when more lie inside them), and `inner` lists
    every annotation inside it, in reading order, each to get a small link of its own after
    the outer one (HTML forbids a link inside a link)."""

    text: str
    href: str = ""
    """Site-relative target, empty for plain text."""
    id: str = ""
    """Fragment id of the annotation, if this element carries it (the first piece of one)."""
    kind: str = ""
    """The highlight style of the entity's kind (models.STYLES), or date."""
    title: str = ""
    name: str = ""
    """The entity's name, or the date's label."""
    parts: tuple[Segment, ...] = ()
    """The text split at the annotations inside this one; empty when none lies inside."""
    inner: tuple[Segment, ...] = ()
    """Of an outermost link: every annotation inside it (any depth) that has its id here."""
    label: str = ""
    """Of an inner annotation: the accessible name of its own link beside the outer one."""


@dataclass(frozen=True)
class _Ann:
    start: int
    end: int
    id: str
    href: str
    kind: str
    title: str
    name: str


def time_html(value: str) -> Markup:
    """A date value as <time> markup; an interval as two <time> elements, since HTML's
    datetime attribute cannot hold one."""
    if "/" in value:
        first, last = value.split("/", 1)
        return Markup('<time datetime="{}">{}</time> – <time datetime="{}">{}</time>').format(
            first, dates.page_label(first), last, dates.page_label(last))
    return Markup('<time datetime="{}">{}</time>').format(value, dates.page_label(value))


def capture_time(value: str) -> Markup:
    """When a seed was saved (a date, or a date and a time) as <time> markup."""
    if "T" not in value and " " not in value:
        return time_html(value)
    day, clock = value.replace(" ", "T").split("T", 1)
    zone = " UTC" if clock.endswith("Z") else ""
    shown = clock.rstrip("Z")[:5] if zone or len(clock) <= 8 else clock
    return Markup('<time datetime="{}">{}, {}{}</time>').format(
        value, dates.page_label(day), shown, zone)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """CommonMark without raw HTML, without images and without data: addresses. markdown-it
    refuses javascript:, vbscript: and file: links and lets data:image through; here data: is
    refused too, and an image is shown as a link to it (its words, or its address): a picture
    from another site would be fetched on every reader's visit (a tracking pixel), and the site
    publishes no picture of its own. Made on first use: most pages have no notes."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    allowed = md.validateLink
    md.validateLink = lambda url: allowed(url) and not url.strip().lower().startswith("data:")
    md.add_render_rule("image", _image_as_link)
    return md


def _image_as_link(self: object, tokens: list, idx: int, options: object, env: object) -> str:
    """An image of a note, rendered as a link to the picture (never fetched by the page)."""
    token = tokens[idx]
    words = escape(token.content or token.attrGet("src") or "")
    src = str(token.attrGet("src") or "")
    if not src.lower().startswith(("https://", "http://")):
        return str(words)
    return f'<a href="{escape(src)}">{words}</a>'


def article_blocks(source: Source, entities: dict[str, Entity],
                   problems: Problems) -> list[tuple[str, list[Segment]]]:
    """Each block of the article as (role, segments): every annotation a link, or, inside
    another, a mark in that link with a link of its own beside it (see Segment)."""
    starts, offset = [], 0
    for block in source.cleaned.blocks:
        starts.append(offset)
        offset += len(block.text) + 1
    anns: dict[int, list[_Ann]] = {i: [] for i in range(len(starts))}
    for m in source.mentions:
        e = entities[m.entity]
        anns[m.span.block].append(_Ann(m.span.start - starts[m.span.block],
                                       m.span.end - starts[m.span.block], m.id, entity_path(e),
                                       e.kind_info.style, f"{e.kind_info.singular}: {e.name}",
                                       e.name))
    for d in source.dates:
        anns[d.span.block].append(_Ann(d.span.start - starts[d.span.block],
                                       d.span.end - starts[d.span.block], d.id,
                                       date_path(d.page), "date",
                                       f"Date: {dates.label(d.value)}", dates.label(d.value)))
    out = []
    for i, block in enumerate(source.cleaned.blocks):
        out.append((block.role, _segments(block.text, anns[i], source, problems)))
    return out


def _segments(text: str, anns: list[_Ann], source: Source, problems: Problems) -> list[Segment]:
    """Split a block into plain runs and the links of its outermost annotations, each with
    the annotations nested inside it.

    Mentions nest or stay apart (anchor._check_layout), but a date may cross a mention: then
    the part of it beyond the annotation it starts in is continued as a piece of its own
    (same link, no id), so that the elements still nest. Every annotation with text gets an
    element carrying its id, so none is lost."""
    tree = _Node(None, 0, len(text), True)
    stack = [tree]
    queue = [(a.start, -a.end, a.kind == "date", n, a, True)
             for n, a in enumerate(anns) if a.start < a.end]
    for a in anns:
        if a.start >= a.end:
            problems.error(Where(source.meta.where.path), f"annotation '{a.id}' covers no "
                           "text and cannot be linked; remove it")
    heapq.heapify(queue)
    count = len(anns)
    while queue:
        start, end, order, _, ann, first = heapq.heappop(queue)
        end = -end
        while stack[-1].end <= start:
            stack.pop()
        top = stack[-1]
        if end > top.end:
            heapq.heappush(queue, (top.end, -end, order, count, ann, False))
            count += 1
            end = top.end
        node = _Node(ann, start, end, first)
        top.children.append(node)
        stack.append(node)
    return list(_parts(text, tree, ""))


@dataclass
class _Node:
    ann: _Ann | None
    start: int
    end: int
    first: bool
    """The first piece of its annotation (the one that carries the id)."""
    children: list[_Node] = field(default_factory=list)


def _parts(text: str, node: _Node, outer: str) -> tuple[Segment, ...]:
    """The segments of a node's text: plain runs between its children, and the children."""
    out: list[Segment] = []
    at = node.start
    for child in node.children:
        if child.start > at:
            out.append(Segment(text[at:child.start]))
        out.append(_segment(text, child, outer))
        at = child.end
    if node.end > at:
        out.append(Segment(text[at:node.end]))
    return tuple(out)


def _segment(text: str, node: _Node, outer: str) -> Segment:
    ann = node.ann
    assert ann is not None
    words = text[node.start:node.end]
    name, label = ann.name, ""
    if outer:
        shown = words if words.casefold() not in name.casefold() else ""
        label = f"{shown}: {name}" if shown else name
        label += f", inside “{outer}”"
    parts = _parts(text, node, outer or words) if node.children else ()
    inner = tuple(_inner(parts)) if not outer else ()
    return Segment(words, ann.href, ann.id if node.first else "", ann.kind, ann.title, name,
                   parts, inner, label)


def _inner(parts: tuple[Segment, ...]) -> list[Segment]:
    """The annotations among parts and inside them, in reading order, each once (its id)."""
    out: list[Segment] = []
    for part in parts:
        if part.href and part.id:
            out.append(part)
        out.extend(_inner(part.parts))
    return out


class TemplateProblem(Exception):
    """A template that does not render; carries where, for the error message."""

    def __init__(self, where: Where, message: str, source: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        lines = editor_lines(source)
        self.line_text = lines[where.line - 1].strip() if 0 < where.line <= len(lines) else ""


def _template_line(exc: BaseException) -> tuple[str, int]:
    """The template file and line where a rendering error happened (innermost frame)."""
    tb = exc.__traceback__
    found = ("", 0)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".html"):
            found = (Path(name).name, tb.tb_lineno)
        tb = tb.tb_next
    return found


@lru_cache(maxsize=4)
def _environment(folders: tuple[str, ...]) -> SandboxedEnvironment:
    """The Jinja environment of these template folders, kept from build to build so that the
    live preview compiles a template once, not on every rebuild (Jinja recompiles one whose
    file changed: auto_reload). Each build sets its own globals (Renderer)."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = lambda text: Markup(_markdown().render(text))
    env.filters["date_label"] = dates.label
    env.filters["time"] = time_html
    env.filters["capture_time"] = capture_time
    return env


class Renderer:
    """Holds the Jinja environment and renders every page of the site."""

    def __init__(self, templates: list[Path], root: Path, dossier: Dossier, index: Index,
                 entities: dict[str, Entity], source_keys: dict[str, str] | None = None,
                 manifest: Manifest | None = None,
                 sink: Callable[[str, bytes], None] | None = None,
                 parts: PartsCache | None = None) -> None:
        self.env = _environment(tuple(str(folder) for folder in templates))
        self.env.globals.update(
            dossier=dossier, kind_list=dossier.kinds, entity_path=entity_path,
            source_path=source_path, date_path=date_path, page_label=dates.page_label,
            cite=cite, sources_by_id={s.id: s for s in index.sources}, entities=entities,
            timeline_svg=graphics.timeline_svg, entity_graph_svg=graphics.entity_graph_svg,
            jsonld=opendata.jsonld, citations=opendata.citations)
        self.index = index
        self.dossier = dossier
        self.entities = entities
        self.source_keys = source_keys or {}
        self.manifest = manifest
        self.keys: dict[str, str] = {}
        """Each page's key, for the next build's manifest."""
        self.sink = sink
        self.parts = parts
        """Sources' parts of the open data from earlier builds (remade only when changed)."""
        """Where each rendered page goes as soon as it is rendered (then all_pages gives None
        for it), so that the pages of a large site are never all held at once."""
        self.root = root
        self.base = digest(code_version(), *(tree_digest(folder) for folder in templates),
                           dossier)
        self.own_listing = _overridden(tuple(str(f) for f in templates), LISTING_TEMPLATES,
                                       self.base)
        """The dossier has its own version of a template that lists sources on entity and
        date pages: those pages are then keyed on whole sources (see _listed)."""

    def page(self, template: str, path: str, key: str = "",
             **context: object) -> tuple[str, bytes | None]:
        """Render one page; (path, None) when its key says the file in site/ is still right."""
        self.progress.step()
        if key and self._unchanged(path, key):
            return path, None
        root = "../" * path.count("/")
        try:
            html = self.env.get_template(template).render(root=root, path=path, **context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(Where(template_file(self.root, exc.name or template),
                                        exc.lineno or 0),
                                  f"template syntax: {exc.message}", exc.source or "") from None
        except Exception as exc:  # noqa: BLE001 - any failure of a template is the template's
            # (an undefined name, {{ 1 // 0 }}, a template that includes itself ...)
            frame = _template_line(exc)
            what = str(exc) if isinstance(exc, jinja2.TemplateError) else \
                f"{type(exc).__name__}: {exc}"
            raise TemplateProblem(Where(template_file(self.root, frame[0] or template), frame[1]),
                                  f"template error while rendering {path}: {what}",
                                  self._template_source(frame[0] or template)) from None
        data = html.encode("utf-8")
        if not key:
            self.keys[path] = digest(data)
        return path, self._emit(path, data)

    def _template_source(self, name: str) -> str:
        """The text of a template, to show the line of an error ('' if it cannot be read)."""
        try:
            return self.env.loader.get_source(self.env, name)[0] if self.env.loader else ""
        except Exception:  # noqa: BLE001 - only for showing the line
            return ""

    def _emit(self, path: str, data: bytes) -> bytes | None:
        if self.sink is None:
            return data
        self.sink(path, data)
        return None

    def all_pages(self, problems: Problems) -> dict[str, bytes | None]:
        """Every page (None for a page unchanged since the last build), or {} after recording
        the template problem that stopped rendering."""
        try:
            return self._all_pages(problems)
        except TemplateProblem as exc:
            problems.error(exc.where, exc.message, exc.line_text)
            return {}

    def _all_pages(self, problems: Problems) -> dict[str, bytes | None]:
        ix = self.index
        self.progress = Progress("Rendering", len(ix.sources) + len(ix.entities)
                                 + len(ix.date_pages) + 20)
        keys = self.source_keys
        # Pages and files made from the whole dossier (home, indexes, timeline, open data)
        # are kept when nothing they are made from changed: every source (by its cache key),
        # the entity registry and the claims. ("" when a source has no key: always made.)
        whole = digest("whole", sorted(keys.items()), sorted(self.entities.items()),
                       ix.claims) if all(s.id in keys for s in ix.sources) else ""
        pages = dict([self.page("home.html", "index.html", whole, index=ix, counts=counts(ix),
                                origins_summary=overlap.summary(ix.origins, len(ix.sources)))])
        self._origin_of = {m: o for o in ix.origins for m in o.members}
        self._by_id = {s.id: s for s in ix.sources}
        pages.update([self.page("sources.html", "sources/index.html", whole, index=ix)])
        for kind in self.dossier.kinds:
            pages.update([self.page("kind.html", f"{kind.folder}/index.html", whole,
                                    kind_info=kind, infos=ix.by_kind[kind.id])])
        # The pages there is one of per source and per entity, on every core.
        # Workers get numbers into self._work (forked, they have it already): sending the
        # records themselves would cost more than rendering them.
        self._work = [("source", src) for src in ix.sources]
        self._work += [("entity", info) for infos in ix.by_kind.values() for info in infos]
        self._work += [("mentions", (info, page)) for infos in ix.by_kind.values()
                       for info in infos
                       for page in range(2, _pages(info) + 1)]
        for path, data, key, raised, failure in map_items(
                _render_in_worker, range(len(self._work)), (self,), done=self.progress.step,
                fork=True):
            if failure is not None:
                stopped = TemplateProblem(failure[0], failure[1], "")
                stopped.line_text = failure[2]
                raise stopped
            problems.items.extend(raised)
            if key is not None:
                self.keys[path] = key
            pages[path] = None if data is None else self._emit(path, data)
        units = date_units(list(ix.date_pages))
        pages.update([self.page("dates.html", "dates/index.html", whole,
                                tree=date_tree(units), index=ix)])
        for unit in units:
            contexts = ix.date_pages.get(unit, ())
            within = _within(unit, units)
            key = digest("date", unit, within,
                         [(self._listed(c.source), *_shown(c), ix.date_refs.get(
                             (c.source.id, c.fragment))) for c in contexts])
            pages.update([self.page("date.html", date_path(unit), key, unit=unit,
                                    contexts=contexts, refs=ix.date_refs, within=within,
                                    parent=_parent(unit))])
        # The timeline shows the dates and who published them, nothing of the mentions: a
        # key of its own keeps it when only mentions changed (at 10,000 sources it is 18 MB).
        timeline = digest("timeline", [(s.id, s.meta.publisher, s.meta.published,
                                        s.meta.headline, s.dates) for s in ix.sources])
        pages.update([self.page("timeline.html", "timeline.html", timeline, index=ix)])
        named = [(self.entities[eid], said) for eid, said in ix.said_by.items()]
        named.sort(key=lambda es: (-len(es[1]), es[0].name.casefold()))
        said = [(e.id, e.name, e.kind, [self._said(s) for s in by]) for e, by in named]
        unnamed = [(label, [self._said(s) for s in by]) for label, by in ix.unnamed]
        pages.update([self.page("quotes.html", "quotes.html",
                                self._narrowed(whole, "quotes", said, unnamed),
                                index=ix, named=named, counts=counts(ix))])
        answered = sorted({a.source for c in ix.claims for a in c.answers})
        speakers = sorted({a.speaker for c in ix.claims for a in c.answers if a.speaker})
        pages.update([self.page("claims.html", "claims.html", self._narrowed(
            whole, "claims", ix.claims, [self._listed(self._by_id[sid]) for sid in answered
                                         if sid in self._by_id],
            [self.entities.get(eid) for eid in speakers]), index=ix)])
        pages.update(self._exports(whole, pages))
        self.progress.close()
        return dict(sorted(pages.items()))

    def _exports(self, whole: str, pages: dict[str, bytes | None]) -> dict[str, bytes | None]:
        """The open-data files; None for each when the last build's are still right."""
        def key(path: str) -> str:
            return digest(self.base, whole, "export", path)

        kept = self.manifest.kept(opendata.is_export, key) if whole and self.manifest else []
        if kept:
            self.keys.update({p: key(p) for p in kept})
            return dict.fromkeys(kept)
        out: dict[str, bytes | None] = {}
        for path, data in opendata.exports(self.index, self.entities, self.dossier, pages=pages,
                                           parts=self._parts, made=self._made).items():
            self.keys[path] = key(path) if whole else digest(data)
            out[path] = self._emit(path, data)
        return out

    def _part_key(self, src: Source) -> str:
        """What a source's parts of the open data show: the source, and the names and kinds
        of the entities it mentions ("" when the source has no cache key: always made)."""
        if self.parts is None or src.id not in self.source_keys:
            return ""
        named = sorted({m.entity for m in src.mentions})
        return digest(self.base, self.source_keys[src.id],
                      [(e.id, e.name, e.kind) for e in map(self.entities.get, named) if e])

    def _parts(self, src: Source) -> opendata.Parts | None:
        key = self._part_key(src)
        return self.parts.get(src.id, key) if key and self.parts is not None else None

    def _made(self, src: Source, parts: opendata.Parts) -> None:
        key = self._part_key(src)
        if key and self.parts is not None:
            self.parts.put(src.id, key, parts)

    def _one(self, what: str, item: Any, problems: Problems) -> tuple[str, bytes | None]:
        """The page of one source or one entity (None: unchanged since the last build)."""
        ix, keys = self.index, self.source_keys
        if what == "entity":
            return self.page("entity.html", entity_path(item.entity), self._entity_key(item),
                             info=item, said=ix.said_by.get(item.entity.id, ()),
                             chunk=item.mentions[:PAGE_SOURCES], pager=_pager(item, 1))
        if what == "mentions":
            info, page = item
            e, chunk = info.entity, info.mentions[(page - 1) * PAGE_SOURCES:page * PAGE_SOURCES]
            key = digest("mentions", e.id, e.name, e.kind, page, _pages(info),
                         [(self._listed(src), [_shown(c) for c in contexts])
                          for src, contexts in chunk])
            return self.page("mentions.html", mentions_path(e, page), key, info=info,
                             chunk=chunk, pager=_pager(info, page))
        src: Source = item
        in_source = _entities_in(src, self.entities)
        shown = {e.id for e, _ in in_source} | {eid for q in src.quotes
                                                for eid in (q.speaker, q.via) if eid}
        shared = ix.shared_in(src.id)
        origin = self._origin_of.get(src.id)
        related = {t.source for _, _, t in shared} | set(origin.members if origin else ())
        key = digest("source", keys.get(src.id) or src,
                     [(e.id, e.name, e.kind) for e in map(self.entities.get, sorted(shown))
                      if e is not None], shared, origin,
                     [cite(self._by_id[sid]) for sid in sorted(related) if sid in self._by_id])
        if self._unchanged(path := source_path(src), key):
            return path, None  # its article need not even be laid out
        return self.page(
            "source.html", path, key, source=src,
            blocks=article_blocks(src, self.entities, problems), in_source=in_source,
            said=[Said(src, q) for q in src.quotes], shared=shared, origin=origin,
            shared_blocks={b for _, side, _ in shared
                           for b in range(side.block, side.last_block + 1)},
            credits=ix.credits.get(src.id, ()))

    def _unchanged(self, path: str, key: str) -> bool:
        """Record the page's key; True if the last build wrote the page with it and the file
        is still as it left it."""
        self.keys[path] = full = digest(self.base, key)
        return self.manifest is not None and self.manifest.unchanged(path, full)

    def _entity_key(self, info: EntityInfo) -> str:
        """Everything an entity page shows, as a hash: the entity, the passages and statements
        it lists with what it shows of their sources (_listed), and the other entities it
        names."""
        by_id = self._by_id
        cited = sorted({sid for st in info.entity.description for sid in st.sources})
        return digest(
            "entity", info.entity, info.count, info.quoted_as,
            len(info.mentions),  # the first page lists the first PAGE_SOURCES of them
            [(self._listed(src), [_shown(c) for c in contexts])
             for src, contexts in info.mentions[:PAGE_SOURCES]],
            [(lk.label, lk.other.id, lk.other.name, lk.other.kind, self._listed(lk.source),
              lk.quote) for lk in info.links],
            [(o.id, o.name, o.kind, n) for o, n in info.together],
            [self._listed(by_id[sid]) if sid in by_id else sid for sid in cited],
            [self._said(s) for s in self.index.said_by.get(info.entity.id, ())])

    def _said(self, s: Said) -> object:
        """A statement as a page lists it, with the names of who said it and through whom."""
        named = [(e, self.entities[e].name) for e in (s.quote.speaker, s.quote.via)
                 if e and e in self.entities]
        return self._listed(s.source), s.paragraph, s.quote, named

    def _narrowed(self, whole: str, *shown: object) -> str:
        """The key of a whole-dossier page from what it shows (`shown`) rather than from every
        source; the whole dossier's key with the dossier's own templates (see _listed)."""
        if not whole or self.own_listing:
            return whole
        return digest(*shown)

    def _listed(self, src: Source) -> object:
        """What an entity or date page shows of a source it lists beside the passages
        themselves: its address, headline and citation. So a new mention in a source remakes
        the pages of the entities whose passages it changes, not of every entity the source
        names. With the dossier's own listing templates, which may show anything of it, the
        whole source (its cache key)."""
        if self.own_listing:
            return self.source_keys.get(src.id) or src
        return src.id, src.meta.headline, src.meta.publisher, src.meta.published


LISTING_TEMPLATES = ("entity.html", "mentions.html", "date.html", "quotes.html",
                     "claims.html")
"""The pages that list sources, keyed on what the tool's own templates show of them."""


@lru_cache(maxsize=8)
def _overridden(folders: tuple[str, ...], names: tuple[str, ...], version: str) -> bool:
    """Whether the dossier's own template folder (the first, if there are two) holds one of
    these templates or any template they extend, include or import. (`version`, a digest of
    the templates, keeps the answer until one changes.)"""
    if len(folders) < 2:
        return False
    env = _environment(folders)
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if (Path(folders[0]) / name).is_file():
            return True
        try:
            source = env.loader.get_source(env, name)[0] if env.loader else ""
            found = list(jinja2.meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateError:
            return True  # it is the build's to report; key conservatively meanwhile
        if None in found:
            return True  # a template chosen at run time: could be any
        todo.extend(n for n in found if n is not None)
    return False


def _shown(c: Context) -> tuple[str, str, str, str]:
    """A passage as a page lists it."""
    return c.fragment, c.before, c.quote, c.after


def _render_in_worker(n: int, renderer: Renderer
                      ) -> tuple[str, bytes | None, str | None, list[Problem],
                                 tuple[Where, str, str] | None]:
    """One source or entity page, made apart from the renderer's own bookkeeping (so it can
    run in a worker process): (path, bytes or None if unchanged, page key, problems raised,
    the template problem that stopped it)."""
    saved = renderer.sink, renderer.keys, renderer.progress
    renderer.sink, renderer.keys, renderer.progress = None, {}, Progress("", 0)
    problems = Problems()
    try:
        path, data = renderer._one(*renderer._work[n], problems)
        return path, data, renderer.keys.get(path), problems.items, None
    except TemplateProblem as exc:
        return "", None, None, [], (exc.where, exc.message, exc.line_text)
    finally:
        renderer.sink, renderer.keys, renderer.progress = saved


def _pages(info: EntityInfo) -> int:
    """How many pages an entity's mentions take."""
    return max(1, -(-len(info.mentions) // PAGE_SOURCES))


@dataclass(frozen=True)
class Pager:
    """Where a page of an entity's mentions sits among the others."""

    page: int
    pages: list[tuple[int, str]]
    """(number, site-relative path) of every page; empty when the mentions fit on one. Only
    the number of pages is shown, so that a page changes only when its own sources do."""


def _pager(info: EntityInfo, page: int) -> Pager:
    n = _pages(info)
    return Pager(page, [] if n == 1 else [(k, mentions_path(info.entity, k))
                                          for k in range(1, n + 1)])


def cite(source: Source) -> str:
    """A short citation: publisher and date."""
    meta = source.meta
    return f"{meta.publisher or source.id}, {meta.published.date or 'undated'}"


def counts(ix: Index) -> dict[str, int]:
    return {
        "sources": len(ix.sources),
        "entities": len(ix.entities),
        **{kind: len(infos) for kind, infos in ix.by_kind.items()},
        "mentions": sum(len(s.mentions) for s in ix.sources),
        "dates": sum(len(s.dates) for s in ix.sources),
        "date_pages": len(date_units(list(ix.date_pages))),
        "removed": sum(1 for s in ix.sources for r in s.cleaned.removed if r.rule != "headline"),
        "quotes": (quotes := sum(len(s.quotes) for s in ix.sources)),
        "unnamed": (unnamed := sum(len(said) for _, said in ix.unnamed)),
        "unnamed_share": round(100 * unnamed / quotes) if quotes else 0,
        "claims": len(ix.claims),
    }


def _entities_in(src: Source, entities: dict[str, Entity]) -> list[tuple[Entity, int]]:
    counts_: dict[str, int] = {}
    for m in src.mentions:
        counts_[m.entity] = counts_.get(m.entity, 0) + 1
    return sorted(((entities[e], n) for e, n in counts_.items()),
                  key=lambda en: (en[0].kind, en[0].name.casefold()))


def date_units(pages: list[str]) -> list[str]:
    """Every unit with a page: those expressions resolve to, and the months and years above."""
    units = set(pages)
    for unit in pages:
        units.update({unit[:4], unit[:7]} if len(unit) == 10 else {unit[:4]})
    return sorted(units)


def date_tree(units: list[str]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Years, each with its months, each with its days."""
    return [(y, [(m, [d for d in units if len(d) == 10 and d.startswith(m)])
                 for m in units if len(m) == 7 and m.startswith(y)])
            for y in units if len(y) == 4]


def _within(unit: str, units: list[str]) -> list[str]:
    """Pages of the next smaller units inside this one (a month's days, a year's months)."""
    size = {4: 7, 7: 10}.get(len(unit), 0)
    return [u for u in units if len(u) == size and u.startswith(unit)]


def _parent(unit: str) -> str:
    """The page of the enclosing unit ('' for a year)."""
    return {10: unit[:7], 7: unit[:4]}.get(len(unit), "")
