"""A saved web page's own bibliographic metadata: headline, authors, publisher, date, address.

`page_metadata` reads what a page says about itself, so that a new source's YAML file can be
pre-filled with values an editor only has to check. Every value carries its origin (`Found`),
for a YAML comment next to it.

Per field, the first source giving a usable value wins, with the exceptions listed below; the
sources, most trusted first:

1. JSON-LD: objects typed NewsArticle, Article, BlogPosting, … (any type ending in "Article"),
   then web-page objects (WebPage, ItemPage, …); `@graph` lists, `mainEntity` and `@id`
   references are followed, malformed blocks skipped;
2. Open Graph and `article:*` tags, then a few other `<meta>` tags (Twitter, Dublin Core,
   Highwire `citation_*`);
3. the document itself: `<link rel=canonical>`, `<html lang>`, `<title>` (and its trailing
   site name), `<time datetime>`;
4. fallbacks, run only when a field is still missing: htmldate for the date, then
   trafilatura's metadata for the headline, authors, publisher, site name, date and address.

Values are plain text (entities decoded, tags, control characters and extra white space
removed) and capped in length. Headlines lose a trailing site name ("Headline | The Hill")
when it matches the site name, publisher or host name found. Dates are YYYY-MM-DD, the day
as written in the page's timestamp (not converted to UTC); impossible days, 1970-01-01 (a zero
timestamp) and days after tomorrow are rejected. Addresses are absolute http(s) addresses
without tracking parameters or a fragment. Languages are BCP 47 tags such as `en`, `en-US`.

Where the first source is known to mislead, other sources are weighed:

- headline: a JSON-LD headline loses to a `<meta>` title (og:title, …) that the page's visible
  `<h1>` repeats word for word (the JSON-LD one is then an SEO variant); a headline cut short
  ("…", "...") loses to a longer one starting with the same words, and a one-word headline (a
  CMS placeholder) to the next candidate with several words;
- url: the canonical link, then og:url; a JSON-LD address (`url`, `mainEntityOfPage`, often
  an `@id` such as "…/#webpage") is taken only when one of them agrees with it, or when they
  give none; a canonical link to another site (the original of a syndicated copy) loses to
  og:url, the copy that was saved; a home page loses to an article's address; an http
  address loses to the same address with https;
- publisher and site name: a host name ("www.example.com", "radio.example") or a slug
  ("dailyplanet") loses to a later real name (with a space or capitals) of the same site,
  one that spells the host or the slug ("The Daily Planet"); with no such name it is kept,
  since many sites call themselves so ("radio.example", "my6planet"). trafilatura's one-word
  guesses are left out, acronyms apart (they are mostly Twitter handles or host names made
  words: "DailyPlanetNews", "Radio_Example"). The `<title>`'s trailing part counts as a
  name, after the page's own tags and before trafilatura, when it matches the host, publisher
  or site name ("… — Klub Zażółć" on klubzazolc.example). The site name falls back to the JSON-LD
  publisher. The JSON-LD publisher still beats og:site_name as the publisher (it may be the
  owning company while og:site_name is the masthead: each is kept in its field);
- published: a UTC timestamp ("Z", "+00:00") loses to the same instant written with a local
  offset elsewhere in the page (another tag, `<time datetime>`), or to the page's own date-only
  `<time datetime>` when it is the neighbouring day a time zone can give; the local day is the
  publication day a reader sees. With no date tag, the page's `<time datetime>` (one marked
  `itemprop=datePublished` first; none in comments, related articles, asides) comes before
  htmldate.

Authors are personal names in the page's order, without "By ", duplicates or addresses;
free text ("A, B and C", "A & B") is split, as are JSON-LD person names on "and"; JSON-LD
organisations and `citation_author` tags are one name each. Names lose job titles and degrees
after a comma ("Ann Lee, Senior Sports Writer", "Ann Lee, MS, RD"), a trailing "For The Outlet",
and staff initials or agency codes after a slash ("Outlet /PP", "det/dpa"); names written in
capitals are given ordinary case ("ANN LEE" → "Ann Lee"). Newsroom credits ("Redaktion",
"Staff Report", "wire services", …) are not persons. An author equal to the publisher or the
site name is dropped, as is, in a comma-separated `<meta>` list, an outlet named beside the
writer ("Ann Lee, Daily Planet"): an organisation named as the author of its own page says
nothing about who wrote it, so a page naming only its publisher as author has no `authors`.
trafilatura's free-text bylines are taken only as names of two words or more, with no digits,
dates ("Published", a month) or outlet name in them.
"""

from __future__ import annotations

import html as html_entities
import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html

from .annotations import strip_tracking

FIELDS = ("headline", "authors", "publisher", "published", "url", "language", "site_name")
HTMLDATE = "htmldate (from the page's dates)"
TRAFILATURA = "trafilatura metadata"
MAX_HEADLINE, MAX_NAME, MAX_AUTHORS, MAX_URL, MAX_LANGUAGE = 500, 200, 20, 2000, 35

_TRAFILATURA_FIELDS = ("headline", "authors", "publisher", "site_name", "published", "url")
_MAX_JSON = 5_000_000
"""A JSON-LD block longer than this (characters) is not read."""
_MAX_NODES = 20_000
"""JSON values visited per page to index JSON-LD `@id`s."""
_MAX_TOP_NODES = 1_000
"""JSON-LD objects per page considered as the page's article (lists, @graph, mainEntity)."""

_POSTING_TYPES = frozenset({"BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report"})
_HEADLINE_META = ("og:title", "twitter:title", "citation_title", "dc.title", "dcterms.title")
_AUTHOR_META = ("article:author", "author")
_WHOLE_NAME_META = ("citation_author", "dc.creator", "dcterms.creator")
"""Repeatable tags naming one author each, perhaps as "Last, First": never split."""
_PUBLISHER_META = ("citation_publisher", "dc.publisher", "dcterms.publisher")
_DATE_META = ("article:published_time", "date", "pubdate", "publishdate", "publish-date",
              "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued",
              "citation_publication_date", "citation_date", "parsely-pub-date")
