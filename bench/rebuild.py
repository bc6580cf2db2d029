#!/usr/bin/env python3
"""Measure edit-to-rebuilt time: the shipped dossier and a generated one of N sources.

    python bench/rebuild.py [--sources 1000] [--runs 3]

For each dossier (copied to a temporary folder; nothing in the repository is touched) it times
`python build.py` as a user runs it (a new process each time): a clean build with no cache, a
rebuild with nothing changed, a rebuild after editing one annotation, and after editing one seed;
and the same rebuild in process, as `build.py serve` does it. Medians of --runs runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

import build  # noqa: E402


def cli(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root)], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def in_process(root: Path) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert build.main(["--root", str(root)]) == 0
    return time.perf_counter() - start


def toggle(path: Path, old: str, new: str) -> Callable[[], None]:
    """An edit that alternates between two versions of a file, so every run is a real change."""
    state = {"on": False}

    def edit() -> None:
        text = path.read_text(encoding="utf-8")
        a, b = (new, old) if state["on"] else (old, new)
        path.write_text(text.replace(a, b, 1), encoding="utf-8")
        state["on"] = not state["on"]
    return edit


def measure(root: Path, runs: int, annotation: Callable[[], None],
            seed: Callable[[], None]) -> dict[str, float]:
    shutil.rmtree(root / ".dossier-cache", ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    results = {"clean build (no cache)": cli(root)}
    results["rebuild, nothing changed"] = statistics.median(cli(root) for _ in range(runs))
    for name, edit in (("one annotation edited", annotation), ("one seed edited", seed)):
        timings, served = [], []
        for _ in range(runs):
            edit()
            timings.append(cli(root))
            edit()
            served.append(in_process(root))
        results[f"rebuild, {name}"] = statistics.median(timings)
        results[f"rebuild, {name} (in process, as serve)"] = statistics.median(served)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped"
        shutil.copytree(ROOT, shipped, ignore=shutil.ignore_patterns(
            ".git", ".venv", "site", ".dossier-cache", "__pycache__", "bench", "tests"))
        big = Path(tmp) / "generated"
        generate(args.sources, big)
        sid, mid = "003_ee9f25022a302441", args.sources // 2
        table = {
            "shipped dossier (5 sources)": measure(
                shipped, args.runs,
                toggle(shipped / "content/sources" / f"{sid}.yaml", "entity: jableh}",
                       "entity: jableh, note: near the airport}"),
                toggle(shipped / "seeds" / f"{sid}.txt", "could not independently verify",
                       "could not verify")),
            f"generated dossier ({args.sources} sources)": measure(
                big, args.runs,
                toggle(big / f"content/sources/s{mid:06d}.yaml", "occurrence: 1}",
                       "occurrence: 1, note: checked}"),
                toggle(big / f"seeds/s{mid:06d}.txt", f"In report {mid}.0,",
                       f"In report {mid}.0 ,")),
        }
    for dossier, results in table.items():
        print(f"\n{dossier}")
        for name, seconds in results.items():
            print(f"  {name:52} {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
