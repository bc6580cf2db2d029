"""The shipped dossier, read from the built pages: variants, nested names, dates, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

S000, S001, S002, S003, S004 = ("000_24226ba9ecf00a29", "001_44648399724b0241",
                                "002_04fd449ed01c997c", "003_ee9f25022a302441",
                                "004_5a6f3ee7378eafbc")


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def mention_links(site: Path, source: str) -> list[tuple[str, str]]:
    """(text, target page) of every link in a source's article, in reading order."""
    article = soup(site, f"sources/{source}.html").article
    return [(a.get_text(), a["href"].removeprefix("../")) for a in article.find_all("a")]


def quoted_on_entity_page(site: Path, page: str) -> list[tuple[str, str]]:
    """(source page, quoted text) for every mention listed on an entity page."""
    section = soup(site, page).find("section", attrs={"aria-labelledby": "h-mentions"})
    return [(a["href"].split("#")[0].removeprefix("../"), a.get_text())
            for a in section.select("ol.contexts a")]


@pytest.mark.parametrize(("page", "forms"), [
    ("people/hossein-hamedani.html", {"Hossein Hamedani", "Hossein Hamadani", "Hamedani"}),
    ("people/qassem-soleimani.html", {"Qasem Soleimani", "Qassem Soleimani", "Soleimani"}),
    ("units/quds-force.html", {"Quds Force", "IRGC-Qods Force"}),
    ("units/islamic-state.html", {"ISIS", "ISIL", "Islamic State",
                                  "Islamic State of Iraq and the Levant"}),
    ("people/alaeddin-boroujerdi.html", {"Alaedin Boroujerdi", "Alaeddin Boroujerdi",
                                         "Boroujerdi"}),
    ("units/irgc.html", {"Islamic Revolutionary Guards Corps", "IRGC", "Revolutionary Guards"}),
    ("units/syrian-arab-army.html", {"Syrian Arab Army", "Syrian army"}),
])
def test_name_variants_land_on_one_entity_page(shipped_site, page, forms):
    assert {text for _, text in quoted_on_entity_page(shipped_site, page)} == forms


def test_hamedani_is_gathered_from_three_sources(shipped_site):
    sources = {src for src, _ in quoted_on_entity_page(shipped_site,
                                                       "people/hossein-hamedani.html")}
    assert sources == {f"sources/{s}.html" for s in (S000, S001, S002)}


def test_airport_named_after_bassel_al_assad_is_not_bashar(shipped_site):
    links = mention_links(shipped_site, S003)
    airport_page = "places/bassel-al-assad-international-airport.html"
    airport = [t for t, href in links if href == airport_page]
    assert airport == ["Latakia airport", "Bassel al-Assad International Airport",
                       "Bassel al-Assad International Airport"]
    assert all(t in ("Assad", "Bashar al-Assad") for t, href in links
               if href == "people/bashar-al-assad.html")


def test_irgc_qods_force_is_one_mention_of_the_quds_force(shipped_site):
    links = mention_links(shipped_site, S002)
    assert ("IRGC-Qods Force", "units/quds-force.html") in links
    assert [t for t, h in links if h == "units/irgc.html"] == [
        "Islamic Revolutionary Guards Corps", "IRGC", "IRGC"]
    relations = soup(shipped_site, "units/quds-force.html").find(
        "section", attrs={"aria-labelledby": "h-rel"}).get_text(" ", strip=True)
    assert "Part of Islamic Revolutionary Guards Corps" in relations


def test_names_inside_names(shipped_site):
    links = dict(mention_links(shipped_site, S001))
    assert links["Tehran Times"] == "organisations/tehran-times.html"
    s003 = mention_links(shipped_site, S003)
    assert ("Al Manar", "organisations/al-manar.html") in s003
    assert ("Hezbollah", "units/hezbollah.html") in s003
    # "US-led coalition": the coalition, with the United States inside it
    # (one link over the whole phrase, then the United States' own small link)
    s000 = mention_links(shipped_site, S000)
    i = s000.index(("US-led coalition", "units/us-led-coalition.html"))
    assert s000[i + 1] == ("US", "places/united-states.html")
    # "Tehran-backed" backs as Iran; "Tehran-based" is the city
    assert ("Tehran", "places/iran.html") in s000
    assert ("Tehran", "places/tehran.html") in mention_links(shipped_site, S001)


def test_capital_standing_for_government_is_the_country(shipped_site):
    s000 = mention_links(shipped_site, S000)
    assert s000[2] == ("Damascus", "places/syria.html")   # "if Damascus requests them"
    assert ("Moscow", "places/russia.html") in s000        # "Moscow’s campaign"
    assert ("Damascus", "places/damascus.html") in s000    # "the government in Damascus"


def date_rows(site: Path, source: str) -> list[tuple[str, str]]:
    section = soup(site, f"sources/{source}.html").find(
        "section", attrs={"aria-labelledby": "h-dates"})
    return [(li.a.get_text().strip("“”"), "/".join(t["datetime"] for t in li.find_all("time")))
            for li in section.find_all("li")]


