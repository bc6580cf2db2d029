"""dossier.metadata: a saved page's own metadata, from the fixtures in tests/pages/ and from
small pages written inline."""

from __future__ import annotations

import dataclasses
import json
import random
import unicodedata
from pathlib import Path

import pytest

from dossier import metadata
from dossier.metadata import HTMLDATE, TRAFILATURA, Found, page_metadata

PAGES = Path(__file__).resolve().parent / "pages"

EXPECTED: dict[str, dict[str, tuple[str | tuple[str, ...], str]]] = {
    "jsonld-only.html": {
        "headline": ("Ferry fares to rise by a fifth from September",
                     "JSON-LD NewsArticle.headline"),
        "authors": (("Mara Lindqvist",), "JSON-LD NewsArticle.author"),
        "publisher": ("Harbour Gazette Media Ltd", "JSON-LD NewsArticle.publisher"),
        "published": ("2021-06-14", "JSON-LD NewsArticle.datePublished"),
        "url": ("https://www.harbourgazette.example/local/2021/06/ferry-fares-rise",
                "JSON-LD NewsArticle.mainEntityOfPage"),
        "language": ("en-CA", "JSON-LD NewsArticle.inLanguage"),
        "site_name": ("The Harbour Gazette", "JSON-LD WebSite.name"),
    },
    "opengraph-only.html": {
        "headline": ("School board votes to keep the four-day week", "<meta property=og:title>"),
        "authors": (("Priya Raman", "Tomás Okafor"), "<meta property=article:author>"),
        "publisher": ("Northfield Courier", "<meta property=og:site_name>"),
        "published": ("2023-02-08", "<meta property=article:published_time>"),
        "url": ("https://www.northfieldcourier.example/education/2023/02/four-day-week-vote"
                "?page=2", "<link rel=canonical>"),
        "language": ("en-US", "<meta property=og:locale>"),
        "site_name": ("Northfield Courier", "<meta property=og:site_name>"),
    },
    "meta-author-only.html": {
        "headline": ("Grève des contrôleurs aériens : ce qui change samedi", "<title>"),
        "authors": (("Claire Dubois", "Julien Marchand"), "<meta name=author>"),
        "published": ("2022-09-15", "<time datetime>"),
        "language": ("fr", "<html lang>"),
    },
    # Nothing but an <h1>: trafilatura's fallback takes it as the title; nothing else is known.
    "no-metadata.html": {
        "headline": ("Allotment society elects a new chair", TRAFILATURA),
    },
    "several-authors.html": {
        "headline": ("Wildfire crews gain ground as winds ease", "JSON-LD NewsArticle.headline"),
        "authors": (("Dana Whitcomb", "Luis Ferreira", "Aiko Tanaka"),
                    "JSON-LD NewsArticle.author"),
        "publisher": ("Ridgeline Post", "JSON-LD NewsArticle.publisher"),
        "published": ("2020-08-21", "JSON-LD NewsArticle.datePublished"),
        "url": ("https://ridgelinepost.example/news/cedar-pass-fire-update",
                "JSON-LD NewsArticle.url"),
        "language": ("en-GB", "<meta property=og:locale>"),
        "site_name": ("Ridgeline Post", "<meta property=og:site_name>"),
    },
    "publisher-as-author.html": {
        "headline": ("Council approves new bus routes for the northern suburbs",
                     "JSON-LD NewsArticle.headline"),
        "publisher": ("Valley Wire", "JSON-LD NewsArticle.publisher"),
        "published": ("2024-03-11", "JSON-LD NewsArticle.datePublished"),
        "url": ("https://valleywire.example/2024/03/11/bus-routes-north/",
                "<meta property=og:url>"),
        "language": ("en-AU", "<html lang>"),
        "site_name": ("Valley Wire", "<meta property=og:site_name>"),
    },
    "malformed-jsonld.html": {
        "headline": ("Algae bloom closes three beaches", "JSON-LD Article.headline"),
        "authors": (("Omar Haddad", "Ines Kowalski"), "JSON-LD Article.author"),
        "publisher": ("Lakeshore Ledger", "JSON-LD Article.publisher"),
        "published": ("2022-07-30", "JSON-LD Article.datePublished"),
        "url": ("https://www.lakeshoreledger.example/news/algae-bloom-beaches",
                "JSON-LD Article.url"),
        "language": ("en", "JSON-LD Article.inLanguage"),
        "site_name": ("Lakeshore Ledger", "<meta property=og:site_name>"),
    },
    "graph-references.html": {
        "headline": ("Oyster farms win reprieve from dredging plan", "JSON-LD Article.headline"),
        "authors": (("Sam Beaulieu",), "JSON-LD Article.author"),
        "publisher": ("Tidewater Review Media Cooperative", "JSON-LD Article.publisher"),
        "published": ("2019-11-04", "JSON-LD Article.datePublished"),
        "url": ("https://tidewaterreview.example/2019/11/oyster-farms-reprieve/",
                "JSON-LD Article.mainEntityOfPage"),
        "language": ("en-US", "JSON-LD Article.inLanguage"),
        "site_name": ("Tidewater Review", "<meta property=og:site_name>"),
    },
}


