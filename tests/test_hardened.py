"""Hostile or broken input: a clear error or a safe rendering, never a traceback, never a
partial site/, never a changed seed."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import build
from tests.conftest import REPO, edit, own_template, tree_digest

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def replace_in(path: str, old: str, new: str):
    def change(root: Path) -> None:
        edit(root / path, old, new)
    return change


def write(path: str, text: str | bytes):
    def change(root: Path) -> None:
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            file.write_bytes(text)
        else:
            file.write_text(text, encoding="utf-8")
    return change


def folder_as_file(path: str):
    def change(root: Path) -> None:
        shutil.rmtree(root / path, ignore_errors=True)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("a file where a folder was\n")
    return change


FAILURES = {
    "malformed YAML": (write("content/sources/beta.yaml", "headline: [unclosed\n"),
                       "content/sources/beta.yaml:1:11: error: YAML syntax: this '[' is not "
                       "closed (at the end of the file: did not find expected ',' or ']'); end "
                       "the list with ']' on this line, and put an item holding a comma, a "
                       "colon or a bracket in quotes"),
    "wrong type": (replace_in("content/sources/alpha.yaml", "occurrence: 1", "occurrence: one"),
                   "content/sources/alpha.yaml:9:49: error: mentions[2].occurrence: expected a "
                   "whole number, found text"),
    "wrong type of file": (write("content/sources/alpha.yaml", "- a list\n- not a mapping\n"),
                           "content/sources/alpha.yaml:1:1: error: the file: expected a "
                           "mapping, found a list"),
    "missing required field": (replace_in("content/sources/beta.yaml",
                                          "{quote: Tehran, entity: tehran}", "{quote: Tehran}"),
                               "content/sources/beta.yaml:10:5: error: mentions[1]: 'entity' "
                               "is a required property"),
    "unknown key": (replace_in("content/entities/all.yaml", "  kind: person",
                               "  kind: person\n  nickname: Hamid"),
                    "content/entities/all.yaml:1:3: error: unknown field 'nickname' (did you "
                    "mean 'name'?) in [0]; "
                    "allowed fields: description, id, kind, name, notes, relations, type, "
                    "variants"),
    "duplicate id": (replace_in("content/entities/all.yaml", "id: tehran", "id: aleppo"),
                     "content/entities/all.yaml:15:3: error: duplicate entity id 'aleppo' "
                     "(first defined at content/entities/all.yaml:10); ids must be unique"),
    "the same text annotated twice": (
        replace_in("content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}",
                   "  - {quote: Tehran, entity: tehran}\n  - {quote: Tehran, entity: aleppo}"),
        "content/sources/beta.yaml:11:5: error: 'Tehran' (aleppo) and 'Tehran' (tehran) are "
        "annotated on the same text; keep one, or make one lie wholly inside the other"),
    "annotation for a missing seed": (write("content/sources/gone.yaml", "headline: x\n"),
                                      "content/sources/gone.yaml: error: no seed for this "
                                      "annotation file: expected seeds/gone.txt or .html; add "
                                      "the seed or rename the file"),
    "binary seed": (write("seeds/picture.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                    "seeds/picture.txt:3: error: this looks like a binary file (it contains "
                    "NUL bytes); seeds must be text (.txt) or saved web pages (.html)"),
    "non-UTF-8 seed": (write("seeds/latin.txt", "Caf\xe9 in Damascus\n".encode("latin-1")),
                       "seeds/latin.txt:1:4: error: not UTF-8 (byte 0xe9); re-save the seed as "
                       "UTF-8, e.g. iconv -f windows-1252 -t utf-8"),
    "empty seed": (write("seeds/empty.txt", ""),
                   "seeds/empty.txt: error: the seed is empty; paste the article text into it "
                   "or remove the file"),
    "empty annotation file": (write("content/sources/beta.yaml", "# to do\n"),
                              "content/sources/beta.yaml: error: the file is empty (or only "
                              "comments); fill it in or delete it"),
    "empty registry file": (write("content/entities/all.yaml", ""),
                            "content/entities/all.yaml: error: the file is empty (or only "
                            "comments); fill it in or delete it"),
    "billion laughs": (write("content/sources/beta.yaml", BILLION_LAUGHS),
                       "content/sources/beta.yaml:2:8: error: YAML syntax: YAML aliases (*name) "
                       "are not allowed in dossier files; write the value out"),
    "entity id that escapes the site": (replace_in("content/entities/all.yaml", "id: aleppo",
                                                   "id: ../../aleppo"),
                                        "content/entities/all.yaml:10:7: error: [1].id: "
                                        "'../../aleppo' is not valid (lowercase letters, digits "
                                        "and single hyphens)"),
    "entity id with a slash": (replace_in("content/entities/all.yaml", "id: aleppo",
                                          "id: /etc/aleppo"),
                               "content/entities/all.yaml:10:7: error: [1].id: '/etc/aleppo' "
                               "is not valid (lowercase letters, digits and single hyphens)"),
    "entity id with a backslash": (replace_in("content/entities/all.yaml", "id: aleppo",
                                              "id: a\\b"),
                                   "content/entities/all.yaml:10:7: error: [1].id: 'a\\\\b' is "
                                   "not valid (lowercase letters, digits and single hyphens)"),
    "seed name that is not a safe id": (write("seeds/../seeds/a b<x>.txt", "Text about Iran.\n"),
                                        "seeds/a b<x>.txt: error: the seed's name 'a b<x>' "
                                        "cannot be a page address: rename the file using only "
                                        "letters, digits, '-', '_' and '.'"),
    "javascript: address": (replace_in("content/sources/beta.yaml", "url: https://example.com/beta",
                                       "url: 'javascript:alert(1)'"),
                            "content/sources/beta.yaml:7:6: error: url: 'javascript:alert(1)' "
                            "is not valid (an http(s) address)"),
    # values the schema lets through
    "blank quote": (replace_in("content/sources/alpha.yaml", "{quote: ISIL,", "{quote: ' ',"),
                    "content/sources/alpha.yaml:15:13: error: mentions[8].quote: ' ' is not valid "
                    "(The exact text in the cleaned source (not only white space).)"),
    "tab as a quote": (replace_in("content/sources/alpha.yaml", "{quote: ISIL,", '{quote: "\\t",'),
                       "content/sources/alpha.yaml:15:13: error: mentions[8].quote: '\\t' is not "
                       "valid (The exact text in the cleaned source (not only white space).)"),
    "blank answer quote": (write("content/claims.yaml", "- id: who\n  question: Who?\n  answers:\n"
                                 "    - {source: beta, quote: '  ', answer: x}\n"),
                           "content/claims.yaml:4:29: error: [0].answers[0].quote: '  ' is not "
                           "valid (The source's words, anchored in its cleaned text (not only "
                           "white space).)"),
    "30 February": (replace_in("content/sources/beta.yaml", "date: 2015-10-18", "date: 2015-02-30"),
                    "content/sources/beta.yaml:4:9: error: published.date: '2015-02-30' is not a "
                    "day of the calendar; write the day it was published as YYYY-MM-DD"),
    "year 0": (replace_in("content/sources/beta.yaml", "date: 2015-10-18", "date: 0000-01-01"),
               "content/sources/beta.yaml:4:9: error: published.date: '0000-01-01' is outside the "
               "years 0001 to 9998 that pages and the timeline can show; write the day it was "
               "published as YYYY-MM-DD"),
    "last day of the calendar": (
        replace_in("content/sources/alpha.yaml", "value: 2015-10-15", "value: 9999-12-31"),
        "content/sources/alpha.yaml:17:5: error: date value: '9999-12-31' is outside the years "
        "0001 to 9998 that pages and the timeline can show; write YYYY, YYYY-MM, YYYY-MM-DD or "
        "START/END"),
    "date with a trailing newline": (
        replace_in("content/sources/beta.yaml", "date: 2015-10-18", 'date: "2015-10-18\\n"'),
        "content/sources/beta.yaml:4:9: error: published.date: '2015-10-18\\n' is not valid "
        "(YYYY-MM-DD)"),
    "entity id with a trailing newline": (
        replace_in("content/entities/all.yaml", "id: aleppo", 'id: "aleppo\\n"'),
        "content/entities/all.yaml:10:7: error: [1].id: 'aleppo\\n' is not valid (lowercase "
        "letters, digits and single hyphens)"),
    "seed name with a trailing newline": (
        write("seeds/gamma\n.txt", "Iran sent advisers.\n"),
        "seeds/gamma\\x0a.txt: error: the seed's name 'gamma\\x0a' cannot be a page address: "
        "rename the file using only letters, digits, '-', '_' and '.'"),
    "seed name too long for a file system": (
        write("seeds/" + "b" * 151 + ".txt", "Iran sent advisers.\n"),
        "seeds/" + "b" * 151 + ".txt: error: the seed's name is 151 characters long; file systems "
        "refuse the page names made from it: rename the file, at most 150 characters"),
    "entity id too long for a file system": (
        replace_in("content/entities/all.yaml", "id: associated-press", "id: " + "a" * 151),
        "content/entities/all.yaml:42:7: error: [8].id: '" + "a" * 40 + "'… is too long (at "
        "most 150 characters: file systems refuse longer page names)"),
    "base_url that is no address": (
        write("content/dossier.yaml", "title: t\nbase_url: 'https://x.org/\"><script>x</script>'\n"),
        "content/dossier.yaml:2:11: error: base_url: 'https://x.org/\"><script>x</script>' is not "
        "valid (Where the site is published (an http(s) address), for the sitemap, the feed and "
        "citations; `build.py --base-url` overrides it.)"),
    "address urllib cannot read": (
        replace_in("content/sources/beta.yaml", "url: https://example.com/beta",
                   "url: 'https://[::1'"),
        "content/sources/beta.yaml:7:6: error: url: Invalid IPv6 URL; copy the address again "
        "from the browser's address bar"),
    "name that is only white space": (
        replace_in("content/entities/all.yaml", "name: Tehran", "name: ' '"),
        "content/entities/all.yaml:16:9: error: [2].name: ' ' is not valid (The canonical name "
        "(not only white space).)"),
    "variant that is only white space": (
        replace_in("content/entities/all.yaml", "variants: [ISIL]", "variants: [' ']"),
        "content/entities/all.yaml:40:14: error: [7].variants[0]: ' ' is not valid (A form of "
        "the name (not only white space).)"),
    "statement that is only white space": (
        replace_in("content/entities/all.yaml", "{text: City in Syria.,", "{text: ' ',"),
        "content/entities/all.yaml:14:24: error: [1].description[0].text: ' ' is not valid (One "
        "statement (not only white space).)"),
    "annotations folder that is a file": (
        folder_as_file("content/sources"),
        "content/sources: error: content/sources is a file where a folder must be: move the file "
        "away and make the folder"),
    "registry folder that is a file": (
        folder_as_file("content/entities"),
        "content/entities: error: content/entities is a file where a folder must be: move the "
        "file away and make the folder"),
    "static folder that is a file": (
        folder_as_file("templates/static"),
        "templates/static: error: templates/static is a file where a folder must be: move the "
        "file away and make the folder"),
    # ids that are pages of the build itself
    "source id 'index'": (write("seeds/index.txt", "Iran sent advisers.\n"),
                          "seeds/index.txt: error: the seed's name 'index' is taken by a page of "
                          "the site (sources/index.html is the list of sources); rename the file"),
    "entity id 'index'": (replace_in("content/entities/all.yaml", "id: aleppo", "id: index"),
                          "content/entities/all.yaml:10:7: error: the entity id 'index' is taken "
                          "by a page of the site (places/index.html is the index of places); "
                          "choose another id"),
    "seeds differing only in case": (
        write("seeds/Alpha.txt", "Iran sent advisers.\n"),
        "seeds/alpha.txt: error: this seed's name differs only in case from Alpha.txt: on "
        "Windows and macOS both would be one page; rename one"),
    # what YAML can carry
    "python tag": (write("content/sources/beta.yaml",
                         "headline: !!python/object/apply:os.system ['echo owned']\n"),
                   "content/sources/beta.yaml:1:11: error: YAML syntax: YAML tags "
                   "(tag:yaml.org,2002:python/object/apply:os.system) are not allowed in dossier "
                   "files; remove the tag and write the value as plain text, a number, a list or "
                   "a mapping"),
    "custom tag": (replace_in("content/sources/beta.yaml", "publisher: Other Paper",
                              "publisher: !paper Other Paper"),
                   "content/sources/beta.yaml:2:12: error: YAML syntax: YAML tags (!paper) are "
                   "not allowed in dossier files; remove the tag and write the value as plain "
                   "text, a number, a list or a mapping"),
    "deep nesting": (write("content/sources/beta.yaml", "headline:\n" + "".join(
        "  " * i + "- \n" for i in range(60))),
                     "content/sources/beta.yaml:51:99: error: YAML syntax: nested more than 50 "
                     "levels deep; flatten the data"),
    "NUL byte in a YAML file": (write("content/sources/beta.yaml",
                                      b"headline: General\x00 buried\npublisher: x\n"),
                                "content/sources/beta.yaml:1:18: error: the file holds the control "
                                "character U+0000; delete it (only tabs and line breaks may appear "
                                "in a dossier file)"),
    "escaped NUL in a value": (replace_in("content/sources/beta.yaml", "publisher: Other Paper",
                                          'publisher: "Other\\0Paper"'),
                               "content/sources/beta.yaml:2:12: error: the value holds the control "
                               "character U+0000 ('Other\\x00Paper'); remove it"),
    "terminal escape in a value": (
        replace_in("content/entities/all.yaml", "name: Tehran", 'name: "\\e]0;owned\\a\\e[2J"'),
        "content/entities/all.yaml:16:9: error: the value holds the control character U+001B "
        "('\\x1b]0;owned\\x07\\x1b[2J'); remove it"),
    "line separator in a YAML file": (
        replace_in("content/sources/beta.yaml", "publisher: Other Paper",
                   "publisher: Other\u2028Paper"),
        "content/sources/beta.yaml:2:17: error: the file holds the control character U+2028; "
        "delete it (only tabs and line breaks may appear in a dossier file)"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_bad_input_fails_cleanly(mini, case):
    change, message = FAILURES[case]
    assert build.main(["--root", str(mini)]) == 0
    site, seeds = tree_digest(mini / "site"), tree_digest(mini / "seeds")
    change(mini)
    seeds_after_edit = tree_digest(mini / "seeds")
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = build.main(["--root", str(mini)])
    lines = err.getvalue().splitlines()
    assert code == 1
    assert message in lines
    assert "Traceback" not in err.getvalue()
    assert tree_digest(mini / "site") == site
    assert tree_digest(mini / "seeds") == seeds_after_edit
    if not case.startswith(("binary seed", "non-UTF-8 seed", "empty seed", "seed", "source id")):
        assert seeds_after_edit == seeds
    assert {p.name for p in mini.iterdir()} - {"templates"} == {".dossier-cache", "content",
                                                                "seeds", "site"}
    assert "\x1b" not in err.getvalue()


def test_markup_in_titles_and_metadata_is_escaped(mini):
    replace_in("content/sources/beta.yaml", "headline: General buried",
               "headline: \"<script>alert(1)</script> buried\"")(mini)
    replace_in("content/sources/beta.yaml", "publisher: Other Paper",
               "publisher: '<img src=x onerror=alert(2)>'")(mini)
    replace_in("content/entities/all.yaml", "name: Tehran", "name: '<b>Tehran</b>'")(mini)
    replace_in("content/entities/all.yaml", "Where Hamadani was buried.",
               "<iframe src=//evil></iframe>")(mini)
    assert build.main(["--root", str(mini)]) == 0
    for page in (mini / "site").rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        assert not soup.find_all(["img", "iframe", "b"]), page
        for script in soup.find_all("script"):
            assert "</" not in script.get_text() and "<script" not in script.get_text(), page
            if script.get("type") != "application/ld+json":
                assert "alert(" not in script.get_text(), page
    home = (mini / "site" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; buried" in home
    assert "&lt;img src=x onerror=alert(2)&gt;" in home


def test_data_and_javascript_links_in_notes_are_refused(mini):
    notes = ("'[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](vbscript:x)"
             " [d](https://example.org/ok) <script>x</script>'")
    replace_in("content/entities/all.yaml", "  kind: person",
               f"  kind: person\n  notes: {notes}")(mini)
    assert build.main(["--root", str(mini)]) == 0
    page = BeautifulSoup((mini / "site/people/hossein-hamedani.html").read_text(), "html.parser")
    notes = page.find("section", attrs={"aria-labelledby": "h-notes"})
    assert [a["href"] for a in notes.find_all("a")] == ["https://example.org/ok"]
    assert notes.find("script") is None and "<script>x</script>" in notes.get_text()


def test_very_long_lines_and_very_large_seeds_build(mini):
    sentence = "Iran sent more troops to Syria this week, officials in Damascus said on Tuesday. "
    (mini / "seeds" / "long.txt").write_text(sentence * 30000 + "\n")   # one 2.4 MB line
    (mini / "seeds" / "large.txt").write_text(  # 4.9 MB of distinct paragraphs
        "".join(f"Paragraph {i}. " + sentence * 50 + "\n\n" for i in range(1200)))
    (mini / "content" / "sources" / "large.yaml").write_text(
        "headline: Large\npublisher: P\npublished: {date: 2015-10-14}\nurl: https://e.org/l\n"
        "mentions:\n  - {quote: Damascus, entity: aleppo, occurrence: 59999}\n")
    with redirect_stderr(io.StringIO()), redirect_stdout(io.StringIO()):
        assert build.main(["--root", str(mini)]) == 0
    large = (mini / "site" / "sources" / "large.html").read_text()
    assert 'id="m-damascus-59999"' in large
    assert (mini / "site" / "sources" / "long.html").stat().st_size > 2_000_000


def quiet(*args: str) -> tuple[int, str]:
    """Run build.py's main in-process; (exit code, standard error)."""
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = build.main(list(args))
    return code, err.getvalue()


