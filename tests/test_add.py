"""`dossier init`, `dossier add` and `dossier build` as a user meets them: each saved page of
tests/pages/ added to a new dossier (seed byte for byte, annotation file from the page's own
metadata, capture block), built, and checked on the built page, in data/SHA256SUMS (with
`sha256sum -c`) and data/sources.json; a seed changed by one byte stops the build; the ids,
the refusals, --url, the build-time fallback to the page's metadata, text seeds, and the
commands outside a dossier."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from bs4 import BeautifulSoup

from dossier.cli import main
from dossier.metadata import HTMLDATE, TRAFILATURA
from tests.conftest import tree_digest
from tests.test_metadata import EXPECTED as METADATA

PAGES = Path(__file__).resolve().parent / "pages"
MTIME = datetime(2021, 6, 15, 8, 30, tzinfo=UTC).timestamp()
"""The modification time given to each saved page before it is added..."""
MTIME_TEXT = "2021-06-15T08:30:00Z"
"""...and how the capture block must record it."""
NOTE_TODO = "# {key}: not in the page's metadata; fill it in"


class Page(NamedTuple):
    """What `dossier add` must find in a fixture: its id, and each field ('' or () when the
    page does not give it). The values are those tests/test_metadata.py asserts for
    page_metadata (test_the_table_is_test_metadatas checks that they stay the same)."""

    sid: str
    headline: str
    authors: tuple[str, ...]
    publisher: str
    published: str
    url: str
    language: str


FIXTURES = {
    "jsonld-only.html": Page(
        "ferry-fares-rise", "Ferry fares to rise by a fifth from September",
        ("Mara Lindqvist",), "Harbour Gazette Media Ltd", "2021-06-14",
        "https://www.harbourgazette.example/local/2021/06/ferry-fares-rise", "en-CA"),
    "opengraph-only.html": Page(
        "four-day-week-vote", "School board votes to keep the four-day week",
        ("Priya Raman", "Tomás Okafor"), "Northfield Courier", "2023-02-08",
        "https://www.northfieldcourier.example/education/2023/02/four-day-week-vote?page=2",
        "en-US"),
    "meta-author-only.html": Page(
        "greve-des-controleurs-aeriens-ce-qui-change-samedi",
        "Grève des contrôleurs aériens : ce qui change samedi",
        ("Claire Dubois", "Julien Marchand"), "", "2022-09-15", "", "fr"),
    # No address: the id comes from the headline.
    "no-metadata.html": Page(
        "allotment-society-elects-a-new-chair", "Allotment society elects a new chair",
        (), "", "", "", ""),
    "several-authors.html": Page(
        "cedar-pass-fire-update", "Wildfire crews gain ground as winds ease",
        ("Dana Whitcomb", "Luis Ferreira", "Aiko Tanaka"), "Ridgeline Post", "2020-08-21",
        "https://ridgelinepost.example/news/cedar-pass-fire-update", "en-GB"),
    "publisher-as-author.html": Page(
        "bus-routes-north", "Council approves new bus routes for the northern suburbs",
        (), "Valley Wire", "2024-03-11",
        "https://valleywire.example/2024/03/11/bus-routes-north/", "en-AU"),
    "malformed-jsonld.html": Page(
        "algae-bloom-beaches", "Algae bloom closes three beaches",
        ("Omar Haddad", "Ines Kowalski"), "Lakeshore Ledger", "2022-07-30",
        "https://www.lakeshoreledger.example/news/algae-bloom-beaches", "en"),
    "graph-references.html": Page(
        "oyster-farms-reprieve", "Oyster farms win reprieve from dredging plan",
        ("Sam Beaulieu",), "Tidewater Review Media Cooperative", "2019-11-04",
        "https://tidewaterreview.example/2019/11/oyster-farms-reprieve/", "en-US"),
}

KEYS = {"headline": "headline", "authors": "author", "publisher": "publisher",
        "published": "published", "url": "url", "language": "language"}
"""page_metadata's field -> the annotation file's key."""

TEXT_SEED = """\
Local news

