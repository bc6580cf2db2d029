"""Other kinds of input: saved web pages, and markup where only text belongs."""

from __future__ import annotations

import textwrap

from bs4 import BeautifulSoup

import build

PAGE = """\
<!DOCTYPE html>
<html><head><title>Iran sends advisers | Example News</title></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav>
<article>
<h1>Iran sends advisers</h1>
<p>Gen. Hossein Hamedani was killed near Aleppo on Thursday, the Associated Press reported
in a long dispatch that quoted several officials and described the fighting in detail.</p>
<p>Hamadani had advised the Syrian Arab Army in Aleppo for months, according to people who
worked with him and who spoke on condition of anonymity because they were not authorised.</p>
<p>The Syrian Arab Army has not commented on the death, and officials in Damascus declined
to say when the funeral would take place or who would replace the general in his post.</p>
</article>
<aside><h2>Related</h2><ul><li><a href="/x">Another story about something else</a></li></ul></aside>
<footer>Copyright 2015 Example News. All rights reserved. Privacy policy. Terms of use.</footer>
</body></html>
"""


def test_saved_web_page_is_extracted_cleaned_and_annotated(mini):
    (mini / "seeds" / "gamma.html").write_text(PAGE, encoding="utf-8")
    (mini / "content" / "sources" / "gamma.yaml").write_text(textwrap.dedent("""\
        headline: Iran sends advisers
        publisher: Example News
        published: {date: 2015-10-16}
        url: https://example.net/gamma
        mentions:
          - {quote: Hossein Hamedani, entity: hossein-hamedani}
          - {quote: Aleppo, entity: aleppo, occurrence: 2}
        """), encoding="utf-8")
    assert build.main(["--root", str(mini)]) == 0
    page = BeautifulSoup((mini / "site/sources/gamma.html").read_text(), "html.parser")
    text = page.article.get_text()
    assert "Hamadani had advised the Syrian Arab Army" in text
    assert "Subscribe" not in text and "Copyright" not in text and "Another story" not in text
    assert page.h1.get_text() == "Iran sends advisers"
    links = [(a.get_text(), a["href"]) for a in page.article.find_all("a")]
    assert links == [("Hossein Hamedani", "../people/hossein-hamedani.html"),
                     ("Aleppo", "../places/aleppo.html")]
    assert "saved web page" in page.find("dl", class_="meta").get_text()


def test_markup_in_seeds_and_notes_is_text_not_markup(mini):
    seed = mini / "seeds" / "beta.txt"
    seed.write_text(seed.read_text() + "Officials wrote <script>alert(1)</script> in Tehran "
                    "<b>today</b> and said nothing more about it to anyone at all.\n")
    src = mini / "content" / "sources" / "beta.yaml"
    src.write_text(src.read_text().replace(
        "mentions:", "notes: |\n  <script>alert(2)</script> [click](javascript:alert(3)) "
        "[ok](https://example.org/)\nmentions:").replace(
        "{quote: Tehran, entity: tehran}", "{quote: Tehran, entity: tehran, occurrence: 1}"))
    assert build.main(["--root", str(mini)]) == 0
    html = (mini / "site/sources/beta.html").read_text()
    page = BeautifulSoup(html, "html.parser")
    assert page.find("b") is None
    assert not [s for s in page.find_all("script") if "alert(" in s.get_text()]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    hrefs = [a["href"] for a in page.find_all("a", href=True)]
    assert not [h for h in hrefs if h.startswith("javascript:")]
    assert "https://example.org/" in hrefs