def test_a_whole_number_written_as_a_float_is_taken_as_that_number(mini, tmp_path):
    """occurrence: 1.0 passes the schema (JSON has one kind of number): it means 1."""
    assert quiet("--root", str(mini))[0] == 0
    before = tree_digest(mini / "site")
    edit(mini / "content/sources/alpha.yaml", "occurrence: 1}", "occurrence: 1.0}")
    assert quiet("--root", str(mini), "--out", str(tmp_path / "float"))[0] == 0
    assert tree_digest(tmp_path / "float") == before


@pytest.mark.parametrize("value", ["9998-12-31", "0001-01-01", "0001/9998",
                                   "0001-01-01/9998-12-31"])
def test_dates_at_the_edges_of_the_calendar_are_drawn(mini, value):
    """The first and last days the calendar allows, and an interval of 9,998 years, build: the
    timeline and the date pages show them."""
    edit(mini / "content/sources/alpha.yaml", "value: 2014-01-01/2015-10-15", f"value: {value}")
    code, err = quiet("--root", str(mini))
    assert code == 0, err
    timeline = BeautifulSoup((mini / "site/timeline.html").read_text(), "html.parser")
    marks = [a["href"] for a in timeline.select("svg a")]
    assert "../sources/alpha.html#d-since-last-year-1" in marks or \
        "sources/alpha.html#d-since-last-year-1" in marks


