"""The shipped site in a real browser: Debian's headless Chromium, driven by Playwright, on the
site served under a project subpath (/dossier/) as GitHub Pages serves it. Clicking mentions,
highlighted targets, axe-core, the Nu HTML Checker, a crawl of every page and asset, search.

One browser and one server for the whole module; every wait is bounded (tests/browser.py).
Without Chromium these tests fail with a message saying how to install it; they never skip.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest

from tests.browser import (
    KINDS,
    PREFIX,
    TIMEOUT_MS,
    Server,
    chromium_missing,
    launch,
    page_kinds,
    serve,
    vnu,
)

BLOCKING = {"serious", "critical"}
"""axe-core impacts that fail a test."""

BROWSER_OWN = {"/favicon.ico"}
"""Asked for by the browser itself (a page that names no icon), not by any page."""


@pytest.fixture(scope="module")
def server(shipped_site: Path) -> Iterator[Server]:
    with serve(shipped_site) as info:
        yield info


@pytest.fixture(scope="module")
def browser():
    missing = chromium_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as p:
        try:
            chromium = launch(p)
        except Exception as exc:  # the message says what is wrong with the browser
            pytest.fail(f"Chromium did not start: {exc}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def network() -> list[tuple[str, str]]:
    """(address, status or failure) of everything any test's page loaded."""
    return []


@pytest.fixture
def page(browser, network):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.on("response", lambda r: network.append((r.url, str(r.status))))
    context.on("requestfailed", lambda r: network.append((r.url, f"failed: {r.failure}")))
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture(scope="module")
def kinds(shipped_site: Path) -> dict[str, str]:
    return page_kinds(shipped_site)


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- 1, 2: mentions --------------------------------------------------------------------------

def test_clicking_a_mention_opens_the_entity_page(page, server, kinds):
    page.goto(server.base + kinds["source"])
    mention = page.locator("article a.m").first
    href = mention.get_attribute("href")
    name = mention.get_attribute("title").split(": ", 1)[1]  # "Person: Bashar al-Assad"
    mention.click()
    page.wait_for_load_state()
    assert page.url == urljoin(server.base + kinds["source"], href)
    assert path_of(page.url).startswith(PREFIX)
    assert page.locator("h1").inner_text().strip() == name


def test_a_mention_from_an_entity_page_lands_highlighted_in_its_source(page, server, kinds):
    page.goto(server.base + kinds["person"])
    # The last context listed: far down its source page, so landing on it needs a scroll.
    link = page.locator("section[aria-labelledby=h-mentions] ol.contexts a").last
    fragment = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_load_state()
    page.mouse.move(0, 0)  # no hover styles on whatever lies under the pointer
    assert urlsplit(page.url).fragment == fragment
    assert path_of(page.url).startswith(PREFIX + "sources/")
    target = page.locator(f"[id='{fragment}']")
    assert target.evaluate("el => el.matches(':target')")
    box, height = target.bounding_box(), page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, \
        f"the target {fragment} is not in the viewport: {box}"
    style = """el => { const s = getComputedStyle(el);
        return {background: s.backgroundColor, outline: s.outlineStyle + ' ' + s.outlineWidth,
                shadow: s.boxShadow}; }"""
    highlighted = target.evaluate(style)
    normal = page.locator(f"article a.m:not([id='{fragment}'])").first.evaluate(style)
    assert highlighted != normal, f"the target looks like any other mention: {highlighted}"
    transparent = {"rgba(0, 0, 0, 0)", "transparent"}
    assert (highlighted["background"] not in transparent
            or not highlighted["outline"].startswith("none")
            or highlighted["shadow"] != "none"), highlighted


# --- 3: axe-core and the Nu HTML Checker -----------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_no_serious_accessibility_violation(page, server, kinds, kind):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(server.base + kinds[kind])
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}; "
        + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
        for v in results.response["violations"])
    assert blocking == [], f"axe-core on {kinds[kind]}:\n{report}"


