"""The page plan: long lists split into pages (sources, kinds, the timeline), each page made
again only when what it shows changes, and every planned page in the sitemap."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dossier import pages, parallel, render
from tests.conftest import clean_build, edit, files, quiet_build, rendered_pages


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def small_pages(monkeypatch):
    """One row a page for the sources and kinds, one event a timeline page."""
    monkeypatch.setattr(pages, "LIST_ROWS", 1)
    monkeypatch.setattr(pages, "HOME_ROWS", 1)
    monkeypatch.setattr(render, "LIST_ROWS", 1)
    monkeypatch.setattr(pages, "TIMELINE_ROWS", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 1)


def pager_links(page: Path) -> list[str]:
    nav = soup(page).select_one("nav.pager")
    assert nav is not None, page
    links = [a["href"] for a in nav.select("ol a")]
    for href in links:
        assert (page.parent / href).resolve().is_file(), href
    return links


def test_the_sources_index_is_split_into_pages_that_list_every_source_once(mini, small_pages):
    assert quiet_build("--root", str(mini)) == 0
    site = mini / "site"
    first, second = site / "sources/index.html", site / "sources/index/2.html"
    listed = [[a["href"].rsplit("/", 1)[-1] for a in soup(p).select("ol.sources > li > a")]
              for p in (first, second)]
    assert listed == [["alpha.html"], ["beta.html"]]  # in order of publication
    assert len(pager_links(first)) == 2 and len(pager_links(second)) == 2
    assert soup(second).select_one("ol.sources")["start"] == "2"
    assert soup(first).h1.get_text() == "Sources, page 1 of 2"
    # the home page lists the first page's sources and links to all of them
    home = soup(site / "index.html")
    assert [a["href"] for a in home.select("#h-sources ~ ol.sources > li > a")] == \
        ["sources/alpha.html"]
    assert home.find("a", string="All 2 sources")["href"] == "sources/index.html"


def test_a_kind_index_is_split_into_pages(mini, small_pages):
    assert quiet_build("--root", str(mini)) == 0
    places = mini / "site/places"
    rows = [[a.get_text() for a in soup(places / "index.html").select("tbody a")]]
    links = pager_links(places / "index.html")
    for href in links[1:]:
        rows.append([a.get_text() for a in soup(places / href).select("tbody a")])
    names = [name for page in rows for name in page]
    assert len(links) == len(names) >= 3 and all(len(page) == 1 for page in rows)
    assert names == sorted(names, key=str.casefold) and "Aleppo" in names


def test_the_timeline_is_split_by_year_a_busy_year_by_month_and_a_busy_month_into_pages(
        mini, small_pages):
    """2014 has one event (the start of 'since last year'), 2015 two: more than a page holds,
    so 2015 is split by month, and October 2015, with two, into two pages."""
    assert quiet_build("--root", str(mini)) == 0
    site = mini / "site"
    overview = soup(site / "timeline.html")
    assert [(a["href"], a.parent.get_text()) for a in overview.select("ul.timeline-parts a")] \
        == [("timeline/2014.html", "2014: 1 event"),
            ("timeline/2015-10.html", "October 2015, page 1 of 2: 1 event"),
            ("timeline/2015-10/2.html", "October 2015, page 2 of 2: 1 event")]
    assert overview.select("table.timeline") == []
    events = {}
    for name in ("2014", "2015-10", "2015-10/2"):
        page = soup(site / f"timeline/{name}.html")
        events[name] = [td.get_text() for td in page.select("td[data-label=Event]")]
        assert page.select_one("svg") is not None
        home = "../" * name.count("/") + "../timeline.html"
        assert page.find("a", string="Every year of the timeline")["href"] == home
    assert events == {"2014": ["Hamadani advises the Syrian army"],
                      "2015-10": ["Hamedani killed near Aleppo"],
                      "2015-10/2": ["Hamadani buried"]}
    assert soup(site / "timeline/2015-10/2.html").h1.get_text() == \
        "Timeline: October 2015, page 2 of 2"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "timeline/2014.html" in sitemap and "sources/index/2.html" in sitemap
    assert "timeline/2015-10/2.html" in sitemap


def test_a_date_page_is_split_by_sources_and_an_edit_remakes_the_page_it_shows(
        mini, small_pages, monkeypatch, tmp_path):
    """With beta's burial dated on alpha's Thursday, 15 October is named by two sources:
    one a page, alpha's on the date's own page, beta's on its second. Beta's event changed
    remakes the second page only."""
    monkeypatch.setattr(pages, "DATE_SOURCES", 1)
    edit(mini / "content/sources/beta.yaml", "quote: Saturday\n    value: 2015-10-17",
         "quote: buried\n    value: 2015-10-15")
    assert quiet_build("--root", str(mini)) == 0
    dates = mini / "site/dates"
    first, second = dates / "2015-10-15.html", dates / "2015-10-15/2.html"
    events = [[p.get_text() for p in soup(page).select("ol.contexts p.byline")]
              for page in (first, second)]
    assert [[e.split(" · ")[1] for e in page] for page in events] == \
        [["Hamedani killed near Aleppo"], ["Hamadani buried"]]
    assert pager_links(first) == ["../dates/2015-10-15.html", "../dates/2015-10-15/2.html"]
    assert pager_links(second) == ["../../dates/2015-10-15.html",
                                   "../../dates/2015-10-15/2.html"]
    assert soup(second).h1.get_text() == "15 October 2015, page 2 of 2"
    assert soup(second).title.get_text().startswith("15 October 2015, page 2")
    edit(mini / "content/sources/beta.yaml", "event: Hamadani buried",
         "event: Hamadani was buried")
    made = sorted(rendered_pages(mini))
    assert [p for p in made if p.startswith("dates/")] == ["dates/2015-10-15/2.html"]
    assert files(mini / "site") == clean_build(mini, tmp_path)


def test_every_planned_page_is_written_and_in_the_sitemap_and_nothing_else(mini, small_pages):
    assert quiet_build("--root", str(mini)) == 0
    site = mini / "site"
    html = {p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if not p.relative_to(site).as_posix().startswith("pagefind/")}
    sitemap = BeautifulSoup((site / "sitemap.xml").read_text(encoding="utf-8"), "xml")
    listed = {loc.get_text().split("/", 3)[-1] if "://" in loc.get_text() else loc.get_text()
              for loc in sitemap.find_all("loc")}
    assert {p for p in html if any(loc.endswith(p) for loc in listed)} == html
    assert len(listed) == len(html)


def test_an_edit_remakes_only_the_list_pages_that_show_it(mini, small_pages, monkeypatch,
                                                           tmp_path):
    """A new mention in beta changes beta's row of the sources index (its count) and Tehran's
    counts: the second sources page, not the first; the home page (the counts); no timeline
    page. A new date in 2014 remakes the 2014 part and the overview, not October 2015."""
    assert quiet_build("--root", str(mini)) == 0
    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n",
         "  - {quote: Tehran, entity: tehran}\n  - {quote: Hamadani, entity: hossein-hamedani}\n")
    made = sorted(rendered_pages(mini))
    assert "sources/index/2.html" in made and "sources/index.html" not in made
    assert "index.html" in made
    assert not [p for p in made if p.startswith("timeline")]
    assert files(mini / "site") == clean_build(mini, tmp_path / "a")
    edit(mini / "content/sources/alpha.yaml", "    event: Hamadani advises the Syrian army",
         "    event: Hamadani advises the Syrian army (from 2014)")
    made = sorted(rendered_pages(mini))
    assert [p for p in made if p.startswith("timeline")] == ["timeline/2014.html"]
    assert files(mini / "site") == clean_build(mini, tmp_path / "b")


def test_a_home_page_of_many_origins_lists_only_those_shared_by_several_sources(mini,
                                                                                small_pages):
    """With more origins than a page lists, the home page names the origins that several
    sources share (none in the mini dossier) and counts the others."""
    assert quiet_build("--root", str(mini)) == 0
    section = soup(mini / "site/index.html").find("section", attrs={"aria-labelledby":
                                                                     "h-origins"})
    assert section.select("li") == []
    assert "2 more origins, each a single source, are not listed here" in section.get_text()


def test_long_lists_end_their_pages_where_the_items_say_so_an_item_changes_one_page():
    """An entity's mentions and a date's expressions are paged by their sources' ids (pages.
    breaks): about `rows` a page, never fewer than a quarter or more than four times that,
    and a source taken out or put in changes the page it is on (and at most the next), not
    every page after it, as pages of exactly `rows` would."""
    names = [f"s{n:05d}" for n in range(3000)]
    ends = pages.breaks(names, 100)
    sizes = [b - a for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    assert ends[-1] == 3000 and all(25 <= size <= 400 for size in sizes[:-1])
    assert 15 <= len(ends) <= 60  # about 30 pages of about 100
    chunks = [names[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    for taken in (names[10], names[1500], names[2999]):
        fewer = [n for n in names if n != taken]
        ends2 = pages.breaks(fewer, 100)
        chunks2 = [fewer[a:b] for a, b in zip([0, *ends2[:-1]], ends2, strict=True)]
        changed = [c for c in chunks2 if c not in chunks]
        assert 1 <= len(changed) <= 2, taken
    assert pages.breaks(names[:7], 1) == [1, 2, 3, 4, 5, 6, 7]  # one a page
    assert pages.breaks([], 100) == [0]