def test_control_characters_are_dropped_from_seeds_with_a_warning(mini):
    """NUL, escape, vertical tab, form feed and NEL in a seed: dropped, one warning at the first
    (line and column as an editor counts), and feed.xml and the CSV files stay well-formed."""
    import csv
    import xml.dom.minidom

    (mini / "seeds/beta.txt").write_text(
        "Iran’s top general Hossein Hamadani was buried\x0b in Tehran\x00 on\x1b Saturday.\n"
        "The Bassel al-Assad\x85 International Airport\x0c stayed closed.\n", encoding="utf-8")
    code, err = quiet("--root", str(mini))
    assert code == 0, err
    assert err.splitlines()[0] == ("seeds/beta.txt:1:47: warning: 5 control character(s) dropped "
                                   "from the text (the first: U+000B); they are not part of any "
                                   "article")
    assert "\x1b" not in err and "\x00" not in err
    site = mini / "site"
    xml.dom.minidom.parse(str(site / "feed.xml"))
    for table in (site / "data").glob("*.csv"):
        text = table.read_text(encoding="utf-8")
        assert not [c for c in text if ord(c) < 32 and c not in "\n\r\t"], table
        list(csv.reader(text.splitlines()))
    article = BeautifulSoup((site / "sources/beta.html").read_text(), "html.parser").article
    assert "was buried in Tehran on Saturday." in article.get_text()
    assert "Bassel al-Assad International Airport stayed closed." in article.get_text()