_LANGUAGE_META = ("content-language", "dc.language", "language")
_META_KEYS = frozenset(_HEADLINE_META + _AUTHOR_META + _WHOLE_NAME_META + _PUBLISHER_META
                       + _DATE_META + _LANGUAGE_META + ("og:site_name", "og:url", "og:locale"))
_META_ATTRIBUTES = ("property", "name", "http-equiv")

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_JSON_WRAPPER = re.compile(r"^\s*(?:<!--|(?://\s*)?<!\[CDATA\[)|(?:-->|(?://\s*)?\]\]>)\s*$")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,300}>")
_INVISIBLE = frozenset("\u00ad\u200b\u200e\u200f\u2060\ufeff")
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·)\s+")
_DATE = re.compile(r"([12]\d{3})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_DATE_PLACEHOLDERS = frozenset({date(1970, 1, 1)})
"""A zero Unix timestamp: a missing date, not the day a page was published."""
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_BY = re.compile(r"^by\b\s*:?\s*", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_NAME_SEPARATOR = re.compile(r"\s*(?:[,;&]|\band\b)\s*", re.IGNORECASE)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_NAME_PUNCTUATION = " ,;:|-–—·"
_NOT_A_NAME = re.compile(r"://|^www\.|^\S*[@/]\S*$|^\S+\.[a-z]{2,}$")
"""An address, an e-mail address, a handle or a domain."""
_HOST_TLD = re.compile(r"(?:\.(?:co|com|org|net|gov|ac))?\.[a-z]{2,}$")
_ELLIPSIS = re.compile(r"\s*(?:…|\.{3})$")
_CUT = re.compile(r"…|\.{3}")
_HOST_NAME = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)
_TIME_PUBLISHED = ("datepublished", "pubdate")
"""`<time itemprop=…>` (or a `pubdate` attribute) naming the publication time."""
_MAX_TIMES = 200
"""`<time>` elements per page looked at."""
_OTHER_TAGS = frozenset({"aside", "footer", "nav"})
_OTHER_PARTS = re.compile(r"comment|related|teaser|widget|sidebar|recommend|similar|popular|"
                          r"trending|more-|weitere|footer|aside", re.IGNORECASE)
"""Class or id of a part of the page about other articles (or readers' comments)."""
_STAMP = re.compile(r"\s*([12]\d{3})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?"
                    r"(?:[.,]\d+)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*$", re.IGNORECASE)
"""An ISO timestamp: day, then perhaps the clock and its offset from UTC."""
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss",
                          "æ": "ae", "œ": "oe", "þ": "th"})
"""Letters that keep their stroke when accents are removed, as host names spell them."""
_SAME_INSTANT = timedelta(minutes=10)
"""Two timestamps this close are one publication time, written in two time zones."""
_FOR_OUTLET = re.compile(r"\s+for\s+(?:the\s+)?[A-Z][^,;]*$", re.IGNORECASE)
"""A trailing "For The Sunday Planet": the outlet, not part of the name."""
_DEGREE = frozenset({"ba", "bs", "bsc", "ma", "ms", "msc", "mba", "mph", "md", "phd", "dphil",
                     "rd", "rn", "ld", "ldn", "np", "do", "dds", "cde", "cpt", "facs", "facp"})
_JOB = re.compile(r"\b(?:writer|reporter|editor|correspondent|columnist|contributor|"
                  r"photographer|producer|analyst|critic|journalist|intern|freelancer|"
                  r"redakteur(?:in)?|korrespondent(?:in)?|journaliste|periodista)s?$",
                  re.IGNORECASE)
"""A job title after a name ends with one of these words ("Senior Sports Writer")."""
_CREDIT = re.compile(r"\b(?:staff|newsroom|news\s?desk|web\s?desk|(?:news|wire)\s+services?|"
                     r"wire\s+reports?|"
                     r"editorial\s+(?:team|staff|desk|board)|agencies|agencias|agences|"
                     r"agenturen|redaktion|r[ée]daction|redacci[oó]n|redazione|redactie)\b",
                     re.IGNORECASE)
"""Newsroom credits ("Redaktion", "Planet Staff Report", "wire services"): not persons."""
_DATELINE = re.compile(r"\d|\b(?:published|updated|posted|veröffentlicht|aktualisiert|"
                       r"publicado|publié|pubblicato)\b", re.IGNORECASE)
_MONTHS = frozenset(
    "january february april june july september october november december januar februar "
    "märz juni juli oktober dezember janvier février mars avril juin juillet août septembre "
    "octobre novembre décembre enero febrero marzo abril mayo junio julio agosto septiembre "
    "octubre noviembre diciembre".split())
"""Months (not May, March or August, which are also names) ending a free-text byline."""


@dataclass(frozen=True)
class Found:
    """One metadata value and where in the page it was found."""

    value: str | tuple[str, ...]
    """Authors: a tuple of names; every other field: a string."""
    origin: str
    """The source, for a YAML comment an editor can check, e.g. "JSON-LD NewsArticle.headline",
    "<meta property=og:title>", "<link rel=canonical>", "<title>"."""


@dataclass(frozen=True)
class _Candidate:
    """Raw texts for one field from one source, before normalisation (first usable wins)."""

    texts: tuple[str, ...]
    origin: str
    split: bool = False
    """Names split from one free-text list ("Ann Lee, Daily Planet")."""


_Sources = dict[str, list[_Candidate]]


