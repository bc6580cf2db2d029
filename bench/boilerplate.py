#!/usr/bin/env python3
"""Score the boilerplate stripper on the shared development set, text and HTML input.

    python bench/boilerplate.py [--split dev] [--show-leaks N]

Runs the set's own scorer (../shared/boilerplate-dev/score.py) twice, on the plain-text and
on the HTML renderings of the pages, with `build.py clean {}` as the stripper, and prints its
tables. The development set is not part of the repository: without it, this script says so
and exits cleanly.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "boilerplate-dev"


def scorer_command(kind: str, split: str, leaks: int) -> list[str]:
    """The scorer's command line for one input kind."""
    stripper = f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'build.py'))} clean {{}}"
    cmd = [sys.executable, str(DATA / "score.py"), "--split", split, "--input", kind,
           "--cmd", stripper, "--name", f"dossier clean ({kind})", "--quiet", "-j", "4"]
    if leaks:
        cmd += ["--show-leaks", str(leaks)]
    return cmd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--show-leaks", type=int, default=0, metavar="N",
                        help="also print the N most frequent kept lines not in the truth")
    args = parser.parse_args(argv)
    if not (DATA / "score.py").is_file():
        print(f"no development set at {DATA}; nothing to score (it is not part of the repo)")
        return 0
    status = 0
    for kind in ("text", "html"):
        print(f"\n## {kind} input\n", flush=True)
        done = subprocess.run(scorer_command(kind, args.split, args.show_leaks), cwd=ROOT,
                              check=False)
        status = status or done.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
