"""Pictures generated at build time as inline SVG: the timeline and each entity's neighbours.

Both are plain SVG inside a <figure>: no script, no external request, no random layout. Every
coordinate is rounded to one decimal and every list has a fixed order, so two builds write the
same bytes. Colours come from the page's CSS variables (graphics.css), text uses currentColor,
and every piece of text from the dossier goes through markupsafe.escape.

The tables and lists next to each picture remain the full data; the pictures are an overview.

Structure of each picture: an outer <svg role="group"> holding (1) an inner <svg role="img">
with <title> and <desc> (the text alternative) and everything that is only drawn, and (2) the
marks or nodes, each an <a href> named by its own <title>. The links stay outside the img
because an img's children are presentational: links inside it would be focusable but missing
from the accessibility tree (axe: nested-interactive).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from . import dates

# Average advance width of a character, in em, of the sans-serif faces graphics.css asks for;
# used to decide when a label must be shortened. Generous so that labels never overflow.
CHAR_EM = 0.6


def _n(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing '.0'."""
    text = f"{round(value, 1):.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _fit(text: str, width: float, size: float) -> str:
    """`text`, shortened with an ellipsis to fit `width` user units at font size `size`."""
    room = max(1, int(width / (size * CHAR_EM)))
    if len(text) <= room:
        return text
    cut = text[:max(1, room - 1)]
    if " " in cut[room // 2:]:  # end at a word when one ends in the second half
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# ======================================================================== timeline

TL_WIDTH = 600
"""viewBox width of the timeline; graphics.css keeps it at least 32rem wide (fonts ≥ 10 px)."""
TL_PAD = 6
TL_GAP = 12
"""Blank between two bands of the broken axis."""
TL_AXIS = 44
"""Height of the axis (band headings and tick labels) above the first row."""
TL_LANE = 13
TL_FONT = 14
TL_FONT_NARROW = 19
TL_TICK_FONT = 12
TL_TICK_FONT_NARROW = 17
"""Font sizes in user units; the narrow ones are what graphics.css sets below 32rem, where the
picture is drawn at about 0.6 of its viewBox (so about 11 and 10 px at 390 px)."""
TICK_EM = 0.56
"""Average advance of digits and short month names, in em."""


@dataclass(frozen=True)
class _Band:
    """A stretch of the time axis drawn at one scale: years, months or days."""

    unit: str
    """'year', 'month' or 'day'."""
    first: date
    """First day covered."""
    stop: date
    """Day after the last day covered."""
    x: float
    width: float

    def steps(self) -> list[date]:
        """The first day of each unit of the band, and `stop`."""
        out, d = [], self.first
        while d < self.stop:
            out.append(d)
            d = _next(d, self.unit)
        return [*out, self.stop]

    def to_x(self, d: date) -> float:
        steps = self.steps()
        per = self.width / (len(steps) - 1)
        for i, (a, b) in enumerate(zip(steps, steps[1:], strict=False)):
            if a <= d < b:
                return self.x + per * (i + (d - a).days / (b - a).days)
        return self.x + self.width


def _next(d: date, unit: str) -> date:
    if unit == "year":
        return date(d.year + 1, 1, 1)
    if unit == "month":
        return date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return d + timedelta(days=1)


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _bands(spans: list[tuple[date, date]], width: float) -> list[_Band]:
    """Split the range of `spans` (first day, last day) into bands of their own scale.

    The month where most short events (a month or less) fall is drawn day by day; the rest of
    its year month by month; other years year by year. Each band is linear; the reader sees
    the breaks as gaps with their own headings and ticks.
    """
    lo = min(s for s, _ in spans)
    hi = max(e for _, e in spans)
    short = Counter(_month_start(s) for s, e in spans
                    if _month_start(s) == _month_start(e))
    if _month_start(lo) == _month_start(hi):
        focus = _month_start(lo)
    elif short:
        focus = min(short, key=lambda m: (-short[m], m))
    else:
        focus = None
    parts: list[tuple[str, date, date, float]] = []  # unit, first, stop, weight
    if focus is None:
        first_year = date(lo.year, 1, 1)
        stop = date(hi.year + 1, 1, 1)
        years = hi.year - lo.year + 1
        parts.append(("year", first_year, stop, years))
    else:
        year = focus.year
        if lo.year < year:
            n = year - lo.year
            parts.append(("year", date(lo.year, 1, 1), date(year, 1, 1), min(n * 1.4, 6.0)))
        first_month = date(year, 1, 1) if lo.year < year else _month_start(lo)
        if first_month < focus:
            n = (focus.month - first_month.month)
            parts.append(("month", first_month, focus, n))
        after = _next(focus, "month")
        parts.append(("day", focus, after, 10.0))
        last_month = date(year, 12, 1) if hi.year > year else _month_start(hi)
        if after <= last_month:
            stop = _next(last_month, "month")
            parts.append(("month", after, stop, last_month.month - after.month + 1))
        if hi.year > year:
            n = hi.year - year
            parts.append(("year", date(year + 1, 1, 1), date(hi.year + 1, 1, 1),
                          min(n * 1.4, 6.0)))
    room = width - TL_GAP * (len(parts) - 1)
    total = sum(w for *_, w in parts)
    bands, x = [], TL_PAD
    for unit, first, stop, weight in parts:
        w = room * weight / total
        bands.append(_Band(unit, first, stop, x, w))
        x += w + TL_GAP
    return bands


def _to_x(bands: list[_Band], d: date) -> float:
    for band in bands:
        if d < band.stop:
            return band.to_x(max(d, band.first))
    return bands[-1].x + bands[-1].width


def _every(per: float, widest: int, size: float, choices: Iterable[int]) -> int:
    """The smallest step (in units) at which labels `widest` characters wide do not touch."""
    need = widest * size * TICK_EM + 3
    return next((k for k in choices if per * k >= need), 0)


def _shown(unit: str, i: int, d: date, k: int) -> bool:
    """Whether the i-th tick label of a band is shown when every k-th fits (k=0: none)."""
    if not k:
        return False
    if unit == "day":  # the 1st and every k-th day, not crowding the 1st
        return d.day == 1 or (d.day % k == 0 and d.day > k / 2 + 1)
    return i % k == 0


def _axis(bands: list[_Band], bottom: float) -> list[str]:
    """Band headings, tick labels, tick marks and grid lines down to `bottom`.

    A tick label that would touch its neighbour at the larger size used on narrow screens is
    of class tl-minor, which graphics.css hides there."""
    out = ['<g class="tl-axis">']
    heading_y, label_y, line_y = 15, 35, TL_AXIS - 2
    for band in bands:
        steps = band.steps()
        per = band.width / (len(steps) - 1)
        if band.unit == "month":
            years = sorted({d.year for d in steps[:-1]})
            heading = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
        elif band.unit == "day":
            heading = f"{calendar.month_name[band.first.month]} {band.first.year}"
        else:
            heading = ""
        if heading and len(heading) * TL_TICK_FONT_NARROW * CHAR_EM <= band.width:
            out.append(f'<text class="tl-band" x="{_n(band.x + band.width / 2)}" '
                       f'y="{heading_y}" text-anchor="middle">{escape(heading)}</text>')
        out.append(f'<line class="tl-axis-line" x1="{_n(band.x)}" y1="{line_y}" '
                   f'x2="{_n(band.x + band.width)}" y2="{line_y}"/>')
        labels = _tick_labels(band, steps)
        widest = max(len(t) for _, t in labels)
        choices = (1, 2, 5, 10) if band.unit == "day" else range(1, len(steps) + 1)
        wide = _every(per, widest, TL_TICK_FONT, choices)
        narrow = _every(per, widest, TL_TICK_FONT_NARROW, choices)

        for i, d in enumerate(steps):
            x = band.x + per * i
            last = i == len(steps) - 1
            if band.unit == "day" and not (i == 0 or last or _shown(band.unit, i, d, wide)):
                out.append(f'<line class="tl-tick" x1="{_n(x)}" y1="{line_y}" '
                           f'x2="{_n(x)}" y2="{line_y + 3}"/>')
            else:
                out.append(f'<line class="tl-grid" x1="{_n(x)}" y1="{line_y}" '
                           f'x2="{_n(x)}" y2="{_n(bottom)}"/>')
        for i, (d, text) in enumerate(labels):
            if not _shown(band.unit, i, d, wide):
                continue
            cls = "tl-tick-label" if _shown(band.unit, i, d, narrow) else "tl-tick-label tl-minor"
            x = band.x + per * (i + 0.5)
            out.append(f'<text class="{cls}" x="{_n(x)}" y="{label_y}" '
                       f'text-anchor="middle">{escape(text)}</text>')
    for a, b in zip(bands, bands[1:], strict=False):  # the breaks between bands
        mid = (a.x + a.width + b.x) / 2
        out.append(f'<path class="tl-break" d="M{_n(mid - 4)} {line_y + 4}l4 -8m0 8l4 -8"/>')
    out.append("</g>")
    return out


def _tick_labels(band: _Band, steps: list[date]) -> list[tuple[date, str]]:
    if band.unit == "year":
        return [(d, f"{d.year}") for d in steps[:-1]]
    if band.unit == "month":
        return [(d, calendar.month_abbr[d.month]) for d in steps[:-1]]
    return [(d, f"{d.day}") for d in steps[:-1]]


@dataclass(frozen=True)
class _Mark:
    entry: object
    x0: float
    x1: float
    dot: bool


def _source_label(source: object) -> str:
    meta = source.meta  # type: ignore[attr-defined]
    who = meta.publisher or source.id  # type: ignore[attr-defined]
    when = dates.label(meta.published.date) if meta.published.date else "undated"
    return f"{who}, {when}: {meta.headline}" if meta.headline else f"{who}, {when}"


def timeline_svg(index: object, *, width: float = TL_WIDTH) -> Markup:
    """The timeline of dated events across sources, as an accessible SVG.

    One row per source (in publication order, as the sources page lists them); in each row a
    dot per day and a bar per longer period, hollow and dashed when the date is approximate,
    stacked in lanes where they would overlap. Each mark links to the date expression in the
    source page. The axis is broken into bands (years, months, days) so that the month where
    most happens is readable day by day while the whole range stays in view.
    """
    entries = list(index.timeline)  # type: ignore[attr-defined]
    reading = {id(entry): n for n, entry in enumerate(entries)}  # reading order, in O(1)
    if not entries:
        return Markup("")
    spans = [(date.fromisoformat(t.ref.start), date.fromisoformat(t.ref.end)) for t in entries]
    inner = width - 2 * TL_PAD
    bands = _bands(spans, inner)
    rows: dict[str, list[_Mark]] = {}
    sources = {}
    for t, (start, end) in zip(entries, spans, strict=True):
        a, b = _to_x(bands, start), _to_x(bands, end + timedelta(days=1))
        dot = start == end
        if dot:
            mid = (a + b) / 2
            a, b = mid - 4.5, mid + 4.5
        elif b - a < 6:
            mid = (a + b) / 2
            a, b = mid - 3, mid + 3
        src = t.context.source
        sources[src.id] = src
        rows.setdefault(src.id, []).append(_Mark(t, a, b, dot))
    order = [s.id for s in index.sources if s.id in rows]  # type: ignore[attr-defined]
    body: list[str] = []  # the picture: row labels, publication lines, rules
    marks: list[str] = []  # the links, one per event
    y = TL_AXIS + 4
    for sid in order:
        src = sources[sid]
        label = _source_label(src)
        wide, narrow = _fit(label, inner, TL_FONT), _fit(label, inner, TL_FONT_NARROW)
        variants = [("", wide)] if wide == narrow else [(" tl-wide", wide),
                                                        (" tl-narrow", narrow)]
        for cls, text in variants:
            body.append(f'<text class="tl-source{cls}" x="{TL_PAD}" y="{_n(y + 17)}">'
                        f'<title>{escape(label)}</title>{escape(text)}</text>')
        lanes: list[float] = []
        placed: list[tuple[_Mark, int]] = []
        for mark in sorted(rows[sid], key=lambda m: (m.x0, m.x1)):
            lane = next((i for i, end in enumerate(lanes) if end + 2 <= mark.x0), len(lanes))
            if lane == len(lanes):
                lanes.append(mark.x1)
            else:
                lanes[lane] = mark.x1
            placed.append((mark, lane))
        top = y + 25
        bottom = top + TL_LANE * len(lanes)
        published = src.meta.published.date
        if published:
            day = date.fromisoformat(published)
            px = (_to_x(bands, day) + _to_x(bands, day + timedelta(days=1))) / 2
            body.append(f'<line class="tl-published" x1="{_n(px)}" y1="{_n(top - 3)}" '
                        f'x2="{_n(px)}" y2="{_n(bottom + 1)}"/>')
        for mark, lane in sorted(placed, key=lambda ml: reading[id(ml[0].entry)]):
            marks.append(_mark_svg(mark, top + TL_LANE * lane + TL_LANE / 2, src))
        y = bottom + 8
        body.append(f'<line class="tl-rule" x1="{TL_PAD}" y1="{_n(y - 3)}" '
                    f'x2="{_n(width - TL_PAD)}" y2="{_n(y - 3)}"/>')
    height = y + 2
    first = min(s for s, _ in spans)
    last = max(e for _, e in spans)
    busiest = [b for b in bands if b.unit == "day"]
    in_focus = sum(1 for s, e in spans if busiest and busiest[0].first <= s
                   and e < busiest[0].stop)
    approx = sum(1 for t in entries if t.ref.approximate)
    desc = (f"{_plural(len(entries), 'dated event')} in {_plural(len(order), 'source')}, "
            f"from {_day(first)} to {_day(last)}, one row per source in publication order. "
            "Dots are single days, bars are longer periods; "
            f"{_plural(approx, 'mark')} drawn hollow with a dashed outline "
            f"{'is' if approx == 1 else 'are'} approximate. A dotted line marks each source’s "
            "publication date. The time axis is broken into bands with their own scale")
    if busiest:
        month = f"{calendar.month_name[busiest[0].first.month]} {busiest[0].first.year}"
        desc += f": {month}, where {in_focus} of the events fall, is drawn day by day"
    desc += ". The table below lists every event."
    svg = [
        f'<svg class="tl-svg" role="group" aria-label="Timeline: each event links to its '
        f'source" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet">',
        '<svg class="tl-picture" role="img" aria-labelledby="tl-title tl-desc" '
        'overflow="visible">',
        '<title id="tl-title">Timeline of the dated events, by source</title>',
        f'<desc id="tl-desc">{escape(desc)}</desc>',
        *_axis(bands, height - 6),
        *body,
        "</svg>",
        '<g class="tl-marks">',
        *marks,
        "</g>",
        "</svg>",
    ]
    return Markup("\n".join([
        '<figure class="graphic tl">',
        *svg,
        _timeline_legend(),
        "</figure>",
    ]))


def _day(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def _mark_svg(mark: _Mark, cy: float, source: object) -> str:
    ref = mark.entry.ref  # type: ignore[attr-defined]
    approx = ref.approximate
    cls = "tl-mark tl-approx" if approx else "tl-mark"
    when = ("≈ " if approx else "") + dates.label(ref.value)
    title = f"{when}: {ref.event} ({_source_label(source)})" if ref.event else \
        f"{when} ({_source_label(source)})"
    href = f"sources/{source.id}.html#{ref.id}"  # type: ignore[attr-defined]
    if mark.dot:
        shape = (f'<circle class="{cls} tl-day" cx="{_n((mark.x0 + mark.x1) / 2)}" '
                 f'cy="{_n(cy)}" r="{4 if approx else 4.5}"/>')
    else:
        shape = (f'<rect class="{cls} tl-period" x="{_n(mark.x0)}" y="{_n(cy - 4)}" '
                 f'width="{_n(mark.x1 - mark.x0)}" height="8" rx="2"/>')
    return (f'<a href="{escape(href)}" class="tl-link" data-approximate='
            f'"{"true" if approx else "false"}"><title>{escape(title)}</title>{shape}</a>')


def _timeline_legend() -> str:
    day = ('<svg viewBox="0 0 14 14" aria-hidden="true"><circle class="tl-mark" cx="7" cy="7" '
           'r="4.5"/></svg>')
    bar = ('<svg viewBox="0 0 26 14" aria-hidden="true"><rect class="tl-mark" x="1" y="3" '
           'width="24" height="8" rx="2"/></svg>')
    approx = ('<svg viewBox="0 0 26 14" aria-hidden="true"><rect class="tl-mark tl-approx" '
              'x="1" y="3" width="24" height="8" rx="2"/></svg>')
    pub = ('<svg viewBox="0 0 8 14" aria-hidden="true"><line class="tl-published" x1="4" '
           'y1="0" x2="4" y2="14"/></svg>')
    return ('<figcaption class="legend tl-legend">'
            f'<span>{day} a day</span> <span>{bar} a period</span> '
            f'<span>{approx} approximate</span> <span>{pub} publication date</span>'
            '<br>The time axis changes scale at each gap. Select a mark to read it in '
            'its source.</figcaption>')


# ======================================================================== entity graph

EG_WIDTH = 500
EG_EM = 0.56
"""Average advance of the graph's (regular weight) labels, in em."""
EG_FONT = 15
EG_MAX = 12
SHAPES = {"person": "circle", "unit": "square", "organisation": "diamond", "place": "triangle",
          "extra1": "circle", "extra2": "square", "extra3": "diamond", "extra4": "triangle"}
"""The node's shape per highlight style (models.STYLES); the extra styles differ by colour."""


def _shape(style: str, x: float, y: float, r: float, cls: str) -> str:
    """The node of an entity: its kind's style told by shape as well as colour."""
    shape = SHAPES.get(style, "circle")
    attrs = f'class="{cls} eg-{escape(style)}"'
    if shape == "circle":
        return f'<circle {attrs} cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"/>'
    if shape == "square":
        s = r * 0.9
        return (f'<rect {attrs} x="{_n(x - s)}" y="{_n(y - s)}" width="{_n(2 * s)}" '
                f'height="{_n(2 * s)}"/>')
    if shape == "diamond":
        s = r * 1.25
        return (f'<path {attrs} d="M{_n(x)} {_n(y - s)}L{_n(x + s)} {_n(y)}L{_n(x)} '
                f'{_n(y + s)}L{_n(x - s)} {_n(y)}Z"/>')
    s = r * 1.3
    return (f'<path {attrs} d="M{_n(x)} {_n(y - s)}L{_n(x + s * 0.95)} {_n(y + s * 0.7)}'
            f'L{_n(x - s * 0.95)} {_n(y + s * 0.7)}Z"/>')


def _neighbours(info: object, limit: int) -> list[tuple[object, int]]:
    together = list(info.together)  # type: ignore[attr-defined]
    together.sort(key=lambda en: (-en[1], en[0].name.casefold(), en[0].id))
    return together[:limit]


def _wrap(text: str, room: float, size: float, suffix: str) -> list[str]:
    """`text` + `suffix` in at most two lines of `room` user units, the second shortened with
    an ellipsis if need be."""
    per = max(4, int(room / (size * EG_EM)))
    full = text + suffix
    if len(full) <= per:
        return [full]
    words, first = text.split(" "), ""
    while words and len(f"{first} {words[0]}".strip()) <= per:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one long word: cut it
        first, words = text[:per - 1] + "-", [text[per - 1:]]
    rest = " ".join(words)
    return [first, _fit(rest, (per - len(suffix)) * size * CHAR_EM, size * EG_EM / CHAR_EM)
            + suffix]


def entity_graph_svg(info: object, entity_path: Callable[[object], str], *,
                     limit: int = EG_MAX, width: float = EG_WIDTH) -> Markup:
    """The entities an entity appears with, as an accessible SVG.

    The entity sits in the centre with its name under it; the (at most `limit`) entities
    sharing most paragraphs with it stand around it on an oval, strongest nearest, alternately
    left and right, above and below, each label on the outer side of its node so that none
    overlaps another. Line width and the number in brackets give the paragraphs shared; the
    node's shape (and colour) tells the kind. Each node links to its entity's page.
    """
    shown = _neighbours(info, limit)
    if not shown:
        return Markup("")
    entity = info.entity  # type: ignore[attr-defined]
    rx_near, rx_far, gap = 32.0, 64.0, 12.0
    cx = width / 2
    slots = (len(shown) + 1) // 2  # pairs of nodes, left and right
    above = (slots + 1) // 2
    below = slots - above
    depth = max(above, below, 1)
    xs, labels = [], []
    for i, (other, n) in enumerate(shown):
        side = -1 if i % 2 == 0 else 1
        t = (i // 4) / depth
        x = cx + side * (rx_near + (rx_far - rx_near) * (1 - t * t) ** 0.5)
        xs.append(x)
        room = (x if side < 0 else width - x) - gap - 2
        labels.append(_wrap(other.name, room, EG_FONT, f" ({n})"))  # type: ignore[attr-defined]
    row = 42.0 if any(len(lines) > 1 for lines in labels) else 30.0
    top = 14.0 + (row - 30) / 2
    cy = top + row * above + 8
    label_y = cy + 30
    first_below = label_y + 14 + (row - 30)
    height = (first_below + row * (below - 1) + row / 2 + 2) if below else label_y + 10
    most = max(n for _, n in shown)
    edges, nodes = [], []
    for i, ((other, n), lines, x) in enumerate(zip(shown, labels, xs, strict=True)):
        side = -1 if i % 2 == 0 else 1
        pair = i // 2
        level = pair // 2
        y = cy - row * (level + 1) if pair % 2 == 0 else first_below + row * level
        stroke = 1 + 4 * (n - 1) / (most - 1) if most > 1 else 1.5
        edges.append(f'<line class="eg-edge" x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" '
                     f'y2="{_n(y)}" stroke-width="{_n(stroke)}"/>')
        lx = x - gap if side < 0 else x + gap
        anchor = "end" if side < 0 else "start"
        first_y = y + 5 - (len(lines) - 1) * 8
        text = []
        for k, line in enumerate(lines):
            body = escape(line)
            if k == len(lines) - 1:
                name, _, count = line.rpartition(" (")
                body = (Markup('<tspan class="eg-name">') + escape(name)
                        + Markup('</tspan><tspan class="eg-count"> (') + escape(count)
                        + Markup("</tspan>"))
            else:
                body = Markup('<tspan class="eg-name">') + body + Markup("</tspan>")
            text.append(f'<tspan x="{_n(lx)}" y="{_n(first_y + 16 * k)}">{body}</tspan>')
        kind = other.kind_info.singular  # type: ignore[attr-defined]
        title = (f"{other.name} ({kind.lower()}): in {_plural(n, 'paragraph')} "  # type: ignore[attr-defined]
                 f"with {entity.name}")
        href = "../" + entity_path(other)
        nodes.append(
            f'<a href="{escape(href)}" class="eg-link"><title>{escape(title)}</title>'
            + _shape(other.kind_info.style, x, y, 7, "eg-node")  # type: ignore[attr-defined]
            + f'<text class="eg-label" text-anchor="{anchor}">{"".join(text)}</text></a>')
    centre = (_shape(entity.kind_info.style, cx, cy, 11, "eg-node eg-centre")
              + f'<text class="eg-centre-label" x="{_n(cx)}" y="{_n(label_y)}" '
              f'text-anchor="middle">{escape(_fit(entity.name, width - 24, EG_FONT))}</text>')
    names = "; ".join(f"{o.name} ({n})" for o, n in shown)  # type: ignore[attr-defined]
    more = len(info.together) - len(shown)  # type: ignore[attr-defined]
    many = "entity" if len(shown) == 1 else f"{len(shown)} entities"
    desc = (f"{entity.name} in the centre, linked to the {many} that appear with it in the "
            f"same paragraphs most often, with the number of paragraphs shared: {names}.")
    if more:
        desc += f" {more} more in the list below." if more > 1 else " One more in the list below."
    key = escape(entity.id)
    svg = [
        f'<svg class="eg-svg" role="group" aria-label="{escape(entity.name)}: links to the '
        f'entities in the same paragraphs" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMidYMin meet">',
        f'<svg class="eg-picture" role="img" aria-labelledby="eg-title-{key} eg-desc-{key}" '
        'overflow="visible">',
        f'<title id="eg-title-{key}">{escape(entity.name)} and the entities in the same '
        "paragraphs</title>",
        f'<desc id="eg-desc-{key}">{escape(desc)}</desc>',
        '<g class="eg-edges">', *edges, "</g>",
        centre,
        "</svg>",
        '<g class="eg-nodes">',
        *nodes,
        "</g>",
        "</svg>",
    ]
    return Markup("\n".join([
        '<figure class="graphic eg">',
        *svg,
        _graph_legend(shown),
        "</figure>",
    ]))


def _graph_legend(shown: Iterable[tuple[object, int]]) -> str:
    kinds = []
    for other, _ in shown:
        if other.kind_info not in kinds:  # type: ignore[attr-defined]
            kinds.append(other.kind_info)  # type: ignore[attr-defined]
    kinds.sort(key=lambda k: (list(SHAPES).index(k.style), k.id))
    parts = []
    for kind in kinds:
        icon = ('<svg viewBox="0 0 20 20" aria-hidden="true">'
                + _shape(kind.style, 10, 11, 6, "eg-node") + "</svg>")
        parts.append(f"<span>{icon} {escape(kind.singular.lower())}</span>")
    return ('<figcaption class="legend eg-legend">' + " ".join(parts)
            + "<br>Line width and (number): paragraphs shared.</figcaption>")