def test_notes_show_no_image_and_no_data_address(mini):
    """An image in Markdown notes (a tracking pixel would load on every visit) becomes a link to
    it; data: addresses, images or links, are not rendered at all."""
    notes = ("'![pixel](https://tracker.example/p.gif) ![inline](data:image/png;base64,iVBORw0K) "
             "[link](data:image/png;base64,iVBORw0K) ![local](picture.png)'")
    edit(mini / "content/entities/all.yaml", "  kind: person", f"  kind: person\n  notes: {notes}")
    assert quiet("--root", str(mini))[0] == 0
    page = BeautifulSoup((mini / "site/people/hossein-hamedani.html").read_text(), "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "h-notes"})
    assert section.find("img") is None
    assert [(a["href"], a.get_text()) for a in section.find_all("a")] == [
        ("https://tracker.example/p.gif", "pixel")]
    assert "data:" not in str(section.find_all("a"))
    assert not page.select('img[src^="http"], img[src^="data:"]')


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,x", "//evil.example/",
                                   "https://x.org/\"><script>"])
def test_base_url_on_the_command_line_is_checked(mini, value):
    code, err = quiet("--root", str(mini), "--base-url", value)
    assert code == 2
    assert err.startswith(f"build.py: error: --base-url {value!r} is not an http(s) address")
    assert not (mini / "site").exists()


