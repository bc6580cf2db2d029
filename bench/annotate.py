"""How long annotating in the browser takes, as a user meets it: `dossier serve` on a copy of
the shipped dossier, Debian's Chromium driven by Playwright, and for each run

    (the file edited by hand, the page reloaded) -> select a phrase -> a -> type 4 letters ->
    Enter -> ... -> the reloaded page has the link

timed from the selection to the reloaded page's load event (and, within it, from Enter to
the load: the write, the rebuild and the reload, split at the moment the reloaded page's
navigation began), then `u` (undo) timed the same way.

    python bench/annotate.py [--runs 10]

Prints one line per run and a summary; `--json FILE` writes the numbers (bench/run.py reads
them). Needs Chromium at /usr/bin/chromium (apt-get install chromium) and Playwright for
Python (pip install -e '.[test]'); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import SELECT_WORDS, launch  # noqa: E402

SOURCE = "000_24226ba9ecf00a29"
LINE = "  - {quote: Iraq, entity: iraq}\n"
"""The mention taken out of the copy, then put back in the browser on every run."""
TYPED = "iraq"
KEYS = 1 + len(TYPED) + 1
"""Keys pressed per mention after selecting: a, the letters, Enter."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(root: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", "from dossier.cli import run; run()",
                                 "serve", "--root", str(root), "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the preview did not start within 120 s")


INSTRUMENT = """() => {
  /* The page's own clock, apart from Playwright's: from the key a to the picker shown, and the
     time the picker's own handlers take for each letter typed. */
  const b = window.__bench = {a: 0, shown: 0, typing: 0, t: 0};
  addEventListener("keydown", e => { if (e.key === "a" && !b.a) b.a = performance.now(); }, true);
  new MutationObserver(() => {
    if (!b.shown && document.getElementById("dossier-edit-q")) b.shown = performance.now();
  }).observe(document.body, {childList: true, subtree: true});
  addEventListener("input", () => { b.t = performance.now(); }, true);
  document.addEventListener("input", () => { b.typing += performance.now() - b.t; });
}"""


def one_run(page, yaml: Path, n: int = 0) -> dict[str, float]:
    # First the file changes on disk as if edited by hand (a comment), and the page reloads:
    # each run then writes into a file the preview has not parsed before, as a user's next
    # annotation does after the last one. The run starts once the reloaded page has made its
    # `prepare` call (registry, parse), a fraction of a second after it loads: a reader's next
    # selection does not come sooner.
    text = re.sub(r"# bench run \d+\n\Z", "", yaml.read_text(encoding="utf-8"))
    with page.expect_response(lambda r: r.url.endswith("/prepare")):
        with page.expect_event("load"):
            # saved as many editors save, in one step (a new file renamed over the old one)
            fresh = yaml.parent.parent.parent / f".bench-{n}.yaml"
            fresh.write_text(text + f"# bench run {n}\n", encoding="utf-8")
            os.replace(fresh, yaml)
    page.evaluate(INSTRUMENT)
    t0 = time.perf_counter()
    assert page.evaluate(SELECT_WORDS, ["Iraq", 1]) == "Iraq"
    page.keyboard.press("a")
    search = page.get_by_role("combobox")
    search.type(TYPED)
    page.get_by_role("option").first.wait_for()
    t1, wall = time.perf_counter(), time.time() * 1000
    seen = page.evaluate("[window.__bench.shown - window.__bench.a, window.__bench.typing, "
                         "performance.timeOrigin + performance.now()]")
    with page.expect_event("load"):
        search.press("Enter")
    page.locator("article a.m", has_text="Iraq").wait_for()
    t2 = time.perf_counter()
    # the reloaded page's own clock: when its navigation began and when it had loaded
    began, loaded = page.evaluate("[performance.timeOrigin, performance.timeOrigin + "
                                  "performance.getEntriesByType('navigation')[0].loadEventEnd]")
    assert LINE in yaml.read_text(encoding="utf-8"), "the mention was not written"
    with page.expect_event("load"):
        page.keyboard.press("u")
    page.locator("#dossier-edit-toast").wait_for()
    t3 = time.perf_counter()
    assert LINE not in yaml.read_text(encoding="utf-8"), "undo did not take the line out"
    return {"total": t2 - t0, "picker": t1 - t0, "write_rebuild_reload": t2 - t1,
            "to_reload": (began - wall) / 1000, "page_load": (loaded - began) / 1000,
            "tool": (seen[0] + seen[1] + loaded - seen[2]) / 1000, "undo": t3 - t2}


def summary(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    return {k: {"median": statistics.median(r[k] for r in runs),
                "min": min(r[k] for r in runs), "max": max(r[k] for r in runs)}
            for k in runs[0]}


def measure(n: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "dossier"
        for name in ("content", "seeds", "templates"):
            if (ROOT / name).exists():
                shutil.copytree(ROOT / name, root / name)
        yaml = root / "content" / "sources" / f"{SOURCE}.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace(LINE, ""), encoding="utf-8")
        port = free_port()
        log = Path(tmp) / "serve.log"
        proc = start(root, port, log)
        try:
            with sync_playwright() as p:
                browser = launch(p)
                page = browser.new_page()
                page.set_default_timeout(15_000)
                page.goto(f"http://127.0.0.1:{port}/sources/{SOURCE}.html")
                one_run(page, yaml)  # warm: the first registry fetch, the first rebuilds
                runs = []
                for i in range(n):
                    run = one_run(page, yaml, i + 1)
                    runs.append(run)
                    print(f"run {i + 1}: selection to reloaded page {run['total'] * 1000:.0f} ms"
                          f" (picker {run['picker'] * 1000:.0f} ms, write + rebuild + reload "
                          f"{run['write_rebuild_reload'] * 1000:.0f} ms: Enter to the reload "
                          f"{run['to_reload'] * 1000:.0f} ms, the page's load "
                          f"{run['page_load'] * 1000:.0f} ms); the tool's own time "
                          f"{run['tool'] * 1000:.0f} ms; undo "
                          f"{run['undo'] * 1000:.0f} ms", flush=True)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(30)
        builds = [int(m) for m in re.findall(r": built in (\d+) ms", log.read_text())][1:]
        print(log.read_text()[-3000:]) if "--log" in sys.argv else None
    rebuilds = {"median": statistics.median(builds), "runs": builds}
    return {"runs": runs, "rebuild_ms": rebuilds, "summary": summary(runs),
            "keys_per_mention": KEYS, "yaml_characters_per_mention": len(LINE.strip())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the numbers here")
    parser.add_argument("--log", action="store_true", help="print the preview's log too")
    args = parser.parse_args(argv)
    result = measure(args.runs)
    s = result["summary"]
    print(f"selection to reloaded page: median {s['total']['median'] * 1000:.0f} ms "
          f"(min {s['total']['min'] * 1000:.0f}, max {s['total']['max'] * 1000:.0f}) over "
          f"{args.runs} runs; undo median {s['undo']['median'] * 1000:.0f} ms; the preview's "
          f"rebuild alone: median {result['rebuild_ms']['median']:.0f} ms")
    print(f"the tool's own time (picker shown after a, its handling of each letter, Enter to the "
          f"reloaded page's load, without Playwright's driving): median "
          f"{s['tool']['median'] * 1000:.0f} ms (min {s['tool']['min'] * 1000:.0f}, max "
          f"{s['tool']['max'] * 1000:.0f})")
    print(f"keys per mention after selecting: {KEYS} (a, {len(TYPED)} letters, Enter), "
          f"against {result['yaml_characters_per_mention']} characters of YAML typed by hand")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