def test_no_html_error_under_the_nu_checker(shipped_site):
    files = sorted(p for p in shipped_site.rglob("*")
                   if p.suffix in (".html", ".svg") and p.is_file())
    version, messages = vnu(files)
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    by_file: dict[str, list[str]] = defaultdict(list)
    for m in errors:
        where = m.get("url", "?").split(shipped_site.name + "/", 1)[-1]
        by_file[where].append(f"  line {m.get('lastLine', '?')}: {m['message']}")
    report = "\n".join(f"{f}:\n" + "\n".join(lines) for f, lines in sorted(by_file.items()))
    assert errors == [], (f"vnu {version}: {len(errors)} error(s) in {len(by_file)} of "
                          f"{len(files)} files\n{report}")


# --- 4: the crawl ----------------------------------------------------------------------------

class _Refs(HTMLParser):
    """Every address a page links to or loads: (tag, attribute, value)."""

    ATTRS = {"href", "src", "srcset", "data", "poster", "action", "xlink:href"}

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.ATTRS and value is not None:
                values = ([v.strip().split()[0] for v in value.split(",") if v.strip()]
                          if name == "srcset" else [value.strip()])
                self.refs.extend((tag, name, v) for v in values)


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def test_every_page_and_asset_loads_under_the_subpath(server):
    todo, seen, problems = [server.base + "index.html"], set(), []
    outside_before = len(server.outside)
    while todo and len(seen) < 5000:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urlopen(url, timeout=10) as resp:
                status, kind, body = resp.status, resp.headers.get_content_type(), resp.read()
        except HTTPError as exc:
            status, kind, body = exc.code, "", b""
        if status != 200:
            problems.append(f"{path_of(url)}: status {status}")
            continue
        if kind == "text/html":
            parser = _Refs()
            parser.feed(body.decode("utf-8"))
            refs = parser.refs
        elif kind == "text/css":
            refs = [("css", "url", a or b) for a, b in CSS_URL.findall(body.decode("utf-8"))]
        else:
            continue
        for tag, attr, value in refs:
            parts = urlsplit(value)
            if parts.scheme in ("data", "mailto", "tel") or value.startswith("#") or not value:
                continue
            if parts.scheme or parts.netloc:
                if tag != "a":  # a page may link out, but never load from outside
                    problems.append(f"{path_of(url)}: <{tag} {attr}> loads {value}")
                continue
            if value.startswith("/"):
                problems.append(f"{path_of(url)}: <{tag} {attr}> absolute path {value}")
                continue
            target = urldefrag(urljoin(url, value))[0]
            if not path_of(target).startswith(PREFIX):
                problems.append(f"{path_of(url)}: <{tag} {attr}> {value} escapes {PREFIX}")
                continue
            todo.append(target.split("?", 1)[0])
    pages = [u for u in seen if u.endswith(".html")]
    assert problems == [], "\n".join(sorted(set(problems)))
    assert len(pages) > 50 and any(u.endswith(".css") for u in seen), sorted(seen)
    assert server.outside[outside_before:] == [], f"asked for outside {PREFIX}"


# --- 5: search (Pagefind's default UI in the page header) ------------------------------------

def test_search_finds_a_variant_spelling(page, server):
    page.goto(server.base + "index.html")
    page.locator("#search input").fill("Hamadani")
    first = page.locator("a.pagefind-ui__result-link").first
    first.wait_for(state="visible")
    href = first.evaluate("a => a.href")
    assert path_of(href) == PREFIX + "people/hossein-hamedani.html", href
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == "Hossein Hamedani"


@pytest.mark.parametrize("word", ["preparatory", "routinely", "underlined"])
def test_a_passage_found_by_search_opens_at_its_paragraph(page, server, word):
    page.goto(server.base + "index.html")
    page.locator("#search input").fill(word)
    first = page.locator('a.pagefind-ui__result-link[href*="/sources/"]').first
    first.wait_for(state="visible")
    href = first.evaluate("a => a.href")
    assert re.search(r"#p-\d+$", href), href
    first.click()
    page.wait_for_load_state()
    target = page.locator(":target")
    assert target.count() == 1 and word.lower() in target.inner_text().lower(), href