def page_metadata(html: str) -> dict[str, Found]:
    """Keys (each present only if the page gives it): headline, authors, publisher,
    published (YYYY-MM-DD), url, language, site_name.

    Never raises: markup lxml cannot read gives an empty dict, malformed parts are skipped,
    and the fallback libraries' failures only lose their values."""
    root = _parse(html)
    if root is None:
        return {}
    sources = _page_sources(root)
    found = _resolve(sources)
    if "published" not in found:
        url = found["url"].value if "url" in found else None
        sources["published"].append(_htmldate(root, url if isinstance(url, str) else None))
        found = _resolve(sources)
    if any(field not in found for field in _TRAFILATURA_FIELDS):
        for field, candidate in _trafilatura(root).items():
            sources[field].append(candidate)
        found = _resolve(sources)
    return {field: found[field] for field in FIELDS if field in found}


# Reading the page


def _parse(markup: str) -> lxml_html.HtmlElement | None:
    """The page's tree; None when lxml finds no document in it."""
    if not isinstance(markup, str):
        return None
    markup = _XML_DECLARATION.sub("", markup, count=1).replace("\x00", "")
    if not markup.isascii():
        markup = markup.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    try:
        return lxml_html.document_fromstring(markup)
    except (etree.LxmlError, ValueError):
        return None


def _page_sources(root: lxml_html.HtmlElement) -> _Sources:
    """Every candidate value of the page, per field, most trusted first; and, under keys
    starting with "_", the texts other fields are checked against: the visible headlines
    ("_h1"), the page's timestamps ("_stamps"), its date-only `<time>` ("_days"), the JSON-LD
    publisher ("_ld_publisher")."""
    ld = _jsonld_sources(root)
    meta, stamps = _meta_tags(root)
    times = _times(root)

    def tags(keys: Iterable[str], split: bool = False) -> list[_Candidate | None]:
        return [_split_candidate(meta.get(k)) if split else meta.get(k) for k in keys]

    sources: dict[str, list[_Candidate | None]] = {
        "headline": [*ld["headline"], *tags(_HEADLINE_META), _title(root)],
        "authors": [*ld["authors"], *tags(_AUTHOR_META, split=True), *tags(_WHOLE_NAME_META)],
        "publisher": [*ld["publisher"], meta.get("og:site_name"), *ld["website"],
                      *tags(_PUBLISHER_META)],
        "site_name": [meta.get("og:site_name"), *ld["website"]],
        "published": [*ld["published"], *tags(_DATE_META), times],
        "url": [*ld["url"], _canonical(root), meta.get("og:url")],
        "language": [*ld["language"], meta.get("og:locale"), _html_lang(root),
                     *tags(_LANGUAGE_META)],
        "_h1": [_h1(root)],
        "_stamps": [*ld["stamps"], *stamps, times],
        "_days": [_Candidate(times.texts[:1], times.origin)] if times else [],
        "_ld_publisher": ld["publisher"],
    }
    return {field: [c for c in candidates if c and c.texts]
            for field, candidates in sources.items()}


def _meta_tags(root: lxml_html.HtmlElement) -> tuple[dict[str, _Candidate], list[_Candidate]]:
    """The `<meta>` tags this module reads, by lower-case property or name; and every tag
    holding a timestamp with a time zone (a newsletter tool's date tag, …), whatever its
    name."""
    texts: dict[str, list[str]] = {}
    origins: dict[str, str] = {}
    stamps: list[_Candidate] = []
    for element in root.iter("meta"):
        content = element.get("content")
        if content is None:
            continue
        for attribute in _META_ATTRIBUTES:
            key = (element.get(attribute) or "").strip().lower()
            if key in _META_KEYS:
                origins.setdefault(key, f"<meta {attribute}={key}>")
                values = texts.setdefault(key, [])
                if len(values) < MAX_AUTHORS:
                    values.append(content)
                break
        if len(stamps) < _MAX_TOP_NODES and _instant(content):
            key = next(((element.get(a) or "").strip().lower() for a in _META_ATTRIBUTES
                        if element.get(a)), "")
            stamps.append(_Candidate((content,), f"<meta {key}>" if key else "<meta>"))
    found = {key: _Candidate(tuple(values), origins[key]) for key, values in texts.items()}
    return found, stamps


def _times(root: lxml_html.HtmlElement) -> _Candidate | None:
    """The `<time datetime>` values: those marked as the publication time first, then the
    others in the page's order; none from comments, related articles, teasers, asides."""
    marked, others = [], []
    for seen, element in enumerate(root.iter("time")):
        value = element.get("datetime")
        if seen == _MAX_TIMES:
            break
        if not value or not _DATE.match(value.strip()):
            continue
        itemprop = (element.get("itemprop") or "").strip().lower()
        if itemprop in _TIME_PUBLISHED or element.get("pubdate") is not None:
            marked.append(value)
        elif not _elsewhere(element):
            others.append(value)
        if len(marked) + len(others) >= MAX_AUTHORS:
            break
    texts = tuple(marked + others)
    return _Candidate(texts, "<time datetime>") if texts else None


def _elsewhere(element: lxml_html.HtmlElement) -> bool:
    """Whether an element sits in a part of the page about other things than the article."""
    for ancestor in element.iterancestors():
        if not isinstance(ancestor.tag, str):
            continue
        if ancestor.tag in _OTHER_TAGS:
            return True
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if _OTHER_PARTS.search(names):
            return True
    return False


def _h1(root: lxml_html.HtmlElement) -> _Candidate | None:
    texts = []
    for element in root.iter("h1"):
        texts.append(element.text_content())
        if len(texts) == 5:
            break
    return _Candidate(tuple(texts), "<h1>") if texts else None


def _split_candidate(candidate: _Candidate | None) -> _Candidate | None:
    """Free-text names ("A and B", "A, B") as one name each."""
    if candidate is None:
        return None
    names = tuple(name for text in candidate.texts for name in _split_names(text))
    return _Candidate(names, candidate.origin, split=True)


def _title(root: lxml_html.HtmlElement) -> _Candidate | None:
    titles = root.xpath("//title[not(ancestor::svg)]")
    return _Candidate((titles[0].text_content(),), "<title>") if titles else None