def page(head: str = "", body: str = "<p>Some text of the article.</p>", lang: str = "") -> str:
    """A small saved page around the given <head> content."""
    lang = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{lang}><head>{head}</head><body>{body}</body></html>"


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(key: str, content: str, attribute: str = "property") -> str:
    return f'<meta {attribute}="{key}" content="{content}">'


def values(found: dict[str, Found]) -> dict[str, str | tuple[str, ...]]:
    return {field: item.value for field, item in found.items()}


def assert_plain(found: dict[str, Found]) -> None:
    """Known keys, typed values, no control or invisible characters."""
    assert set(found) <= set(metadata.FIELDS)
    for field, item in found.items():
        assert isinstance(item, Found)
        texts = item.value if field == "authors" else (item.value,)
        assert isinstance(texts, tuple) and texts
        for text in texts:
            assert isinstance(text, str) and text == text.strip() and text
            assert not any(unicodedata.category(c) in {"Cc", "Cs"} for c in text), text
            assert "  " not in text


# The fixtures


def test_every_fixture_is_tested():
    assert sorted(p.name for p in PAGES.glob("*.html")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name):
    found = page_metadata((PAGES / name).read_text(encoding="utf-8"))
    assert {field: (item.value, item.origin) for field, item in found.items()} == EXPECTED[name]
    assert list(found) == [field for field in metadata.FIELDS if field in found]
    assert_plain(found)


def test_fallbacks_are_not_called_when_the_page_gives_everything(monkeypatch):
    def fail(*args):
        raise AssertionError("fallback called")

    monkeypatch.setattr(metadata, "_htmldate", fail)
    monkeypatch.setattr(metadata, "_trafilatura", fail)
    found = page_metadata((PAGES / "several-authors.html").read_text(encoding="utf-8"))
    assert set(found) == set(metadata.FIELDS)


def test_failing_fallbacks_lose_only_their_values(monkeypatch):
    import htmldate
    import trafilatura

    def broken(*args, **kwargs):
        raise RuntimeError("library bug")

    monkeypatch.setattr(htmldate, "find_date", broken)
    monkeypatch.setattr(trafilatura, "extract_metadata", broken)
    found = page_metadata((PAGES / "meta-author-only.html").read_text(encoding="utf-8"))
    assert values(found) == {
        "headline": "Grève des contrôleurs aériens : ce qui change samedi",
        "authors": ("Claire Dubois", "Julien Marchand"),
        "published": "2022-09-15",  # its <time datetime>, read without htmldate
        "language": "fr",
    }
    assert page_metadata((PAGES / "no-metadata.html").read_text(encoding="utf-8")) == {}


def test_found_is_frozen():
    found = Found("Headline", "<title>")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.value = "Other"  # type: ignore[misc]


# Headlines


@pytest.mark.parametrize(("title", "head"), [
    ("Headline – TechCrunch", meta("og:site_name", "TechCrunch")),
    ("Headline – TechCrunch", meta("og:url", "https://techcrunch.com/2020/01/01/headline/")),
    ("Headline | The Hill", meta("og:url", "https://thehill.com/policy/123-headline")),
    ("Headline | The Hill", meta("og:site_name", "TheHill")),
    ("Headline - BBC News", meta("og:site_name", "BBC News")),
    ("Headline - BBC", '<link rel="canonical" href="https://www.bbc.co.uk/news/1">'),
    ("Headline :: Harbour Gazette", meta("og:site_name", "The Harbour Gazette")),
    ("Headline · Example", meta("og:site_name", "www.example.com")),
    ("Headline — Daily Planet", jsonld({"@type": "NewsArticle",
                                         "publisher": {"name": "The Daily Planet"}})),
])
def test_headline_loses_a_trailing_site_name(title, head):
    found = page_metadata(page(f"<title>{title}</title>{head}"))
    assert found["headline"] == Found("Headline", "<title>")