def test_sentences_are_found_in_linear_time(mini):
    """A paragraph of 20,000 short sentences with one mention (quadratic before: minutes): the
    build finishes; run apart so that a regression fails instead of hanging the tests."""
    (mini / "seeds/beta.txt").write_text("a. " * 20000 + "Tehran is a city.\n")
    (mini / "content/sources/beta.yaml").write_text(
        "headline: Many sentences\npublisher: P\npublished: {date: 2015-10-18}\n"
        "url: https://example.com/beta\nmentions:\n  - {quote: Tehran, entity: tehran}\n")
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(mini)],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    assert 'id="m-tehran-1"' in (mini / "site/sources/beta.html").read_text()


@pytest.mark.parametrize("template, old, new, message, shown", [
    ("timeline.html", "{% for t in part.timeline %}", "{{ 1 // 0 }}{% for t in part.timeline %}",
     "templates/timeline.html:11: error: template error while rendering timeline.html: "
     "ZeroDivisionError: integer division or modulo by zero",
     "    {{ 1 // 0 }}{% for t in part.timeline %}"),
    ("claims.html", "{% block", "{% include 'claims.html' %}{% block",
     "templates/claims.html:2: error: template error while rendering claims.html: "
     "RecursionError: maximum recursion depth exceeded", None),
    ("timeline.html", "{% for t in part.timeline %}",  # a hostile template: no way to the system
     "{{ cycler.__init__.__globals__.os.popen('cat /etc/passwd').read() }}"
     "{% for t in part.timeline %}",
     "templates/timeline.html:11: error: template error while rendering timeline.html: access "
     "to attribute '__init__' of 'type' object is unsafe.",
     "    {{ cycler.__init__.__globals__.os.popen('cat /etc/passwd').read() }}"
     "{% for t in part.timeline %}"),
])
def test_any_exception_in_a_template_is_a_message(mini, template, old, new, message, shown):
    assert quiet("--root", str(mini))[0] == 0
    before = tree_digest(mini / "site")
    edit(own_template(mini, template), old, new)
    code, err = quiet("--root", str(mini))
    lines = err.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith(message)]
    assert code == 1 and found, err
    if shown:
        assert lines[found[0] + 1] == shown
    assert "Traceback" not in err
    assert tree_digest(mini / "site") == before