def _canonical(root: lxml_html.HtmlElement) -> _Candidate | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return _Candidate((link.get("href"),), "<link rel=canonical>")
    return None


def _html_lang(root: lxml_html.HtmlElement) -> _Candidate | None:
    for attribute in ("lang", "xml:lang"):
        if root.get(attribute):
            return _Candidate((root.get(attribute),), f"<html {attribute}>")
    return None


# JSON-LD


def _jsonld_sources(root: lxml_html.HtmlElement) -> dict[str, list[_Candidate]]:
    """Candidates from the page's article objects (then page objects), and WebSite names."""
    documents = _jsonld_documents(root)
    ids = _index_ids(documents)
    nodes = _top_nodes(documents)
    articles = [n for n in nodes if _main_type(n, _is_article)]
    pages = [n for n in nodes if _main_type(n, _is_page) and not _main_type(n, _is_article)]
    sources: dict[str, list[_Candidate]] = {
        key: [] for key in ("headline", "authors", "publisher", "published", "url", "language",
                            "stamps")
    }
    for node in articles + pages:
        label = "JSON-LD " + (_main_type(node, _is_article) or _main_type(node, _is_page))
        for field, key, texts in _node_texts(node, ids):
            sources[field].append(_Candidate(texts, f"{label}.{key}"))
        for key in ("dateCreated", "dateModified"):
            sources["stamps"].append(_Candidate(_ld_strings(node.get(key)), f"{label}.{key}"))
    sources["website"] = [_Candidate(_ld_strings(n.get("name")), "JSON-LD WebSite.name")
                          for n in nodes if "WebSite" in _types(n)]
    return sources