@pytest.mark.parametrize(("title", "expected"), [
    ("Iran - Syria talks resume", "Iran - Syria talks resume"),
    ("Iran - Syria talks resume - Reuters", "Iran - Syria talks resume"),
    ("Markets | Oil slips as Iran - Syria talks resume", "Markets | Oil slips as Iran - "
                                                         "Syria talks resume"),
    ("Reuters", "Reuters"),
    (" - Reuters", "- Reuters"),
])
def test_headline_with_its_own_dash_is_kept(title, expected):
    found = page_metadata(page(f"<title>{title}</title>" + meta("og:site_name", "Reuters")))
    assert found["headline"].value == expected


def test_headline_suffix_kept_when_no_site_is_known():
    found = page_metadata(page("<title>Headline | Weekend Edition</title>"))
    assert found["headline"] == Found("Headline | Weekend Edition", "<title>")


def test_headline_is_plain_text():
    head = jsonld({"@type": "NewsArticle",
                   "headline": "Tom &amp; Jerry\n\t <em>return</em>\u200b &#8211; again\x07"})
    assert page_metadata(page(head))["headline"].value == "Tom & Jerry return – again"
    head = meta("og:title", "Tom &amp;amp; Jerry &amp;#8217;s\u00a0return")  # escaped twice
    assert page_metadata(page(head))["headline"].value == "Tom & Jerry ’s return"


def test_headline_falls_back_from_json_ld_to_open_graph_to_title():
    assert page_metadata(page("<title>C</title>" + meta("og:title", "B")))["headline"] == Found(
        "B", "<meta property=og:title>")
    head = jsonld({"@type": "BlogPosting", "name": "A"}) + meta("og:title", "B")
    assert page_metadata(page(head))["headline"] == Found("A", "JSON-LD BlogPosting.name")


def test_json_ld_seo_headline_loses_to_the_visible_one():
    head = (jsonld({"@type": "NewsArticle", "headline": "Ferry fares: why they rise and who pays"})
            + meta("og:title", "Ferry fares to rise by a fifth | Harbour Gazette")
            + meta("og:site_name", "Harbour Gazette"))
    body = "<h1>Ferry fares to rise by a fifth</h1><p>Text.</p>"
    found = page_metadata(page(head, body))
    assert found["headline"] == Found("Ferry fares to rise by a fifth",
                                      "<meta property=og:title>")
    # The <h1> repeating the JSON-LD headline keeps it, whatever og:title says.
    body = "<h1>Ferry fares: why they rise and who pays</h1>"
    assert page_metadata(page(head, body))["headline"].origin == "JSON-LD NewsArticle.headline"
    # Without an <h1> agreeing with og:title, JSON-LD still wins.
    assert page_metadata(page(head))["headline"].origin == "JSON-LD NewsArticle.headline"


@pytest.mark.parametrize("cut", ["Council votes to keep the ferry...",
                                 "Council votes to keep the ferry …"])
def test_headline_cut_short_loses_to_the_whole_one(cut):
    head = (jsonld({"@type": "NewsArticle", "headline": cut})
            + "<title>Council votes to keep the ferry running all winter | Harbour Gazette</title>"
            + meta("og:title", "Ferry stays") + meta("og:site_name", "Harbour Gazette"))
    found = page_metadata(page(head))
    assert found["headline"] == Found("Council votes to keep the ferry running all winter",
                                      "<title>")
    # A longer title that is itself cut (then followed by the site's name) does not replace it.
    head = (jsonld({"@type": "NewsArticle", "headline": cut})
            + "<title>Council votes to keep the ferry… | Portal of the Islands</title>")
    assert page_metadata(page(head))["headline"].value == cut
    # Nothing longer starting with the same words: the cut headline is all there is.
    found = page_metadata(page(jsonld({"@type": "NewsArticle", "headline": cut})))
    assert found["headline"].value == cut


def test_one_word_headline_is_a_placeholder():
    head = (jsonld({"@type": "NewsArticle", "headline": "cmsplaceholder"})
            + meta("og:title", "Plumber jailed after boiler fire"))
    assert page_metadata(page(head))["headline"] == Found("Plumber jailed after boiler fire",
                                                          "<meta property=og:title>")
    # A one-word headline with nothing longer is kept.
    assert page_metadata(page("<title>Reuters</title>"))["headline"].value == "Reuters"


def test_title_suffix_names_the_site_when_it_spells_the_host():
    head = ("<title>Parental leave for a lost pregnancy — Klub Zażółć</title>"
            + meta("og:title", "Parental leave for a lost pregnancy — Klub Zażółć")
            + '<link rel="canonical" href="https://klubzazolc.example/2021/04/leave/">')
    found = page_metadata(page(head))
    assert found["site_name"] == Found("Klub Zażółć", "<title>")
    assert found["publisher"] == Found("Klub Zażółć", "<title>")
    assert found["headline"] == Found("Parental leave for a lost pregnancy",
                                      "<meta property=og:title>")
    # A section name or a description after the separator is not the site's name.
    head = ("<title>Ministers meet in Bern | Politics</title>"
            '<link rel="canonical" href="https://dailyplanet.example/politics/1">')
    found = page_metadata(page(head))
    assert found["headline"].value == "Ministers meet in Bern | Politics"
    assert found.get("site_name", Found("", "")).value != "Politics"


