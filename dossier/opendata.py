"""Open data beside the pages: exports, Web Annotations, JSON-LD, sitemap, feed, citations.

Everything here is a pure function of the index, the entity registry and the dossier settings:
the same inputs give byte-identical files (sorted keys and rows, no clock). Absolute addresses
start from `dossier.base_url`; offsets count Unicode code points of `Cleaned.text`, which is
published as it is under `data/cleaned/<source id>.txt`.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.runtime
from markupsafe import Markup

from . import capture
from .models import Entity, Source
from .paths import entity_path, source_path

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_CONTEXT = "https://schema.org"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTEXT_CHARS = 32
"""Characters of text kept before and after a quote in a TextQuoteSelector."""
ABOUT = 3
"""How many of a source's most-mentioned entities its JSON-LD says it is `about`."""
INFERRED = "[date inferred]"

SCHEMA_TYPES = {"person": "Person", "unit": "Organization", "organisation": "Organization",
                "place": "Place"}
"""schema.org's type of an entity, by its kind's highlight style (models.STYLES); the extra
styles of a dossier's own kinds are Things, their kind saying what they are."""

# ----------------------------------------------------------------- addresses


def _base(dossier: Any) -> str:
    base = getattr(dossier, "base_url", "") or "http://localhost:8000/"
    return base if base.endswith("/") else base + "/"


def _abs(dossier: Any, path: str) -> str:
    """The absolute address of a site-relative path."""
    return _base(dossier) + _quoted(path)


@lru_cache(maxsize=1 << 16)
def _quoted(path: str) -> str:
    return quote(path, safe="/#-._~")


def cleaned_path(source: Source) -> str:
    """Where the cleaned text of a source is published (the annotations' target)."""
    return f"data/cleaned/{source.id}.txt"


# ----------------------------------------------------------------- serialisation


def _json(data: Any) -> bytes:
    # Compact: an indent would make Python use its pure-Python encoder (seconds at scale).
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            + "\n").encode("utf-8")


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    return (_csv_rows([header]) + _csv_rows(rows)).encode("utf-8")


def _csv_rows(rows: Iterable[Iterable[Any]]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else v for v in row])
    return buf.getvalue()


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _line(source: Source, block: int) -> int:
    """The seed line a block of the cleaned text comes from (1-based; for a saved web page,
    the line of the text extracted from it)."""
    blocks = source.cleaned.blocks
    return blocks[block].line if 0 <= block < len(blocks) else 0


# ----------------------------------------------------------------- exports


Parts = dict[str, str]
"""One source's share of the files made from every source, as text: its record in
sources.json and its row of sources.csv, its rows of mentions.csv and dates.csv, its items of
annotations.jsonld."""


def exports(index: Any, entities: Any, dossier: Any, pages: Iterable[str],
            parts: Callable[[Source], Parts | None] | None = None,
            made: Callable[[Source, Parts], None] | None = None) -> dict[str, bytes]:
    """Files to publish beside the pages: {site-relative path: bytes}.

    pages: the site-relative paths of the page plan, for the sitemap.
    parts(source): a source's parts kept from an earlier build, if still right (None: make
    them, and hand them to made(source, parts)); the files are joined from the parts."""
    sources: tuple[Source, ...] = tuple(sorted(index.sources, key=lambda s: s.id))
    by_id = {s.id: s for s in sources}
    files: dict[str, bytes] = {}
    for src in sources:
        files[cleaned_path(src)] = src.cleaned.text.encode("utf-8")
    shares = []
    for src in sources:
        share = parts(src) if parts else None
        if share is None:
            share = source_parts(src, entities, dossier)
            if made:
                made(src, share)
        shares.append(share)
    files["data/entities.json"] = _json(_entities_records(index, entities, dossier))
    files["data/entities.csv"] = _entities_csv(index, entities, dossier)
    files["data/sources.json"] = ("[" + ",".join(p["sources.json"] for p in shares)
                                  + "]\n").encode("utf-8")
    files["data/sources.csv"] = _joined_csv(SOURCE_COLUMNS, shares, "sources.csv")
    files["data/mentions.csv"] = _joined_csv(MENTION_COLUMNS, shares, "mentions.csv")
    files["data/dates.csv"] = _joined_csv(DATE_COLUMNS, shares, "dates.csv")
    items = [p["annotations"] for p in shares if p["annotations"]]
    total = sum(int(p["annotation_count"]) for p in shares)
    # The collection without items, then the sources' items (already JSON text) put in the
    # one empty list: the same bytes as encoding it whole ('"items":[]' cannot occur inside
    # a JSON string, whose quotes are escaped).
    collection = _json(annotation_collection((), entities, dossier, total=total)).decode()
    files["data/annotations.jsonld"] = collection.replace(
        '"items":[]', '"items":[' + ",".join(items) + "]", 1).encode("utf-8")
    for src, share in zip(sources, shares, strict=True):
        page = _json(annotation_page(src, dossier)).decode()
        files[annotation_page_path(src)] = page.replace(
            '"items":[]', '"items":[' + share["annotations"] + "]", 1).encode("utf-8")
    html = sorted(p for p in pages if p.endswith(".html"))
    files["data/SHA256SUMS"] = capture.sums(sources)
    files["sitemap.xml"] = sitemap(html, dossier)
    files["feed.xml"] = feed([by_id[s.id] for s in index.sources], dossier)
    return dict(sorted(files.items()))


