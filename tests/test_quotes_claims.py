"""Who said what, and claims side by side, on the miniature dossier."""

from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import build

QUOTES_ALPHA = """\
    quotes:
      - quote: Gen. Hossein Hamedani was killed near Aleppo on Thursday
        speaker: associated-press
        kind: reported
        channel: the Associated Press said
        date: "2015-10-15"
      - quote: Hamadani had advised the Syrian Arab Army in Aleppo since last year
        anonymous: a Syrian security source
        kind: reported
        channel: told AFP
"""
QUOTES_BETA = """\
    quotes:
      - quote: The Bassel al-Assad International Airport stayed closed
        anonymous: A Syrian security source
        kind: reported
"""
CLAIMS = """\
    # yaml-language-server: $schema=../dossier/schema/claims.schema.json
    - id: where-killed
      question: Where was Hamedani killed?
      answers:
        - source: alpha
          quote: killed near Aleppo
          answer: near Aleppo
          speaker: associated-press
        - source: beta
          quote: was buried in Tehran
          answer: buried in Tehran
    - id: general
      question: Was Hamedani a general?
      answers:
        - {source: alpha, quote: Gen. Hossein Hamedani, answer: "yes"}
        - {source: beta, quote: top general, answer: "yes"}
"""


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + textwrap.dedent(text), encoding="utf-8")


def build_quietly(root: Path, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = build.main(["--root", str(root), *args])
    return code, err.getvalue()


@pytest.fixture
def quoted(mini: Path) -> Path:
    append(mini / "content/sources/alpha.yaml", QUOTES_ALPHA)
    append(mini / "content/sources/beta.yaml", QUOTES_BETA)
    (mini / "content/claims.yaml").write_text(textwrap.dedent(CLAIMS), encoding="utf-8")
    code, err = build_quietly(mini)
    assert code == 0, err
    return mini


def page(root: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((root / "site" / path).read_text(encoding="utf-8"), "html.parser")


def test_a_named_speaker_page_lists_what_it_said(quoted):
    section = page(quoted, "organisations/associated-press.html").find(id="h-said").parent
    items = section.select("ol.said > li")
    assert len(items) == 1
    assert items[0].blockquote.get_text(strip=True) == ("Gen. Hossein Hamedani was killed near "
                                                        "Aleppo on Thursday")
    byline = items[0].select_one("p.byline")
    assert "reported: the Associated Press said" in byline.get_text()
    assert byline.time["datetime"] == "2015-10-15"
    assert byline.find_all("a")[-1]["href"] == "../sources/alpha.html#p-1"


def test_unnamed_sources_are_grouped_and_counted(quoted):
    quotes = page(quoted, "quotes.html")
    assert "2 of 3" in quotes.find("main").p.get_text()
    unnamed = quotes.find(id="h-unnamed").parent
    assert [h.get_text(" ", strip=True) for h in unnamed.find_all("h3")] == [
        "a Syrian security source 2"]
    assert [a["href"] for a in unnamed.select("p.byline a")] == [
        "sources/alpha.html#p-2", "sources/beta.html#p-2"]


def test_the_source_page_says_who_is_quoted(quoted):
    section = page(quoted, "sources/alpha.html").find(id="h-quoted").parent
    bylines = [p.get_text(" ", strip=True) for p in section.select("p.byline")]
    assert bylines[0].startswith("Associated Press · reported: the Associated Press said")
    assert bylines[1].startswith("a Syrian security source unnamed · reported: told AFP")


def test_claims_show_conflict_and_agreement_with_links_to_the_passage(quoted):
    claims = page(quoted, "claims.html")
    where = claims.find(id="claim-where-killed")
    assert where.select_one(".flag").get_text() == "conflict"
    rows = where.find_parent("section").select("tbody tr")
    assert [r.find_all("td")[1].get_text() for r in rows] == ["buried in Tehran", "near Aleppo"] \
        or [r.find_all("td")[1].get_text() for r in rows] == ["near Aleppo", "buried in Tehran"]
    links = [r.find_all("td")[2].a["href"] for r in rows]
    assert sorted(links) == ["sources/alpha.html#p-1", "sources/beta.html#p-1"]
    general = claims.find(id="claim-general")
    assert general.select_one(".flag").get_text() == "agreement"


def test_unknown_speaker_and_unknown_source_are_errors(mini):
    append(mini / "content/sources/alpha.yaml", QUOTES_ALPHA.replace(
        "speaker: associated-press", "speaker: asociated-press"))
    (mini / "content/claims.yaml").write_text(textwrap.dedent(CLAIMS).replace(
        "source: beta\n", "source: betta\n"), encoding="utf-8")
    code, err = build_quietly(mini)
    assert code == 1
    assert ("content/sources/alpha.yaml:27:5: error: unknown speaker 'asociated-press' (did you "
            "mean 'associated-press'?)") in err
    assert ("content/claims.yaml:9:7: error: unknown source 'betta' (did you mean 'beta'?)"
            in err)


def test_a_claim_citing_a_source_whose_annotations_are_broken_names_only_that_file(quoted):
    """The broken file is the one error: the claims that cite its source do not add an
    'unknown source' each (the seed is there; its annotations could not be read)."""
    append(quoted / "content/sources/beta.yaml", "headline: [broken\n")
    code, err = build_quietly(quoted)
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert code == 1 and len(errors) == 1
    assert errors[0].startswith("content/sources/beta.yaml:") and "YAML syntax" in errors[0]


def test_a_claim_whose_passage_no_longer_anchors_is_reported_by_check(quoted):
    seed = quoted / "seeds/beta.txt"
    seed.write_text(seed.read_text().replace("was buried in Tehran", "was laid to rest in "
                                             "Tehran"))
    code, err = build_quietly(quoted, "check")
    assert code == 1
    assert "content/claims.yaml:9:7: error: 'was buried in Tehran' is orphaned" in err


def test_a_quote_must_name_exactly_one_kind_of_speaker(mini):
    append(mini / "content/sources/alpha.yaml", """\
        quotes:
          - {quote: Hamadani had advised, kind: reported}
        """)
    code, err = build_quietly(mini)
    assert code == 1
    assert ("content/sources/alpha.yaml:27:5: error: quotes[0]: needs one of speaker or "
            "anonymous") in err
