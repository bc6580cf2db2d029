"""Helpers for checking the built site in a real browser: Debian's headless Chromium driven by
Playwright, a local server that serves the site under a project subpath (as GitHub Pages does),
the page kinds to look at, and the Nu HTML Checker (vnu).

Used by tests/test_browser.py and tools/screenshots.py. Nothing here downloads a browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("DOSSIER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
"""Debian's Chromium (override with DOSSIER_CHROMIUM=/path/to/chrome)."""

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these Chromium tries to reach Google's servers and stalls on a closed network.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

INSTALL_CHROMIUM = (
    "The browser tests need Debian's Chromium at /usr/bin/chromium (or set DOSSIER_CHROMIUM). "
    "Install it with: sudo apt-get install chromium   (and the Python side with "
    "pip install -e '.[test]'). Playwright's own browser download is not used."
)

PREFIX = "/dossier/"
"""The subpath the site is served under, as GitHub Pages serves a project site."""

VNU_VERSION = "26.9.27"
"""The Nu HTML Checker release used, from the npm registry's vnu-jar package."""

VNU_DIR = Path(os.environ.get("DOSSIER_VNU_DIR") or Path(sys.prefix) / "vnu-jar")
"""Where vnu-jar is installed with npm (inside the virtual environment by default)."""

TIMEOUT_MS = 10_000
"""Upper bound for any single browser wait."""


def chromium_missing() -> str | None:
    """None when Chromium can be launched, else how to install it."""
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM}. {INSTALL_CHROMIUM}"
    return None


def launch(playwright):
    """One headless Chromium, from Debian's package, never downloaded."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      timeout=30_000)


# --- the server ------------------------------------------------------------------------------

@dataclass
class Server:
    """The site served on 127.0.0.1 under PREFIX."""

    base: str
    """The site's address, ending in PREFIX: http://127.0.0.1:PORT/dossier/."""
    outside: list[str] = field(default_factory=list)
    """Every path asked for that is not under PREFIX (each answered 404)."""


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript",
                      ".wasm": "application/wasm", ".json": "application/json",
                      ".svg": "image/svg+xml"}

    def __init__(self, *args, server_info: Server, **kwargs):
        self.server_info = server_info
        super().__init__(*args, **kwargs)

    def send_head(self):
        clean = self.path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(PREFIX):
            self.server_info.outside.append(clean)
            self.send_error(404, f"Only {PREFIX} is served")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[Server]:
    """Serve `site` under PREFIX on a free loopback port, in a background thread."""
    info = Server(base="")
    handler = functools.partial(_Handler, directory=str(site), server_info=info)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    info.base = f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield info
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- the page kinds --------------------------------------------------------------------------

KINDS = ["home", "sources index", "source", "people index", "units index",
         "organisations index", "places index", "person", "unit", "organisation", "place",
         "dates index", "day", "month", "year", "timeline", "who said what", "claims"]


def page_kinds(site: Path) -> dict[str, str]:
    """One page of every kind, as a path relative to the site (the first in name order)."""
    def first(folder: str, pattern: str = r"(?!index\.html$).+\.html") -> str:
        names = sorted(p.name for p in (site / folder).glob("*.html")
                       if re.fullmatch(pattern, p.name))
        assert names, f"no page of the kind {folder}/{pattern} in {site}"
        return f"{folder}/{names[0]}"

    pages = {"home": "index.html", "sources index": "sources/index.html",
             "source": first("sources")}
    for plural in ("people", "units", "organisations", "places"):
        pages[f"{plural} index"] = f"{plural}/index.html"
    pages.update(person="people/hossein-hamedani.html"
                 if (site / "people/hossein-hamedani.html").is_file() else first("people"),
                 unit=first("units"), organisation=first("organisations"), place=first("places"))
    pages["dates index"] = "dates/index.html"
    pages["day"] = first("dates", r"\d{4}-\d\d-\d\d\.html")
    pages["month"] = first("dates", r"\d{4}-\d\d\.html")
    pages["year"] = first("dates", r"\d{4}\.html")
    pages["timeline"] = "timeline.html"
    pages["who said what"] = "quotes.html"
    pages["claims"] = "claims.html"
    assert list(pages) == KINDS
    return pages


# --- the Nu HTML Checker ---------------------------------------------------------------------

def vnu_jar() -> Path:
    """vnu.jar from the npm registry's vnu-jar package (the newest vnu release any registry
    has), installed with npm into VNU_DIR on first use. VNU_JAR=/path/to/vnu.jar overrides."""
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    jar = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    installed = VNU_DIR / "node_modules" / "vnu-jar" / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == VNU_VERSION \
            and jar.is_file():
        return jar
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("The HTML check needs npm to install the Nu HTML Checker "
                           f"(vnu-jar {VNU_VERSION}): sudo apt-get install npm, or set "
                           "VNU_JAR=/path/to/vnu.jar")
    proc = subprocess.run([npm, "install", "--prefix", str(VNU_DIR), "--no-save", "--no-audit",
                           "--no-fund", "--loglevel=error", f"vnu-jar@{VNU_VERSION}"],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode or not jar.is_file():
        raise RuntimeError(f"npm could not install vnu-jar@{VNU_VERSION} into {VNU_DIR}:\n"
                           f"{proc.stdout}{proc.stderr}")
    return jar


def vnu(files: list[Path]) -> tuple[str, list[dict]]:
    """Run vnu (errors only) on HTML and SVG files; its version and its messages. Needs Java.
    (Not on stylesheets: vnu's CSS checker rejects valid properties such as paint-order.)"""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("The HTML check needs a Java runtime (11 or later): "
                           "sudo apt-get install default-jre-headless")
    proc = subprocess.run([java, "-jar", str(vnu_jar()), "--errors-only", "--also-check-svg",
                           "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    # vnu writes its JSON report to stderr and exits 1 when it found errors.
    report = json.loads(proc.stderr or proc.stdout)
    return report.get("version", "?"), report["messages"]


SELECT_WORDS = """([words, nth]) => {
  // Select the nth whole-word occurrence of `words` in the article, as a user's drag would:
  // a DOM Range over the text nodes, skipping the small links of nested mentions.
  const article = document.querySelector("article");
  const nodes = [];
  const walk = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {acceptNode: (n) =>
    n.parentElement.closest("[data-dossier-extra]") ? NodeFilter.FILTER_REJECT
                                                     : NodeFilter.FILTER_ACCEPT});
  for (let n = walk.nextNode(); n; n = walk.nextNode()) nodes.push(n);
  let text = "", at = [];
  for (const n of nodes) { at.push(text.length); text += n.data; }
  const re = new RegExp("\\\\b" + words.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&") + "\\\\b", "g");
  let m, seen = 0;
  while ((m = re.exec(text)) !== null) { if (++seen === nth) break; }
  if (!m) throw new Error("not found: " + words);
  const place = (offset, end) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (end ? at[i] < offset : at[i] <= offset) return [nodes[i], offset - at[i]];
    }
  };
  const range = document.createRange();
  range.setStart(...place(m.index, false));
  range.setEnd(...place(m.index + words.length, true));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  return sel.toString();
}"""
"""Page script: select the nth whole-word occurrence of words in the article (a DOM Range).
Used by tests/test_annotate_browser.py and bench/annotate.py."""