def source_parts(src: Source, entities: dict[str, Entity], dossier: Any) -> Parts:
    """A source's parts of the files made from every source (see Parts)."""
    record = _source_record(src, dossier)
    items = annotations(src, entities, dossier)
    return {
        "sources.json": _json(record).decode("utf-8").rstrip("\n"),
        "sources.csv": _csv_rows([[record[c] for c in SOURCE_COLUMNS]]),
        "mentions.csv": _csv_rows(_mention_rows(src)),
        "dates.csv": _csv_rows(_date_rows(src)),
        "annotations": ",".join(_json(a).decode("utf-8").rstrip("\n") for a in items),
        "annotation_count": str(len(items)),
    }


def _joined_csv(header: list[str], shares: list[Parts], name: str) -> bytes:
    return (_csv_rows([header]) + "".join(p[name] for p in shares)).encode("utf-8")


def source_file(path: str) -> str:
    """The source id of an open-data file made from one source only, else ''."""
    for folder, suffix in (("data/cleaned/", ".txt"), ("data/annotations/", ".jsonld")):
        if path.startswith(folder) and path.endswith(suffix):
            return path[len(folder):-len(suffix)]
    return ""


def is_export(path: str) -> bool:
    """True for the site-relative path of a file `exports` makes."""
    return path.startswith("data/") or path in ("sitemap.xml", "feed.xml")


def _entities_records(index: Any, entities: dict[str, Entity], dossier: Any) -> list[dict]:
    out = []
    for eid in sorted(entities):
        e = entities[eid]
        info = index.entities.get(eid)
        out.append({
            "id": e.id, "name": e.name, "kind": e.kind, "type": e.type,
            "variants": list(e.variants),
            "description": [{"text": st.text, "sources": list(st.sources)}
                            for st in e.description],
            "relations": [{"relation": r.relation, "entity": r.target, "source": r.source,
                           "quote": r.quote} for r in e.relations],
            "mentions": info.count if info else 0,
            "sources": sorted({src.id for src, _ in info.mentions}) if info else [],
            "page": entity_path(e), "url": _abs(dossier, entity_path(e)),
        })
    return out


def _entities_csv(index: Any, entities: dict[str, Entity], dossier: Any) -> bytes:
    rows = []
    for r in _entities_records(index, entities, dossier):
        rows.append([
            r["id"], r["name"], r["kind"], r["type"], " | ".join(r["variants"]),
            "\n".join(f"{d['text']} [sources: {', '.join(d['sources'])}]"
                      for d in r["description"]),
            "\n".join(f"{x['relation']} {x['entity']} [source: {x['source']}]"
                      + (f": “{x['quote']}”" if x["quote"] else "") for x in r["relations"]),
            r["mentions"], " | ".join(r["sources"]), r["page"], r["url"],
        ])
    return _csv(["id", "name", "kind", "type", "variants", "description", "relations",
                 "mentions", "sources", "page", "url"], rows)