# Dates


@pytest.mark.parametrize(("stamp", "expected"), [
    ("2019-03-05T23:20:00-05:00", "2019-03-05"),  # 2019-03-06 in UTC: the page's day is kept
    ("2019-03-05T01:20:00+09:00", "2019-03-05"),
    ("2019-03-05T14:20:00Z", "2019-03-05"),
    ("2019-3-5", "2019-03-05"),
    ("2019/03/05", "2019-03-05"),
    ("  2019-03-05 14:20  ", "2019-03-05"),
])
def test_date_from_a_timestamp(stamp, expected):
    found = page_metadata(page(jsonld({"@type": "NewsArticle", "datePublished": stamp})))
    assert found["published"] == Found(expected, "JSON-LD NewsArticle.datePublished")


@pytest.mark.parametrize("bad", ["2019-02-30", "2019-13-01", "0000-00-00", "1970-01-01T00:00Z",
                                 "2999-01-01", "March 2019", "2019-03", 20190305, None])
def test_impossible_dates_are_rejected(bad):
    head = (jsonld({"@type": "NewsArticle", "datePublished": bad})
            + meta("article:published_time", "2019-03-04T10:00:00+01:00"))
    found = page_metadata(page(head))
    assert found["published"] == Found("2019-03-04", "<meta property=article:published_time>")


def test_date_from_other_meta_tags():
    found = page_metadata(page(meta("citation_publication_date", "2018/11/02", "name")))
    assert found["published"] == Found("2018-11-02", "<meta name=citation_publication_date>")


def test_utc_timestamp_gives_way_to_the_same_instant_written_locally():
    head = (meta("article:published_time", "2019-11-20T05:57:50Z")
            + meta("newsletter.date", "2019-11-19 21:57:00 -0800", "name"))
    found = page_metadata(page(head))
    assert found["published"] == Found("2019-11-19", "<meta newsletter.date>")
    body = '<p>By Ann Lee <time datetime="2019-11-19T21:57:50-08:00">Nov 19</time></p>'
    found = page_metadata(page(meta("article:published_time", "2019-11-20T05:57:50+00:00"), body))
    assert found["published"] == Found("2019-11-19", "<time datetime>")
    # Another instant (here, the time the page was changed) says nothing about the day.
    head = (meta("article:published_time", "2019-11-20T05:57:50Z")
            + meta("article:modified_time", "2019-11-20T09:30:00-08:00"))
    assert page_metadata(page(head))["published"].value == "2019-11-20"
    # A timestamp with a local offset is the page's own day already.
    head = (jsonld({"@type": "NewsArticle", "datePublished": "2019-11-19T22:15:00-07:00"})
            + meta("article:published_time", "2019-11-20T05:15:00Z"))
    assert page_metadata(page(head))["published"].value == "2019-11-19"


def test_utc_timestamp_gives_way_to_the_local_day_of_the_page():
    head = jsonld({"@type": "Article", "datePublished": "2019-11-19T04:50:22+00:00"})
    body = '<p class="byline"><time datetime="2019-11-18">November 18, 2019</time></p>'
    assert page_metadata(page(head, body))["published"] == Found("2019-11-18", "<time datetime>")
    # No time zone puts 15:00 UTC on the day before.
    head = jsonld({"@type": "Article", "datePublished": "2019-11-19T15:00:00Z"})
    found = page_metadata(page(head, body))
    assert found["published"] == Found("2019-11-19", "JSON-LD Article.datePublished")


def test_time_element_beats_htmldate(monkeypatch):
    monkeypatch.setattr(metadata, "_htmldate", lambda root, url: metadata._Candidate((), HTMLDATE))
    monkeypatch.setattr(metadata, "_trafilatura", lambda root: {})
    body = ('<div class="related"><time datetime="2009-04-11">Older story</time></div>'
            '<div class="comments"><time datetime="2019-11-21T08:00Z">a comment</time></div>'
            '<div class="byline">Ann Lee <time datetime="2019-11-19T10:36:00.000Z">1 day ago'
            "</time></div><p>Text.</p>")
    assert page_metadata(page(body=body))["published"] == Found("2019-11-19", "<time datetime>")
    marked = body + '<footer><time itemprop="datePublished" datetime="2019-11-18">x</time></footer>'
    assert page_metadata(page(body=marked))["published"].value == "2019-11-18"
    only_others = '<aside><time datetime="2009-04-11">Older story</time></aside>'
    assert "published" not in page_metadata(page(body=only_others))


