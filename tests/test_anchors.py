"""Anchors survive edits of a seed: exact, relocated, ambiguous or orphaned, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dossier.build import build as run_build
from dossier.models import Problems
from tests.conftest import edit


def rebuild(root: Path) -> tuple[int, list[str]]:
    problems = Problems()
    result = run_build(root, root / "site", problems)
    return (0 if result else 1), [p.format().splitlines()[0] for p in problems.items]


def links(root: Path, source: str = "alpha") -> list[tuple[str, str, str]]:
    """(paragraph text start, link text, target) of every article link."""
    page = BeautifulSoup((root / "site" / "sources" / f"{source}.html").read_text(),
                         "html.parser")
    return [(a.find_parent("p").get_text()[:12], a.get_text(), a["href"])
            for a in page.article.find_all("a")]


def edit_seed(root: Path, old: str, new: str) -> None:
    edit(root / "seeds" / "alpha.txt", old, new)


@pytest.fixture
def built(mini: Path) -> Path:
    """The mini project after one good build (so the anchors are remembered)."""
    assert rebuild(mini) == (0, ["content/entities/all.yaml:42:3: warning: entity "
                                 "'associated-press' is not mentioned in any source"])
    assert (mini / ".dossier-cache" / "anchors.json").exists()
    return mini


def test_text_inserted_above_leaves_anchors_exact(built):
    before = links(built)
    edit_seed(built, "Gen. Hossein", "Officials spoke to reporters on condition of anonymity "
              "about the matter at length.\nGen. Hossein")
    code, messages = rebuild(built)
    assert code == 0 and len(messages) == 1  # only the unused-entity warning
    assert links(built) == before


def test_new_occurrence_above_relocates_the_occurrence_numbered_anchors(built):
    edit_seed(built, "Gen. Hossein", "Fighting went on in Aleppo for a third week, residents "
              "said, as the offensive slowed.\nGen. Hossein")
    code, messages = rebuild(built)
    assert code == 0
    assert messages[:2] == [
        "content/sources/alpha.yaml:9:5: warning: 'Aleppo' moved after an edit of "
        "seeds/alpha.txt: relocated to line 6 (score 0.99); to keep it there, write "
        "{quote: Aleppo, occurrence: 2}",
        "content/sources/alpha.yaml:10:5: warning: 'Aleppo' moved after an edit of "
        "seeds/alpha.txt: relocated to line 7 (score 1.00); to keep it there, write "
        "{quote: Aleppo, occurrence: 3}"]
    aleppo = [(para, target) for para, text, target in links(built) if text == "Aleppo"]
    assert aleppo == [("Gen. Hossein", "../places/aleppo.html"),
                      ("Hamadani had", "../places/aleppo.html")]


def test_a_word_changed_inside_a_quote_is_relocated_with_its_score(built):
    edit_seed(built, "Gen. Hossein Hamedani was", "Gen. Hossein Hamedany was")
    code, messages = rebuild(built)
    assert code == 0
    assert messages[0] == (
        "content/sources/alpha.yaml:7:5: warning: 'Hossein Hamedani' moved after an edit of "
        "seeds/alpha.txt: relocated to line 5, now reading 'Hossein Hamedany' (score 0.97); "
        "to keep it there, write {quote: Hossein Hamedany, occurrence: 1}")
    assert ("Gen. Hossein", "Hossein Hamedany", "../people/hossein-hamedani.html") in links(built)


def test_a_duplicated_sentence_is_flagged_anchor_by_anchor(built):
    before = (built / "site" / "sources" / "alpha.html").read_bytes()
    sentence = "Hamadani had advised the Syrian Arab Army in Aleppo since last year."
    edit_seed(built, sentence, sentence + " " + sentence)
    code, messages = rebuild(built)
    assert code == 1
    assert messages[:3] == [
        "content/sources/alpha.yaml:8:5: warning: 'Hamadani' moved after an edit of "
        "seeds/alpha.txt: relocated to line 6 (score 1.00); to keep it there, write "
        "{quote: Hamadani, occurrence: 1}",
        "content/sources/alpha.yaml:10:5: warning: 'Aleppo' moved after an edit of "
        "seeds/alpha.txt: relocated to line 6 (score 1.00); to keep it there, write "
        "{quote: Aleppo, occurrence: 3}",
        "content/sources/alpha.yaml:11:5: error: 'Syrian Arab Army' is ambiguous after an edit "
        "of seeds/alpha.txt: it matches equally well at lines 6, 6 (score 0.94); add a "
        "prefix, suffix or occurrence"]
    assert (built / "site" / "sources" / "alpha.html").read_bytes() == before


def test_a_duplicated_passage_the_memory_cannot_tell_apart_is_ambiguous(mini):
    long = ("Hamadani had advised the Syrian Arab Army in Aleppo since last year, officials "
            "in the city said on Friday.")
    edit_seed(mini, "Hamadani had advised the Syrian Arab Army in Aleppo since last year.", long)
    yaml = mini / "content" / "sources" / "alpha.yaml"
    yaml.write_text(yaml.read_text().replace("{quote: Aleppo, entity: aleppo, occurrence: 2}",
                                             "{quote: Aleppo, entity: aleppo, prefix: 'Army in '}"))
    assert rebuild(mini)[0] == 0
    edit_seed(mini, long, long + " " + long)
    code, messages = rebuild(mini)
    assert code == 1
    assert ("content/sources/alpha.yaml:10:5: error: 'Aleppo' is ambiguous after an edit of "
            "seeds/alpha.txt: it matches equally well at lines 6, 6 (score 1.00); add a "
            "prefix, suffix or occurrence") in messages


def test_a_rewritten_sentence_orphans_the_anchor_and_names_the_closest_text(built):
    edit_seed(built, "Hamadani had advised the Syrian Arab Army in Aleppo since last year.",
              "Hamid had advised the Syrian Arab Army in Aleppo since last year.")
    code, messages = rebuild(built)
    assert code == 1
    assert messages[0] == (
        "content/sources/alpha.yaml:8:5: error: 'Hamadani' is orphaned: it is no longer in the "
        "cleaned text of seeds/alpha.txt; the closest candidate, 'Hamid' at line 6, is too "
        "unlike it (score 0.81; an edit is followed only from 0.85 with a quote 75% alike); "
        "fix or remove the annotation")


def test_look_alike_text_elsewhere_is_never_attached(built):
    edit_seed(built, "Hamadani had advised the Syrian Arab Army in Aleppo since last year.",
              "The Syrian Arab Army had no comment since last year.\nOfficials named Hamadan "
              "as the place of burial.")
    code, messages = rebuild(built)
    assert code == 1
    assert messages[0].startswith("content/sources/alpha.yaml:8:5: error: 'Hamadani' is "
                                  "orphaned")
    assert (built / "site" / "sources" / "alpha.html").exists()  # the last good site stays


def test_without_memory_a_fresh_clone_resolves_by_selector_alone(mini):
    edit_seed(mini, "Gen. Hossein Hamedani was", "Gen. Hossein Hamedany was")
    code, messages = rebuild(mini)
    assert code == 1
    assert messages[0] == ("content/sources/alpha.yaml:7:5: error: 'Hossein Hamedani' is not "
                           "in the cleaned text of seeds/alpha.txt (did you mean 'Hossein "
                           "Hamedany'?)")
