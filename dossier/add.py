"""`dossier add FILE`: a saved page (or text) into seeds/, with its annotation file started.

The file is copied into seeds/ byte for byte (never converted), under an id made from the
page's address or headline unless --id gives one; nothing is ever overwritten. Then
content/sources/<id>.yaml is written, ready to build: the page's own metadata (dossier.metadata:
JSON-LD, Open Graph, <meta> tags, <title>, then htmldate and trafilatura), each field with a
comment saying where it came from, and a `capture:` block (dossier.capture) with the seed's
SHA-256 digest, when it was saved, and how. A field the page does not give is left out, with a
comment saying it needs filling in.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as installed
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from . import capture
from .annotations import MAX_ID, RESERVED_IDS, SAFE_ID, SEED_SUFFIXES, strip_tracking
from .clean import clean_text, dossier_rules
from .dates import real_time
from .inputs import read_regular, rel
from .metadata import HTMLDATE, TRAFILATURA, Found, page_metadata
from .models import Problems, Where
from .seeds import decode_seed, seed_bytes

SLUG_WORDS = 10
"""An id made from a headline keeps at most this many words."""
SLUG_CHARS = 80
GUESSED = (HTMLDATE, TRAFILATURA)
"""Origins of a publication date found by searching the page rather than read from a field
made for it: such a date is written as inferred."""


@dataclass(frozen=True)
class Request:
    """What `dossier add` was asked to do."""

    file: Path
    sid: str = ""
    url: str = ""
    retrieved: str = ""
    collector: str = ""


def add_command(root: Path, args: argparse.Namespace, problems: Problems,
                report: Callable[[], None]) -> int:
    """Add one file to the dossier at `root`; print what was written, or why nothing was."""
    request = Request(args.file, args.sid, args.url, args.retrieved, args.collector)
    done = add(root, request, problems)
    report()
    if done is None:
        print("Nothing was added.", file=sys.stderr)
        return 1
    print(done)
    return 0


def add(root: Path, request: Request, problems: Problems) -> str | None:
    """Copy the file and write its annotation file; the summary to print, or None after
    recording why nothing was written."""
    given = request.file
    shown = str(given)
    if given.suffix.lower() not in SEED_SUFFIXES:
        problems.error(Where(shown), "dossier add takes a saved web page (.html, .htm) or a "
                       "text file (.txt); save the article in one of those forms")
        return None
    if request.retrieved and not real_time(request.retrieved):
        problems.error(Where("--retrieved"), f"'{request.retrieved}' is not a date: write "
                       "YYYY-MM-DD, or YYYY-MM-DDTHH:MM with the time")
        return None
    if request.url and not re.match(r"https?://\S+$", request.url):
        problems.error(Where("--url"), f"'{request.url}' is not an http(s) address")
        return None
    data = seed_bytes(given, shown, problems)
    text = None if data is None else decode_seed(data, shown, problems)
    if data is None or text is None:
        return None
    in_place = given.resolve().parent == (root / "seeds").resolve()
    kind = "text" if given.suffix.lower() == ".txt" else "html"
    found = page_metadata(text) if kind == "html" else {}
    found = _with_headline(found, root, text, kind, given.stem, problems)
    if request.url:
        found["url"] = Found(strip_tracking(request.url), "--url")
    sid = _id(root, request, given, found, data, in_place, problems)
    if sid is None:
        return None
    seed = given if in_place else root / "seeds" / f"{sid}{given.suffix.lower()}"
    yaml_path = root / "content" / "sources" / f"{sid}.yaml"
    written = annotation_text(sid, rel(seed, root), found, _capture(request, data, given))
    if not in_place:
        _create(seed, data)
    try:
        _create(yaml_path, written.encode("utf-8"))
    except BaseException:
        if not in_place:
            seed.unlink()
        raise
    return _summary(rel(seed, root), rel(yaml_path, root), found, capture.sha256(data))


def _with_headline(found: dict[str, Found], root: Path, text: str, kind: str, stem: str,
                   problems: Problems) -> dict[str, Found]:
    """The metadata, with the headline the boilerplate stripper sees when the page's metadata
    gives none (a text file has no metadata)."""
    if "headline" in found:
        return found
    cleaned = clean_text(text, dossier_rules(root, Problems()), kind=kind, source_id=stem)
    if cleaned.headline:
        found = {**found, "headline": Found(cleaned.headline,
                                            "the line above the article that reads as its "
                                            "headline (dossier clean --explain)")}
    return found


def _id(root: Path, request: Request, given: Path, found: dict[str, Found], data: bytes,
        in_place: bool, problems: Problems) -> str | None:
    """The new source's id: --id, the seed's own name when it is already in seeds/, or one
    made from the address or headline (with -2, -3 … when taken); None when refused."""
    digest = capture.sha256(data)
    for other in sorted((root / "seeds").glob("*")):  # the same size first: read only those
        if other.is_file() and other.stat().st_size == len(data) \
                and other.resolve() != given.resolve() \
                and capture.sha256(read_regular(other)) == digest:
            problems.error(Where(str(given)), f"this file is already in the dossier as "
                           f"{rel(other, root)} (the same bytes); nothing to add")
            return None
    if in_place and request.sid and request.sid != given.stem:
        problems.error(Where("--id"), f"{rel(given, root)} is already in seeds/, so its id is "
                       f"its file name, '{given.stem}'; rename the file to change it")
        return None
    if in_place or request.sid:
        sid = given.stem if in_place else request.sid
        problem = _refusal(root, sid, given if in_place else None)
        if problem:
            problems.error(Where("--id" if request.sid and not in_place else str(given)),
                           problem)
            return None
        return sid
    base = slug_for(found, given.stem)
    for n in range(1, 1000):
        sid = base if n == 1 else f"{base[:SLUG_CHARS - 4]}-{n}"
        if not _refusal(root, sid, None):
            return sid
    problems.error(Where(str(given)), "no free id; give one with --id")
    return None


def _refusal(root: Path, sid: str, seed: Path | None) -> str:
    """Why `sid` cannot be the new source's id, or ''. `seed`: the seed is already in place."""
    if not SAFE_ID.fullmatch(sid) or len(sid) > MAX_ID:
        return (f"'{sid}' cannot be an id: use letters, digits, '-', '_' and '.', at most "
                f"{MAX_ID} characters, starting with a letter or digit")
    if sid.casefold() in RESERVED_IDS:
        return f"'{sid}' is taken by a page of the site; choose another id"
    taken = [p for p in (root / "seeds").glob("*")
             if p.stem.casefold() == sid.casefold()
             and (seed is None or p.resolve() != seed.resolve())]
    if taken:
        return f"{rel(taken[0], root)} already exists; nothing was overwritten: choose another id"
    yaml_path = root / "content" / "sources" / f"{sid}.yaml"
    if os.path.lexists(yaml_path):
        return (f"{rel(yaml_path, root)} already exists; nothing was overwritten"
                + ("" if seed else ": choose another id"))
    return ""