def _source_record(src: Source, dossier: Any) -> dict:
    meta = src.meta
    return {
        "id": src.id, "headline": meta.headline, "publisher": meta.publisher,
        "agency": meta.agency, "published": meta.published.date,
        "published_inferred": meta.published.inferred,
        "published_reasoning": meta.published.reasoning, "url": meta.url,
        "seed": meta.seed, "input_kind": src.cleaned.input_kind, "notes": meta.notes,
        "page": source_path(src), "page_url": _abs(dossier, source_path(src)),
        "cleaned": cleaned_path(src), "mentions": len(src.mentions), "dates": len(src.dates),
        "text": src.cleaned.text, "author": "; ".join(meta.authors), "language": meta.language,
        **_capture_record(src),
    }


def _capture_record(src: Source) -> dict:
    """The capture fields of a source's record: the digest as the build read the seed (equal
    to the recorded one, which the build checked, when one is recorded)."""
    c = src.meta.capture
    return {"sha256": src.sha256, "sha256_recorded": bool(c.sha256),
            "retrieved": c.retrieved, "retrieved_note": c.retrieved_note, "method": c.method,
            "collector": c.collector,
            "archives": " ".join(a.url for a in c.archives)}


SOURCE_COLUMNS = ["id", "headline", "publisher", "agency", "published", "published_inferred",
                  "published_reasoning", "url", "seed", "input_kind", "page", "page_url",
                  "cleaned", "mentions", "dates", "text", "author", "language", "sha256",
                  "sha256_recorded", "retrieved", "retrieved_note", "method", "collector",
                  "archives"]


MENTION_COLUMNS = ["source", "id", "entity", "quote", "start", "end", "block", "seed_line",
                   "note"]
DATE_COLUMNS = ["source", "id", "quote", "value", "first_day", "last_day", "precision",
                "date_page", "approximate", "reasoning", "event", "start", "end", "block",
                "seed_line"]


def _mention_rows(src: Source) -> list[list[Any]]:
    return [[src.id, m.id, m.entity, m.quote, m.span.start, m.span.end, m.span.block,
             _line(src, m.span.block), m.note]
            for m in sorted(src.mentions, key=lambda m: (m.span.start, m.span.end, m.id))]


def _date_rows(src: Source) -> list[list[Any]]:
    return [[src.id, d.id, d.quote, d.value, d.start, d.end, d.precision, d.page,
             d.approximate, d.reasoning, d.event, d.span.start, d.span.end, d.span.block,
             _line(src, d.span.block)]
            for d in sorted(src.dates, key=lambda d: (d.span.start, d.span.end, d.id))]


# ----------------------------------------------------------------- Web Annotation


def _target(src: Source, start: int, end: int, dossier: Any) -> dict:
    text = src.cleaned.text
    quote_sel: dict[str, Any] = {"type": "TextQuoteSelector", "exact": text[start:end]}
    prefix = text[max(0, start - CONTEXT_CHARS):start]
    suffix = text[end:end + CONTEXT_CHARS]
    if prefix:
        quote_sel["prefix"] = prefix
    if suffix:
        quote_sel["suffix"] = suffix
    return {
        "type": "SpecificResource",
        "source": {"id": _abs(dossier, cleaned_path(src)), "type": "Text",
                   "format": "text/plain", "language": "en"},
        "scope": {"id": _abs(dossier, source_path(src)), "format": "text/html"},
        "selector": [quote_sel, {"type": "TextPositionSelector", "start": start, "end": end}],
    }


