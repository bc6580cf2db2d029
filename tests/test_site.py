"""The built site tested as a site: links, fragments, reachability, article text, determinism."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

import build
from tests.conftest import REPO, write_mini

SITES = ["built_mini", "shipped_site"]


def site_of(request: pytest.FixtureRequest, name: str) -> Path:
    value = request.getfixturevalue(name)
    return value / "site" if name == "built_mini" else value


def pages(site: Path) -> dict[str, BeautifulSoup]:
    return {p.relative_to(site).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"),
                                                          "html.parser")
            for p in sorted(site.rglob("*.html"))}


def internal_links(page: str, soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """(href, target page, fragment) for every relative link and stylesheet of a page."""
    out = []
    for tag in soup.find_all(["a", "link"], href=True):
        href = tag["href"]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        target = (Path(page).parent / unquote(parts.path)).as_posix() if parts.path else page
        out.append((href, _normalise(target), parts.fragment))
    return out


def _normalise(path: str) -> str:
    stack: list[str] = []
    for part in path.split("/"):
        if part == "..":
            assert stack, f"link escapes the site: {path}"
            stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    return "/".join(stack)


@pytest.mark.parametrize("name", SITES)
def test_every_internal_link_and_fragment_resolves(request, name):
    site = site_of(request, name)
    all_pages = pages(site)
    ids = {path: {t["id"] for t in soup.find_all(id=True)} for path, soup in all_pages.items()}
    broken = []
    for path, soup in all_pages.items():
        for href, target, fragment in internal_links(path, soup):
            if not (site / target).is_file():
                broken.append(f"{path}: {href} (no file)")
            elif fragment and fragment not in ids.get(target, set()):
                broken.append(f"{path}: {href} (no id '{fragment}')")
    assert broken == []


@pytest.mark.parametrize("name", SITES)
def test_every_page_is_reachable_from_home(request, name):
    site = site_of(request, name)
    all_pages = pages(site)
    seen, todo = {"index.html"}, ["index.html"]
    while todo:
        page = todo.pop()
        for _, target, _ in internal_links(page, all_pages[page]):
            if target.endswith(".html") and target not in seen:
                seen.add(target)
                todo.append(target)
    assert sorted(set(all_pages) - seen) == []


@pytest.mark.parametrize("name", SITES)
def test_links_are_relative_and_nothing_is_loaded_from_outside(request, name):
    for path, soup in pages(site_of(request, name)).items():
        for tag in soup.find_all(True):
            for attr in ("href", "src"):
                value = tag.get(attr, "")
                assert not value.startswith("/"), f"{path}: absolute link {value}"
                if tag.name != "a" and value != "data:,":  # data:, is the empty inline icon
                    assert not urlsplit(value).scheme, f"{path}: external {tag.name} {value}"
        assert not soup.find_all(["iframe", "img"]), path
        scripts = [t.get("src", "") for t in soup.find_all("script") if t.get("src")]
        assert [s.split("/")[-1] for s in scripts] == ["pagefind-ui.js", "site.js"], path


@pytest.mark.parametrize("name", SITES)
def test_article_holds_only_text_and_clean_prints_it(request, name):
    site = site_of(request, name)
    root = request.getfixturevalue(name) if name == "built_mini" else REPO
    for page in sorted((site / "sources").glob("*.html")):
        if page.name == "index.html":
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        articles = soup.find_all("article")
        assert len(articles) == 1
        article = articles[0]
        assert {t.name for t in article.find_all(True)} <= {"p", "h2", "a", "span", "sup"}
        # a nested mention's own link (data-dossier-extra) is beside the text, not of it
        assert {t.name for t in article.find_all(True) if not t.find_parent(
            attrs={"data-dossier-extra": True}) and not t.has_attr("data-dossier-extra")} \
            <= {"p", "h2", "a", "span"}
        seed = next((root / "seeds").glob(page.stem + ".*"))
        proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root),
                               "clean", str(seed)], capture_output=True, text=True, check=True)
        for extra in article.find_all(attrs={"data-dossier-extra": True}):
            extra.decompose()
        blocks = [b.get_text() for b in article.find_all(["p", "h2"])]
        assert blocks == proc.stdout.splitlines(), page.name
        assert soup.h1.get_text() not in blocks


@pytest.mark.parametrize("name", SITES)
def test_every_mention_is_a_link_with_a_stable_id(request, name):
    site = site_of(request, name)
    for page in sorted((site / "sources").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if page.name == "index.html" or not soup.article:
            continue
        for a in soup.article.find_all("a"):
            assert a["href"].startswith("../") and a["href"].endswith(".html")
            # a mention, or the own link of one nested inside another (beside the outer one)
            assert ("m" in a["class"]) != a.has_attr("data-dossier-extra")
            assert "m-sub" in a["class"] or "m" in a["class"]
        for span in soup.article.find_all("span"):
            assert "m-in" in span["class"] and span.find_parent("a", class_="m")
        ids = [t["id"] for t in soup.article.find_all(["a", "span"], id=True)]
        assert len(ids) == len(set(ids))
        assert all(i.startswith(("m-", "d-")) for i in ids)


def test_two_builds_are_byte_identical(tmp_path):
    root = write_mini(tmp_path / "mini")
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        assert build.main(["--root", str(root), "--out", str(out)]) == 0
    files = [{p.relative_to(o): p.read_bytes() for p in sorted(o.rglob("*")) if p.is_file()}
             for o in outs]
    assert files[0] == files[1]
    assert len(files[0]) > 10


def test_shipped_site_is_deterministic(shipped_site, tmp_path):
    again = tmp_path / "again"
    assert build.main(["--out", str(again)]) == 0
    first = {p.relative_to(shipped_site): p.read_bytes()
             for p in sorted(shipped_site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_build_never_writes_to_seeds(tmp_path):
    root = write_mini(tmp_path / "mini")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "seeds").iterdir()}
    assert build.main(["--root", str(root)]) == 0
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "seeds").iterdir()}
    assert before == after