def slug_for(found: dict[str, Found], stem: str) -> str:
    """An id from the page's address (its last meaningful path segment), else its headline,
    else the file's name: lower-case ASCII words joined by '-'."""
    url = str(found["url"].value) if "url" in found else ""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments:
        last = re.sub(r"\.(s?html?|php|aspx?)$", "", segments[-1], flags=re.I)
        slug = _slug(last)
        if len(re.findall(r"[a-z]+", slug)) >= 2:
            return slug
    if "headline" in found:
        slug = _slug(" ".join(str(found["headline"].value).split()[:SLUG_WORDS]))
        if slug:
            return slug
    return _slug(stem) or "source"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_CHARS:
        slug = slug[:SLUG_CHARS].rsplit("-", 1)[0]
    return slug


def _capture(request: Request, data: bytes, given: Path) -> dict[str, str]:
    """The capture block's fields."""
    out = {"sha256": capture.sha256(data)}
    if request.retrieved:
        out["retrieved"] = request.retrieved
    else:
        stamp = datetime.fromtimestamp(given.stat().st_mtime, UTC)
        out["retrieved"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        out["retrieved_note"] = ("the saved file's modification time (no --retrieved was "
                                 "given); correct it if you know when the page was saved")
    form = "saved web page" if given.suffix.lower() != ".txt" else "text file"
    out["method"] = f"{form} {given.name}, added with dossier add {_version()}"
    if request.collector:
        out["collector"] = request.collector
    return out


def _version() -> str:
    try:
        return installed.version("dossier")
    except installed.PackageNotFoundError:
        return "(version unknown)"


def annotation_text(sid: str, seed: str, found: dict[str, Found], capt: dict[str, str]) -> str:
    """content/sources/<id>.yaml as `add` writes it: each field with where it came from."""
    lines = [f"# Annotations for {seed}, started by `dossier add`.",
             "# Each field says where it was found: check it against the page.", ""]
    todo = []
    for name, key, what in FIELDS:
        if name not in found:
            todo.append(f"# {key}: not in the page's metadata; fill it in ({what})")
            continue
        lines += _field(key, found[name])
    lines += todo
    lines.append("capture:")
    for key, value in capt.items():
        comment = f"  # of {seed}, computed by dossier add" if key == "sha256" else ""
        lines.append(f"  {key}: {_scalar(value)}{comment}")
    lines += ["  # archives:  # copies you made in web archives, if any:",
              "  #   - {url: https://web.archive.org/web/…, date: YYYY-MM-DD}",
              "",
              "# Annotate below: mentions, dates and quotes (see the README, \"Annotate\").",
              "# mentions:",
              "#   - {quote: Exact words of the text, entity: entity-id}", ""]
    return "\n".join(lines)


FIELDS = (("headline", "headline", "the article's headline"),
          ("authors", "author", "who wrote it, as the byline says"),
          ("publisher", "publisher", "who published the page"),
          ("published", "published", "published: {date: YYYY-MM-DD}"),
          ("url", "url", "the address the page was saved from"),
          ("language", "language", "the article's language, e.g. en"))
"""(metadata key, YAML key, what to fill in) in the order the file lists them."""


def _field(key: str, found: Found) -> list[str]:
    """The YAML lines of one field found in the page."""
    origin = f"  # {found.origin}"
    value = found.value
    if key == "published":
        if found.origin in GUESSED:
            why = (f"Found by {found.origin}, not read from a field of the page made for the "
                   "publication date; check it against the page.")
            return ["published:", f"  date: {_scalar(str(value))}{origin}", "  inferred: true",
                    f"  reasoning: {_scalar(why)}"]
        return ["published:", f"  date: {_scalar(str(value))}{origin}"]
    if key == "author" and not isinstance(value, str):
        names = list(value)
        shown = _scalar(names[0]) if len(names) == 1 else \
            "[" + ", ".join(_scalar(n, flow=True) for n in names) + "]"
        return [f"author: {shown}{origin}"]
    return [f"{key}: {_scalar(str(value))}{origin}"]


def _scalar(value: str, flow: bool = False) -> str:
    """`value` as a YAML scalar that reads back as the same string: plain when it can be,
    quoted otherwise (what yaml.safe_dump decides; in a flow list, commas force quotes)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=1 << 20, default_style=None)
    text = text.removesuffix("\n").removesuffix("\n...").strip()
    if flow and re.search(r"[,\[\]{}]", text) and not text.startswith(("'", '"')):
        text = yaml.safe_dump(value, allow_unicode=True, width=1 << 20,
                              default_style='"').strip()
    return text


def _create(path: Path, data: bytes) -> None:
    """Write a new file; never replace one (O_EXCL), never follow a link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _summary(seed: str, yaml_path: str, found: dict[str, Found], digest: str) -> str:
    got = [key for name, key, _ in FIELDS if name in found]
    missing = [key for name, key, _ in FIELDS if name not in found]
    return (f"Added {seed} (SHA-256 {digest}) and {yaml_path}.\n"
            f"From the page: {', '.join(got) or 'nothing'}."
            + (f" Still to fill in: {', '.join(missing)}." if missing else "")
            + f"\nCheck {yaml_path} against the page, then: dossier build")