def test_an_unwritable_cache_is_a_message(mini):
    """.dossier-cache that cannot be written (here: a file in its place): one error, no
    traceback, no site."""
    (mini / ".dossier-cache").write_text("not a folder")
    code, err = quiet("--root", str(mini))
    assert code == 1
    assert err.splitlines()[0].startswith(".dossier-cache: error: ")
    assert "Traceback" not in err and not (mini / "site").exists()


@pytest.mark.parametrize("breaker", ["\u2028", "\u2029"])
def test_lines_are_counted_as_an_editor_counts_them(mini, breaker):
    """A line separator inside a paragraph does not end it: mentions.csv and messages give the
    line an editor shows (and a form feed or NEL, dropped as control characters, do not count
    either)."""
    import csv

    (mini / "seeds/beta.txt").write_text(
        f"Iran’s top general Hossein Hamadani{breaker}was buried\x0c in Tehran\x85 on Saturday.\r\n"
        "\r\nThe Bassel al-Assad International Airport stayed closed.\r\n", encoding="utf-8")
    code, err = quiet("--root", str(mini))
    assert code == 0, err
    assert err.splitlines()[0].startswith("seeds/beta.txt:1:47: warning: 2 control character(s)")
    rows = csv.DictReader((mini / "site/data/mentions.csv").read_text().splitlines())
    lines = {r["quote"]: r["seed_line"] for r in rows if r["source"] == "beta"}
    assert lines == {"Hossein Hamadani": "1", "Tehran": "1",
                     "Bassel al-Assad International Airport": "3"}


