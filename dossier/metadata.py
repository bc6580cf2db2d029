"""A saved web page's own bibliographic metadata: headline, authors, publisher, date, address.

`page_metadata` reads what a page says about itself, so that a new source's YAML file can be
pre-filled with values an editor only has to check. Every value carries its origin (`Found`),
for a YAML comment next to it.

Per field, the first source giving a usable value wins; the sources, most trusted first:

1. JSON-LD: objects typed NewsArticle, Article, BlogPosting, … (any type ending in "Article"),
   then web-page objects (WebPage, ItemPage, …); `@graph` lists, `mainEntity` and `@id`
   references are followed, malformed blocks skipped;
2. Open Graph and `article:*` tags, then a few other `<meta>` tags (Twitter, Dublin Core,
   Highwire `citation_*`);
3. the document itself: `<link rel=canonical>`, `<html lang>`, `<title>`;
4. fallbacks, run only when a field is still missing: htmldate for the date, then
   trafilatura's metadata for the headline, authors, publisher, site name, date and address.

Values are plain text (entities decoded, tags, control characters and extra white space
removed) and capped in length. Headlines lose a trailing site name ("Headline | The Hill")
when it matches the site name, publisher or host name found. Dates are YYYY-MM-DD, the day
as written in the page's timestamp (not converted to UTC); impossible days, 1970-01-01 (a zero
timestamp) and days after tomorrow are rejected. Addresses are absolute http(s) addresses
without tracking parameters. Languages are BCP 47 tags such as `en`, `en-US`, `fr`.

Authors are personal names in the page's order, without "By ", duplicates or addresses;
free text ("A, B and C", "A & B") is split, JSON-LD objects and `citation_author` tags are
one name each. An author equal to the publisher or the site name is dropped: an organisation
named as the author of its own page says nothing about who wrote it, so a page naming only
its publisher as author has no `authors` (even if nothing else names one).
"""

from __future__ import annotations

import html as html_entities
import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

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
_NAME_SEPARATOR = re.compile(r"\s*(?:[,;&]|\band\b)\s*", re.IGNORECASE)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
_NAME_PUNCTUATION = " ,;:|-–—·"
_NOT_A_NAME = re.compile(r"://|^www\.|^\S*[@/]\S*$|^\S+\.[a-z]{2,}$")
"""An address, an e-mail address, a handle or a domain."""
_HOST_TLD = re.compile(r"(?:\.(?:co|com|org|net|gov|ac))?\.[a-z]{2,}$")


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
    """Every candidate value of the page, per field, most trusted first."""
    ld = _jsonld_sources(root)
    meta = _meta_tags(root)

    def tags(keys: Iterable[str], split: bool = False) -> list[_Candidate | None]:
        return [_split_candidate(meta.get(k)) if split else meta.get(k) for k in keys]

    sources: dict[str, list[_Candidate | None]] = {
        "headline": [*ld["headline"], *tags(_HEADLINE_META), _title(root)],
        "authors": [*ld["authors"], *tags(_AUTHOR_META, split=True), *tags(_WHOLE_NAME_META)],
        "publisher": [*ld["publisher"], meta.get("og:site_name"), *ld["website"],
                      *tags(_PUBLISHER_META)],
        "site_name": [meta.get("og:site_name"), *ld["website"]],
        "published": [*ld["published"], *tags(_DATE_META)],
        "url": [*ld["url"], meta.get("og:url"), _canonical(root)],
        "language": [*ld["language"], meta.get("og:locale"), _html_lang(root),
                     *tags(_LANGUAGE_META)],
    }
    return {field: [c for c in candidates if c and c.texts]
            for field, candidates in sources.items()}


def _meta_tags(root: lxml_html.HtmlElement) -> dict[str, _Candidate]:
    """The `<meta>` tags this module reads, by lower-case property or name."""
    texts: dict[str, list[str]] = {}
    origins: dict[str, str] = {}
    for element in root.iter("meta"):
        content = element.get("content")
        for attribute in _META_ATTRIBUTES:
            key = (element.get(attribute) or "").strip().lower()
            if content is not None and key in _META_KEYS:
                origins.setdefault(key, f"<meta {attribute}={key}>")
                values = texts.setdefault(key, [])
                if len(values) < MAX_AUTHORS:
                    values.append(content)
                break
    return {key: _Candidate(tuple(values), origins[key]) for key, values in texts.items()}


def _split_candidate(candidate: _Candidate | None) -> _Candidate | None:
    """Free-text names ("A and B", "A, B") as one name each."""
    if candidate is None:
        return None
    names = tuple(name for text in candidate.texts for name in _split_names(text))
    return _Candidate(names, candidate.origin)


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
        key: [] for key in ("headline", "authors", "publisher", "published", "url", "language")
    }
    for node in articles + pages:
        label = "JSON-LD " + (_main_type(node, _is_article) or _main_type(node, _is_page))
        for field, key, texts in _node_texts(node, ids):
            sources[field].append(_Candidate(texts, f"{label}.{key}"))
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
            names.extend(_ld_name(_dereference(item, ids)))
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
    """Each field's first usable candidate, normalised."""
    found: dict[str, Found] = {}
    simple: dict[str, Callable[[str], str | None]] = {
        "url": _url, "language": _language, "published": _date,
        "publisher": _organisation, "site_name": _organisation,
    }
    for field, normalise in simple.items():
        _put(found, field, _first(sources.get(field, []), normalise))
    site = _site_keys(found, with_host=False)
    _put(found, "authors", _first_authors(sources.get("authors", []), site))
    site |= _site_keys(found, with_host=True)
    _put(found, "headline", _first(sources.get("headline", []), partial(_headline, site=site)))
    return found


def _put(found: dict[str, Found], field: str, value: Found | None) -> None:
    if value is not None:
        found[field] = value


def _first(candidates: Iterable[_Candidate], normalise: Callable[[str], str | None]
           ) -> Found | None:
    for candidate in candidates:
        for text in candidate.texts:
            value = normalise(text)
            if value:
                return Found(value, candidate.origin)
    return None


def _first_authors(candidates: Iterable[_Candidate], site: set[str]) -> Found | None:
    """The first source's authors left once the publisher and site name are dropped (not the
    host name: the author of janedoe.example is Jane Doe)."""
    for candidate in candidates:
        names = _authors(candidate.texts, site)
        if names:
            return Found(names, candidate.origin)
    return None


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
        return strip_tracking(url)
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
    """ "By A, B and C" or "A & B" or "A; B" as ["A", "B", "C"]; "A, Jr." stays one name."""
    parts = _NAME_SEPARATOR.split(_BY.sub("", _clean(text, MAX_NAME * MAX_AUTHORS)))
    names: list[str] = []
    for part in parts:
        if names and part.rstrip(".").casefold() in _NAME_SUFFIXES:
            names[-1] += f", {part}"
        elif part:
            names.append(part)
    return names


def _authors(texts: Iterable[str], site: set[str]) -> tuple[str, ...]:
    """Clean, distinct personal names: no addresses, no duplicates (ignoring case), none equal
    to the publisher or site; in their order, at most MAX_AUTHORS."""
    names: list[str] = []
    seen: set[str] = set()
    for text in texts:
        name = _clean(text, MAX_NAME * 2)
        name = _truncate(_BY.sub("", name).strip(_NAME_PUNCTUATION), MAX_NAME)
        key = name.casefold()
        if (not any(c.isalpha() for c in name) or _NOT_A_NAME.search(name) or key in seen
                or _name_keys(name) & site):
            continue
        seen.add(key)
        names.append(name)
        if len(names) == MAX_AUTHORS:
            break
    return tuple(names)