# Authors


@pytest.mark.parametrize(("content", "expected"), [
    ("By Ann Lee", ("Ann Lee",)),
    ("by: Ann Lee and Bo Chen", ("Ann Lee", "Bo Chen")),
    ("Ann Lee, Bo Chen and Cy Diaz", ("Ann Lee", "Bo Chen", "Cy Diaz")),
    ("Ann Lee, Bo Chen, and Cy Diaz", ("Ann Lee", "Bo Chen", "Cy Diaz")),
    ("Ann Lee &amp; Bo Chen", ("Ann Lee", "Bo Chen")),
    ("Ann Lee; Bo Chen", ("Ann Lee", "Bo Chen")),
    ("Ann Lee and ANN LEE", ("Ann Lee",)),
    ("John Smith, Jr. and Ann Lee", ("John Smith, Jr.", "Ann Lee")),
    ("Alexander Sandberg", ("Alexander Sandberg",)),
    ("https://example.com/staff/ann, Ann Lee", ("Ann Lee",)),
    ("Ann Lee, Harbour Gazette", ("Ann Lee",)),
])
def test_author_splitting(content, expected):
    head = meta("author", content, "name") + meta("og:site_name", "The Harbour Gazette")
    found = page_metadata(page(head))
    assert found["authors"] == Found(expected, "<meta name=author>")


def test_json_ld_author_objects_are_not_split():
    head = jsonld({"@type": "NewsArticle", "publisher": {"name": "Daily Planet"}, "author": [
        {"@type": "Organization", "name": "Smith & Sons Research"},
        {"@type": "Person", "givenName": "Ann", "familyName": "Lee"},
        "Bo Chen and Cy Diaz",
        {"@type": "Organization", "name": "Daily Planet"},
        {"@id": "#nobody"},
    ]})
    found = page_metadata(page(head))
    assert found["authors"].value == ("Smith & Sons Research", "Ann Lee", "Bo Chen", "Cy Diaz")


def test_author_named_like_the_host_is_kept():
    head = meta("og:url", "https://janedoe.example/2020/notes") + meta("author", "Jane Doe", "name")
    assert page_metadata(page(head))["authors"].value == ("Jane Doe",)


def test_article_author_urls_are_not_names():
    head = (meta("article:author", "https://www.facebook.com/ann.lee")
            + meta("author", "Ann Lee", "name"))
    assert page_metadata(page(head))["authors"] == Found(("Ann Lee",), "<meta name=author>")


def test_whole_name_tags_are_repeatable_and_not_split():
    head = meta("citation_author", "Lee, Ann", "name") + meta("citation_author", "Chen, Bo", "name")
    found = page_metadata(page(head))
    assert found["authors"] == Found(("Lee, Ann", "Chen, Bo"), "<meta name=citation_author>")


def test_authors_are_capped():
    many = ", ".join(f"Writer Number{i}" for i in range(50))
    long = "A" + "b" * 1000
    found = page_metadata(page(meta("author", f"{long}, {many}", "name")))
    names = found["authors"].value
    assert len(names) == metadata.MAX_AUTHORS
    assert len(names[0]) == metadata.MAX_NAME and names[1] == "Writer Number0"


@pytest.mark.parametrize(("name", "expected"), [
    ("By DANA WHITCOMB, Senior Sports Writer", ("Dana Whitcomb",)),
    ("Mara Lindqvist, MS, RD", ("Mara Lindqvist",)),
    ("Luis Ferreira, PhD", ("Luis Ferreira",)),
    ("Cy Diaz, Jr.", ("Cy Diaz, Jr.",)),
    ("Lee, Ann", ("Lee, Ann",)),
    ("By Omar Haddad And Ines Kowalski For The Sunday Planet", ("Omar Haddad", "Ines Kowalski")),
    ("Ann Lee and Bo Chen", ("Ann Lee", "Bo Chen")),
    ("AIKO MARIE TANAKA", ("Aiko Marie Tanaka",)),
    ("PLANETSTROM AG", ("PLANETSTROM AG",)),
])
def test_json_ld_person_names_lose_titles_and_outlets(name, expected):
    head = jsonld({"@type": "NewsArticle", "author": {"@type": "Person", "name": name}})
    assert page_metadata(page(head))["authors"].value == expected


