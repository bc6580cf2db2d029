"""Read the hand-written annotations in content/ into typed records.

Everything is checked against the JSON Schemas in dossier/schema/ first; a file that fails
the schema contributes its problems and no records. Cross-references (entity ids, source ids)
are checked later, once everything has been read.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import dates
from .inputs import rel
from .models import (
    DEFAULT_KINDS,
    AnswerSpec,
    Archive,
    Capture,
    ClaimSpec,
    DateSpec,
    Entity,
    Kind,
    MentionSpec,
    Problems,
    Published,
    QuoteSpec,
    Relation,
    Selector,
    SourceMeta,
    Statement,
    Where,
)
from .yamlio import LocDict, position, read_yaml, validate

if TYPE_CHECKING:
    from .metadata import Found

SEED_SUFFIXES = (".txt", ".html", ".htm")
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""A seed's id (its file name without extension), matched whole (fullmatch)."""
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src"}


@dataclass(frozen=True)
class Dossier:
    """What the home page says about the dossier as a whole."""

    title: str = "Dossier"
    description: str = ""
    """Markdown."""
    base_url: str = "http://localhost:8000/"
    """Where the site is published, ending in '/': for the sitemap, the feed and citations."""
    kinds: tuple[Kind, ...] = DEFAULT_KINDS
    """The kinds of entity it annotates, in the order the site lists them."""


MAX_ID = 150
"""The longest id of a seed (entity ids likewise, in their schema): file names made from it
(page, cache entry, temporary file) must stay within the file system's 255 bytes."""

RESERVED_IDS = frozenset({"index"})
"""Ids the build's own pages use: a source 'index' would be sources/index.html, the list of
sources; an entity 'index' would be the index of its kind."""


def find_seeds(root: Path, problems: Problems) -> dict[str, Path]:
    """Seed files by id (file name without extension), in name order."""
    seeds_dir = root / "seeds"
    if not seeds_dir.is_dir():
        problems.error(Where("seeds/"), "no seeds/ folder: create it and put the sources there")
        return {}
    seeds: dict[str, Path] = {}
    folded: dict[str, str] = {}
    for entry in sorted(os.scandir(seeds_dir), key=lambda e: e.name):
        path = Path(entry.path)
        if path.suffix.lower() not in SEED_SUFFIXES or path.name.startswith(".") \
                or not entry.is_file():
            continue
        problem = _seed_name_problem(path.stem, seeds, folded)
        if problem:
            problems.error(Where(rel(path, root)), problem)
            continue
        seeds[path.stem] = path
        folded[path.stem.casefold()] = path.name
    return seeds


def _seed_name_problem(sid: str, seeds: dict[str, Path], folded: dict[str, str]) -> str:
    """Why a seed's id cannot be used, or ''."""
    if not SAFE_ID.fullmatch(sid):
        return (f"the seed's name '{sid}' cannot be a page address: rename the file using only "
                "letters, digits, '-', '_' and '.'")
    if len(sid) > MAX_ID:
        return (f"the seed's name is {len(sid)} characters long; file systems refuse the page "
                f"names made from it: rename the file, at most {MAX_ID} characters")
    if sid.casefold() in RESERVED_IDS:
        return (f"the seed's name '{sid}' is taken by a page of the site (sources/{sid}.html "
                "is the list of sources); rename the file")
    if sid in seeds:
        return f"two seeds share the id '{sid}' ({seeds[sid].name} and this file); rename one"
    if sid.casefold() in folded:
        return (f"this seed's name differs only in case from {folded[sid.casefold()]}: on "
                "Windows and macOS both would be one page; rename one")
    return ""


def read_dossier(root: Path, problems: Problems) -> Dossier:
    """content/dossier.yaml: the dossier's title and description (both optional)."""
    path = root / "content" / "dossier.yaml"
    default = Dossier()
    if not path.exists():
        return default
    data = read_yaml(path, rel(path, root), problems)
    if data is None or not validate(data, "dossier.schema.json", path, rel(path, root),
                                    problems):
        return default
    base = data.get("base_url", default.base_url)
    return Dossier(data.get("title", default.title), data.get("description", ""),
                   base if base.endswith("/") else base + "/",
                   _kinds(data, rel(path, root), problems) or default.kinds)


SITE_FOLDERS = frozenset({"sources", "dates", "static", "data", "pagefind"})
"""Folders of the site that a kind's pages cannot take."""


def _kinds(data: LocDict, name: str, problems: Problems) -> tuple[Kind, ...]:
    """The `kinds` of content/dossier.yaml (() when it names none, or they clash)."""
    kinds: list[Kind] = []
    for i, item in enumerate(data.get("kinds", ())):
        kind = Kind(item["id"], item["singular"], item["plural"], item["folder"],
                    item["style"], item.get("nav", ""))
        where = Where(name, *position(data, ["kinds", i]))
        if kind.folder in SITE_FOLDERS:
            problems.error(where, f"kinds[{i}].folder '{kind.folder}' is a folder of the site "
                           f"itself ({', '.join(sorted(SITE_FOLDERS))}); choose another")
        clash = next((k for k in kinds if k.id == kind.id or k.folder == kind.folder), None)
        if clash:
            same = "id" if clash.id == kind.id else "folder"
            problems.error(where, f"kinds[{i}] has the same {same} as the kind '{clash.id}' "
                           f"above; each kind needs its own id and folder")
        kinds.append(kind)
    return tuple(kinds)


