"""Nested annotations ("US" inside "US-led coalition"): one link over the whole phrase, the
inner annotations marked inside it with their ids, each with a small link of its own after it;
and the contract the live preview relies on: a block's text, without the elements marked
data-dossier-extra, is the article's text exactly."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

import build
from dossier.index import check_spans
from dossier.models import Problems
from dossier.project import read_project
from dossier.render import Segment, _Ann, _segments, article_blocks
from tests.conftest import REPO, edit

S000, S001, S003 = "000_24226ba9ecf00a29", "001_44648399724b0241", "003_ee9f25022a302441"


def ann(text: str, quote: str, aid: str, kind: str = "place", name: str = "", nth: int = 1,
        ) -> _Ann:
    """The annotation of the nth occurrence of quote in text."""
    at = -1
    for _ in range(nth):
        at = text.index(quote, at + 1)
    name = name or quote
    title = f"Date: {name}" if kind == "date" else f"{kind.title()}: {name}"
    return _Ann(at, at + len(quote), aid, f"{kind}s/{aid}.html", kind, title, name)


def segments(text: str, *anns: _Ann) -> list[Segment]:
    out = _segments(text, list(anns))
    assert "".join(s.text for s in out) == text
    return out


def shape(seg: Segment) -> object:
    """A segment as nested tuples: plain text as a string, an annotation as (id, parts)."""
    if not seg.href:
        return seg.text
    return (seg.id, [shape(p) for p in seg.parts] if seg.parts else seg.text)


def test_two_levels_one_outer_link_with_the_inner_mention_inside():
    text = "He slammed the US-led coalition in Syria."
    out = segments(text, ann(text, "US", "m-us-1", name="United States"),
                   ann(text, "US-led coalition", "m-coalition-1", "unit"),
                   ann(text, "Syria", "m-syria-1"))
    assert [shape(s) for s in out] == [
        "He slammed the ", ("m-coalition-1", [("m-us-1", "US"), "-led coalition"]), " in ",
        ("m-syria-1", "Syria"), "."]
    coalition = out[1]
    assert (coalition.text, coalition.href, coalition.kind) == (
        "US-led coalition", "units/m-coalition-1.html", "unit")
    assert [(i.id, i.href, i.kind, i.name) for i in coalition.inner] == [
        ("m-us-1", "places/m-us-1.html", "place", "United States")]
    # the inner one's own link is named by what it shows, whom it names and where it lies
    assert coalition.inner[0].label == "US: United States, inside “US-led coalition”"
    assert out[3].inner == () and out[3].parts == () and out[3].label == ""


def test_three_levels_nest_with_one_outer_link_and_one_extra_link_per_inner_one():
    text = "At Bassel al-Assad International Airport, planes landed."
    out = segments(
        text,
        ann(text, "Assad", "m-assad-1", "person", "Assad family"),
        ann(text, "Bassel al-Assad International Airport", "m-airport-1"),
        ann(text, "Bassel al-Assad", "m-bassel-1", "person"))
    assert [shape(s) for s in out] == [
        "At ", ("m-airport-1", [("m-bassel-1", ["Bassel al-", ("m-assad-1", "Assad")]),
                                " International Airport"]), ", planes landed."]
    airport = out[1]
    assert [i.id for i in airport.inner] == ["m-bassel-1", "m-assad-1"]
    assert [i.label for i in airport.inner] == [
        "Bassel al-Assad, inside “Bassel al-Assad International Airport”",
        "Assad family, inside “Bassel al-Assad International Airport”"]
    assert airport.parts[0].inner == ()  # only the outermost lists them


def test_a_date_inside_a_mention_and_a_mention_inside_a_date():
    text = "The 2015 offensive began in the months prior to Russia's intervention."
    out = segments(
        text, ann(text, "2015 offensive", "m-offensive-1", "unit"),
        ann(text, "2015", "d-2015-1", "date", "2015"),
        ann(text, "in the months prior to Russia's intervention", "d-months-1", "date",
            "July 2015 – September 2015"),
        ann(text, "Russia", "m-russia-1", name="Russia"))
    assert [shape(s) for s in out] == [
        "The ", ("m-offensive-1", [("d-2015-1", "2015"), " offensive"]), " began ",
        ("d-months-1", ["in the months prior to ", ("m-russia-1", "Russia"), "'s intervention"]),
        "."]
    assert [(i.id, i.kind, i.href) for i in out[1].inner] == [
        ("d-2015-1", "date", "dates/d-2015-1.html")]
    assert [(i.id, i.kind, i.label) for i in out[3].inner] == [
        ("m-russia-1", "place", "Russia, inside “in the months prior to Russia's intervention”")]


def test_a_date_on_the_same_words_as_a_mention_lies_inside_it():
    text = "On Thursday it ended."
    out = segments(text, ann(text, "Thursday", "d-thursday-1", "date", "15 October 2015"),
                   ann(text, "Thursday", "m-thursday-1", "organisation"))
    assert [shape(s) for s in out] == [
        "On ", ("m-thursday-1", [("d-thursday-1", "Thursday")]), " it ended."]
    assert [i.id for i in out[1].inner] == ["d-thursday-1"]


def test_a_date_across_the_end_of_a_mention_is_continued_after_it_and_keeps_its_id():
    text = "In Aleppo last week, fighting."
    out = segments(text, ann(text, "Aleppo", "m-aleppo-1"),
                   ann(text, "Aleppo last week", "d-week-1", "date", "last week"),
                   ann(text, "In Aleppo", "m-in-aleppo-1", "unit"))
    # "In Aleppo" holds the date's first words; the rest of the date is a link of its own
    assert [shape(s) for s in out] == [
        ("m-in-aleppo-1", ["In ", ("d-week-1", [("m-aleppo-1", "Aleppo")])]),
        ("", " last week"), ", fighting."]
    assert out[1].href == "dates/d-week-1.html"
    assert [i.id for i in out[0].inner] == ["d-week-1", "m-aleppo-1"]


def test_an_annotation_with_no_text_is_left_out_of_the_article_and_is_an_error_of_the_index():
    out = _segments("abc", [_Ann(1, 1, "m-x-1", "places/x.html", "place", "Place: X", "X")])
    assert [shape(s) for s in out] == ["abc"]
    problems = Problems()
    source = read_project(REPO, problems, write_cache=False).sources[0]
    first = source.mentions[0]
    empty = replace(first, span=replace(first.span, end=first.span.start))
    check_spans(replace(source, mentions=(empty, *source.mentions[1:])), problems)
    assert [(p.where.path, p.message) for p in problems.items] == [
        (source.meta.where.path,
         f"annotation '{first.id}' covers no text and cannot be linked; remove it")]


def test_article_blocks_of_the_shipped_coalition():
    problems = Problems()
    project = read_project(REPO, problems, write_cache=False)
    source = next(s for s in project.sources if s.id == S000)
    blocks = article_blocks(source, project.entities)
    assert problems.errors == []
    coalition = next(seg for _, segs in blocks for seg in segs if seg.text == "US-led coalition")
    assert (coalition.id, coalition.href) == ("m-us-led-coalition-1",
                                               "units/us-led-coalition.html")
    assert [shape(p) for p in coalition.parts] == [("m-us-1", "US"), "-led coalition"]
    assert [(i.id, i.href) for i in coalition.inner] == [("m-us-1", "places/united-states.html")]


# --- the built pages -------------------------------------------------------------------------

def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(("source", "inner_id"), [(S000, "m-us-1"), (S003, "m-us-2")])
def test_the_coalition_link_carries_its_whole_name(shipped_site, source, inner_id):
    article = page(shipped_site, f"sources/{source}.html").article
    inner = article.find(id=inner_id)
    assert inner.name == "span" and inner["class"] == ["m-in", "m-place"]
    assert inner.get_text() == "US" and inner["title"] == "Place: United States"
    outer = inner.find_parent("a")
    assert outer["class"] == ["m", "m-unit"] and outer.get_text() == "US-led coalition"
    assert outer["href"] == "../units/us-led-coalition.html"
    assert outer.find("a") is None
    extra = outer.find_next_sibling()
    assert extra.name == "a" and extra.has_attr("data-dossier-extra")
    assert extra["href"] == "../places/united-states.html"
    assert extra["class"] == ["m-sub", "m-place"] and extra.get_text() == "US"
    assert extra["aria-label"] == "US: United States, inside “US-led coalition”"
    assert outer.next_sibling is extra  # right after the outer link, nothing between


def test_the_entity_pages_link_to_the_inner_mention(shipped_site):
    for entity in ("places/united-states.html", "places/russia.html"):
        section = page(shipped_site, entity).find("section",
                                                  attrs={"aria-labelledby": "h-mentions"})
        for a in section.select("ol.contexts a"):
            target, fragment = a["href"].removeprefix("../").split("#")
            found = page(shipped_site, target).find(id=fragment)
            assert found is not None and found.get_text() == a.get_text()
    us = page(shipped_site, "places/united-states.html").find(
        "section", attrs={"aria-labelledby": "h-mentions"})
    assert {a["href"] for a in us.select("ol.contexts a")} >= {
        f"../sources/{S000}.html#m-us-1", f"../sources/{S003}.html#m-us-2"}
    russia = page(shipped_site, f"sources/{S001}.html").find(id="m-russia-4")
    assert russia.name == "span" and russia.find_parent("a")["class"] == ["m", "m-date"]


def without_extras(block: Tag) -> str:
    """A block's text content skipping elements marked data-dossier-extra, as the preview's
    annotation script reads it."""
    out = []
    for node in block.descendants:
        if isinstance(node, str) and not any(p.has_attr("data-dossier-extra")
                                             for p in node.parents if isinstance(p, Tag)):
            out.append(str(node))
    return "".join(out)


def test_each_block_without_its_extras_is_the_article_text_exactly(shipped_site):
    problems = Problems()
    project = read_project(REPO, problems, write_cache=False)
    assert project.sources and not problems.errors
    extras = 0
    for source in project.sources:
        article = page(shipped_site, f"sources/{source.id}.html").article
        blocks = article.find_all(["p", "h2"], id=True, recursive=False)
        assert [b["id"] for b in blocks] == [f"p-{n}" for n in
                                            range(1, len(source.cleaned.blocks) + 1)]
        for shown, block in zip(blocks, source.cleaned.blocks, strict=True):
            assert without_extras(shown) == block.text, (source.id, shown["id"])
            assert shown.name == ("h2" if block.role == "subheading" else "p")
        extras += len(article.find_all(attrs={"data-dossier-extra": True}))
    assert extras >= 3  # US twice, Russia once


def test_three_levels_in_a_built_page(mini):
    """Through the template: one outer link, inner spans nested, one extra link per inner
    annotation, and the text contract."""
    edit(mini / "content" / "sources" / "beta.yaml", "  - {quote: Bassel al-Assad Inter",
         "  - {quote: Bassel al-Assad, entity: bassel-al-assad}\n"
         "  - {quote: Assad, entity: assad-family}\n"
         "  - {quote: Bassel al-Assad Inter")
    with (mini / "content" / "entities" / "all.yaml").open("a", encoding="utf-8") as f:
        f.write(textwrap.dedent("""\
            - id: bassel-al-assad
              name: Bassel al-Assad
              kind: person
              description: [{text: The airport is named after him., sources: [beta]}]
            - id: assad-family
              name: Assad family
              kind: organisation
              description: [{text: Syria's ruling family., sources: [beta]}]
            """))
    assert build.main(["--root", str(mini)]) == 0
    article = page(mini / "site", "sources/beta.html").article
    outer = article.find("a", href="../places/bassel-airport.html")
    assert outer.get_text() == "Bassel al-Assad International Airport"
    bassel = outer.find("span", recursive=False)
    assert (bassel["id"], bassel["class"], bassel.get_text()) == (
        "m-bassel-al-assad-1", ["m-in", "m-person"], "Bassel al-Assad")
    assad = bassel.find("span", recursive=False)
    assert (assad["id"], assad["class"], assad.get_text()) == (
        "m-assad-1", ["m-in", "m-organisation"], "Assad")
    extras = [(a["href"], a.get_text()) for a in outer.find_next_siblings("a", limit=2)]
    assert extras == [("../people/bassel-al-assad.html", "Bassel al-Assad"),
                      ("../organisations/assad-family.html", "Assad")]
    assert all(a.has_attr("data-dossier-extra") for a in outer.find_next_siblings("a", limit=2))
    block = outer.find_parent("p")
    assert without_extras(block) == ("The Bassel al-Assad International Airport stayed "
                                     "closed.")
    # the entity pages link to the inner marks
    person = page(mini / "site", "people/bassel-al-assad.html")
    assert person.select_one("ol.contexts a")["href"] == \
        "../sources/beta.html#m-bassel-al-assad-1"