Library opens on Sundays

The town library will open on Sundays from next month, the council said on Tuesday.
Volunteers will staff the reading room.

Back to top
"""


# ------------------------------------------------------------ helpers

def dossier(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`dossier ARGS` in this process: (exit code, standard output, standard error)."""
    capsys.readouterr()
    code = main(list(args), prog="dossier")
    out, err = capsys.readouterr()
    return code, out, err


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dossier ARGS` in a process of its own, in `cwd` (a hang fails after 120 s)."""
    return subprocess.run([sys.executable, "-c", "from dossier.cli import run; run()", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Path:
    """A new dossier made by `dossier init`, the current folder."""
    monkeypatch.chdir(tmp_path)
    code, out, err = dossier(capsys, "init", "files")
    assert (code, err) == (0, "") and "Started the dossier" in out
    root = tmp_path / "files"
    monkeypatch.chdir(root)
    return root


def saved(tmp_path: Path, fixture: str, name: str = "", extra: bytes = b"") -> Path:
    """A fixture page as the user saved it, outside the dossier (under `name`, with `extra`
    bytes at its end), its modification time MTIME."""
    target = tmp_path / "downloads" / (name or fixture)
    target.parent.mkdir(exist_ok=True)
    target.write_bytes((PAGES / fixture).read_bytes() + extra)
    os.utime(target, (MTIME, MTIME))
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def annotation(root: Path, sid: str) -> tuple[str, dict]:
    """content/sources/<sid>.yaml: its text and what it reads as."""
    text = (root / "content" / "sources" / f"{sid}.yaml").read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def value_line(text: str, key: str) -> str:
    """The one line of an annotation file that holds `key`'s value (published: its date)."""
    start = "  date: " if key == "published" else f"{key}: "
    lines = [line for line in text.splitlines() if line.startswith(start)]
    assert len(lines) == 1, (key, text)
    return lines[0]


def source_page(root: Path, sid: str) -> BeautifulSoup:
    return BeautifulSoup((root / "site" / "sources" / f"{sid}.html").read_text(encoding="utf-8"),
                         "html.parser")


def facts(soup: BeautifulSoup) -> dict[str, object]:
    """The source's own <dl class=meta> (the first one): each <dt>'s text -> its <dd>."""
    box = soup.find("dl", class_="meta")
    return {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in box.find_all("dt")}


def integrity(soup: BeautifulSoup) -> object:
    box = soup.find("section", class_="integrity")
    assert box is not None
    return box


def authors_of(data: dict) -> tuple[str, ...]:
    value = data.get("author", ())
    return (value,) if isinstance(value, str) else tuple(value)


def built(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """`dossier build` that must succeed; its standard error."""
    code, out, err = dossier(capsys, "build", *args)
    assert code == 0, err
    assert out.startswith("Built ")
    return err


# ------------------------------------------------------------ 1. every fixture, end to end

def test_every_fixture_is_in_the_table():
    assert sorted(FIXTURES) == sorted(p.name for p in PAGES.glob("*.html"))


def test_the_table_is_test_metadatas():
    """The fields this file expects `add` to write are what page_metadata is tested to find."""
    for name, page in FIXTURES.items():
        given = {field: getattr(page, field) for field in KEYS if getattr(page, field)}
        assert given == {field: value for field, (value, _) in METADATA[name].items()
                         if field != "site_name"}, name


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_add_then_build(project, tmp_path, capsys, fixture):
    page, origins = FIXTURES[fixture], METADATA[fixture]
    original = saved(tmp_path, fixture)
    code, out, err = dossier(capsys, "add", str(original))
    assert (code, err) == (0, "")
    digest = sha256(PAGES / fixture)
    seed = project / "seeds" / f"{page.sid}.html"
    assert f"Added seeds/{page.sid}.html (SHA-256 {digest})" in out
    # The seed is the saved page byte for byte; the saved page is left as it was.
    assert seed.read_bytes() == (PAGES / fixture).read_bytes()
    assert original.read_bytes() == (PAGES / fixture).read_bytes()
    assert sorted(p.name for p in (project / "seeds").iterdir()) == [".gitkeep", seed.name]

    # The annotation file: each field the page gives, with where it came from.
    text, data = annotation(project, page.sid)
    assert text.startswith(f"# Annotations for seeds/{page.sid}.html, started by `dossier add`.")
    for field, key in KEYS.items():
        expected = getattr(page, field)
        if not expected:
            assert key not in data, (key, text)
            assert any(line.startswith(NOTE_TODO.format(key=key))
                       for line in text.splitlines()), (key, text)
            continue
        origin = origins[field][1]
        assert value_line(text, key).endswith(f"  # {origin}"), (key, text)
        assert NOTE_TODO.format(key=key) not in text
        if field == "authors":
            assert authors_of(data) == expected
        elif field == "published":
            assert data["published"]["date"] == expected
            if origin in (HTMLDATE, TRAFILATURA):  # found by searching the page: inferred
                assert data["published"]["inferred"] is True
                assert origin in data["published"]["reasoning"]
            else:
                assert set(data["published"]) == {"date"}
        else:
            assert data[key] == expected
    assert set(data) <= {*KEYS.values(), "capture"}
    assert set(data["capture"]) == {"sha256", "retrieved", "retrieved_note", "method"}
    assert (data["capture"]["sha256"], data["capture"]["retrieved"]) == (digest, MTIME_TEXT)

    # The build, and the source page.
    built(capsys)
    soup = source_page(project, page.sid)
    assert soup.find("h1").get_text(strip=True) == page.headline
    shown = facts(soup)
    if page.authors:
        label = "Authors" if len(page.authors) > 1 else "Author"
        assert shown[label].get_text(strip=True) == ", ".join(page.authors)
    else:
        assert "Author" not in shown and "Authors" not in shown
    if page.publisher:
        assert shown["Publisher"].get_text(strip=True) == page.publisher
    else:
        assert "Publisher" not in shown
    if page.published:
        assert shown["Published"].find("time")["datetime"] == page.published
    else:
        assert "Published" not in shown
    if page.url:
        link = shown["Original"].find("a")
        assert (link["href"], link.get_text(strip=True)) == (page.url, page.url)
    else:
        assert "Original" not in shown
    if page.language:
        assert shown["Language"].get_text(strip=True) == page.language
    else:
        assert "Language" not in shown
    box = integrity(soup)
    assert box.find("code", class_="digest").get_text(strip=True) == digest
    assert "matches the recorded digest" in box.get_text()
    assert box.find("time")["datetime"] == MTIME_TEXT

    # The published digests, which sha256sum reads in the dossier's folder.
    sums = project / "site" / "data" / "SHA256SUMS"
    assert sums.read_text(encoding="utf-8") == f"{digest}  seeds/{page.sid}.html\n"
    checked = subprocess.run(["sha256sum", "-c", "site/data/SHA256SUMS"], cwd=project,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"seeds/{page.sid}.html: OK\n"

    # The open data.
    records = json.loads((project / "site" / "data" / "sources.json").read_text("utf-8"))
    record = next(r for r in records if r["id"] == page.sid)
    assert record["author"] == "; ".join(page.authors)
    assert record["language"] == page.language
    assert record["sha256"] == digest and record["sha256_recorded"] is True
    assert record["retrieved"] == MTIME_TEXT


def test_the_quick_start_in_real_processes(tmp_path):
    """README's quick start, each command a process of its own: init, add, build."""
    original = saved(tmp_path, "several-authors.html", "article.html")
    done = run(tmp_path, "init", "wework-files")
    assert done.returncode == 0, done.stderr
    root = tmp_path / "wework-files"
    done = run(root, "add", str(original))
    assert done.returncode == 0, done.stderr
    assert "Added seeds/cedar-pass-fire-update.html" in done.stdout
    done = run(root, "build")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    page = (root / "site" / "sources" / "cedar-pass-fire-update.html").read_text("utf-8")
    assert "Wildfire crews gain ground as winds ease" in page


# ------------------------------------------------------------ 2. evidence integrity

def flip(data: bytes) -> bytes:
    """One letter of the article's text in the other case: one byte, still UTF-8."""
    at = data.index(b"Firefighters")
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]


@pytest.mark.parametrize("change", [flip, lambda data: data + b" ", lambda data: data + b"\xff"],
                         ids=["flip", "append", "no-longer-utf-8"])
def test_a_seed_changed_by_one_byte_stops_the_build(project, tmp_path, capsys, change):
    assert dossier(capsys, "add", str(saved(tmp_path, "several-authors.html")))[0] == 0
    built(capsys)
    seed = project / "seeds" / "cedar-pass-fire-update.html"
    good, recorded = seed.read_bytes(), sha256(seed)
    site = tree_digest(project / "site")
    seed.write_bytes(change(good))
    assert len(seed.read_bytes()) - len(good) in (0, 1)
    now = sha256(seed)
    assert now != recorded

    code, out, err = dossier(capsys, "build")
    assert code == 1 and out == ""
    wrong = [line for line in err.splitlines() if "no longer matches" in line]
    assert len(wrong) == 1, err
    assert wrong[0].startswith("seeds/cedar-pass-fire-update.html: error: ")
    assert f"recorded {recorded}, now {now}" in wrong[0]
    assert "Build failed" in err
    assert tree_digest(project / "site") == site

    code, out, err = dossier(capsys, "check")
    assert code == 1
    assert "seeds/cedar-pass-fire-update.html: error: the seed no longer matches" in err
    assert f"recorded {recorded}, now {now}" in err

    seed.write_bytes(good)
    built(capsys)
    assert dossier(capsys, "check")[0] == 0


def test_check_strict_lists_a_seed_with_no_digest(project, tmp_path, capsys):
    assert dossier(capsys, "add", str(saved(tmp_path, "several-authors.html")))[0] == 0
    path = project / "content" / "sources" / "cedar-pass-fire-update.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("  sha256:")]
    assert len(lines) == len(text.splitlines()) - 1
    path.write_text("".join(lines), encoding="utf-8")
    digest = sha256(project / "seeds" / "cedar-pass-fire-update.html")

    code, _, err = dossier(capsys, "check", "--strict")
    assert code == 1
    assert (f"seeds/cedar-pass-fire-update.html: warning: no digest recorded for this seed: add "
            f"`capture: {{sha256: {digest}}}`") in err
    code, _, err = dossier(capsys, "check")
    assert code == 0 and "no digest recorded" not in err


# ------------------------------------------------------------ 3. the capture block

def test_retrieved_and_collector_given(project, tmp_path, capsys):
    original = saved(tmp_path, "jsonld-only.html", "Saved Article.html")
    code, _, err = dossier(capsys, "add", str(original), "--retrieved", "2024-03-05",
                           "--collector", "A. Person")
    assert (code, err) == (0, "")
    text, data = annotation(project, "ferry-fares-rise")
    assert "  retrieved: '2024-03-05'" in text.splitlines()
    assert "retrieved_note" not in data["capture"]
    assert data["capture"]["collector"] == "A. Person"
    method = data["capture"]["method"]
    assert "Saved Article.html" in method and "dossier add" in method
    built(capsys)
    box = integrity(source_page(project, "ferry-fares-rise"))
    assert box.find("time")["datetime"] == "2024-03-05"
    assert "A. Person" in box.get_text()


def test_retrieved_is_the_files_modification_time(project, tmp_path, capsys):
    original = saved(tmp_path, "jsonld-only.html")
    os.utime(original, (MTIME + 86_400, MTIME))  # the access time is not the one
    assert dossier(capsys, "add", str(original))[0] == 0
    _, data = annotation(project, "ferry-fares-rise")
    assert data["capture"]["retrieved"] == MTIME_TEXT
    assert "modification time" in data["capture"]["retrieved_note"]
    assert "collector" not in data["capture"]
    assert "jsonld-only.html" in data["capture"]["method"]


# ------------------------------------------------------------ 4. ids

def test_id_given(project, tmp_path, capsys):
    code, out, _ = dossier(capsys, "add", str(saved(tmp_path, "jsonld-only.html")),
                           "--id", "my-id")
    assert code == 0 and "Added seeds/my-id.html" in out
    assert (project / "seeds" / "my-id.html").read_bytes() == \
        (PAGES / "jsonld-only.html").read_bytes()
    text, data = annotation(project, "my-id")
    assert text.startswith("# Annotations for seeds/my-id.html")
    assert data["headline"] == FIXTURES["jsonld-only.html"].headline
    assert not (project / "seeds" / "ferry-fares-rise.html").exists()


def test_a_taken_id_gets_a_number(project, tmp_path, capsys):
    assert dossier(capsys, "add", str(saved(tmp_path, "several-authors.html")))[0] == 0
    other = saved(tmp_path, "several-authors.html", "again.html", extra=b"\n")
    code, out, _ = dossier(capsys, "add", str(other))
    assert code == 0 and "Added seeds/cedar-pass-fire-update-2.html" in out
    assert sorted(p.name for p in (project / "seeds").iterdir()) == [
        ".gitkeep", "cedar-pass-fire-update-2.html", "cedar-pass-fire-update.html"]
    assert (project / "seeds" / "cedar-pass-fire-update-2.html").read_bytes() == \
        other.read_bytes()
    _, data = annotation(project, "cedar-pass-fire-update-2")
    assert data["capture"]["sha256"] == sha256(other)
    _, first = annotation(project, "cedar-pass-fire-update")
    assert first["capture"]["sha256"] == sha256(PAGES / "several-authors.html")
    built(capsys)


def binary(folder: Path) -> Path:
    path = folder / "photo.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x00")
    return path


def renamed(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes((PAGES / "jsonld-only.html").read_bytes())
    return path


@pytest.mark.parametrize(("make", "args", "message"), [
    pytest.param(lambda d: d / "several-authors.html", (),
                 "this file is already in the dossier as seeds/cedar-pass-fire-update.html "
                 "(the same bytes); nothing to add", id="same-file-again"),
    pytest.param(lambda d: shutil.copy(d / "several-authors.html", d / "other name.htm"), (),
                 "this file is already in the dossier as seeds/cedar-pass-fire-update.html "
                 "(the same bytes); nothing to add", id="same-bytes-other-name"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--id", "cedar-pass-fire-update"),
                 "--id: error: seeds/cedar-pass-fire-update.html already exists; nothing was "
                 "overwritten: choose another id", id="taken-id"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--id", "Cedar-Pass-Fire-Update"),
                 "seeds/cedar-pass-fire-update.html already exists", id="taken-id-other-case"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--id", "index"),
                 "'index' is taken by a page of the site", id="reserved-id"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--id", "../escape"),
                 "'../escape' cannot be an id", id="unsafe-id"),
    pytest.param(lambda d: renamed(d, "article.pdf"), (),
                 "dossier add takes a saved web page (.html, .htm) or a text file (.txt)",
                 id="suffix"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--retrieved", "yesterday"),
                 "--retrieved: error: 'yesterday' is not a date", id="retrieved"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--retrieved", "2024-02-30"),
                 "--retrieved: error: '2024-02-30' is not a date", id="retrieved-no-such-day"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--retrieved", "2024-03-05T25:61"),
                 "--retrieved: error: '2024-03-05T25:61' is not a date", id="retrieved-clock"),
    pytest.param(lambda d: renamed(d, "jsonld-only.html"), ("--url", "ftp://example.org/a"),
                 "--url: error: 'ftp://example.org/a' is not an http(s) address", id="url"),
    pytest.param(binary, (), "this looks like a binary file (it contains NUL bytes); seeds "
                 "must be text (.txt) or saved web pages (.html)", id="binary"),
])
def test_refused_and_nothing_written(project, tmp_path, capsys, make, args, message):
    assert dossier(capsys, "add", str(saved(tmp_path, "several-authors.html")))[0] == 0
    built(capsys)
    path = Path(make(tmp_path / "downloads"))
    before, given = tree_digest(project), path.read_bytes()
    code, out, err = dossier(capsys, "add", str(path), *args)
    assert (code, out) == (1, "")
    assert message in err and err.endswith("Nothing was added.\n"), err
    assert tree_digest(project) == before
    assert path.read_bytes() == given


def test_a_file_already_in_seeds_gets_its_annotation_file(project, capsys):
    seed = project / "seeds" / "hand.html"
    shutil.copy(PAGES / "graph-references.html", seed)
    listing = sorted(p.name for p in (project / "seeds").iterdir())
    code, out, err = dossier(capsys, "add", "seeds/hand.html")  # relative, as a user types it
    assert (code, err) == (0, ""), err
    assert "Added seeds/hand.html" in out
    assert sorted(p.name for p in (project / "seeds").iterdir()) == listing
    assert seed.read_bytes() == (PAGES / "graph-references.html").read_bytes()
    text, data = annotation(project, "hand")
    assert text.startswith("# Annotations for seeds/hand.html")
    assert data["headline"] == FIXTURES["graph-references.html"].headline
    assert data["capture"]["sha256"] == sha256(seed)
    assert "hand.html" in data["capture"]["method"]
    assert sorted(p.name for p in (project / "content" / "sources").iterdir()) == [
        ".gitkeep", "hand.yaml"]
    built(capsys)
    # Once annotated, adding it again is refused and changes nothing.
    before = tree_digest(project)
    code, _, err = dossier(capsys, "add", str(seed.resolve()))
    assert code == 1 and "nothing was overwritten" in err
    assert tree_digest(project) == before


# ------------------------------------------------------------ 5. --url

def test_url_given_loses_its_tracking(project, tmp_path, capsys):
    code, _, err = dossier(capsys, "add", str(saved(tmp_path, "jsonld-only.html")),
                           "--url", "https://example.org/a?utm_source=x&id=3")
    assert (code, err) == (0, "")
    # The address's last segment is one word: the id comes from the headline.
    sid = "ferry-fares-to-rise-by-a-fifth-from-september"
    text, data = annotation(project, sid)
    assert data["url"] == "https://example.org/a?id=3"
    assert value_line(text, "url").endswith("  # --url")
    assert "harbourgazette" not in text
    built(capsys)
    link = facts(source_page(project, sid))["Original"].find("a")
    assert link["href"] == "https://example.org/a?id=3"


# ------------------------------------------------------------ 6. the page's metadata at build time

def test_a_seed_with_no_annotation_file_shows_the_pages_metadata(project, capsys):
    shutil.copy(PAGES / "jsonld-only.html", project / "seeds" / "ferry.html")
    err = built(capsys)
    assert "seeds/ferry.html: warning: no annotations: add content/sources/ferry.yaml" in err
    soup = source_page(project, "ferry")
    assert soup.find("h1").get_text(strip=True) == "Ferry fares to rise by a fifth from September"
    shown = facts(soup)
    assert shown["Published"].find("time")["datetime"] == "2021-06-14"
    assert shown["Author"].get_text(strip=True) == "Mara Lindqvist"
    note = soup.find("p", class_="note").get_text(" ", strip=True)
    assert note.startswith("Taken from the saved page’s own metadata")
    assert "headline" in note and "publication date" in note
    assert soup.find("p", class_="warning") is not None  # shown as unannotated
    assert not (project / "content" / "sources" / "ferry.yaml").exists()  # the build never adds


def test_the_annotation_file_wins_and_the_page_fills_in(project, capsys):
    shutil.copy(PAGES / "several-authors.html", project / "seeds" / "fire.html")
    (project / "content" / "sources" / "fire.yaml").write_text("headline: My own headline\n",
                                                                encoding="utf-8")
    built(capsys)
    soup = source_page(project, "fire")
    assert soup.find("h1").get_text(strip=True) == "My own headline"
    shown = facts(soup)
    assert shown["Authors"].get_text(strip=True) == "Dana Whitcomb, Luis Ferreira, Aiko Tanaka"
    assert shown["Publisher"].get_text(strip=True) == "Ridgeline Post"
    note = soup.find("p", class_="note").get_text(" ", strip=True)
    assert note == ("Taken from the saved page’s own metadata (its annotation file leaves them "
                    "out): authors, publisher, publication date, address, language.")
    assert soup.find("p", class_="warning") is None  # annotated


# ------------------------------------------------------------ 7. a text seed

def test_a_text_seed(project, tmp_path, capsys):
    original = tmp_path / "library.txt"
    original.write_text(TEXT_SEED, encoding="utf-8")
    code, out, err = dossier(capsys, "add", str(original), "--retrieved", "2024-03-05")
    assert (code, err) == (0, "")
    assert "Still to fill in: author, publisher, published, url, language." in out
    sid = "library-opens-on-sundays"
    assert (project / "seeds" / f"{sid}.txt").read_bytes() == original.read_bytes()
    text, data = annotation(project, sid)
    assert data["headline"] == "Library opens on Sundays"
    assert value_line(text, "headline").endswith("(dossier clean --explain)")
    for key in ("author", "publisher", "published", "url", "language"):
        assert key not in data
        assert any(line.startswith(NOTE_TODO.format(key=key)) for line in text.splitlines())
    assert data["capture"]["method"].startswith("text file library.txt, added with dossier add")
    err = built(capsys)
    assert (f"content/sources/{sid}.yaml:1: warning: this file does not give the publisher, "
            "published, url") in err
    assert source_page(project, sid).find("h1").get_text(strip=True) == \
        "Library opens on Sundays"


# ------------------------------------------------------------ 8. outside a dossier

def test_build_outside_a_dossier(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run(empty, "build")
    assert done.returncode == 2 and done.stdout == ""
    assert "is not inside a dossier" in done.stderr and "dossier init" in done.stderr
    assert list(empty.iterdir()) == []


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("my own notes\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before, listing = tree_digest(tmp_path), sorted(tmp_path.rglob("*"))
    code, out, err = dossier(capsys, "init", "notes")
    assert (code, out) == (1, "")
    assert "is not empty" in err and "nothing was written" in err
    assert tree_digest(tmp_path) == before and sorted(tmp_path.rglob("*")) == listing


def test_an_id_for_a_seed_already_in_place_is_refused(project, capsys):
    shutil.copy(PAGES / "graph-references.html", project / "seeds" / "g.html")
    before = tree_digest(project)
    code, _, err = dossier(capsys, "add", "seeds/g.html", "--id", "wanted")
    assert code == 1
    assert "--id: error: seeds/g.html is already in seeds/, so its id is its file name, 'g'; " \
        "rename the file to change it" in err
    assert tree_digest(project) == before


@pytest.mark.parametrize(("capture", "line", "column", "value"), [
    ("capture: {sha256: %s, retrieved: '2024-02-30'}", 1, 0, "2024-02-30"),
    ("capture:\n  sha256: %s\n  archives:\n    - {url: https://web.archive.org/x, "
     "date: 2024-13-01}", 4, 0, "2024-13-01"),
])
def test_an_impossible_capture_time_is_an_error_at_its_line(project, capsys, capture, line,
                                                            column, value):
    shutil.copy(PAGES / "graph-references.html", project / "seeds" / "g.html")
    digest = sha256(project / "seeds" / "g.html")
    (project / "content/sources/g.yaml").write_text("headline: G\n" + capture % digest + "\n")
    code, _, err = dossier(capsys, "build")
    assert code == 1
    assert f"content/sources/g.yaml:{line + 1}:" in err and f"'{value}' is not a day of the " \
        "calendar or a time of the clock; write YYYY-MM-DD or YYYY-MM-DDTHH:MM" in err, err
    assert "Traceback" not in err and "_integrity.html" not in err