def annotations(src: Source, entities: dict[str, Entity], dossier: Any) -> list[dict]:
    """One W3C Web Annotation per mention and per date of a source, in reading order."""
    page = _abs(dossier, source_path(src))
    out = []
    for m in src.mentions:
        e = entities.get(m.entity)
        body: list[dict] = [{"type": "SpecificResource", "purpose": "identifying",
                             "source": _abs(dossier, entity_path(e)) if e else m.entity}]
        if e:
            body.append({"type": "TextualBody", "purpose": "classifying", "format": "text/plain",
                         "value": e.kind_info.singular})
            body.append({"type": "TextualBody", "purpose": "tagging", "format": "text/plain",
                         "value": e.name})
        if m.note:
            body.append({"type": "TextualBody", "purpose": "commenting", "format": "text/plain",
                         "value": m.note})
        out.append(((m.span.start, m.span.end, m.id), {
            "@context": ANNO_CONTEXT, "id": f"{page}#{m.id}", "type": "Annotation",
            "motivation": "identifying", "body": body,
            "target": _target(src, m.span.start, m.span.end, dossier)}))
    for d in src.dates:
        body = [{"type": "TextualBody", "purpose": "tagging", "format": "text/plain",
                 "value": d.value},
                {"type": "SpecificResource", "purpose": "linking",
                 "source": _abs(dossier, f"dates/{d.page}.html")}]
        described = ". ".join(x.rstrip(".") for x in (d.event, d.reasoning) if x)
        if described:
            body.append({"type": "TextualBody", "purpose": "describing", "format": "text/plain",
                         "value": described + "." + (" (Approximate.)" if d.approximate else "")})
        out.append(((d.span.start, d.span.end, d.id), {
            "@context": ANNO_CONTEXT, "id": f"{page}#{d.id}", "type": "Annotation",
            "motivation": "tagging", "body": body,
            "target": _target(src, d.span.start, d.span.end, dossier)}))
    return [a for _, a in sorted(out, key=lambda ka: ka[0])]


def annotation_page_path(source: Source) -> str:
    """Where one source's annotations are published on their own."""
    return f"data/annotations/{source.id}.jsonld"


def annotation_page(source: Source, dossier: Any) -> dict:
    """One source's annotations as a W3C AnnotationPage, part of the dossier's collection
    (its items left out, to be joined in as text: see exports)."""
    return {"@context": ANNO_CONTEXT, "id": _abs(dossier, annotation_page_path(source)),
            "type": "AnnotationPage", "partOf": _abs(dossier, "data/annotations.jsonld"),
            "items": []}


def annotation_collection(sources: Iterable[Source], entities: dict[str, Entity],
                          dossier: Any, total: int | None = None) -> dict:
    """Every annotation of the dossier as one AnnotationCollection with a single page
    (total: how many there are, when the items are left out to be joined in as text)."""
    items = [a for src in sorted(sources, key=lambda s: s.id)
             for a in annotations(src, entities, dossier)]
    coll = _abs(dossier, "data/annotations.jsonld")
    return {
        "@context": ANNO_CONTEXT, "id": coll, "type": "AnnotationCollection",
        "label": f"{getattr(dossier, 'title', '')}: annotations",
        "total": len(items) if total is None else total,
        "first": {"id": f"{coll}#page-1", "type": "AnnotationPage", "startIndex": 0,
                  "items": items},
    }


# ----------------------------------------------------------------- sitemap and feed


def sitemap(html: Iterable[str], dossier: Any) -> bytes:
    """A sitemap of the given site-relative HTML pages, sorted by address."""
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for url in sorted(_abs(dossier, p) for p in html):
        ET.SubElement(ET.SubElement(root, "url"), "loc").text = url
    return _xml(root)


def _first_paragraph(src: Source) -> str:
    return next((b.text for b in src.cleaned.blocks if b.role == "paragraph"),
                src.cleaned.blocks[0].text if src.cleaned.blocks else "")


def feed(sources: Iterable[Source], dossier: Any) -> bytes:
    """An Atom feed of the dated sources, newest first; its `updated` is the newest date."""
    dated = sorted((s for s in sources if s.meta.published.date), key=lambda s: s.id)
    dated.sort(key=lambda s: s.meta.published.date, reverse=True)
    stamp = (dated[0].meta.published.date if dated else "1970-01-01") + "T00:00:00Z"
    root = ET.Element("feed", xmlns=ATOM_NS)
    ET.SubElement(root, "id").text = _base(dossier)
    ET.SubElement(root, "title").text = getattr(dossier, "title", "") or "dossier"
    ET.SubElement(root, "updated").text = stamp
    ET.SubElement(root, "link", rel="self", type="application/atom+xml",
                  href=_abs(dossier, "feed.xml"))
    ET.SubElement(root, "link", rel="alternate", type="text/html",
                  href=_abs(dossier, "index.html"))
    ET.SubElement(ET.SubElement(root, "author"), "name").text = \
        getattr(dossier, "title", "") or "dossier"
    ET.SubElement(root, "generator").text = "dossier"
    for src in dated:
        meta = src.meta
        when = meta.published.date + "T00:00:00Z"
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "id").text = _abs(dossier, source_path(src))
        ET.SubElement(entry, "title").text = meta.headline
        ET.SubElement(entry, "link", rel="alternate", type="text/html",
                      href=_abs(dossier, source_path(src)))
        if meta.url:
            ET.SubElement(entry, "link", rel="related", href=meta.url)
        ET.SubElement(entry, "published").text = when
        ET.SubElement(entry, "updated").text = when
        for name in meta.authors or (meta.publisher or getattr(dossier, "title", "")
                                     or "dossier",):
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = name
        ET.SubElement(entry, "summary", type="text").text = _first_paragraph(src)
    return _xml(root)