def _node_texts(node: dict, ids: dict[str, dict]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(field, JSON-LD key, raw texts) of one article or page object."""
    return [
        ("headline", "headline", _ld_strings(node.get("headline"))),
        ("headline", "name", _ld_strings(node.get("name"))),
        ("authors", "author", _ld_names(node.get("author"), ids, split=True)),
        ("publisher", "publisher", _ld_names(node.get("publisher"), ids)),
        ("published", "datePublished", _ld_strings(node.get("datePublished"))),
        ("stamps", "datePublished", _ld_strings(node.get("datePublished"))),
        ("url", "url", _ld_strings(node.get("url"), ("@id", "url"))),
        ("url", "mainEntityOfPage", _ld_strings(node.get("mainEntityOfPage"), ("@id", "url"))),
        ("language", "inLanguage", _ld_strings(node.get("inLanguage"), ("alternateName", "name"))),
    ]


def _jsonld_documents(root: lxml_html.HtmlElement) -> list[Any]:
    """The parsed `<script type="application/ld+json">` blocks; malformed ones left out."""
    documents = []
    for script in root.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        text = script.text or ""
        if kind != "application/ld+json" or len(text) > _MAX_JSON:
            continue
        try:
            documents.append(json.loads(_JSON_WRAPPER.sub("", text), strict=False))
        except (ValueError, RecursionError):
            continue
    return documents


def _index_ids(documents: list[Any]) -> dict[str, dict]:
    """The JSON-LD objects defined anywhere in the page, by `@id`, for references to them."""
    ids: dict[str, dict] = {}
    queue, visited = deque(documents), 0
    while queue and visited < _MAX_NODES:
        value = queue.popleft()
        visited += 1
        if isinstance(value, dict):
            key = value.get("@id")
            if isinstance(key, str) and value.keys() - {"@id", "@type"}:
                ids.setdefault(key, value)  # the first definition, in document order
            queue.extend(value.values())
        elif isinstance(value, list):
            queue.extend(value[:_MAX_NODES])
    return ids


def _top_nodes(documents: list[Any]) -> list[dict]:
    """Objects that may describe the page itself, breadth first: top-level objects, members
    of top-level lists and of `@graph`, and `mainEntity` (not related or listed articles)."""
    nodes: list[dict] = []
    queue: list[tuple[Any, int]] = [(document, 0) for document in documents]
    for value, depth in queue:
        children: list[Any] = []
        if isinstance(value, list):
            children = value
        elif isinstance(value, dict):
            nodes.append(value)
            children = [value.get("@graph"), value.get("mainEntity")]
        if depth < 4 and len(queue) < _MAX_TOP_NODES:
            queue.extend((child, depth + 1) for child in children[:_MAX_TOP_NODES] if child)
    return nodes


def _types(node: dict) -> list[str]:
    """The node's `@type`s, without a schema.org prefix."""
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return [v.strip().rsplit("/", 1)[-1].removeprefix("schema:")
            for v in values[:10] if isinstance(v, str)]


def _is_article(kind: str) -> bool:
    return kind in _POSTING_TYPES or kind.endswith("Article")


def _is_page(kind: str) -> bool:
    return kind.endswith("Page")


def _main_type(node: dict, test: Callable[[str], bool]) -> str:
    """The node's first type that passes the test ('' if none)."""
    return next((kind for kind in _types(node) if test(kind)), "")


def _ld_strings(value: Any, keys: tuple[str, ...] = ("@value",)) -> tuple[str, ...]:
    """The strings of a JSON-LD value: a string, a list of them, or objects with one of the keys;
    anything else (numbers, nested lists, …) is skipped."""
    values = value if isinstance(value, list) else [value]
    strings = []
    for item in values[:MAX_AUTHORS]:
        if isinstance(item, dict):
            item = next((item[key] for key in keys if isinstance(item.get(key), str)), None)
        if isinstance(item, str):
            strings.append(item)
    return tuple(strings)


def _ld_names(value: Any, ids: dict[str, dict], split: bool = False) -> tuple[str, ...]:
    """Names of JSON-LD persons or organisations: strings (split into several names if asked)
    or objects with a name, given and family names, or an `@id` defined elsewhere."""
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values[: MAX_AUTHORS * 2]:
        if isinstance(item, str):
            names.extend(_split_names(item) if split else [item])
        elif isinstance(item, dict):
            node = _dereference(item, ids)
            person = split and set(_types(node)) <= {"Person", "person"}
            for name in _ld_name(node):
                whole = not person or _CREDIT.search(name)  # "Staff and wire reports"
                names.extend([name] if whole else _AND.split(name))
    return tuple(names)


def _dereference(node: dict, ids: dict[str, dict]) -> dict:
    key = node.get("@id")
    if "name" not in node and isinstance(key, str) and key in ids:
        return ids[key]
    return node


def _ld_name(node: dict) -> tuple[str, ...]:
    name = _ld_strings(node.get("name"))[:1]
    if name:
        return name
    parts = _ld_strings(node.get("givenName"))[:1] + _ld_strings(node.get("familyName"))[:1]
    return (" ".join(parts),) if parts else ()


# Fallback libraries


def _htmldate(root: lxml_html.HtmlElement, url: str | None) -> _Candidate:
    """htmldate's guess at the original publication date (its fast search only).

    The tree is passed, not the markup: htmldate downloads a string that looks like a URL."""
    try:
        from htmldate import find_date

        day = find_date(root, original_date=True, outputformat="%Y-%m-%d",
                        extensive_search=False, url=url)
    except Exception:  # a fallback: whatever goes wrong only loses its value
        return _Candidate((), HTMLDATE)
    return _Candidate((day,) if isinstance(day, str) else (), HTMLDATE)


def _trafilatura(root: lxml_html.HtmlElement) -> dict[str, _Candidate]:
    """trafilatura's metadata (its own fast date search; `author` is "A; B")."""
    try:
        from trafilatura import extract_metadata

        document = extract_metadata(root, extensive=False)
    except Exception:  # a fallback: whatever goes wrong only loses its values
        return {}

    def texts(attribute: str) -> tuple[str, ...]:
        value = getattr(document, attribute, None)
        return (value,) if isinstance(value, str) else ()

    candidates = {
        "headline": texts("title"),
        "authors": tuple(name for text in texts("author") for name in _split_names(text)),
        "publisher": texts("sitename"),
        "site_name": texts("sitename"),
        "published": texts("date"),
        "url": texts("url"),
    }
    return {field: _Candidate(values, TRAFILATURA) for field, values in candidates.items()}


# Choosing and normalising values


def _resolve(sources: _Sources) -> dict[str, Found]:
    """Each field's value, normalised: mostly the first usable candidate (see the module's
    documentation for the exceptions)."""
    found: dict[str, Found] = {}
    _put(found, "url", _choose_url(sources.get("url", [])))
    _put(found, "language", _first(sources.get("language", []), _language))
    _put(found, "published", _choose_date(sources))
    suffix = _title_site(sources, found)
    url = found["url"].value if "url" in found else ""
    url = url if isinstance(url, str) else ""
    publisher = sources.get("publisher", [])
    _put(found, "publisher", _choose_name(_before_fallback(publisher, suffix), url))
    site_names = sources.get("site_name", [])
    _put(found, "site_name", _choose_name(
        _before_fallback(site_names, suffix, *sources.get("_ld_publisher", [])), url))
    site = _site_keys(found, with_host=False)
    guesses = [t for f in ("publisher", "site_name") for c in sources.get(f, [])
               if c.origin == TRAFILATURA for t in c.texts]
    site |= set().union(*(_name_keys(_clean(t, MAX_NAME)) for t in guesses[:2]))
    outlets = [found[f].value for f in ("publisher", "site_name") if f in found]
    _put(found, "authors", _first_authors(sources.get("authors", []), site, outlets))
    site |= _site_keys(found, with_host=True)
    _put(found, "headline", _choose_headline(sources.get("headline", []),
                                             sources.get("_h1", []), site))
    return found


def _put(found: dict[str, Found], field: str, value: Found | None) -> None:
    if value is not None:
        found[field] = value


def _options(candidates: Iterable[_Candidate], normalise: Callable[[str], str | None]
             ) -> list[tuple[str, str, str]]:
    """(value, origin, raw text) of every usable text, in order."""
    options = []
    for candidate in candidates:
        for text in candidate.texts:
            value = normalise(text)
            if value:
                options.append((value, candidate.origin, text))
    return options


def _first(candidates: Iterable[_Candidate], normalise: Callable[[str], str | None]
           ) -> Found | None:
    for candidate in candidates:
        for text in candidate.texts:
            value = normalise(text)
            if value:
                return Found(value, candidate.origin)
    return None


def _before_fallback(candidates: list[_Candidate], *extra: _Candidate | None
                     ) -> list[_Candidate]:
    """The candidates with `extra` ones inserted before trafilatura's."""
    own = [c for c in candidates if c.origin != TRAFILATURA]
    fallback = [c for c in candidates if c.origin == TRAFILATURA]
    return own + [c for c in extra if c and c.texts] + fallback


# Addresses


def _choose_url(candidates: list[_Candidate]) -> Found | None:
    """The canonical link or og:url, unless JSON-LD gives the same address (then JSON-LD's,
    perhaps with tracking parameters removed); JSON-LD alone when they give none; og:url when
    the canonical link is on another site (a syndicated copy names its original); https
    rather than http for the same address; a site's home page only when nothing else."""
    options = _options(candidates, _url)
    articles = [o for o in options if urlsplit(o[0]).path.strip("/")]
    options = articles or options
    if not options:
        return None
    page = [o for o in options if not o[1].startswith("JSON-LD") and o[1] != TRAFILATURA]
    hosts = {(urlsplit(value).hostname or "").removeprefix("www.") for value, _, _ in page}
    if len(hosts) > 1:  # a copy whose canonical link names the original: the copy was saved
        page = [o for o in page if o[1] != "<link rel=canonical>"] or page
    if page:
        keys = {_url_key(value) for value, _, _ in page}
        chosen = next((o for o in options if o[1].startswith("JSON-LD")
                       and _url_key(o[0]) in keys), page[0])
    else:
        chosen = options[0]
    if chosen[0].lower().startswith("http:"):
        chosen = next((o for o in options if o[0].lower().startswith("https:")
                       and _url_key(o[0]) == _url_key(chosen[0])), chosen)
    return Found(chosen[0], chosen[1])


def _url_key(url: str) -> str:
    """An address without its scheme, host case or trailing slash, for comparisons."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return f"{parts.netloc.lower()}{path}?{parts.query}"


# Dates


def _choose_date(sources: _Sources) -> Found | None:
    """The first usable date; for a UTC timestamp, the local day the page also gives."""
    options = _options(sources.get("published", []), _date)
    if not options:
        return None
    value, origin, raw = options[0]
    local = _local_day(raw, sources.get("_stamps", []), sources.get("_days", []))
    if local and local[0] != value:
        return Found(*local)
    return Found(value, origin)


def _local_day(raw: str, stamps: list[_Candidate], days: list[_Candidate]
               ) -> tuple[str, str] | None:
    """(day, origin) of the same publication time written with a local offset, when `raw` is
    in UTC; or the page's date-only `<time>` when it is the day before or after that a time
    zone (UTC-12 to UTC+14) can give."""
    moment = _instant(raw)
    if moment is None or moment[1] != timedelta(0):
        return None
    utc = moment[0]
    for candidate in stamps:
        for text in candidate.texts:
            other = _instant(text)
            if other and other[1] and abs((other[0] - other[1]) - utc) <= _SAME_INSTANT:
                day = _date(text)
                if day:
                    return day, candidate.origin
    for candidate in days:
        for text in candidate.texts:
            day = _date(text) if not _instant(text) and _STAMP.match(text) else None
            if not day:
                continue
            shift = (date.fromisoformat(day) - utc.date()).days
            if (shift == -1 and utc.hour < 12) or (shift == 1 and utc.hour >= 10):
                return day, candidate.origin
    return None


def _instant(text: object) -> tuple[datetime, timedelta] | None:
    """A timestamp with a time zone as (its clock, the offset from UTC); None without one.
    (`clock - offset` is the time in UTC.)"""
    match = _STAMP.match(text) if isinstance(text, str) and len(text) < 60 else None
    if not match or not match[7]:
        return None
    zone = match[7].upper()
    offset = timedelta(0)
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        offset = -offset if zone[0] == "-" else offset
    try:
        clock = datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]),
                         int(match[5]), int(match[6] or 0))
    except ValueError:
        return None
    return clock, offset


# Publisher and site names


def _title_site(sources: _Sources, found: dict[str, Found]) -> _Candidate | None:
    """The `<title>`'s trailing part ("Headline — Klub Zażółć") when it names the site:
    it matches the host, the publisher or the site name the page gives."""
    title = next((c for c in sources.get("headline", []) if c.origin == "<title>"), None)
    text = _clean(title.texts[0], MAX_HEADLINE * 2) if title else ""
    separators = list(_SEPARATOR.finditer(text))
    if not separators or separators[-1].start() == 0:
        return None
    name = _organisation(text[separators[-1].end():].strip(_NAME_PUNCTUATION))
    if not name or len(name) > MAX_NAME:
        return None
    names = [t for f in ("publisher", "site_name") for c in sources.get(f, [])
             if c.origin != TRAFILATURA for t in c.texts]
    keys = set().union(*(_name_keys(_clean(n, MAX_NAME)) for n in names))
    url = found["url"].value if "url" in found else ""
    if _name_keys(name) & keys or _matches_host(name, url if isinstance(url, str) else ""):
        return _Candidate((name,), "<title>")
    return None


def _matches_host(name: str, url: str) -> bool:
    """Whether a name spells the address's host: "Klub Zażółć" ~ klubzazolc.example,
    "Bundesamt Beispiel" ~ bundesamt.gv.example, "radio.example" ~ radio.example."""
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    key = _bare_key(name)
    if not host or len(key) < 3:
        return False
    labels = [label for label in host.split(".")[:-1] if len(label) >= 4]
    if key == _plain_key(host) or any(key == _plain_key(label) for label in labels):
        return True
    if len(name.split()) > 4:  # a description, not a name ("Product Desktop 15 for Mac …")
        return False
    return any((len(label) >= 5 and key.startswith(_plain_key(label)))
               or (len(key) >= 5 and _plain_key(label).startswith(key)) for label in labels)


def _plain_key(text: str) -> str:
    """Letters and digits only, case-folded, without accents ("Zażółć" ~ "zazolc")."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def _bare_key(name: str) -> str:
    """A name's `_plain_key` without a leading "The"."""
    return _plain_key(re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE))


