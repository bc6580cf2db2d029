"""Render planned pages (dossier/pages.py) to HTML with Jinja2 templates.

`Renderer.render(page)` is the page's template applied to its context; `render_pages` does
that for many pages on every core. Python decides what each page lists and in which order
(pages.py); the templates only lay it out; nothing is written here.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

from . import dates, graphics, opendata
from .layout import template_file
from .models import Entity, Source, Where
from .pages import LIST_ROWS, LISTING_TEMPLATES, Page, Site
from .parallel import map_items
from .paths import date_path, entity_path, source_path
from .text import editor_lines


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


def article_blocks(source: Source, entities: dict[str, Entity]
                   ) -> list[tuple[str, list[Segment]]]:
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
        out.append((block.role, _segments(block.text, anns[i])))
    return out


def _segments(text: str, anns: list[_Ann]) -> list[Segment]:
    """Split a block into plain runs and the links of its outermost annotations, each with
    the annotations nested inside it.

    Mentions nest or stay apart (anchor._check_layout), but a date may cross a mention: then
    the part of it beyond the annotation it starts in is continued as a piece of its own
    (same link, no id), so that the elements still nest. Every annotation with text gets an
    element carrying its id, so none is lost (one that covers no text is an error of the
    index stage: index.check_spans)."""
    tree = _Node(None, 0, len(text), True)
    stack = [tree]
    queue = [(a.start, -a.end, a.kind == "date", n, a, True)
             for n, a in enumerate(anns) if a.start < a.end]
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

    @classmethod
    def of(cls, where: Where, message: str, line_text: str) -> TemplateProblem:
        """The problem again, from what a worker process sent back."""
        problem = cls(where, message, "")
        problem.line_text = line_text
        return problem


def _template_line(exc: BaseException) -> tuple[str, int]:
    """The template file and line where a rendering error happened: the innermost template
    frame; for a template that includes itself without end, the outermost (where the loop
    began; the innermost is wherever the stack happened to run out)."""
    tb = exc.__traceback__
    found: list[tuple[str, int]] = []
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".html"):
            found.append((Path(name).name, tb.tb_lineno))
        tb = tb.tb_next
    if not found:
        return "", 0
    return found[0] if isinstance(exc, RecursionError) else found[-1]


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
    """The Jinja environment of one build, with what every template may use: `render(page)`
    turns a planned page into its bytes."""

    def __init__(self, templates: list[Path], root: Path, site: Site) -> None:
        self.env = _environment(tuple(str(folder) for folder in templates))
        self.env.globals.update(
            dossier=site.dossier, kind_list=site.dossier.kinds, entity_path=entity_path,
            source_path=source_path, date_path=date_path, page_label=dates.page_label,
            cite=cite, sources_by_id=site.by_id, entities=site.entities,
            timeline_svg=graphics.timeline_svg, entity_graph_svg=graphics.entity_graph_svg,
            jsonld=opendata.jsonld, citations=opendata.citations, listed_rows=LIST_ROWS)
        self.root, self.site = root, site

    def render(self, page: Page) -> bytes:
        """The page's HTML; raises TemplateProblem when its template fails."""
        root = "../" * page.path.count("/")
        template = page.template
        try:
            return self.env.get_template(template).render(
                root=root, path=page.path, **page.context(self.site)).encode("utf-8")
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
                                  f"template error while rendering {page.path}: {what}",
                                  self._template_source(frame[0] or template)) from None

    def _template_source(self, name: str) -> str:
        """The text of a template, to show the line of an error ('' if it cannot be read)."""
        try:
            return self.env.loader.get_source(self.env, name)[0] if self.env.loader else ""
        except Exception:  # noqa: BLE001 - only for showing the line
            return ""


_RENDERING: tuple[Renderer, Sequence[Page]] | None = None
"""The renderer and the pages of the render_pages call under way (forked workers have it)."""


def render_pages(renderer: Renderer, pages: Sequence[Page],
                 done: Callable[[int], None] | None = None) -> Iterator[tuple[Page, bytes]]:
    """Each page with its bytes, in order, rendered on every core; raises TemplateProblem for
    the first page whose template fails."""
    global _RENDERING
    _RENDERING = (renderer, pages)
    try:
        for n, (data, failure) in enumerate(map_items(_render_at, range(len(pages)),
                                                      done=done, fork=True)):
            if failure is not None:
                raise TemplateProblem.of(*failure)
            yield pages[n], data
    finally:
        _RENDERING = None


def _render_at(n: int) -> tuple[bytes, tuple[Where, str, str] | None]:
    """Page n of the render_pages call under way (in a worker, or here)."""
    assert _RENDERING is not None
    renderer, pages = _RENDERING
    try:
        return renderer.render(pages[n]), None
    except TemplateProblem as exc:
        return b"", (exc.where, exc.message, exc.line_text)


def own_listing(templates: list[Path], version: str) -> bool:
    """Whether the dossier has its own version of a template that lists sources (or of one
    they use): then those pages are keyed on whole sources (pages.Site.listed)."""
    return _overridden(tuple(str(f) for f in templates), LISTING_TEMPLATES, version)


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


def cite(source: Source) -> str:
    """A short citation: publisher and date."""
    meta = source.meta
    return f"{meta.publisher or source.id}, {meta.published.date or 'undated'}"


