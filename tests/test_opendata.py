"""Open data: CSV/JSON exports, Web Annotations, schema.org JSON-LD, sitemap, feed, citations.

Everything is read back from the built files, the way a consumer of the data would read it.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import build
from dossier import opendata
from tests.conftest import write_mini

SITES = ["built_mini", "shipped_site"]
BASE = "http://localhost:8000/"
S000, S001, S002, S003, S004 = ("000_24226ba9ecf00a29", "001_44648399724b0241",
                                "002_04fd449ed01c997c", "003_ee9f25022a302441",
                                "004_5a6f3ee7378eafbc")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def site_of(request: pytest.FixtureRequest, name: str) -> Path:
    value = request.getfixturevalue(name)
    return value / "site" if name == "built_mini" else value


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def rows(site: Path, name: str) -> list[dict[str, str]]:
    data = (site / "data" / name).read_bytes()
    assert b"\r" not in data, f"{name}: line endings must be \\n"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def cleaned(site: Path, source: str) -> str:
    return (site / "data" / "cleaned" / f"{source}.txt").read_bytes().decode("utf-8")


def local(site: Path, url: str) -> Path:
    """The built file an absolute address of the site points to."""
    assert url.startswith(BASE), url
    return site / url.removeprefix(BASE).split("#")[0]


def source_pages(site: Path) -> list[str]:
    return sorted(p.stem for p in (site / "sources").glob("*.html") if p.name != "index.html")


def ld_scripts(page: BeautifulSoup) -> list[dict]:
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


# ----------------------------------------------------------------- CSV and JSON exports


@pytest.mark.parametrize("name", SITES)
def test_mentions_csv_matches_the_mention_links_of_every_article(request, name):
    site = site_of(request, name)
    table = rows(site, "mentions.csv")
    assert list(table[0]) == ["source", "id", "entity", "quote", "start", "end", "block",
                              "seed_line", "note"]
    for sid in source_pages(site):
        article = soup(site, f"sources/{sid}.html").article
        # a mention is a link, or a mark inside the link of the mention around it
        linked = {a["id"] for a in article.find_all(["a", "span"], id=True)
                  if a["id"].startswith("m-")}
        exported = [r["id"] for r in table if r["source"] == sid]
        assert len(exported) == len(linked), sid
        assert set(exported) == linked, sid
    assert len(table) == sum(len(soup(site, f"sources/{sid}.html").article
                                 .select("a[id^='m-'], span.m-in[id^='m-']"))
                            for sid in source_pages(site))


def test_a_known_mention_row_of_the_shipped_dossier(shipped_site):
    found = [r for r in rows(shipped_site, "mentions.csv")
             if r["source"] == S001 and r["quote"] == "Hossein Hamadani"]
    assert len(found) == 1
    row = found[0]
    assert row["entity"] == "hossein-hamedani"
    text = cleaned(shipped_site, S001)
    assert text[int(row["start"]):int(row["end"])] == "Hossein Hamadani"
    # the id is the fragment of the mention's link on the source page
    link = soup(shipped_site, f"sources/{S001}.html").find(id=row["id"])
    assert link.get_text() == "Hossein Hamadani"
    assert link["href"] == "../people/hossein-hamedani.html"


@pytest.mark.parametrize("name", SITES)
def test_csv_offsets_and_seed_lines_point_at_the_quote(request, name):
    site = site_of(request, name)
    root = request.getfixturevalue(name) if name == "built_mini" else Path(build.ROOT)
    for table in ("mentions.csv", "dates.csv"):
        for r in rows(site, table):
            text = cleaned(site, r["source"])
            assert text[int(r["start"]):int(r["end"])] == r["quote"], r
            seed = next((root / "seeds").glob(r["source"] + ".*"))
            line = seed.read_text(encoding="utf-8").splitlines()[int(r["seed_line"]) - 1]
            assert r["quote"] in line, r
            assert text.split("\n")[int(r["block"])].strip() == line.strip()


def test_dates_csv_holds_the_normalised_dates(built_mini):
    table = {r["quote"]: r for r in rows(built_mini / "site", "dates.csv")}
    assert table["since last year"] == {
        "source": "alpha", "id": table["since last year"]["id"], "quote": "since last year",
        "value": "2014-01-01/2015-10-15", "first_day": "2014-01-01", "last_day": "2015-10-15",
        "precision": "interval", "date_page": table["since last year"]["date_page"],
        "approximate": "true", "reasoning": "From the start of last year to publication.",
        "event": "Hamadani advises the Syrian army", "start": table["since last year"]["start"],
        "end": table["since last year"]["end"], "block": "1",
        "seed_line": table["since last year"]["seed_line"]}
    assert table["Saturday"]["value"] == "2015-10-17"
    assert table["Saturday"]["approximate"] == "false"


@pytest.mark.parametrize("name", SITES)
def test_cleaned_text_is_the_article_the_page_shows(request, name):
    site = site_of(request, name)
    sources = {s["id"]: s for s in json.loads((site / "data/sources.json").read_text("utf-8"))}
    assert sorted(sources) == source_pages(site)
    by_csv = {r["id"]: r for r in rows(site, "sources.csv")}
    for sid, record in sources.items():
        article = soup(site, f"sources/{sid}.html").article
        for extra in article.find_all(attrs={"data-dossier-extra": True}):
            extra.decompose()  # a nested mention's own link, beside the text
        shown = "\n".join(b.get_text() for b in article.find_all(["p", "h2"]))
        assert cleaned(site, sid) == record["text"] == by_csv[sid]["text"] == shown
        assert (site / record["page"]).is_file()
        assert record["cleaned"] == f"data/cleaned/{sid}.txt"


def test_entities_export(shipped_site):
    records = json.loads((shipped_site / "data/entities.json").read_text("utf-8"))
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert len(records) == len(list(shipped_site.glob("*/*.html"))) - len(
        list(shipped_site.glob("*/index.html"))) - len(source_pages(shipped_site)) - len(
        [p for p in (shipped_site / "dates").glob("*.html") if p.name != "index.html"])
    mentions = rows(shipped_site, "mentions.csv")
    by_id = {r["id"]: r for r in records}
    h = by_id["hossein-hamedani"]
    assert h["kind"] == "person" and h["page"] == "people/hossein-hamedani.html"
    assert "Hossein Hamadani" in h["variants"]
    assert h["mentions"] == sum(r["entity"] == "hossein-hamedani" for r in mentions) > 0
    assert {"relation": "member-of", "entity": "irgc", "source": S002,
            "quote": "Hamedani was one of three IRGC"} in h["relations"]
    assert all(st["sources"] for st in h["description"])
    for r in records:
        assert (shipped_site / r["page"]).is_file()
    table = {r["id"]: r for r in rows(shipped_site, "entities.csv")}
    assert set(table) == set(by_id)
    assert table["hossein-hamedani"]["mentions"] == str(h["mentions"])
    assert "Hossein Hamadani" in table["hossein-hamedani"]["variants"].split(" | ")


# ----------------------------------------------------------------- Web Annotation


@pytest.mark.parametrize("name", SITES)
def test_every_web_annotation_selector_matches_the_cleaned_text(request, name):
    site = site_of(request, name)
    coll = json.loads((site / "data/annotations.jsonld").read_text("utf-8"))
    assert coll["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert coll["type"] == "AnnotationCollection"
    items = coll["first"]["items"]
    assert coll["total"] == len(items) == len(rows(site, "mentions.csv")) + len(
        rows(site, "dates.csv"))
    pages: dict[Path, set[str]] = {}
    for ann in items:
        assert ann["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert ann["type"] == "Annotation"
        assert ann["motivation"] in ("identifying", "tagging")
        target = ann["target"]
        text = local(site, target["source"]["id"]).read_bytes().decode("utf-8")
        page = local(site, target["scope"]["id"])
        if page not in pages:
            pages[page] = {t["id"] for t in BeautifulSoup(page.read_text("utf-8"),
                                                          "html.parser").find_all(id=True)}
        assert ann["id"].startswith(target["scope"]["id"] + "#")
        assert ann["id"].split("#")[1] in pages[page]
        quote = next(s for s in target["selector"] if s["type"] == "TextQuoteSelector")
        pos = next(s for s in target["selector"] if s["type"] == "TextPositionSelector")
        start, end = pos["start"], pos["end"]
        assert quote["exact"] == text[start:end] != ""
        prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
        assert prefix == text[max(0, start - 32):start]
        assert suffix == text[end:end + 32]
        # the quote with its context is unique enough to re-anchor in most cases, and at
        # least it is found where the position selector says
        assert text.find(prefix + quote["exact"] + suffix) != -1
        for body in ann["body"]:
            if body["type"] == "SpecificResource":
                assert local(site, body["source"]).is_file()
    assert pages


def test_mention_annotation_identifies_the_entity(built_mini):
    coll = json.loads((built_mini / "site/data/annotations.jsonld").read_text("utf-8"))
    ann = next(a for a in coll["first"]["items"]
               if a["motivation"] == "identifying"
               and a["target"]["selector"][0]["exact"] == "Hamadani")
    assert ann["body"][0] == {"type": "SpecificResource", "purpose": "identifying",
                              "source": BASE + "people/hossein-hamedani.html"}
    assert ann["target"]["source"]["id"] == BASE + "data/cleaned/alpha.txt"
    assert ann["target"]["scope"]["id"] == BASE + "sources/alpha.html"
    date = next(a for a in coll["first"]["items"] if a["motivation"] == "tagging"
                and a["target"]["selector"][0]["exact"] == "Thursday")
    assert {"type": "TextualBody", "purpose": "tagging", "format": "text/plain",
            "value": "2015-10-15"} in date["body"]


# ----------------------------------------------------------------- schema.org JSON-LD


@pytest.mark.parametrize("name", SITES)
def test_json_ld_of_source_and_entity_pages(request, name):
    site = site_of(request, name)
    types = {"people": {"Person"}, "units": {"Organization"}, "organisations": {"Organization"},
             "places": {"Place"}}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        page = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        found = ld_scripts(page)
        folder = rel.split("/")[0]
        if rel.endswith("index.html") or folder not in {"sources", *types}:
            assert found == [], rel
            continue
        assert len(found) == 1, rel
        assert page.head.find("script", type="application/ld+json"), rel
        data = found[0]
        assert data["@context"] == "https://schema.org"
        if folder == "sources":
            assert data["@type"] == "NewsArticle"
            assert data["headline"] == page.h1.get_text()
            assert data["mainEntityOfPage"] == BASE + rel
            named = page.find("section", attrs={"aria-labelledby": "h-in-source"})
            listed = {BASE + a["href"].removeprefix("../") for a in named.find_all("a")} \
                if named else set()
            assert {m["url"] for m in data.get("mentions", [])} == listed, rel
            for m in data.get("mentions", []):
                assert local(site, m["url"]).is_file()
        else:
            assert data["@type"] in types[folder], rel
            assert data["name"] == page.h1.get_text()
            assert data["url"] == BASE + rel
            if folder == "units":
                assert "Military unit or armed group" in json.dumps(data["additionalType"])


def test_json_ld_of_known_pages(shipped_site):
    person = ld_scripts(soup(shipped_site, "people/hossein-hamedani.html"))[0]
    assert person["@type"] == "Person"
    assert person["name"] == "Hossein Hamedani"
    assert person["alternateName"] == ["Hossein Hamadani", "Hamedani"]
    assert "Iran’s top general in Syria" in person["description"]
    article = ld_scripts(soup(shipped_site, f"sources/{S003}.html"))[0]
    assert article["publisher"] == {"@type": "Organization", "name": "Al Jazeera English"}
    assert article["datePublished"] == "2015-10-15"
    assert article["url"].startswith("http://www.aljazeera.com/news/2015/10/")
    assert article["about"] and all(a in article["mentions"] for a in article["about"])


def test_json_ld_cannot_break_out_of_its_script(mini):
    evil = "</script><script>alert(1)</script> & <b>more</b>"
    alpha = mini / "content/sources/alpha.yaml"
    alpha.write_text(alpha.read_text("utf-8").replace(
        "headline: Iran sends advisers to Syria", f"headline: {json.dumps(evil)}"), "utf-8")
    entities = mini / "content/entities/all.yaml"
    entities.write_text(entities.read_text("utf-8").replace(
        "City in Syria.", "City in Syria </script><!-- <script>alert(2)</script>"), "utf-8")
    assert build.main(["--root", str(mini)]) == 0
    for page, field, expected in (
            ("sources/alpha.html", "headline", evil),
            ("places/aleppo.html", "description",
             "City in Syria </script><!-- <script>alert(2)</script>")):
        raw = (mini / "site" / page).read_text("utf-8")
        assert "<script>alert" not in raw and "<!--" not in raw
        parsed = BeautifulSoup(raw, "html.parser")
        scripts = parsed.find_all("script")
        assert not any("alert" in (s.string or "") and s.get("type") != "application/ld+json"
                       for s in scripts)
        data = ld_scripts(parsed)
        assert len(data) == 1
        assert data[0][field] == expected
        block = parsed.find("script", type="application/ld+json").string
        assert "<" not in block and ">" not in block and "&" not in block


def test_json_ld_for_other_kinds_is_empty(built_mini):
    assert opendata.jsonld("timeline", None, None) == ""
    assert opendata.jsonld("date", "2015", None) == ""


# ----------------------------------------------------------------- sitemap and feed


@pytest.mark.parametrize("name", SITES)
def test_sitemap_lists_exactly_the_html_pages(request, name):
    site = site_of(request, name)
    tree = ET.parse(site / "sitemap.xml")
    assert tree.getroot().tag == f"{SITEMAP}urlset"
    locs = [loc.text for loc in tree.getroot().iter(f"{SITEMAP}loc")]
    assert locs == sorted(locs)
    html = {BASE + p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert len(locs) == len(set(locs))
    assert set(locs) == html


def test_feed_lists_the_sources_newest_first(shipped_site):
    root = ET.parse(shipped_site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}updated").text == "2015-10-21T00:00:00Z"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        f"{BASE}sources/{sid}.html" for sid in (S001, S000, S003, S002, S004)]
    sources = {s["id"]: s for s in json.loads(
        (shipped_site / "data/sources.json").read_text("utf-8"))}
    for entry in entries:
        sid = entry.find(f"{ATOM}id").text.rsplit("/", 1)[1].removesuffix(".html")
        meta = sources[sid]
        assert entry.find(f"{ATOM}title").text == meta["headline"]
        assert entry.find(f"{ATOM}published").text == meta["published"] + "T00:00:00Z"
        assert entry.find(f"{ATOM}updated").text == meta["published"] + "T00:00:00Z"
        assert entry.find(f"{ATOM}author/{ATOM}name").text == meta["publisher"]
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert local(shipped_site, link).is_file()
        first = soup(shipped_site, f"sources/{sid}.html").article.find("p").get_text()
        assert entry.find(f"{ATOM}summary").text == first


def test_base_url_reaches_every_absolute_address(tmp_path):
    root = write_mini(tmp_path / "mini")
    out = tmp_path / "out"
    assert build.main(["--root", str(root), "--out", str(out),
                       "--base-url", "https://example.org/dossier"]) == 0
    base = "https://example.org/dossier/"
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    assert all(loc.text.startswith(base) for loc in sitemap.iter(f"{SITEMAP}loc"))
    assert ET.parse(out / "feed.xml").getroot().find(f"{ATOM}id").text == base
    coll = json.loads((out / "data/annotations.jsonld").read_text("utf-8"))
    assert all(a["id"].startswith(base + "sources/") for a in coll["first"]["items"])
    page = soup(out, "sources/alpha.html")
    assert ld_scripts(page)[0]["mainEntityOfPage"] == base + "sources/alpha.html"
    assert BASE not in (out / "sources/alpha.html").read_text("utf-8")


# ----------------------------------------------------------------- citations


def citation_blocks(site: Path, sid: str) -> dict[str, str]:
    page = soup(site, f"sources/{sid}.html")
    section = page.find("section", attrs={"aria-labelledby": "h-cite"})
    assert section.find(id="h-cite").get_text() == "Cite this source"
    blocks = {}
    for group in section.find_all("div", role="group"):
        label = section.find(id=group["aria-labelledby"]).get_text()
        assert group.h3.get_text() == label
        pre = group.pre
        button = section.find("button", attrs={"data-copy": pre["id"]})
        assert button is not None and button.has_attr("hidden")  # shown only by script
        blocks[label] = pre.get_text()
    return blocks


def test_citations_on_the_source_page(shipped_site):
    inferred = citation_blocks(shipped_site, S000)
    assert set(inferred) == {"Reference", "Chicago note", "BibTeX"}
    for text in inferred.values():
        assert "[date inferred]" in text or "date inferred" in text
        assert f"{BASE}sources/{S000}.html" in text
        assert "voiceofthecopts.org" in text
    assert "15 October 2015 [date inferred]" in inferred["Reference"]
    assert "October 15, 2015 [date inferred]" in inferred["Chicago note"]
    printed = citation_blocks(shipped_site, S003)
    for text in printed.values():
        assert "inferred" not in text
        assert "Al Jazeera English" in text
    assert "Iran ‘deploys troops’ to help Syrian army offensive" in printed["Reference"]
    bib = printed["BibTeX"]
    assert bib.startswith(f"@misc{{{S003},") and bib.endswith("}")
    assert bib.count("{") == bib.count("}")
    assert "year = {2015}" in bib and "month = oct" in bib


def test_bibtex_escapes_special_characters():
    assert opendata._tex("50% & #1_{x}") == r"50\% \& \#1\_\{x\}"


# ----------------------------------------------------------------- determinism


def test_two_builds_give_identical_open_data(tmp_path):
    root = write_mini(tmp_path / "mini")
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        assert build.main(["--root", str(root), "--out", str(out)]) == 0
    files = [{p.relative_to(o).as_posix(): p.read_bytes() for p in sorted(o.rglob("*"))
              if p.is_file() and (p.suffix in (".xml",) or "data" in p.relative_to(o).parts)}
             for o in outs]
    assert files[0] == files[1]
    assert {"data/entities.json", "data/entities.csv", "data/mentions.csv", "data/dates.csv",
            "data/sources.json", "data/sources.csv", "data/annotations.jsonld",
            "data/cleaned/alpha.txt", "data/cleaned/beta.txt", "sitemap.xml",
            "feed.xml"} <= set(files[0])


@pytest.mark.parametrize("name", SITES)
def test_each_source_s_annotations_are_also_a_page_of_the_collection(request, name):
    """data/annotations/<id>.jsonld: a W3C AnnotationPage, part of the collection, holding
    exactly that source's items of it, in the same order."""
    site = site_of(request, name)
    collection = json.loads((site / "data/annotations.jsonld").read_text(encoding="utf-8"))
    items = collection["first"]["items"]
    pages = sorted((site / "data/annotations").glob("*.jsonld"))
    assert [p.stem for p in pages] == sorted(source_pages(site))
    joined = []
    for path in pages:
        page = json.loads(path.read_text(encoding="utf-8"))
        assert page["type"] == "AnnotationPage" and page["partOf"] == collection["id"]
        assert page["id"].endswith(f"data/annotations/{path.name}")
        target = f"data/cleaned/{path.stem}.txt"
        assert all(a["target"]["source"]["id"].endswith(target) for a in page["items"])
        joined += page["items"]
    assert joined == items and collection["total"] == len(items)


def test_an_edit_rewrites_that_source_s_files_only(mini):
    """A note on a mention of beta: beta's annotation page changes, alpha's is kept (its file
    untouched), and the collection is joined again."""
    from tests.conftest import edit, quiet_build

    assert quiet_build("--root", str(mini)) == 0
    data = mini / "site/data"
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in (
        data / "annotations/alpha.jsonld", data / "annotations/beta.jsonld",
        data / "cleaned/alpha.txt", data / "annotations.jsonld")}
    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n",
         "  - {quote: Tehran, entity: tehran, note: Capital of Iran.}\n")
    assert quiet_build("--root", str(mini)) == 0
    after = {p: (p.stat().st_ino, p.read_bytes()) for p in before}
    assert after[data / "annotations/alpha.jsonld"] == before[data / "annotations/alpha.jsonld"]
    assert after[data / "cleaned/alpha.txt"] == before[data / "cleaned/alpha.txt"]
    assert b"Capital of Iran." in after[data / "annotations/beta.jsonld"][1]
    assert b"Capital of Iran." in after[data / "annotations.jsonld"][1]