def test_json_ld_organisation_names_are_not_split_on_and():
    head = jsonld({"@type": "NewsArticle",
                   "author": {"@type": "Organization", "name": "Smith and Sons Research"}})
    assert page_metadata(page(head))["authors"].value == ("Smith and Sons Research",)


@pytest.mark.parametrize("credit", ["Redaktion", "Die Redaktion", "DP Staff Report", "Staff",
                                    "Detroit Planet wire services", "Editorial Team", "Agencies",
                                    "Newsroom", "Redacción", "Staff and news service reports",
                                    "Daily Planet /AL", "ann/dpa"])
def test_newsroom_credits_are_not_persons(credit, monkeypatch):
    monkeypatch.setattr(metadata, "_trafilatura", lambda root: {})
    head = (jsonld({"@type": "NewsArticle", "author": {"@type": "Person", "name": credit},
                    "publisher": {"name": "Daily Planet"}})
            + meta("author", credit, "name"))
    assert "authors" not in page_metadata(page(head))


@pytest.mark.parametrize(("content", "expected"), [
    ("Sam Beaulieu, Daily Planet", ("Sam Beaulieu",)),  # part of the site's name
    ("Priya Raman, Partnersite", ("Priya Raman",)),  # a partner site beside a name
    ("Ann Lee, Bo Chen", ("Ann Lee", "Bo Chen")),
    ("Daily Planet Deutschland GmbH, Munich, Germany", None),  # the outlet's address
    ("Planet Verlag, Munich", ("Planet Verlag",)),
])
def test_outlet_beside_the_writer_in_meta_author(content, expected):
    head = meta("author", content, "name") + meta("og:site_name", "Daily Planet Deutschland")
    found = page_metadata(page(head))
    assert (found["authors"].value if "authors" in found else None) == expected


def fallback(monkeypatch, **texts: tuple[str, ...]) -> None:
    """trafilatura's fallback replaced by the given texts per field."""
    candidates = {field: metadata._Candidate(values, TRAFILATURA)
                  for field, values in texts.items()}
    monkeypatch.setattr(metadata, "_trafilatura", lambda root: candidates)


@pytest.mark.parametrize(("byline", "expected"), [
    ("Detroit Planet wire services Published", None),
    ("Daily Planet February", None),  # the outlet and the month of the dateline
    ("Ann Lee 24.02.2020", None),
    ("CLAIRE DUBOIS", ("Claire Dubois",)),
    ("JULIEN MARCHAND Wire Agency", ("Julien Marchand",)),
    ("J R Okafor", ("J R Okafor",)),
    ("Det", None),  # one word: staff initials, a first name, "Posted", …
    ("Jane Roe", ("Jane Roe",)),
])
def test_free_text_bylines_of_the_fallback(byline, expected, monkeypatch):
    fallback(monkeypatch, authors=(byline,))
    found = page_metadata(page(meta("og:site_name", "Daily Planet")))
    assert (found["authors"].value if "authors" in found else None) == expected


# Addresses and languages


def test_tracking_parameters_are_removed():
    address = "https://news.example/a/story?utm_source=x&amp;id=7&amp;utm_medium=y&amp;fbclid=1"
    found = page_metadata(page(meta("og:url", address)))
    assert found["url"] == Found("https://news.example/a/story?id=7", "<meta property=og:url>")
    found = page_metadata(page(f'<link rel="canonical" href="{address.split("?")[0]}?gclid=2">'))
    assert found["url"] == Found("https://news.example/a/story", "<link rel=canonical>")


@pytest.mark.parametrize("bad", ["/a/story", "//news.example/a", "javascript:alert(1)",
                                 "ftp://news.example/a", "https://", "http://[::1",
                                 "https://news.example/a b", 42])
def test_only_absolute_web_addresses(bad):
    head = (jsonld({"@type": "NewsArticle", "url": bad})
            + '<link rel="Canonical Alternate" href="https://news.example/a">')
    assert page_metadata(page(head))["url"] == Found("https://news.example/a",
                                                     "<link rel=canonical>")


@pytest.mark.parametrize(("head", "lang", "expected"), [
    (meta("og:locale", "en_US"), "", ("en-US", "<meta property=og:locale>")),
    (meta("og:locale", "English"), "EN-gb", ("en-GB", "<html lang>")),
    ("", "zh-hant-tw", ("zh-Hant-TW", "<html lang>")),
    (jsonld({"@type": "NewsArticle", "inLanguage": {"@type": "Language", "name": "French",
                                                    "alternateName": "fr"}}), "de",
     ("fr", "JSON-LD NewsArticle.inLanguage")),
    ('<meta http-equiv="Content-Language" content="pt-BR">', "",
     ("pt-BR", "<meta http-equiv=content-language>")),
])
def test_language(head, lang, expected):
    found = page_metadata(page(head, lang=lang))
    assert (found["language"].value, found["language"].origin) == expected


