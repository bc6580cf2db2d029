#!/usr/bin/env python3
"""Score the boilerplate stripper on both development sets, beside trafilatura, in one run.

    python bench/boilerplate.py [--jobs N] [--limit N] [--sets dev,eval] [--show-leaks N]

The sets are not part of the repository; each is scored by its own scorer, unchanged:

- `../shared/boilerplate-dev/` (31 news pages): plain-text and HTML input, 4-token shingle
  precision, recall and F1 (`score.py --predictions`);
- `../shared/boilerplate-eval/` (trafilatura's evaluation corpus, 990 pages of several hundred
  sites in many languages): HTML input, passages that must be kept and passages that must go
  (`score.py --cmd`, run on a copy of the scorer in a temporary folder, so that the pages it
  unpacks never land in ../shared/).

For each page the stripper (`dossier clean`, the tool's default rules, as in a new dossier),
trafilatura with its defaults and trafilatura with `favor_precision` are run in this run, in
worker processes; the scorers then read their outputs. The stripper's time per page is
reported too (the median, on one core). A missing set is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "boilerplate-dev"
EVAL = SHARED / "boilerplate-eval"
TOOLS = ("dossier", "trafilatura", "trafilatura favor_precision")


def strip_all(path: str, kind: str) -> tuple[dict[str, str], float]:
    """Every tool's kept text of one page (only the stripper for plain text), and the
    stripper's time (in a worker process)."""
    sys.path.insert(0, str(ROOT))
    from dossier.clean import clean_text, load_rules
    from dossier.layout import DEFAULT_RULES
    from dossier.models import Problems
    from dossier.seeds import read_seed

    if not _RULES:
        _RULES.append(load_rules(DEFAULT_RULES, Problems(), DEFAULT_RULES.parent))
    raw = read_seed(Path(path), path, Problems()) or ""  # as `dossier clean` reads it
    start = time.perf_counter()
    ours = "\n".join(b.text for b in clean_text(raw, _RULES[0], kind=kind).blocks)
    took = time.perf_counter() - start
    outs = {"dossier": ours}
    if kind == "html":
        import trafilatura

        data = Path(path).read_bytes()  # as trafilatura reads a page: it finds the encoding
        outs["trafilatura"] = trafilatura.extract(data) or ""
        outs["trafilatura favor_precision"] = trafilatura.extract(data, favor_precision=True) or ""
    return outs, took


_RULES: list = []
"""The tool's default rules, loaded once per worker."""


def _strip(item: tuple[str, str]) -> tuple[dict[str, str], float]:
    return strip_all(*item)


def run_tools(paths: list[Path], kind: str, jobs: int) -> tuple[dict[str, list[str]], list[float]]:
    """Each tool's outputs, in the pages' order, and the stripper's times."""
    with Pool(jobs) as pool:
        done = pool.map(_strip, [(str(p), kind) for p in paths], chunksize=4)
    tools = TOOLS if kind == "html" else TOOLS[:1]
    return {t: [outs[t] for outs, _ in done] for t in tools}, [took for _, took in done]


def score_dev(kind: str, jobs: int, limit: int, leaks: int, work: Path) -> list[str]:
    """The development set's table for one kind of input."""
    rows = [line.split("\t") for line in
            (DEV / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    ids = [r[0] for r in rows if r[1] == "dev"][:limit or None]
    sub, ext = ("text", "txt") if kind == "text" else ("html", "html")
    outputs, times = run_tools([DEV / sub / f"{i}.{ext}" for i in ids], kind, jobs)
    lines = [f"times: the stripper's median {statistics.median(times) * 1000:.1f} ms a page "
             f"(max {max(times) * 1000:.0f} ms)"]
    for tool, outs in outputs.items():
        predictions = work / f"dev-{kind}-{tool.replace(' ', '-')}.json"
        predictions.write_text(json.dumps({i: {"articleBody": o} for i, o in
                                           zip(ids, outs, strict=True)}), encoding="utf-8")
        cmd = [sys.executable, str(DEV / "score.py"), "--split", "dev", "--predictions",
               str(predictions), "--name", f"{tool} ({kind})", "--quiet"]
        if leaks and tool == "dossier":
            cmd += ["--show-leaks", str(leaks)]
        lines.append(_run(cmd))
    return lines


def score_eval(jobs: int, limit: int, work: Path) -> list[str]:
    """The evaluation corpus's figures, HTML input."""
    scorer = work / "eval"
    scorer.mkdir()
    for name in ("score.py", "evaldata.json"):
        shutil.copy(EVAL / name, scorer / name)
    subprocess.run(["tar", "-xJf", str(EVAL / "pages.tar.xz"), "-C", str(scorer)], check=True)
    data = json.loads((scorer / "evaldata.json").read_text(encoding="utf-8"))
    files = sorted({d["file"] for _, d in sorted(data.items())[:limit or None]})
    outputs, times = run_tools([scorer / "pages" / f for f in files], "html", jobs)
    lines = [f"times: the stripper's median {statistics.median(times) * 1000:.1f} ms a page "
             f"(max {max(times) * 1000:.0f} ms)"]
    for tool, outs in outputs.items():
        folder = work / f"eval-{tool.replace(' ', '-')}"
        folder.mkdir()
        for name, text in zip(files, outs, strict=True):
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        cmd = [sys.executable, str(scorer / "score.py"), "-j", str(jobs), "--cmd",
               f"cat {shlex.quote(str(folder))}/\"$(basename {{}})\".txt"]
        if limit:
            cmd += ["--limit", str(limit)]
        lines.append(f"{tool}: {_run(cmd)}")
    return lines


def _run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each")
    parser.add_argument("--sets", default="dev,eval")
    parser.add_argument("--show-leaks", type=int, default=0, metavar="N",
                        help="the N most frequent kept lines of the dev set not in the truth")
    args = parser.parse_args(argv)
    sets = set(args.sets.split(","))
    with tempfile.TemporaryDirectory(prefix="dossier-boilerplate-") as tmp:
        work = Path(tmp)
        if "dev" in sets:
            if not (DEV / "score.py").is_file():
                print(f"no development set at {DEV}; skipped")
            for kind in ("text", "html") if (DEV / "score.py").is_file() else ():
                print(f"\n## {DEV.name}, {kind} input (4-token shingles)\n", flush=True)
                print("\n".join(score_dev(kind, args.jobs, args.limit, args.show_leaks,
                                          work)), flush=True)
        if "eval" in sets:
            if not (EVAL / "score.py").is_file():
                print(f"no evaluation corpus at {EVAL}; skipped")
            else:
                print(f"\n## {EVAL.name}, html input (passages kept and dropped)\n", flush=True)
                print("\n".join(score_eval(args.jobs, args.limit, work)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
