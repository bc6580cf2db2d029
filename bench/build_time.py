#!/usr/bin/env python3
"""Time the build of the shipped dossier: cold (a new process each time) and warm (in process).

    python bench/build_time.py [--runs N]

Prints the median and the fastest of N runs. Output goes to a temporary folder; site/ is not
touched.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cold(runs: int, out: Path) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out)],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def warm(runs: int, out: Path) -> list[float]:
    import build

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            assert build.main(["--out", str(out)]) == 0
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        for name, fn in (("cold (new process)", cold), ("warm (in process)", warm)):
            t = fn(runs, out)
            print(f"{name:20} median {statistics.median(t) * 1000:7.0f} ms   "
                  f"fastest {min(t) * 1000:7.0f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()