def test_json_ld_address_is_taken_only_when_the_page_agrees():
    story = "https://news.example/2020/01/ferry-fares/"
    head = (jsonld({"@type": "NewsArticle", "mainEntityOfPage": {"@id": story + "#webpage"}})
            + meta("og:url", story))
    assert page_metadata(page(head))["url"] == Found(story, "JSON-LD NewsArticle.mainEntityOfPage")
    head = (jsonld({"@type": "NewsArticle", "url": "https://news.example/amp/ferry"})
            + f'<link rel="canonical" href="{story}">')
    assert page_metadata(page(head))["url"] == Found(story, "<link rel=canonical>")
    head = jsonld({"@type": "NewsArticle", "url": story + "#main"})
    assert page_metadata(page(head))["url"] == Found(story, "JSON-LD NewsArticle.url")


def test_addresses_lose_their_fragment():
    found = page_metadata(page(meta("og:url", "https://news.example/story?id=7#comments")))
    assert found["url"] == Found("https://news.example/story?id=7", "<meta property=og:url>")


def test_https_is_preferred_to_http_for_the_same_address():
    head = (jsonld({"@type": "NewsArticle", "url": "http://news.example/story/"})
            + meta("og:url", "http://news.example/story/")
            + '<link rel="canonical" href="https://news.example/story/">')
    assert page_metadata(page(head))["url"] == Found("https://news.example/story/",
                                                     "<link rel=canonical>")


def test_canonical_link_beats_og_url_on_the_same_site():
    head = (meta("og:url", "https://news.example/706332")
            + '<link rel="canonical" href="https://news.example/706332/ferry-fares-rise">')
    assert page_metadata(page(head))["url"].value == "https://news.example/706332/ferry-fares-rise"
    # A copy whose canonical link names the original on another site: the copy was saved.
    head = (meta("og:url", "https://portal.example/news/ar-BB1")
            + '<link rel="canonical" href="https://original.example/2019/story">')
    assert page_metadata(page(head))["url"] == Found("https://portal.example/news/ar-BB1",
                                                     "<meta property=og:url>")


def test_home_page_is_not_the_article_address():
    head = (jsonld({"@type": "NewsArticle", "mainEntityOfPage": "https://news.example/"})
            + meta("og:url", "https://news.example/2020/story"))
    assert page_metadata(page(head))["url"] == Found("https://news.example/2020/story",
                                                     "<meta property=og:url>")
    found = page_metadata(page(meta("og:url", "https://news.example/")))
    assert found["url"].value == "https://news.example/"


# Publisher and site name


def test_slug_or_host_loses_to_a_real_name_of_the_same_site():
    head = (meta("og:site_name", "detroitplanet")
            + meta("og:url", "https://www.detroitplanet.example/story/1")
            + jsonld({"@type": "NewsArticle", "publisher": {"name": "The Detroit Planet"}}))
    found = page_metadata(page(head))
    assert found["site_name"] == Found("The Detroit Planet", "JSON-LD NewsArticle.publisher")
    assert found["publisher"] == Found("The Detroit Planet", "JSON-LD NewsArticle.publisher")
    head = (meta("og:site_name", "www.elplaneta.example")
            + meta("og:url", "https://www.elplaneta.example/a/1")
            + jsonld({"@type": "NewsArticle", "publisher": {"name": "ElPlaneta.example"}}))
    assert page_metadata(page(head))["site_name"].value == "ElPlaneta.example"


def test_host_or_slug_is_kept_when_no_name_of_the_site_exists():
    head = meta("og:site_name", "motor.example") + meta("og:url", "https://motor.example/a/1")
    found = page_metadata(page(head))
    assert found["site_name"] == Found("motor.example", "<meta property=og:site_name>")
    # A real name of something else (here, the writer) does not replace it.
    head += meta("dc.publisher", "Tomás Okafor", "name") + meta("author", "Tomás Okafor", "name")
    found = page_metadata(page(head))
    assert found["publisher"].value == "motor.example"
    assert found["authors"].value == ("Tomás Okafor",)
    head = meta("og:site_name", "my6planet")
    assert page_metadata(page(head))["site_name"].value == "my6planet"