def read_entities(root: Path, problems: Problems,
                  kinds: tuple[Kind, ...] = DEFAULT_KINDS) -> dict[str, Entity]:
    """Every entity in content/entities/*.yaml, by id; duplicate ids and kinds the dossier
    does not have are errors."""
    entities: dict[str, Entity] = {}
    by_id = {k.id: k for k in kinds}
    folder = root / "content" / "entities"
    for path in sorted(folder.glob("*.yaml"), key=lambda p: p.name) if folder.is_dir() else []:
        name = rel(path, root)
        data = read_yaml(path, name, problems)
        if data is None or not validate(data, "entities.schema.json", path, name, problems):
            continue
        for index, item in enumerate(data):
            kind = by_id.get(item["kind"])
            if kind is None:
                problems.error(Where(name, *position(data, [index, "kind"])),
                               f"kind '{item['kind']}' is not a kind of this dossier: use one "
                               f"of {', '.join(by_id)}, or add it to kinds in "
                               "content/dossier.yaml")
                continue
            entity = _entity(item, Where(name, *position(data, [index])), kind)
            if entity.id in RESERVED_IDS:
                problems.error(Where(name, *position(data, [index, "id"])),
                               f"the entity id '{entity.id}' is taken by a page of the site "
                               f"({kind.folder}/{entity.id}.html is the index of "
                               f"{kind.folder}); choose another id")
                continue
            if entity.id in entities:
                first = entities[entity.id].where
                problems.error(entity.where, f"duplicate entity id '{entity.id}' "
                               f"(first defined at {first.path}:{first.line}); ids must be unique")
                continue
            entities[entity.id] = entity
    return dict(sorted(entities.items()))


def _entity(item: LocDict, where: Where, kind: Kind) -> Entity:
    return Entity(
        id=item["id"],
        name=item["name"],
        kind=item["kind"],
        type=item.get("type", ""),
        variants=tuple(item.get("variants", ())),
        description=tuple(Statement(s["text"], tuple(s["sources"]))
                          for s in item["description"]),
        relations=tuple(Relation(r["relation"], r["entity"], r["source"], r.get("quote", ""))
                        for r in item.get("relations", ())),
        notes=item.get("notes", ""),
        where=where,
        kind_info=kind,
    )


def annotation_path(root: Path, sid: str) -> Path:
    return root / "content" / "sources" / f"{sid}.yaml"


