"""The build-time pictures (dossier/graphics.py): the timeline and each entity's graph."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

import build
from dossier import graphics
from dossier.index import build_index
from dossier.layout import DEFAULT_TEMPLATES
from dossier.models import Problems
from dossier.project import read_project
from dossier.render import entity_path
from tests.conftest import REPO

SITES = ["built_mini", "shipped_site"]


def site_of(request: pytest.FixtureRequest, name: str) -> Path:
    value = request.getfixturevalue(name)
    return value / "site" if name == "built_mini" else value


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def index_of(root: Path):
    problems = Problems()
    project = read_project(root, problems, write_cache=False)
    assert not problems.errors, [p.format() for p in problems.errors]
    return build_index(project.sources, project.entities, problems, set(project.seeds),
                       warn_unused=False)


def timeline_parts(site: Path):
    soup = soup_of(site / "timeline.html")
    figure = soup.select_one("figure.tl")
    assert figure is not None, "the timeline page has no timeline picture"
    rows = soup.select("table.timeline tbody tr")
    return soup, figure, rows


def assert_accessible_picture(soup: BeautifulSoup, figure) -> None:
    """An <svg role=img> named by a <title> and described by a <desc> inside it, no script,
    no fixed pixel width, and ids unique on the page."""
    images = figure.select('svg[role="img"]')
    assert len(images) == 1
    img = images[0]
    ids = img["aria-labelledby"].split()
    assert len(ids) == 2
    title, desc = (soup.find(id=i) for i in ids)
    assert title is not None and title.name == "title" and title.get_text(strip=True)
    assert desc is not None and desc.name == "desc" and len(desc.get_text(strip=True)) > 40
    assert title in img.find_all("title") and desc in img.find_all("desc")
    all_ids = [t["id"] for t in soup.find_all(id=True)]
    assert not [i for i, n in Counter(all_ids).items() if n > 1], "duplicate ids"
    outer = figure.find("svg")
    assert outer.get("viewbox") and outer.get("width", "100%") == "100%"
    assert not figure.find("script") and not figure.find(attrs={"style": True})
    # focusable links must not sit inside the img: its children are presentational
    assert not img.find("a")


# ---------------------------------------------------------------- timeline


@pytest.mark.parametrize("name", SITES)
def test_timeline_links_every_event_once_to_its_words_in_the_source(request, name):
    site = site_of(request, name)
    soup, figure, rows = timeline_parts(site)
    marks = figure.select("svg a[href]")
    assert rows and len(marks) == len(rows)
    table_targets = Counter(row.find_all("td")[2].a["href"] for row in rows)
    assert Counter(a["href"] for a in marks) == table_targets
    for a in marks:
        href = urlsplit(a["href"])
        assert not href.scheme and not href.path.startswith(("/", "../"))
        target = soup_of(site / href.path)
        assert target.find(id=href.fragment) is not None, a["href"]
        title = a.find("title").get_text()
        source = target.select_one("h1").get_text(strip=True)
        assert source[:20] in title or source.split()[0] in title
        assert a.find(["circle", "rect"]) is not None


def test_shipped_timeline_has_44_marks(shipped_site):
    _, figure, rows = timeline_parts(shipped_site)
    assert len(rows) == len(figure.select("svg a[href]")) == 44


@pytest.mark.parametrize("name", SITES)
def test_approximate_dates_are_drawn_differently(request, name):
    _, figure, rows = timeline_parts(site_of(request, name))
    approximate_rows = sum(1 for row in rows if row.find("td").get_text().startswith("≈"))
    marks = figure.select("svg a[href]")
    flagged = [a for a in marks if a.get("data-approximate") == "true"]
    assert 0 < len(flagged) == approximate_rows < len(marks)
    for a in marks:
        shape = a.find(["circle", "rect"])
        assert ("tl-approx" in shape["class"]) == (a in flagged)
        assert a.find("title").get_text().startswith("≈") == (a in flagged)


@pytest.mark.parametrize("name", SITES)
def test_timeline_is_an_accessible_picture(request, name):
    soup, figure, _ = timeline_parts(site_of(request, name))
    assert_accessible_picture(soup, figure)
    assert all(i.startswith("tl-") for i in (t["id"] for t in figure.find_all(id=True)))
    desc = figure.find("desc").get_text()
    assert f"{len(figure.select('svg a[href]'))} dated events" in desc


def test_timeline_rows_are_the_sources_in_publication_order(shipped_site):
    soup, figure, _ = timeline_parts(shipped_site)
    labels = [t.find("title").get_text() for t in figure.select("text.tl-source")
              if "tl-narrow" not in t["class"]]
    publishers = [label.split(",")[0] for label in labels]
    listed = [li.get_text(" ", strip=True) for li in
              soup_of(shipped_site / "sources/index.html").select("main li")]
    assert publishers == ["Egypt Independent", "The Tower", "Voice of the Copts",
                          "Al Jazeera English", "Newsweek"]
    assert all(any(p in item for item in listed) for p in publishers)


def test_timeline_axis_zooms_into_the_busiest_month(shipped_site):
    _, figure, _ = timeline_parts(shipped_site)
    headings = [t.get_text() for t in figure.select("text.tl-band")]
    assert headings == ["2015", "October 2015"]
    ticks = [t.get_text() for t in figure.select("text.tl-tick-label")]
    assert ticks[0] == "2011" and "Jan" in ticks and "15" in ticks
    # a day in October is drawn wider than a month of 2013
    marks = {a.find("title").get_text().split(":")[0]: a.find(["rect", "circle"])
             for a in figure.select("svg a[href]")}
    year = float(marks["2013"]["width"])
    week = float(marks["5 October 2015 – 11 October 2015"]["width"])
    assert week > year


def test_timeline_bands_for_a_single_month():
    spans = [(date(2015, 10, 3), date(2015, 10, 3)),
             (date(2015, 10, 5), date(2015, 10, 11))]
    bands = graphics._bands(spans, 500)
    assert [b.unit for b in bands] == ["day"]
    assert bands[0].first == date(2015, 10, 1)
    assert graphics._to_x(bands, date(2015, 10, 3)) < \
        graphics._to_x(bands, date(2015, 10, 5))


def test_no_timeline_without_dates(mini):
    index = index_of(mini)
    assert graphics.timeline_svg(replace(index, timeline=())) == ""


# ---------------------------------------------------------------- entity graph


def together_links(soup: BeautifulSoup) -> list[str]:
    section = soup.find(id="h-together").parent
    return [a["href"] for a in section.select("ul.tags a[href]")]


@pytest.mark.parametrize("name", SITES)
def test_graph_links_to_the_entities_listed_next_to_it(request, name):
    site = site_of(request, name)
    soup = soup_of(site / "people/hossein-hamedani.html")
    figure = soup.select_one("figure.eg")
    assert figure is not None
    listed = together_links(soup)
    nodes = [a["href"] for a in figure.select("svg a[href]")]
    assert len(listed) <= graphics.EG_MAX
    assert sorted(nodes) == sorted(listed)
    for href in nodes:
        path = (site / "people" / href).resolve()
        assert path.is_file(), href
    assert_accessible_picture(soup, figure)
    assert all(i.startswith("eg-") for i in (t["id"] for t in figure.find_all(id=True)))


def test_graph_is_capped_at_the_strongest_neighbours(shipped_site):
    capped = 0
    for page in sorted(shipped_site.glob("*/*.html")):
        soup = soup_of(page)
        if soup.find(id="h-together") is None:
            assert soup.select_one("figure.eg") is None
            continue
        section = soup.find(id="h-together").parent
        counts = {li.a["href"]: int(li.select_one(".count").get_text().split()[0])
                  for li in section.select("ul.tags li")}
        nodes = [a["href"] for a in section.select("figure.eg svg a[href]")]
        assert len(nodes) == len(set(nodes)) == min(len(counts), graphics.EG_MAX), page
        assert set(nodes) <= set(counts)
        weakest = min(counts[h] for h in nodes)
        assert all(h in nodes for h, n in counts.items() if n > weakest), page
        capped += len(counts) > graphics.EG_MAX
    assert capped, "no entity in the shipped dossier exercises the cap"


def test_graph_tells_kinds_apart_by_shape(shipped_site):
    soup = soup_of(shipped_site / "people/hossein-hamedani.html")
    shapes: dict[str, set[str]] = {}
    for a in soup.select("figure.eg svg a[href]"):
        node = a.find(["circle", "rect", "path"])
        kind = next(c for c in node["class"] if c != "eg-node").removeprefix("eg-")
        shapes.setdefault(kind, set()).add(node.name + "L" * node.get("d", "").count("L"))
    assert shapes == {"person": {"circle"}, "unit": {"rect"}, "organisation": {"pathLLL"},
                      "place": {"pathLL"}}


def test_no_graph_without_cooccurrences(built_mini, mini):
    soup = soup_of(built_mini / "site/organisations/associated-press.html")
    assert soup.find(id="h-together") is None and soup.select_one("figure.eg") is None
    info = index_of(mini).entities["associated-press"]
    assert info.together == ()
    assert graphics.entity_graph_svg(info, entity_path) == ""


# ---------------------------------------------------------------- robustness


def test_names_and_events_with_markup_are_escaped(mini):
    entities = mini / "content/entities/all.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace(
        "name: Aleppo", "name: <b>x</b>"), encoding="utf-8")
    alpha = mini / "content/sources/alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        "event: Hamedani killed near Aleppo", 'event: "<i>y</i> & <script>z</script>"'),
        encoding="utf-8")
    assert build.main(["--root", str(mini)]) == 0
    site = mini / "site"
    graph = soup_of(site / "people/hossein-hamedani.html").select_one("figure.eg")
    assert graph.find("b") is None
    assert any("<b>x</b>" in t.get_text() for t in graph.select("text"))
    assert "&lt;b&gt;x&lt;/b&gt;" in str(graph)
    timeline = soup_of(site / "timeline.html").select_one("figure.tl")
    assert timeline.find("i") is None and timeline.find("script") is None
    assert any("<i>y</i> & <script>z</script>" in t.get_text()
               for t in timeline.select("a title"))


def test_pictures_are_deterministic_and_rounded(mini):
    first, second = index_of(mini), index_of(mini)
    assert str(graphics.timeline_svg(first)) == str(graphics.timeline_svg(second))
    assert str(graphics.timeline_svg(first)) == str(graphics.timeline_svg(first))
    for eid in first.entities:
        one = graphics.entity_graph_svg(first.entities[eid], entity_path)
        assert str(one) == str(graphics.entity_graph_svg(second.entities[eid], entity_path))
    shipped = index_of(REPO)
    text = str(graphics.timeline_svg(shipped)) + "".join(
        str(graphics.entity_graph_svg(i, entity_path)) for i in shipped.entities.values())
    assert text == str(graphics.timeline_svg(shipped)) + "".join(
        str(graphics.entity_graph_svg(i, entity_path)) for i in shipped.entities.values())
    numbers = re.findall(r'(?:x|y|x1|y1|x2|y2|cx|cy|r|width|height)="(-?[\d.]+)"', text)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers)
    assert "http" not in re.sub(r'xmlns="[^"]*"', "", text)
    assert not re.search(r'(fill|stroke|style)="', text)  # colours come from graphics.css


def test_pictures_use_theme_colours_not_fixed_ones():
    css = (DEFAULT_TEMPLATES / "static/graphics.css").read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|(?<![-\w])(white|black)(?![-\w])", css)
    assert "var(--date)" in css and "var(--person)" in css
