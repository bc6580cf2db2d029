"""Hostile or broken input: a clear error or a safe rendering, never a traceback, never a
partial site/, never a changed seed."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import build
from tests.conftest import edit
from tests.test_errors import tree_digest

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


FAILURES = {
    "malformed YAML": (write("content/sources/beta.yaml", "headline: [unclosed\n"),
                       "content/sources/beta.yaml:2:1: error: YAML syntax: while parsing a flow "
                       "sequence (started at line 1, column 11): did not find expected ',' or "
                       "']'"),
    "wrong type": (replace_in("content/sources/alpha.yaml", "occurrence: 1", "occurrence: one"),
                   "content/sources/alpha.yaml:9:49: error: mentions[2].occurrence: expected a "
                   "whole number, found text"),
    "wrong type of file": (write("content/sources/alpha.yaml", "- a list\n- not a mapping\n"),
                           "content/sources/alpha.yaml:1:1: error: the file: expected a "
                           "mapping, found a list"),
    "missing required field": (replace_in("content/sources/beta.yaml",
                                          "publisher: Other Paper\n", ""),
                               "content/sources/beta.yaml:1:1: error: the file: 'publisher' is "
                               "a required property"),
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
    if case not in ("binary seed", "non-UTF-8 seed", "empty seed", "seed name that is not a "
                    "safe id"):
        assert seeds_after_edit == seeds
    assert sorted(p.name for p in mini.iterdir()) == [".dossier-cache", "content", "seeds",
                                                      "site", "templates"]


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