@pytest.mark.parametrize(("guess", "expected"), [
    ("DailyPlanetNews", None),  # a Twitter handle
    ("Daily_Planet", None),
    ("Dailyplanet", None),  # a host name made a word
    ("BMWK", "BMWK"),  # an acronym
    ("Daily Planet Media Group", "Daily Planet Media Group"),
    ("dailyplanet.example", "dailyplanet.example"),
])
def test_fallback_site_names_of_one_word_are_guesses(guess, expected, monkeypatch):
    fallback(monkeypatch, publisher=(guess,), site_name=(guess,))
    found = page_metadata(page("<title>Headline</title>"))
    assert (found["site_name"].value if "site_name" in found else None) == expected
    assert (found["publisher"].value if "publisher" in found else None) == expected


# JSON-LD shapes


def test_json_ld_article_is_preferred_to_other_objects():
    head = (jsonld({"@type": "WebSite", "name": "Site Name"})
            + jsonld([{"@type": "Organization", "name": "Org"},
                      {"@type": "WebPage", "name": "Page name", "mainEntity": {
                          "@type": ["Thing", "schema:AnalysisNewsArticle"],
                          "headline": "Article headline"}}]))
    found = page_metadata(page(head))
    assert found["headline"] == Found("Article headline", "JSON-LD AnalysisNewsArticle.headline")
    assert found["site_name"] == Found("Site Name", "JSON-LD WebSite.name")


def test_json_ld_script_variants():
    body = json.dumps({"@type": "http://schema.org/NewsArticle", "headline": "Wrapped"})
    head = (f'<script type="Application/LD+JSON; charset=utf-8">//<![CDATA[\n{body}\n//]]>'
            "</script>")
    assert page_metadata(page(head))["headline"] == Found("Wrapped", "JSON-LD NewsArticle.headline")
    head = f'<script type="application/ld+json"><!-- {body} --></script>'
    assert page_metadata(page(head))["headline"].value == "Wrapped"
    head = f'<script type="application/json">{body}</script><title>Title</title>'
    assert page_metadata(page(head))["headline"] == Found("Title", "<title>")


def test_listed_articles_are_not_the_page():
    head = jsonld({"@type": "ItemList", "itemListElement": [
        {"@type": "NewsArticle", "headline": "Someone else's story", "author": "Ann Lee"}]})
    found = page_metadata(page("<title>Our page</title>" + head))
    assert found["headline"] == Found("Our page", "<title>")
    assert "authors" not in found


# Garbage


def garbage() -> list[str]:
    rng = random.Random(20240501)
    noise = rng.randbytes(4000)
    fixture = (PAGES / "several-authors.html").read_text(encoding="utf-8")
    cuts = [fixture[: rng.randrange(len(fixture))] for _ in range(10)]
    shuffled = [fixture[i:] + fixture[:i] for i in (rng.randrange(len(fixture)) for _ in range(5))]
    return [
        "", " ", "<html", "<", ">", "<!-- only a comment -->", "\x00", "\x00<p>x</p>",
        "https://example.com/a-page", "<?xml version='1.0' encoding='utf-8'?><html><title>X",
        noise.decode("latin-1"), noise.decode("utf-8", "replace"),
        noise.decode("utf-8", "surrogateescape"), "<title>\udcff\ud800 A</title>",
        page(jsonld({"@type": "NewsArticle", "headline": 12, "name": [3.5, [1]], "author": 7,
                     "publisher": [None, {"name": 5}], "datePublished": 20190101,
                     "url": {"@id": 4}, "mainEntityOfPage": [[["x"]]], "inLanguage": True})),
        page(jsonld({"@type": 5, "@graph": 6, "mainEntity": "x"}) + jsonld([1, "a", None])),
        page(jsonld({"@type": "NewsArticle", "author": {"@id": "#a"}, "@graph": [
            {"@id": "#a", "author": {"@id": "#a"}, "name": {"@id": "#a"}}]})),
        page('<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"),
        page('<script type="application/ld+json">{"@type": "NewsArticle", "headline": NaN}'
             "</script><script type='application/ld+json'></script>"),
        page(meta("og:title", "x" * 1_000_000) + meta("author", "y " * 200_000, "name")),
        page(meta("og:title", "\x01\x02\x1f") + meta("og:url", "https://a\x07b.example/")),
        page("<title><title></title><svg><title>Icon</title></svg>"),
        *cuts, *shuffled,
    ]


def test_garbage_never_raises(monkeypatch):
    import htmldate.utils

    def no_download(*args, **kwargs):
        raise AssertionError("tried to download")

    monkeypatch.setattr(htmldate.utils, "fetch_url", no_download)
    for markup in garbage():
        found = page_metadata(markup)
        assert isinstance(found, dict)
        assert_plain(found)


def test_huge_values_are_capped():
    found = page_metadata(page(meta("og:title", "word " * 200_000)))
    headline = found["headline"].value
    assert len(headline) <= metadata.MAX_HEADLINE and headline.endswith("word")
