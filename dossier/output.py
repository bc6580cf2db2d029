"""Where a build may write, one build at a time, and what interrupted builds left behind.

The output folder is replaced whole by every build (`write.SiteWriter`), so a careless `--out`
could delete the user's work: `check_output` refuses the project folder and its ancestors, the
input and cache folders, a symbolic link, and any existing folder with files in it that no
build of dossier wrote (a build leaves the file MARKER in what it writes).

Two builds of one project at once would write the same caches: `BuildLock` lets one build run
at a time (a second one waits, and says so). A build that was killed leaves its staging folders
beside the site and its search folder in the cache; the next build removes them
(`remove_leftovers`), under the lock, so never those of a build still running.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from types import TracebackType

from .inputs import read_regular

MARKER = ".dossier-site"
"""The file every build writes at the top of the site: this folder is dossier's to replace."""

CACHE_DIR = Path(".dossier-cache")
"""The project's cache folder (git-ignored): sources, page keys, anchors, the build lock."""

PROTECTED = ("seeds", "content", "templates", ".git", CACHE_DIR)
"""The project's folders that no build may write into."""

STAGE_PREFIX, OLD_PREFIX = ".new-", ".old-"
"""The staging folder of a build is .<site name>.new-XXXX beside the site; the replaced site
is moved to .<site name>.old-XXXX before it is deleted."""

SEARCH_PREFIX = "search-"
"""Pagefind's working folders in the cache: .dossier-cache/search-XXXX."""


class OutputRefused(Exception):
    """The output folder must not be written; the message says why and what to do."""


def check_output(out: Path, root: Path) -> Path:
    """The output folder, its parent's links resolved, if a build may replace it; else raise
    OutputRefused. The folder itself is never followed if it is a link."""
    out = Path(os.path.abspath(out))
    target = out.parent.resolve() / out.name
    root = root.resolve()
    shown = str(out)
    if out.is_symlink():
        raise OutputRefused(f"the output folder {shown} is a symbolic link (to "
                            f"{os.readlink(out)}); a build replaces its output folder, so it "
                            "never follows a link: remove the link or give --out a real folder")
    if root.is_relative_to(target):
        raise OutputRefused(f"the output folder {shown} is the project folder or holds it; a "
                            "build replaces its output folder: use --out site (the default)")
    for name in PROTECTED:
        if target.is_relative_to((root / name).resolve()):
            raise OutputRefused(f"the output folder {shown} is inside {name}/, which the build "
                                "must never write: use --out site (the default)")
    if target.exists() and not target.is_dir():
        raise OutputRefused(f"the output folder {shown} is a file; give --out a folder")
    if target.is_dir() and any(target.iterdir()) and not _written_by_dossier(target, root):
        raise OutputRefused(f"the output folder {shown} already holds files that dossier did "
                            "not write (it has no " + MARKER + " file); a build replaces its "
                            "output folder, so give --out a new or empty folder, or empty "
                            "this one yourself")
    return target


def _written_by_dossier(folder: Path, root: Path) -> bool:
    """True if a build wrote this folder: it holds the MARKER, or (a site written before there
    was a marker) the project's cache has the page list of a build into it."""
    if (folder / MARKER).is_file():
        return True
    for manifest in (root / CACHE_DIR).glob("pages-*.json"):
        try:
            if json.loads(read_regular(manifest)).get("out") == str(folder):
                return True
        except (OSError, ValueError, AttributeError):
            continue
    return False


class BuildLock:
    """One build at a time per project: an exclusive lock on .dossier-cache/build.lock, which
    the system releases when the process ends, however it ends."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / "build.lock"
        self.fd = -1

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(exist_ok=True)  # never the project folder itself
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Another build of this dossier is running ({self.path}); waiting for it to "
                  "finish.", file=sys.stderr, flush=True)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        os.close(self.fd)  # closing the file releases the lock
        self.fd = -1


def remove_leftovers(out: Path, root: Path) -> None:
    """Delete what interrupted builds left: staging folders beside the output folder, Pagefind's
    working folders in the cache. A build killed between the two renames of its swap left no
    site and the last good one aside: that one is put back first. Call it holding the
    BuildLock."""
    if out.parent.is_dir():
        aside = _ours(out, OLD_PREFIX)
        if aside and not os.path.lexists(out):
            aside.pop().rename(out)
        for entry in (*aside, *_ours(out, STAGE_PREFIX)):
            remove_tree(entry)
    cache = root / CACHE_DIR
    if cache.is_dir():
        for entry in cache.iterdir():
            if entry.name.startswith(SEARCH_PREFIX) and entry.is_dir() \
                    and not entry.is_symlink():
                remove_tree(entry)


def _ours(out: Path, prefix: str) -> list[Path]:
    """The folders a build made beside `out` with this prefix, oldest first."""
    found = [entry for entry in out.parent.iterdir()
             if entry.name.startswith(f".{out.name}{prefix}") and entry.is_dir()
             and not entry.is_symlink()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def remove_tree(folder: Path) -> None:
    """Delete a folder of the build's own, read-only subfolders included."""
    def writable(function: object, path: str, _exc: object) -> None:
        parent = os.path.dirname(path)
        os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)

    handler = {"onexc" if sys.version_info >= (3, 12) else "onerror": writable}
    try:
        shutil.rmtree(folder, **handler)
    except OSError:
        pass  # what is left is removed by the next build's remove_leftovers


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old bytes or the new, never a part: into a
    temporary file of a unique name beside it (two processes never share one), then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
