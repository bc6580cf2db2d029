"""Tests of the boilerplate stripper (dossier/clean.py) on the seeds and inline pages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dossier.clean import Rules, clean_file, clean_text, explain_lines, load_rules
from dossier.models import Cleaned, Problems

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

# seed id -> (publisher, headline, kept line numbers)
EXPECTED: dict[str, tuple[str | None, str | None, list[int]]] = {
    "000_24226ba9ecf00a29": (None, None, list(range(1, 12))),
    "001_44648399724b0241": (
        "newsweek.com",
        "Iran Sending More Military Advisers to Syria, Official Says",
        list(range(3, 22, 2)),
    ),
    "002_04fd449ed01c997c": (
        None,
        "Iranian Army Openly Deploys Troops to Syria for First Time, Uses Russian Airstrikes "
        "as Cover",
        list(range(8, 21, 2)),
    ),
    "003_ee9f25022a302441": (
        "aljazeera.com",
        "Iran ‘deploys troops’ to help Syrian army offensive",
        [n for n in [3, 5, 7, 9, 11, *range(15, 46, 2), *range(51, 62, 2)] if n != 21],
    ),
    "004_5a6f3ee7378eafbc": (
        None,
        "Security source: Iraq, Iran fighters deployed to defend Damascus",
        list(range(5, 20)),
    ),
}


@pytest.fixture
def rules(shipped_rules: Rules) -> Rules:
    return shipped_rules


def clean_seed(rules: Rules, sid: str, *, with_headline: bool = True) -> Cleaned:
    publisher, headline, _ = EXPECTED[sid]
    return clean_file(SEEDS / f"{sid}.txt", rules, source_id=sid, publisher=publisher,
                      headline=headline if with_headline else None)


def nonblank_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip(" \t\u00a0")]


# ----------------------------------------------------------------- the seeds


@pytest.mark.parametrize("sid", sorted(EXPECTED))
@pytest.mark.parametrize("with_headline", [True, False], ids=["headline", "no-headline"])
def test_seed_keeps_exactly_the_article_lines(rules, sid, with_headline):
    cleaned = clean_seed(rules, sid, with_headline=with_headline)
    assert [b.line for b in cleaned.blocks] == EXPECTED[sid][2]


@pytest.mark.parametrize("sid", sorted(EXPECTED))
@pytest.mark.parametrize("with_headline", [True, False], ids=["headline", "no-headline"])
def test_seed_headline_is_found(rules, sid, with_headline):
    cleaned = clean_seed(rules, sid, with_headline=with_headline)
    assert cleaned.headline == EXPECTED[sid][1]
    heads = [r for r in cleaned.removed if r.rule == "headline"]
    assert [r.text for r in heads] == ([EXPECTED[sid][1]] if EXPECTED[sid][1] else [])
    assert all(r.reason == "Used as the page title." for r in heads)


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_every_nonblank_line_is_kept_or_removed_once(rules, sid):
    cleaned = clean_seed(rules, sid)
    raw = (SEEDS / f"{sid}.txt").read_text(encoding="utf-8")
    seen = sorted([b.line for b in cleaned.blocks] + [r.line for r in cleaned.removed])
    assert seen == nonblank_lines(raw)
    lines = raw.splitlines()
    for b in cleaned.blocks:
        assert b.text == lines[b.line - 1].strip()
    for r in cleaned.removed:
        assert r.text == lines[r.line - 1].strip()
        assert r.rule and r.reason


def test_lookalikes_stay(rules):
    c003 = clean_seed(rules, "003_ee9f25022a302441", with_headline=False)
    by_line = {b.line: b for b in c003.blocks}
    assert by_line[37].text == "Homs offensive" and by_line[37].role == "subheading"
    assert by_line[3].text.startswith("Activists say thousands arriving via Latakia airport")
    assert by_line[3].role == "paragraph"
    c004 = clean_seed(rules, "004_5a6f3ee7378eafbc")
    assert c004.credits == ()
    assert {r.line: r.rule for r in c004.removed} == {
        1: "section-label", 3: "headline", 21: "related", 23: "back-to-top"}


def test_seed_003_removals_and_credit(rules):
    cleaned = clean_seed(rules, "003_ee9f25022a302441")
    rules_by_line = {r.line: r.rule for r in cleaned.removed}
    assert rules_by_line[21] == "related"
    assert rules_by_line[48] == "related"
    assert {63, 64, 65} <= set(rules_by_line)
    assert cleaned.credits == ("Source: Al Jazeera, News Agencies",)


def test_seed_001_promos_and_repeats_go(rules):
    cleaned = clean_seed(rules, "001_44648399724b0241")
    removed = {r.line: r.rule for r in cleaned.removed}
    assert removed[25] == removed[27] == "repeated"
    assert removed[29] == "promo"
    assert set(range(35, 46)) <= set(removed)


def test_seed_002_widgets_and_photo_credit_go(rules):
    cleaned = clean_seed(rules, "002_04fd449ed01c997c")
    removed = {r.line: r.rule for r in cleaned.removed}
    assert removed[3] == removed[4] == "widget"
    assert removed[22] == "photo-credit"
    assert removed[1] in ("section-label", "navigation")


def test_blocks_keep_text_verbatim(rules):
    cleaned = clean_seed(rules, "000_24226ba9ecf00a29")
    raw = (SEEDS / "000_24226ba9ecf00a29.txt").read_text(encoding="utf-8")
    assert cleaned.text == raw.strip()


# ----------------------------------------------------------------- generic pages

PAGE = textwrap.dedent("""\
    Home
    World
    Sports
    Subscribe

    Markets

    City council approves the new harbour bridge

    By Jane Roe
    March 3, 2021

    The city council voted on Tuesday to approve a new bridge across the harbour, ending a debate.
    Supporters said the bridge would cut commuting times in half for the north shore.
    Share
    Tweet
    Funding and costs
    The project is expected to cost about 400 million dollars, most of it paid by the region.
    Opponents warned that the costs had doubled since the first plans were drawn up in 2012.
    Most Popular
    Ten things to do this weekend in the old town
    Local team wins the cup after a dramatic final
    Privacy Policy
    © 2021 Example Media. All rights reserved.
    """)


def test_generic_page_keeps_body_and_subheading(rules):
    cleaned = clean_text(PAGE, rules)
    assert cleaned.headline == "City council approves the new harbour bridge"
    kept = [(b.text, b.role) for b in cleaned.blocks]
    assert ("Funding and costs", "subheading") in kept
    assert [t for t, _ in kept if _ == "paragraph"] == [
        line for line in PAGE.splitlines() if len(line.split()) > 12]
    removed = {r.text: r.rule for r in cleaned.removed}
    assert removed["Share"] == removed["Tweet"] == "widget"
    assert removed["By Jane Roe"] == "byline"
    assert removed["March 3, 2021"] == "dateline"
    assert removed["Markets"] == "section-label"
    assert removed["Home"] == "navigation"
    assert removed["© 2021 Example Media. All rights reserved."] == "copyright"
    assert removed["Local team wins the cup after a dramatic final"] in (
        "navigation", "outside-article")


def test_known_headline_wins_over_guess(rules):
    page = "Some Section\n\nThe real title here today\n\n" + PAGE.split("\n\n", 3)[3]
    cleaned = clean_text(page, rules, headline="The  real title here today")
    assert cleaned.headline == "The real title here today"


def test_blank_lines_crlf_bom_and_nbsp(rules):
    raw = ("\ufeffHeadline of a short story today\r\n\r\n \u00a0 \r\n"
           "This is the first paragraph of the story, and it is long enough to be prose.\r\n"
           "\u00a0\r\n"
           "This is the second paragraph of the story, also long enough to read as prose.\r\n")
    cleaned = clean_text(raw, rules)
    assert [b.line for b in cleaned.blocks] == [4, 6]
    assert [r.line for r in cleaned.removed] == [1]
    assert cleaned.blocks[0].text.endswith("prose.")


def test_empty_and_prose_free_input(rules):
    assert clean_text("", rules).blocks == ()
    cleaned = clean_text("Menu\nHome\n", rules)
    assert len(cleaned.blocks) + len(cleaned.removed) == 2


def test_output_is_deterministic(rules):
    assert clean_text(PAGE, rules) == clean_text(PAGE, rules)


def test_source_override_keeps_and_removes(tmp_path):
    yaml_text = textwrap.dedent("""\
        sources:
          s1:
            remove:
              - id: related
                text: The first paragraph of the story is long enough to be prose.
                reason: A link.
            keep: [Share]
        """)
    path = tmp_path / "b.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    problems = Problems()
    rules = load_rules(path, problems, root=tmp_path)
    assert problems.items == []
    raw = ("The first paragraph of the story is long enough to be prose.\nShare\n"
           "The second paragraph of the story is long enough to be prose.\n")
    cleaned = clean_text(raw, rules, source_id="s1")
    assert [b.text for b in cleaned.blocks] == [
        "Share", "The second paragraph of the story is long enough to be prose."]
    assert cleaned.removed[0].rule == "related"
    other = clean_text(raw, rules, source_id="s2")
    assert len(other.blocks) == 3


# ----------------------------------------------------------------- explain


def test_explain_lists_headline_then_every_line(rules):
    cleaned = clean_seed(rules, "004_5a6f3ee7378eafbc")
    out = explain_lines(cleaned)
    assert out[0] == "headline: Security source: Iraq, Iran fighters deployed to defend Damascus"
    assert out[1].startswith("   1 removed   [section-label] Middle East — ")
    assert out[3].startswith("   5 kept      Thousands of Iranian")
    assert len(out) == 1 + 19


# ----------------------------------------------------------------- html


HTML = textwrap.dedent("""\
    <html><head><title>Harbour bridge approved | Example News</title></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
    <article>
    <h1>Harbour bridge approved</h1>
    <p>The city council voted on Tuesday to approve a new bridge across the harbour, ending a
    debate that lasted almost ten years and divided the town.</p>
    <p>Supporters said the bridge would cut commuting times in half for people living on the
    northern shore, and bring new shops to the old port.</p>
    <h2>Funding and costs</h2>
    <p>The project is expected to cost about 400 million dollars, most of it paid by the
    regional government, according to the council's own figures.</p>
    <p>Opponents warned that the costs had doubled since the first plans were drawn up in
    2012, and asked for an independent review before work begins.</p>
    </article>
    <footer><p>© 2021 Example Media. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
    </body></html>
    """)


def test_html_page_is_extracted_and_cleaned(rules, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    cleaned = clean_file(path, rules)
    assert cleaned.input_kind == "html"
    text = cleaned.text
    assert "The city council voted on Tuesday" in text
    assert "independent review before work begins." in text
    assert "Privacy" not in text and "©" not in text and "Home" not in text
    assert clean_text(HTML, rules, kind="html").text == text


def test_text_input_does_not_import_trafilatura():
    code = ("import sys; from pathlib import Path; from dossier.clean import clean_file, "
            "load_rules; from dossier.models import Problems; root = Path('.'); "
            "r = load_rules(root / 'content/boilerplate.yaml', Problems(), root); "
            "clean_file(root / 'seeds/003_ee9f25022a302441.txt', r); "
            "print('trafilatura' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------- loading the rules


def load_from(tmp_path: Path, text: str) -> tuple[Rules, Problems]:
    (tmp_path / "content").mkdir(exist_ok=True)
    path = tmp_path / "content" / "boilerplate.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    problems = Problems()
    return load_rules(path, problems, root=tmp_path), problems


def test_bad_yaml_is_reported_with_line(tmp_path):
    rules, problems = load_from(tmp_path, """\
        patterns:
          - id: widget
            regex: '^share$
        """)
    assert isinstance(rules, Rules)
    [p] = problems.errors
    assert p.where.path == "content/boilerplate.yaml"
    assert p.where.line >= 3
    assert "YAML syntax" in p.message


def test_bad_regex_is_reported_and_skipped(tmp_path):
    rules, problems = load_from(tmp_path, """\
        patterns:
          - id: widget
            regex: '^(share$'
            reason: Broken.
          - id: promo
            regex: '^subscribe$'
            reason: Works.
        """)
    [p] = problems.errors
    assert (p.where.path, p.where.line) == ("content/boilerplate.yaml", 3)
    assert "bad regular expression" in p.message
    assert [x.id for x in rules.patterns] == ["promo"]


def test_wrong_structure_is_reported(tmp_path):
    rules, problems = load_from(tmp_path, """\
        thresholds:
          prose_words: many
          nonsense: 3
        patterns:
          - id: Widget
            regex: x
            reason: y
          - regex: x
        extra: 1
        """)
    # Unknown fields are reported (by dossier.yamlio's schema check) at the mapping that holds
    # them: the file's first line for a top-level one.
    found = [(p.where.line, p.message.split(";")[0]) for p in problems.errors]
    assert found == [
        (1, "unknown field 'extra' in the file"),
        (2, "unknown field 'nonsense' in thresholds"),
        (2, "thresholds.prose_words: expected a whole number, found text"),
        (5, "patterns[0].id: 'Widget' is not valid (lower-case letters, digits and hyphens, "
            "starting with a letter: the rule id that --explain shows (widget, promo ...))"),
        (8, "patterns[1]: 'id' is a required property"),
        (8, "patterns[1]: 'reason' is a required property"),
    ]
    assert rules.thresholds.prose_words == 20
    assert rules.patterns == ()


def test_missing_rules_file_is_an_error_not_a_crash(tmp_path):
    problems = Problems()
    rules = load_rules(tmp_path / "content" / "boilerplate.yaml", problems, root=tmp_path)
    assert rules == Rules()
    [p] = problems.errors
    assert p.where.path == "content/boilerplate.yaml"
    assert clean_text("Some text that is long enough to count as a sentence here.", rules).blocks