def test_dates_resolve_as_annotated(shipped_site):
    assert date_rows(shipped_site, S000) == [
        ("Thursday", "2015-10-15"), ("March 2011", "2011-03"),
        ("In recent days", "2015-10-09/2015-10-15"), ("September 30", "2015-09-30"),
        ("Thursday", "2015-10-15"), ("Thursday", "2015-10-15"),
        ("since last year", "2014-01-01/2015-10-15")]
    s002 = dict(date_rows(shipped_site, S002))
    assert s002["a week later"] == "2015-10-07"
    assert s002["last week"] == "2015-10-05/2015-10-11"
    assert s002["Sept. 30"] == "2015-09-30"
    s003 = dict(date_rows(shipped_site, S003))
    assert s003["a day after"] == "2015-10-14" and s003["Tuesday"] == "2015-10-13"


def test_interval_is_listed_under_the_smallest_unit_containing_it(shipped_site):
    week = soup(shipped_site, "dates/2015-10.html").get_text()
    assert "last week" in week
    assert (shipped_site / "dates/2015-10-15.html").exists()
    assert (shipped_site / "dates/2011-03.html").exists()
    assert "since last year" in soup(shipped_site, "dates/2014.html").get_text()


def test_timeline_is_in_date_order(shipped_site):
    times = [row.time["datetime"] for row in
             soup(shipped_site, "timeline.html").select("table.timeline tbody tr")]
    assert len(times) == 44
    padded = [t + "-01" * ((10 - len(t)) // 3) for t in times]
    assert padded == sorted(padded)


def test_source_metadata(shipped_site):
    page = soup(shipped_site, f"sources/{S003}.html")
    meta = page.find("dl", class_="meta").get_text(" ", strip=True)
    assert "http://www.aljazeera.com/news/2015/10/iran-deploys-troops-syrian-army-offensive-" \
           "aleppo-homs-151015053316090.html" in meta
    original = page.find("dl", class_="meta").find("a", rel="nofollow")
    assert "utm_" not in original["href"] and "?" not in original["href"]
    assert "Source: Al Jazeera, News Agencies" in meta
    s000 = soup(shipped_site, f"sources/{S000}.html")
    assert s000.h1.get_text() == "Iran ready to commit more troops to Syria"
    text = s000.find("dl", class_="meta").get_text(" ", strip=True)
    assert "Voice of the Copts, carrying a report by AFP" in text
    assert "inferred" in text and "15 October 2015" in text


def test_home_lists_sources_in_date_order_with_counts(shipped_site):
    home = soup(shipped_site, "index.html")
    order = [a["href"] for a in home.select("ol.sources > li > a")]
    assert order == [f"sources/{s}.html" for s in (S004, S002, S000, S003, S001)]
    counts = home.select_one("ul.counts").get_text(" ", strip=True)
    assert "5 sources" in counts and "276 mentions" in counts


def test_removed_lines_are_accounted_for(shipped_site):
    rows = soup(shipped_site, f"sources/{S004}.html").select("table.removed tbody tr")
    removed = [(r.find_all("td")[0].get_text(), r.find_all("td")[1].get_text()) for r in rows]
    assert removed == [("1", "Middle East"),
                       ("3", "Security source: Iraq, Iran fighters deployed to defend Damascus"),
                       ("21", "Related Articles"), ("23", "Back to top button")]


def test_every_entity_description_cites_a_source(shipped_site):
    for page in sorted(shipped_site.glob("*/*.html")):
        if page.parent.name in ("people", "units", "organisations", "places") \
                and page.name != "index.html":
            items = soup(shipped_site, f"{page.parent.name}/{page.name}").select(
                "ul.statements li")
            assert items, page
            assert all(li.select("span.cite a[href^='../sources/']") for li in items), page


def test_shared_wire_copy_is_marked_and_linked_to_its_twins(shipped_site):
    page = soup(shipped_site, f"sources/{S000}.html")
    items = page.find(id="h-shared").parent.select("ol.said > li")
    assert len(items) == 4
    assert items[0].blockquote.get_text(strip=True).startswith("If Syria makes a request")
    twin = items[0].select("p.byline a")[-1]["href"]
    assert twin.startswith(f"../sources/{S003}.html#p-")
    assert "shared" in page.find(id="p-2")["class"]
    assert "shared" not in (page.find(id="p-1").get("class") or [])
    back = soup(shipped_site, f"sources/{S003}.html").find(id="h-shared").parent
    assert len(back.select("ol.said > li")) == 4


def test_home_page_counts_the_independent_origins(shipped_site):
    section = soup(shipped_site, "index.html").find(id="h-origins").parent
    assert section.p.get_text().startswith(
        "5 sources, 4 independent origins: AFP report, 3 June 2015; Associated Press report, "
        "14 October 2015; AFP report, 15 October 2015 (2 sources); Newsweek.")
    afp = [li for li in section.select("li") if "15 October 2015" in li.strong.get_text()][0]
    assert [a["href"] for a in afp.find_all("a")] == [f"sources/{S000}.html",
                                                      f"sources/{S003}.html"]


def test_who_said_what_counts_unnamed_sources_and_claims_mark_conflicts(shipped_site):
    quotes = soup(shipped_site, "quotes.html")
    assert "29 of 74" in quotes.find("main").p.get_text()
    boroujerdi = soup(shipped_site, "people/alaeddin-boroujerdi.html").find(id="h-said").parent
    assert len(boroujerdi.select("ol.said > li")) >= 6
    claims = soup(shipped_site, "claims.html")
    numbers = claims.find(id="claim-iranian-troop-numbers")
    assert numbers.select_one(".flag").get_text() == "conflict"
    cells = numbers.find_parent("section").select("tbody tr td:nth-of-type(3) a")
    assert cells and all("#p-" in a["href"] for a in cells)