def test_search_opened_from_disk_says_how_to_get_it(page, shipped_site):
    page.goto((shipped_site / "index.html").as_uri())
    offline = page.locator("#search .search-offline")
    offline.wait_for(state="visible")
    assert "http.server" in offline.inner_text()


# --- pages of mentions (a popular entity's mentions, paged) --------------------------------

@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The miniature dossier with one source per page of mentions: Hossein Hamedani's
    mentions take two pages (the shipped dossier has no entity in more than 100 sources)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    import build
    from dossier import pages
    from tests.conftest import write_mini

    root = write_mini(tmp_path_factory.mktemp("paged") / "mini")
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(io.StringIO()), \
            redirect_stderr(io.StringIO()):
        mp.setattr(pages, "PAGE_SOURCES", 1)
        assert build.main(["--root", str(root)]) == 0
    return root / "site"


@pytest.mark.parametrize("path", ["people/hossein-hamedani.html",
                                  "people/hossein-hamedani/2.html"])
def test_pages_of_mentions_pass_axe_and_the_nu_checker_and_link_to_each_other(browser,
                                                                               paged_site, path):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()  # not the module's `page`: its server is another one
    with serve(paged_site) as info:
        page.goto(info.base + path)
        results = Axe().run(page)
        blocking = [v["id"] for v in results.response["violations"] if v["impact"] in BLOCKING]
        assert blocking == [], path
        other = page.locator("nav.pager a:not([aria-current])").first
        other.click()
        page.wait_for_load_state()
        assert path_of(page.url) != path_of(info.base + path)
        assert page.locator("section[aria-labelledby=h-mentions] h3 a").count() == 1
    context.close()
    version, messages = vnu([paged_site / path])
    assert [m for m in messages if m.get("type") in ("error", "non-document-error")] == [], \
        version


# --- last: everything the browser loaded in this module --------------------------------------

def test_the_browser_loads_nothing_outside_the_subpath(page, server, kinds, network):
    """What the pages load when they run (scripts may fetch more than the HTML names), in
    this test and in every test above it (search fetches its index)."""
    for path in dict.fromkeys(kinds.values()):
        page.goto(server.base + path)
    bad = [f"{url}: {status}" for url, status in network
           if not url.startswith(("file:", "data:", "blob:"))  # the page opened from disk
           and (status not in ("200", "304") or not url.startswith(server.base))]
    assert bad == [], "\n".join(dict.fromkeys(bad))
    outside = [p for p in server.outside if p not in BROWSER_OWN]
    assert outside == [], f"requests outside {PREFIX}: {outside}"


# --- reading comfort -------------------------------------------------------------------------

def test_highlighting_a_kind_can_be_switched_off_and_the_choice_is_remembered(page, server,
                                                                             kinds):
    page.goto(server.base + kinds["source"])
    place = page.locator("article a.m-place").first
    style = "el => getComputedStyle(el).textDecorationLine"
    assert place.evaluate(style) == "underline"
    page.uncheck("#hl-place")
    assert place.evaluate(style) == "none"
    person = page.locator("article a.m-person").first
    assert person.evaluate(style) == "underline"           # other kinds stay marked
    page.goto(server.base + kinds["sources index"])
    page.goto(server.base + kinds["source"])                # another visit: still off
    assert page.locator("#hl-place").is_checked() is False
    place = page.locator("article a.m-place").first
    assert place.evaluate(style) == "none"
    href = place.get_attribute("href")
    place.click()                                          # and the link still works
    page.wait_for_load_state()
    assert page.url == urljoin(server.base + kinds["source"], href)
    page.goto(server.base + kinds["source"])
    page.check("#hl-place")
    assert page.locator("article a.m-place").first.evaluate(style) == "underline"


def test_dark_theme_follows_the_system_and_print_drops_the_site_around_the_text(browser, server,
                                                                               kinds):
    context = browser.new_context(color_scheme="dark")
    tab = context.new_page()
    tab.goto(server.base + kinds["source"])
    background = tab.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(22, 24, 28)"
    tab.emulate_media(media="print")
    assert tab.locator("nav").is_hidden() and tab.locator("#search").is_hidden()
    assert tab.locator("article").is_visible()
    context.close()
