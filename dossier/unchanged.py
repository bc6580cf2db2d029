"""A command-line build with nothing to do: found from the files' states, without reading them.

After a build, `remember` records the size, time and inode of every input file (the project's
seeds/, content/ and templates/, the tool's own defaults), the tool's version, the options,
and the state of every file and folder of the site it wrote, with the build's summary and
problems. The next build asks `unchanged` first: when every state is the same, the site is
what a build would make, so it reports the same summary and problems and stops. An input file
changed within SETTLED_NS of the record could keep its time: then nothing is recorded. (A file
of the site changed by hand gets a new time, a file added or removed a new time for its
folder.)
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

from .cache import SETTLED_NS, code_version, digest
from .inputs import INPUT_FOLDERS
from .layout import DEFAULTS
from .models import Problem, Problems
from .output import CACHE_DIR, BuildLock, atomic_write, remove_leftovers

State = list[tuple[str, int, int, int]]


def _states(top: Path) -> State:
    """(path, size, time, inode) of every file and folder below `top`, in the order the system
    lists them: a folder lists its files in the same order while none is added or removed (and
    when one is, the folder's own time has changed). Unsorted, as sorting 66,000 entries costs
    a fifth of the whole check; at worst another order means a build."""
    found: State = []
    try:
        st = os.stat(top)
    except OSError:
        return found
    found.append((str(top), st.st_size, st.st_mtime_ns, st.st_ino))
    todo, seen = [str(top)], {(st.st_dev, st.st_ino)}
    while todo:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat()
            except OSError:
                continue
            found.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino))
            if entry.is_dir() and (st.st_dev, st.st_ino) not in seen:  # a link loop ends
                seen.add((st.st_dev, st.st_ino))
                todo.append(entry.path)
    return found


def _record_path(root: Path, out: Path) -> Path:
    return root / CACHE_DIR / f"unchanged-{digest(str(out))[:12]}.pickle"


def _now(root: Path, out: Path, options: object) -> tuple[str, State, State]:
    inputs = [s for name in INPUT_FOLDERS for s in _states(root / name)] + _states(DEFAULTS)
    return digest(code_version(), options), inputs, _states(out)


def unchanged(root: Path, out: Path, options: object
              ) -> tuple[dict[str, Any], list[Problem]] | None:
    """The last build's summary and problems, if nothing it was made from or it made has
    changed since; else None."""
    try:
        with open(_record_path(root, out), "rb") as f:
            recorded = pickle.load(f)  # noqa: S301 - our own cache
        version, inputs, site, summary, problems = recorded
    except Exception:  # noqa: BLE001 - no record, or one this version cannot read: build
        return None
    if (version, inputs, site) != _now(root, out, options):
        return None
    return summary, problems


def last_result(root: Path, out: Path, options: object,
                problems: Problems) -> dict[str, Any] | None:
    """A command-line build with nothing to do: the last build's summary, its problems added
    to `problems`, if `unchanged` finds nothing changed (checked holding the build lock, so
    never halfway through another build); else None: build. This module imports none of the
    pipeline, so the answer comes before it is loaded."""
    started = time.perf_counter()
    try:
        with BuildLock(root):
            remove_leftovers(out, root)
            done = unchanged(root, out, options)
    except OSError:  # an unwritable cache, say: the build says what is wrong
        return None
    if done is None:
        return None
    summary, found = done
    problems.items.extend(found)
    return {**summary, "files": 0, "stages": "nothing changed since the last build",
            "redid": "0 sources and 0 pages",
            "ms": round((time.perf_counter() - started) * 1000)}


def remember(root: Path, out: Path, options: object, summary: dict[str, Any],
             problems: list[Problem]) -> None:
    """Record the states after a build (nothing, if a file changed too recently to tell)."""
    path = _record_path(root, out)
    path.unlink(missing_ok=True)
    version, inputs, site = _now(root, out, options)
    newest = max((s[2] for s in inputs), default=0)
    if time.time_ns() - newest <= SETTLED_NS:
        return
    atomic_write(path, pickle.dumps((version, inputs, site, summary, problems),
                                    protocol=pickle.HIGHEST_PROTOCOL))