# ----------------------------------------------------------------- schema.org JSON-LD


def _script(data: dict) -> Markup:
    """JSON inside <script type="application/ld+json">, escaped so that no text can end the
    script or open markup: <, > and & become \\u003c, \\u003e and \\u0026."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(f'<script type="application/ld+json">{text}</script>')


def _thing(entity: Entity, dossier: Any) -> dict:
    url = _abs(dossier, entity_path(entity))
    return {"@type": SCHEMA_TYPES.get(entity.kind_info.style, "Thing"), "@id": url,
            "name": entity.name, "url": url}


def entity_jsonld(entity: Entity, dossier: Any) -> dict:
    """schema.org data for an entity: Person, Organization or Place; a unit (military unit
    or armed group) is an Organization with additionalType saying so."""
    data = {"@context": SCHEMA_CONTEXT, **_thing(entity, dossier)}
    style = entity.kind_info.style
    extra = [entity.kind_info.singular] if style == "unit" or style not in SCHEMA_TYPES else []
    extra += [entity.type] if entity.type else []
    if extra:
        data["additionalType"] = extra[0] if len(extra) == 1 else extra
    if entity.variants:
        data["alternateName"] = list(entity.variants)
    if entity.description:
        data["description"] = " ".join(st.text for st in entity.description)
    return data


def source_jsonld(src: Source, dossier: Any, entities: dict[str, Entity] | None = None) -> dict:
    """schema.org NewsArticle for a source page."""
    meta = src.meta
    page = _abs(dossier, source_path(src))
    data: dict[str, Any] = {"@context": SCHEMA_CONTEXT, "@type": "NewsArticle",
                            "headline": meta.headline, "mainEntityOfPage": page,
                            "isPartOf": {"@type": "CreativeWork",
                                         "name": getattr(dossier, "title", ""),
                                         "url": _base(dossier)}}
    if meta.publisher:
        data["publisher"] = {"@type": "Organization", "name": meta.publisher}
    authors = [{"@type": "Person", "name": name} for name in meta.authors]
    if meta.agency:
        authors.append({"@type": "Organization", "name": meta.agency})
    if authors:
        data["author"] = authors[0] if len(authors) == 1 else authors
    if meta.language:
        data["inLanguage"] = meta.language
    if meta.published.date:
        data["datePublished"] = meta.published.date
    if meta.url:
        data["url"] = meta.url
        data["sameAs"] = meta.url
    counts: Counter[str] = Counter(m.entity for m in src.mentions)
    first = {}
    for m in sorted(src.mentions, key=lambda m: m.span.start):
        first.setdefault(m.entity, m.span.start)
    known = entities or {}
    mentioned = {eid: known.get(eid) for eid in counts}
    things = {eid: _thing(e, dossier) for eid, e in mentioned.items() if e is not None}
    if things:
        data["mentions"] = [things[eid] for eid in sorted(things)]
        top = sorted(things, key=lambda eid: (-counts[eid], first[eid], eid))[:ABOUT]
        data["about"] = [things[eid] for eid in top]
    return data


def _jsonld(kind: str, page: object, dossier: object,
            entities: dict[str, Entity] | None = None) -> Markup:
    if kind == "entity":
        entity = getattr(page, "entity", page)
        if isinstance(entity, Entity):
            return _script(entity_jsonld(entity, dossier))
    if kind == "source" and isinstance(page, Source):
        return _script(source_jsonld(page, dossier, entities))
    return Markup("")


class _JsonLd:
    """`jsonld(kind, page, dossier, entities=None)`: the schema.org JSON-LD <script> for a page,
    kind 'source' (page: Source) or 'entity' (page: EntityInfo); '' for any other kind.

    A source's JSON-LD names the entities it mentions, which the Source record holds only by
    id. Called from a template (Jinja passes its context first, as for any function marked
    with jinja2.pass_context), the registry comes from the template global `entities` (or,
    failing that, the source page's `in_source` list); called from Python, pass `entities`
    (id -> Entity). Only the mentioned entities' id, name and kind are used, which the source
    page's cache key covers."""

    jinja_pass_arg = jinja2.pass_context(lambda: None).jinja_pass_arg

    def __call__(self, *args: Any, **kwargs: Any) -> Markup:
        if args and isinstance(args[0], jinja2.runtime.Context):
            context, *rest = args
            if "entities" not in kwargs and len(rest) < 4:
                registry = context.get("entities")
                if not isinstance(registry, dict):
                    registry = {e.id: e for e, _ in context.get("in_source") or ()}
                kwargs["entities"] = registry
            args = tuple(rest)
        return _jsonld(*args, **kwargs)


jsonld = _JsonLd()


# ----------------------------------------------------------------- citations


def _chicago_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{calendar.month_name[m]} {d}, {y}"


def _day_month_year(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d} {calendar.month_name[m]} {y}"


def _stop(text: str, mark: str = ".") -> str:
    """text followed by mark, unless it already ends in a full stop, ? or !."""
    return text if text.endswith((".", "?", "!")) else text + mark


def _tex(text: str) -> str:
    """Escape text for a BibTeX field."""
    out = []
    for ch in text:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch == "\\":
            out.append("\\textbackslash{}")
        elif ch == "~":
            out.append("\\textasciitilde{}")
        elif ch == "^":
            out.append("\\textasciicircum{}")
        else:
            out.append(ch)
    return "".join(out)


def _names(authors: tuple[str, ...]) -> str:
    """Authors as a citation lists them: 'A', 'A and B', 'A, B and C'."""
    if len(authors) <= 2:
        return " and ".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def citations(source: object, dossier: object) -> list[tuple[str, str]]:
    """Ready-to-copy citations of a source: [(style name, text)]. An inferred publication
    date is marked '[date inferred]' in each."""
    if not isinstance(source, Source):
        return []
    meta = source.meta
    page = _abs(dossier, source_path(source))
    title = getattr(dossier, "title", "") or "dossier"
    date, inferred = meta.published.date, meta.published.inferred
    mark = f" {INFERRED}" if date and inferred else ""
    who = meta.publisher + (f" ({meta.agency})" if meta.agency else "")
    names = _names(meta.authors)

    parts = [_stop(names)] if names else []
    if who:
        parts.append(_stop(who))
    parts.append(f"“{_stop(meta.headline)}”")
    parts.append(_stop((_day_month_year(date) if date else "Undated") + mark))
    if meta.url:
        parts.append(_stop(meta.url))
    parts.append(f"Annotated copy in {_stop(title, ':')} {page}")
    reference = " ".join(parts)

    head = meta.headline if meta.headline.endswith(("?", "!")) else meta.headline + ","
    note = [f"{names}," if names else f"{meta.agency}," if meta.agency else "", f"“{head}”"]
    tail = [meta.publisher, (_chicago_date(date) if date else "n.d.") + mark]
    if meta.url:
        tail.append(meta.url)
    tail.append(f"annotated in {title}, {page}")
    chicago = " ".join(x for x in note if x) + " " + ", ".join(x for x in tail if x) + "."

    author = " and ".join(_tex(n) for n in meta.authors) or \
        "{" + _tex(meta.agency or meta.publisher or title) + "}"
    fields = [("author", author),
              ("title", "{" + _tex(meta.headline) + "}")]
    if meta.publisher:
        fields.append(("publisher", _tex(meta.publisher)))
    if date:
        fields += [("year", date[:4]), ("month", calendar.month_abbr[int(date[5:7])].lower()),
                   ("date", date)]
    if meta.url:
        fields.append(("url", meta.url))
    fields.append(("note", ("Publication date inferred. " if mark else "")
                   + f"Annotated copy in {_tex(title)}: \\url{{{page}}}"))
    bib = f"@misc{{{source.id},\n" + "".join(
        f"  {k} = " + (v if k == "month" else "{" + v + "}") + ",\n" for k, v in fields) + "}"
    return [("Reference", reference), ("Chicago note", chicago), ("BibTeX", bib)]
