#!/usr/bin/env python3
"""Screenshots of every page kind, at 1280 and 390 px wide, in Debian's headless Chromium.

    python tools/screenshots.py [OUT]            build the shipped dossier into a temporary
                                                 folder and shoot it (OUT: screenshots/)
    python tools/screenshots.py OUT --site site  shoot an already built site instead

The site is served on 127.0.0.1 under /dossier/, as GitHub Pages serves a project site. Files
are named KIND-WIDTH.png (full pages), plus a highlighted mention target and, when the page
has a search box, search results for "Hamadani" (the visible window only). Needs Chromium
(apt-get install chromium) and Playwright (pip install -e '.[test]'); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import TIMEOUT_MS, chromium_missing, launch, page_kinds, serve  # noqa: E402

WIDTHS = {1280: 800, 390: 844}
"""Viewport width -> height (a laptop; a phone)."""


def shoot(site: Path, out: Path) -> list[Path]:
    from playwright.sync_api import Error, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    kinds = page_kinds(site)
    with serve(site) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            for width, height in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                for kind, path in kinds.items():
                    page.goto(server.base + path)
                    name = out / f"{kind.replace(' ', '-')}-{width}.png"
                    page.screenshot(path=name, full_page=True)
                    written.append(name)
                # A mention reached from its entity page: the :target highlight.
                page.goto(server.base + kinds["person"])
                page.locator("section[aria-labelledby=h-mentions] ol.contexts a").last.click()
                page.wait_for_load_state()
                page.mouse.move(0, 0)
                written.append(out / f"mention-target-{width}.png")
                page.screenshot(path=written[-1])
                # Search, when the page has it.
                page.goto(server.base + "index.html")
                if page.locator("#search input").count():
                    try:
                        page.locator("#search input").fill("Hamadani")
                        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=5000)
                    except Error as exc:
                        print(f"search ({width} px): {exc.message.splitlines()[0]}",
                              file=sys.stderr)
                    written.append(out / f"search-{width}.png")
                    page.screenshot(path=written[-1])
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("screenshots"),
                        help="folder for the PNG files (default: screenshots/)")
    parser.add_argument("--site", type=Path,
                        help="an already built site (default: build the shipped dossier into a "
                        "temporary folder)")
    args = parser.parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dossier-shots-") as tmp:
        site = args.site
        if site is None:
            import build

            site = Path(tmp) / "site"
            if build.main(["--out", str(site)]) != 0:
                return 1
        elif not (site / "index.html").is_file():
            print(f"{site} holds no built site (no index.html); run python build.py",
                  file=sys.stderr)
            return 2
        written = shoot(site.resolve(), args.out)
    print(f"{len(written)} screenshots in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