def _choose_name(candidates: list[_Candidate], url: str) -> Found | None:
    """The first name, unless it is a host name or a slug and a later candidate spells the
    same site as a real name ("dailyplanet" -> "The Daily Planet", "www.example.com" ->
    "Example"); trafilatura's one-word guesses (often a Twitter handle) are left out, but
    for acronyms ("BMWK")."""
    options = [(v, o) for v, o, _ in _options(candidates, _organisation)
               if not (o == TRAFILATURA and " " not in v and "." not in v and not v.isupper())]
    if not options:
        return None
    chosen = options[0]
    if not _is_real_name(chosen[0]):
        key = _bare_key(_HOST_TLD.sub("", chosen[0].lower().removeprefix("www.")))
        chosen = next((o for o in options[1:] if o[1] != TRAFILATURA and _is_real_name(o[0])
                       and (_bare_key(o[0]) == key or _matches_host(o[0], url))), chosen)
    return Found(*chosen)


def _is_real_name(name: str) -> bool:
    """A name ("The Daily Planet", "Planet", "PlanetNews.com"), not a host name
    ("radio.example", "www.example.com") or a slug ("dailyplanet", "daily_planet")."""
    if name.lower().startswith("www.") or (_HOST_NAME.fullmatch(name) and name == name.lower()):
        return False
    lower_only = any(c.islower() for c in name) and not any(c.isupper() for c in name)
    return " " in name or not ("_" in name or lower_only)