@pytest.mark.parametrize("args, message", [
    (["--root", "{tmp}/missing"], "build.py: error: --root {tmp}/missing: no such folder; give "
     "the dossier's folder (the one holding seeds/ and content/)"),
    (["check", "--root", "{tmp}/missing"], "build.py: error: --root {tmp}/missing: no such "
     "folder; give the dossier's folder (the one holding seeds/ and content/)"),
    (["serve", "--port", "99999"], "build.py serve: error: argument --port: '99999' is not a "
     "port: give a number from 1 to 65535"),
    (["serve", "--port", "-1"], "build.py serve: error: argument --port: '-1' is not a port: "
     "give a number from 1 to 65535"),
])
def test_bad_command_line_values_are_usage_errors(tmp_path, capsys, args, message):
    """A folder that does not exist is never created; a port out of range is no traceback."""
    with pytest.raises(SystemExit) as stopped:
        build.main([a.replace("{tmp}", str(tmp_path)) for a in args])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == message.replace("{tmp}", str(tmp_path))
    assert not (tmp_path / "missing").exists()


def test_a_broken_cache_says_to_delete_it(mini):
    """A file where the cache keeps a folder: one error saying the cache may be deleted."""
    assert quiet("--root", str(mini))[0] == 0
    shutil.rmtree(mini / ".dossier-cache/sources")
    (mini / ".dossier-cache/sources").write_text("not a folder")
    edit(mini / "content/sources/alpha.yaml", "Checked against", "Checked again against")
    code, err = quiet("--root", str(mini))
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0] == (".dossier-cache/sources: error: File exists: the build stopped "
                                   "and left site as it was; delete .dossier-cache/ (that only "
                                   "makes the next build slower), then build again")


def test_a_file_too_large_to_be_an_article_is_not_read(mini):
    """A sparse file of 300 MiB named like a seed (a disk image saved as .txt, say): one error,
    nothing read into memory."""
    with open(mini / "seeds/huge.txt", "wb") as f:
        f.truncate(300 << 20)
    code, err = quiet("--root", str(mini))
    assert code == 1
    assert err.splitlines()[0] == ("seeds/huge.txt: error: cannot read the seed: it is 300 MiB, "
                                   "more than the 256 MiB an input may have")