def orphan_annotations(root: Path, seeds: dict[str, Path], problems: Problems) -> None:
    """An annotation file whose seed does not exist is an error."""
    folder = root / "content" / "sources"
    for path in sorted(folder.glob("*.yaml"), key=lambda p: p.name) if folder.is_dir() else []:
        if path.stem not in seeds:
            close = difflib.get_close_matches(path.stem, list(seeds), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.error(Where(rel(path, root)), f"no seed for this annotation file: expected "
                           f"seeds/{path.stem}.txt or .html{hint}; add the seed or rename the file")


def read_source(root: Path, sid: str, seed: Path, problems: Problems) -> SourceMeta | None:
    """A seed's annotation file, read and checked; None if it has none or it is invalid."""
    path = annotation_path(root, sid)
    if not path.exists():
        return None
    name = rel(path, root)
    data = read_yaml(path, name, problems)
    if data is None or not validate(data, "source.schema.json", path, name, problems):
        return None
    return _source(sid, rel(seed, root), data, name, problems)


def _source(sid: str, seed: str, data: LocDict, name: str,
            problems: Problems) -> SourceMeta | None:
    published = data.get("published", {})
    if published.get("inferred") and not published.get("reasoning"):
        problems.error(Where(name, *position(data, ["published"])),
                       "published.inferred is true but published.reasoning is missing: "
                       "say how the date was worked out")
    try:
        if published:
            dates.parse(published["date"])
    except ValueError as exc:
        problems.error(Where(name, *position(data, ["published", "date"])),
                       f"published.date: {exc}; write the day it was published as YYYY-MM-DD")
        return None
    try:
        url = strip_tracking(data["url"]) if "url" in data else ""
    except ValueError as exc:  # urllib's own checks: "Invalid IPv6 URL", a bad port ...
        problems.error(Where(name, *position(data, ["url"])),
                       f"url: {exc}; copy the address again from the browser's address bar")
        return None
    author = data.get("author", ())
    if not _capture_times(data, name, problems):
        return None
    return SourceMeta(
        id=sid,
        seed=seed,
        headline=data.get("headline", ""),
        publisher=data.get("publisher", ""),
        agency=data.get("agency", ""),
        published=Published(published.get("date", ""), bool(published.get("inferred", False)),
                            published.get("reasoning", "")),
        url=url,
        notes=data.get("notes", ""),
        mentions=tuple(
            MentionSpec(_selector(m), m["entity"], m.get("note", ""),
                        Where(name, *position(data, ["mentions", i])))
            for i, m in enumerate(data.get("mentions", ()))),
        dates=tuple(
            DateSpec(_selector(d), str(d["value"]), bool(d.get("approximate", False)),
                     d["reasoning"], d["event"], Where(name, *position(data, ["dates", i])))
            for i, d in enumerate(data.get("dates", ()))),
        where=Where(name, 1),
        quotes=tuple(
            QuoteSpec(_selector(q), q.get("speaker", ""), q.get("anonymous", ""), q["kind"],
                      q.get("channel", ""), q.get("via", ""), q.get("date", ""),
                      q.get("note", ""), Where(name, *position(data, ["quotes", i])))
            for i, q in enumerate(data.get("quotes", ()))),
        authors=(author,) if isinstance(author, str) else tuple(author),
        language=data.get("language", ""),
        capture=_capture(data.get("capture", {})),
    )


def _capture_times(data: LocDict, name: str, problems: Problems) -> bool:
    """Whether capture.retrieved and each archive's date are days of the calendar and times
    of the clock (the schema checks only their form); an error at each that is not."""
    item = data.get("capture", {})
    steps = [["capture", "retrieved"]] if item.get("retrieved", "unknown") != "unknown" else []
    steps += [["capture", "archives", i, "date"] for i, a in enumerate(item.get("archives", ()))
              if "date" in a]
    ok = True
    for path in steps:
        value = item
        for step in path[1:]:
            value = value[step]
        if not dates.real_time(value):
            problems.error(Where(name, *position(data, path)),
                           f"{path[0]}.{path[1]}: '{value}' is not a day of the calendar or a "
                           "time of the clock; write YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            ok = False
    return ok


def _capture(item: LocDict) -> Capture:
    retrieved = item.get("retrieved", "")
    return Capture(
        sha256=item.get("sha256", ""),
        retrieved="" if retrieved == "unknown" else retrieved,
        retrieved_note=item.get("retrieved_note", ""),
        method=item.get("method", ""),
        collector=item.get("collector", ""),
        archives=tuple(Archive(a["url"], a.get("date", "")) for a in item.get("archives", ())),
    )


def _selector(item: LocDict) -> Selector:
    return Selector(item["quote"], item.get("prefix", ""), item.get("suffix", ""),
                    int(item.get("occurrence", 0)))  # the schema lets 1.0 through as a whole number


def read_claims(root: Path, problems: Problems) -> tuple[ClaimSpec, ...]:
    """content/claims.yaml, if there is one; duplicate claim ids are errors."""
    path = root / "content" / "claims.yaml"
    if not path.exists():
        return ()
    name = rel(path, root)
    data = read_yaml(path, name, problems)
    if data is None or not validate(data, "claims.schema.json", path, name, problems):
        return ()
    claims: dict[str, ClaimSpec] = {}
    for i, item in enumerate(data):
        where = Where(name, *position(data, [i]))
        if item["id"] in claims:
            problems.error(where, f"duplicate claim id '{item['id']}' (first at line "
                           f"{claims[item['id']].where.line}); ids must be unique")
            continue
        claims[item["id"]] = ClaimSpec(item["id"], item["question"], tuple(
            AnswerSpec(a["source"], _selector(a), a["answer"], a.get("speaker", ""),
                       a.get("anonymous", ""), a.get("date", ""), a.get("note", ""),
                       Where(name, *position(data, [i, "answers", j])))
            for j, a in enumerate(item["answers"])), where)
    return tuple(claims.values())


def unannotated(sid: str, seed: str, headline: str | None) -> SourceMeta:
    """Metadata for a seed that has no annotation file yet: it is built, marked unannotated."""
    return SourceMeta(
        id=sid, seed=seed, headline=headline or "", publisher="", agency="",
        published=Published("", False, ""), url="", notes="", mentions=(), dates=(),
        where=Where(seed), annotated=False,
    )


def strip_tracking(url: str) -> str:
    """Drop tracking parameters (utm_*, fbclid, …) and an empty query from an address."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def publisher_key(url: str) -> str:
    """The publisher's domain, 'www.' removed: the key for per-publisher boilerplate rules."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


PAGE_FIELDS = ("headline", "authors", "publisher", "published", "url", "language")
"""The fields a saved page's own metadata can give (dossier.metadata), in the source's terms."""


def fill_from_page(meta: SourceMeta, found: dict[str, Found]) -> SourceMeta:
    """`meta` with each field it leaves empty taken from the saved page's own metadata (the
    annotation file always wins); `from_page` names the fields taken."""
    values: dict[str, Any] = {}
    for name in PAGE_FIELDS:
        if name not in found or getattr(meta, name) not in ("", (), Published("", False, "")):
            continue
        value = found[name].value
        if name == "published":
            values[name] = Published(str(value), False, "")
        elif name == "authors":
            values[name] = (value,) if isinstance(value, str) else tuple(value)
        elif name == "url":
            values[name] = strip_tracking(str(value))
        else:
            values[name] = str(value)
    return replace(meta, **values, from_page=tuple(values)) if values else meta