# Headlines


def _choose_headline(candidates: list[_Candidate], h1: list[_Candidate], site: set[str]
                     ) -> Found | None:
    """The first headline, unless it is a JSON-LD variant that a `<meta>` title and the
    visible `<h1>` both contradict, cut short with an ellipsis, or a single word."""
    options = [(v, o) for v, o, _ in _options(candidates, partial(_headline, site=site))]
    if not options:
        return None
    visible = [(v, o) for v, o, _ in _options(h1, partial(_headline, site=set()))]
    visible_keys = {_plain_key(v) for v, _ in visible}
    chosen = options[0]
    if chosen[1].startswith("JSON-LD") and _plain_key(chosen[0]) not in visible_keys:
        chosen = next((o for o in options[1:] if o[1].startswith("<meta")
                       and _plain_key(o[0]) in visible_keys
                       and ("\ufffd" not in o[0] or "\ufffd" in chosen[0])), chosen)
    stem = _plain_key(_ELLIPSIS.sub("", chosen[0]))
    if _ELLIPSIS.search(chosen[0]) and stem:
        chosen = next((o for o in options + visible if _plain_key(o[0]).startswith(stem)
                       and len(_plain_key(o[0])) > len(stem) and not _CUT.search(o[0])),
                      chosen)
    if " " not in chosen[0]:
        chosen = next((o for o in options if " " in o[0] and o[1] != TRAFILATURA), chosen)
    return Found(*chosen)


def _first_authors(candidates: Iterable[_Candidate], site: set[str], outlets: list[object]
                   ) -> Found | None:
    """The first source's authors left once the publisher and site name are dropped (not the
    host name: the author of janedoe.example is Jane Doe)."""
    outlet_keys = [_spaced_key(o) for o in outlets if isinstance(o, str)]
    for candidate in candidates:
        names = _authors(candidate.texts, site, free=candidate.origin == TRAFILATURA,
                         outlets=outlet_keys)
        if candidate.split and len(names) > 1:
            names = _without_outlets(names, outlet_keys)
        if names:
            return Found(names, candidate.origin)
    return None


def _without_outlets(names: tuple[str, ...], outlets: list[str]) -> tuple[str, ...]:
    """Names split from one free-text list, without the outlet ("Ann Lee, Daily Planet"),
    a company ("Outlet GmbH") or single words after a full name (places such as "Munich,
    Germany", partner sites such as "Partnersite")."""
    full = next((i for i, n in enumerate(names) if len(n.split()) > 1), len(names))
    kept = [n for i, n in enumerate(names) if i <= full or len(n.split()) > 1]
    return tuple(n for n in kept if not _is_outlet_part(n, outlets))


def _is_outlet_part(name: str, outlets: list[str]) -> bool:
    """The outlet, a part of its name, or the outlet with one more word ("Outlet GmbH")."""
    key = _spaced_key(name)
    for outlet in outlets:
        if not key or not outlet:
            continue
        if f" {key} " in f" {outlet} ":
            return True
        if f" {outlet} " in f" {key} " and len(key.split()) - len(outlet.split()) < 2:
            return True
    return False


def _spaced_key(text: str) -> str:
    """Words only, case-folded, without accents, single spaces, no leading "the"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.split()).removeprefix("the ")


def _names_outlet(name: str, outlets: list[str]) -> bool:
    """Whether a name is an outlet's or part of it ("Daily Planet" of "Daily Planet
    Deutschland"), or holds it ("Daily Planet wire services")."""
    key = _spaced_key(name)
    return bool(key) and any(
        o and (f" {key} " in f" {o} " or f" {o} " in f" {key} ") for o in outlets)


def _clean(text: object, limit: int) -> str:
    """Plain text: entities decoded, tags and control characters gone, white space collapsed,
    at most `limit` characters (cut at a space where possible)."""
    if not isinstance(text, str):
        return ""
    text = _TAG.sub("", html_entities.unescape(text[: limit * 4 + 1000]))
    text = unicodedata.normalize("NFC", "".join(_visible(char) for char in text))
    return _truncate(" ".join(text.split()), limit)


def _visible(char: str) -> str:
    category = unicodedata.category(char)
    if char in _INVISIBLE or category == "Cs":
        return ""
    if category == "Cc":
        return " " if char.isspace() else ""
    return char


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip()


def _url(text: str) -> str | None:
    """An absolute http(s) address without tracking parameters."""
    url = text.strip() if isinstance(text, str) else ""
    if not url or len(url) > MAX_URL or not url.isprintable() or " " in url:
        return None
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
            return None
        return strip_tracking(urlunsplit(parts._replace(fragment="")))
    except ValueError:
        return None


def _date(text: str) -> str | None:
    """YYYY-MM-DD from a date or timestamp, the day as written (no conversion to UTC)."""
    match = _DATE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        return None
    if day in _DATE_PLACEHOLDERS or day > date.today() + timedelta(days=1):
        return None
    return day.isoformat()


def _language(text: str) -> str | None:
    """A BCP 47 tag in its usual case: `en`, `en-US` (from `en_US`), `zh-Hant-TW`."""
    tag = text.strip() if isinstance(text, str) else ""
    if len(tag) > MAX_LANGUAGE or not _LANGUAGE.fullmatch(tag):
        return None
    first, *rest = re.split(r"[-_]", tag)
    return "-".join([first.lower(), *map(_subtag, rest)])


def _subtag(part: str) -> str:
    if len(part) == 2 and part.isalpha():
        return part.upper()
    if len(part) == 4 and part.isalpha():
        return part.title()
    return part.lower()


def _organisation(text: str) -> str | None:
    name = _clean(text, MAX_NAME)
    return name if any(c.isalpha() for c in name) and "://" not in name else None


def _headline(text: str, site: set[str]) -> str | None:
    """The headline without a trailing site name ("Headline | The Hill")."""
    headline = _clean(text, MAX_HEADLINE * 2)
    separators = list(_SEPARATOR.finditer(headline))
    if separators and site:
        last = separators[-1]
        if last.start() > 0 and _name_keys(headline[last.end():]) & site:
            headline = headline[: last.start()]
    return _truncate(headline, MAX_HEADLINE) or None


def _site_keys(found: dict[str, Found], with_host: bool) -> set[str]:
    """Comparison keys of the site's names: site name, publisher and (if asked) host name."""
    keys = set()
    for field in ("site_name", "publisher"):
        if field in found and isinstance(found[field].value, str):
            keys |= _name_keys(found[field].value)
    if with_host and "url" in found and isinstance(found["url"].value, str):
        host = (urlsplit(found["url"].value).hostname or "").removeprefix("www.")
        keys |= _name_keys(host) | _name_keys(_HOST_TLD.sub("", host))
    return keys


def _name_keys(name: str) -> set[str]:
    """Ways to compare a name: case-folded, without a leading "The " or "www." or a trailing
    ".com", and each of those without spaces or punctuation ("The Hill" ~ "thehill.com")."""
    key = " ".join(name.casefold().split()).removeprefix("www.").removesuffix(".com")
    variants = {key, key.removeprefix("the ")}
    return {v for v in variants | {re.sub(r"\W+", "", v) for v in variants} if v}


def _split_names(text: str) -> list[str]:
    """ "By A, B and C" or "A & B" or "A; B" as ["A", "B", "C"]; "A, Jr." stays one name and
    "A, MS, RD" or "A, Staff Writer" loses its degrees and job titles."""
    parts = _NAME_SEPARATOR.split(_BY.sub("", _clean(text, MAX_NAME * MAX_AUTHORS)))
    names: list[str] = []
    for part in parts:
        if names and part.rstrip(".").casefold() in _NAME_SUFFIXES:
            names[-1] += f", {part}"
        elif names and _is_title(part):
            continue
        elif part:
            names.append(part)
    return names


def _is_title(part: str) -> bool:
    """A degree ("MS", "PhD", "M.D.") or a job title ("Senior Sports Writer") after a name."""
    bare = part.replace(".", "").strip()
    if bare.casefold() in _DEGREE or _JOB.search(part):
        return True
    return (2 <= len(bare) <= 5 and bare.isalpha() and " " not in bare
            and sum(c.isupper() for c in bare) >= 2)


def _without_titles(name: str) -> str:
    """ "Ann Lee, MS, RD" -> "Ann Lee"; "Ann Lee, Jr." and "Lee, Ann" are left as they are."""
    first, *rest = (part.strip() for part in name.split(","))
    if not rest or len(first.split()) < 2:
        return name
    kept = [first]
    for part in rest:
        if part.rstrip(".").casefold() in _NAME_SUFFIXES:
            kept.append(part)
        elif not _is_title(part):
            return name
    return ", ".join(kept)


def _person_names(text: str, free: bool, outlets: list[str]) -> list[str]:
    """The personal names in one author text: none for an address, a newsroom credit or (in
    free text) a byline with dates or the outlet's name in it."""
    name = _clean(text, MAX_NAME * 2)
    name = _BY.sub("", name).strip(_NAME_PUNCTUATION)
    if not any(c.isalpha() for c in name) or _NOT_A_NAME.search(name):
        return []
    parts = [name]
    if "/" in name:  # "Outlet /PP", "det/dpa": staff initials and agency codes
        pieces = [p.strip(_NAME_PUNCTUATION) for p in name.split("/")]
        words = [p for p in pieces if sum(c.isalpha() for c in p) > 3]
        parts = words if len(words) < len(pieces) else [name]
    names = []
    for part in parts:
        if _NOT_A_NAME.search(part):
            continue
        part = _without_titles(_FOR_OUTLET.sub("", _BY.sub("", part)).strip(_NAME_PUNCTUATION))
        if not part or _CREDIT.search(part):
            continue
        if free:
            part = _free_text_name(part, outlets)
        if part:
            names.append(_ordinary_case(part))
    return names


def _free_text_name(name: str, outlets: list[str]) -> str:
    """A name from trafilatura's byline text, or "" when it is not one: names in capitals
    lose what follows them ("ANN LEE Wire Agency"); one word, digits, "Published", a
    month at the end or the outlet's name are not a name."""
    words = name.split()
    capitals = 0
    while capitals < len(words) and words[capitals].isupper() and len(words[capitals]) > 1:
        capitals += 1
    if 2 <= capitals < len(words):
        words = words[:capitals]
    name = " ".join(words)
    if (len(words) < 2 or _DATELINE.search(name) or words[-1].casefold() in _MONTHS
            or _names_outlet(name, outlets)):
        return ""
    return name


def _ordinary_case(name: str) -> str:
    """ "MARY ANN LEE" -> "Mary Ann Lee" (names of two words or more, each of three letters
    or more: not "PLANETSTROM AG")."""
    words = name.split()
    if not name.isupper() or len(words) < 2 or any(len(w) < 3 for w in words):
        return name
    return re.sub(r"[^\W\d_]+", lambda m: m[0][0] + m[0][1:].lower(), name)


def _authors(texts: Iterable[str], site: set[str], free: bool = False,
             outlets: list[str] | None = None) -> tuple[str, ...]:
    """Clean, distinct personal names: no addresses, no duplicates (ignoring case), none equal
    to the publisher or site; in their order, at most MAX_AUTHORS."""
    names: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for name in _person_names(text, free, outlets or []):
            name = _truncate(name, MAX_NAME)
            key = name.casefold()
            if key in seen or _name_keys(name) & site:
                continue
            seen.add(key)
            names.append(name)
            if len(names) == MAX_AUTHORS:
                return tuple(names)
    return tuple(names)
