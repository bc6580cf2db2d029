"""Incremental builds: per-source work and per-page output, cached by content hash.

Everything lives in .dossier-cache/ (git-ignored); deleting it only makes the next build slower.

- A source's cleaning and anchoring is kept with the problems it raised, under a key that
  hashes everything that work reads: the seed's bytes, its annotation file, the boilerplate
  rules, the entity ids, and the code itself.
- Each page's inputs are hashed too; a page whose key has not changed since the last build, and
  whose file in site/ is as that build left it, is neither rendered nor written again.

A rebuilt site is byte-identical to a clean build of the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from .inputs import file_stamp, read_regular
from .models import Problem, Source
from .output import CACHE_DIR, atomic_write

if TYPE_CHECKING:  # imported where they are used: a build with nothing to do needs neither
    from .overlap import SharedPassage
    from .relocate import Memory

PACKAGE = Path(__file__).resolve().parent


def digest(*parts: object) -> str:
    """A stable hash of strings, bytes and reprs of frozen records."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package's code and schemas: a new version invalidates every cache."""
    files = sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("schema/*.json")])
    return digest(*(f.name.encode() + f.read_bytes() for f in files))


def tree_digest(folder: Path) -> str:
    """A hash of every file below a folder (templates, static files)."""
    if not folder.is_dir():
        return digest("none")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return digest(*(p.relative_to(folder).as_posix().encode() + p.read_bytes() for p in files))


R = TypeVar("R")
V = TypeVar("V")


class PerRecord(Generic[R, V]):
    """Values made from records (a source, an entity's index entry), each kept, under its
    record's id, while the record is the very same object: the index keeps the records of
    what did not change, so a rebuild in this process makes again only the values of what
    did."""

    def __init__(self) -> None:
        self.held: dict[str, tuple[R, V]] = {}

    def get(self, name: str, record: R, make: Callable[[R], V]) -> V:
        held = self.held.get(name)
        if held is None or held[0] is not record:
            held = self.held[name] = (record, make(record))
        return held[1]

    def keep_only(self, names: set[str]) -> None:
        """Forget the values of records no longer there (a source removed)."""
        if len(self.held) > len(names):
            for name in [n for n in self.held if n not in names]:
                del self.held[name]


_DIGESTS: dict[str, tuple[tuple[int, int, int], str]] = {}
"""Each input file this process read, or a build before it recorded (`recall_digests`): its
size, time and inode then, and its digest."""

_RECALLED: set[str] = set()
"""The projects whose recorded digests this process has taken in."""

_HASHED = [0]
"""How many digests this process has taken (and kept) so far."""

_RECORDED: dict[str, tuple[int, int]] = {}
"""Each project's last record: _HASHED then, and how many files it held (unchanged: the
record is not made again)."""

DIGESTS_FILE = "digests.json"

SETTLED_NS = 2_000_000_000
"""A file last changed this long ago keeps its digest while its size, time and inode stay the
same: a later change would give it a later time (a file changed within the clock's resolution
of the last read could keep its time: one this recent is read again)."""


def file_digest(path: Path | str) -> str:
    """The sha256 of a file's bytes ('' when it cannot be read), read again only when its size,
    time or inode changed: a rebuild of a large dossier stats its inputs, not reads them."""
    name = str(path)
    stamp = file_stamp(name)
    if stamp is None:
        return ""
    held = _DIGESTS.get(name)
    if held is not None and held[0] == stamp:
        return held[1]
    try:
        found = hashlib.sha256(read_regular(Path(name))).hexdigest()
    except OSError:
        return ""
    if time.time_ns() - stamp[1] > SETTLED_NS:
        _DIGESTS[name] = (stamp, found)
        _HASHED[0] += 1
    return found


def recall_digests(root: Path) -> None:
    """Take in the input files' digests the last build of this project recorded, so that a
    new process (a command-line build) hashes only the files whose size, time or inode
    changed since (`record_digests`). Once per process; a missing or damaged record is none."""
    base = str(root)
    if base in _RECALLED:
        return
    _RECALLED.add(base)
    try:
        data = json.loads(read_regular(root / CACHE_DIR / DIGESTS_FILE))
        files = data["files"] if data.get("version") == 1 else {}
        for name, (size, mtime, inode, found) in files.items():
            if isinstance(found, str) and all(isinstance(n, int) for n in (size, mtime, inode)):
                _DIGESTS.setdefault(os.path.join(base, name), ((size, mtime, inode), found))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return


def record_digests(root: Path, names: list[str]) -> None:
    """Record the digests of these input files (of this project) for the next build's
    `recall_digests`; made only when a file was hashed or one came or went since the last
    record, written only when it changed."""
    base, files = str(root), {}
    if _RECORDED.get(base) == (_HASHED[0], len(names)):
        return
    _RECORDED[base] = (_HASHED[0], len(names))
    for name in names:
        held = _DIGESTS.get(name)
        if held is not None and name.startswith(base + os.sep):
            files[name[len(base) + 1:]] = [*held[0], held[1]]
    path = root / CACHE_DIR / DIGESTS_FILE
    data = json.dumps({"version": 1, "files": files}, sort_keys=True).encode()
    try:
        if read_regular(path) == data:
            return
    except OSError:
        pass
    atomic_write(path, data)


Entry: TypeAlias = "tuple[Source, list[Problem], dict[str, Memory]]"
"""A cached source, the problems it raised and where its anchors are (relocate.remember)."""

_HELD: dict[Path, dict[str, Any]] = {}
"""Cache entries this process has read or made, by cache file or folder: a process that builds
again (the live preview) takes them from memory instead of unpickling them."""


def _load(path: Path) -> Any:
    """What a cache file holds; None when it is missing or unreadable (a miss)."""
    try:
        return pickle.loads(read_regular(path))  # noqa: S301 - our own cache
    except Exception:  # noqa: BLE001 - a missing or unreadable cache entry is a miss
        return None


def _dump(path: Path, value: Any) -> None:
    """Write a cache file atomically."""
    atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class SourceCache:
    """Cleaned and anchored sources, with the problems they raised, by content hash."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR / "sources"
        self.held = _HELD.setdefault(self.folder, {})

    def keep(self, sid: str, key: str, entry: Entry) -> None:
        """Hold an entry in memory for the next build in this process."""
        self.held[sid] = (key, entry)

    def get(self, sid: str, key: str) -> Entry | None:
        """The entry for this key, or None when it is missing or for another key."""
        held = self.held.get(sid)
        if held is not None and held[0] == key:
            return held[1]
        stored = _load(self.folder / f"{sid}.pickle")
        if not isinstance(stored, tuple) or len(stored) != 4 or stored[0] != key:
            return None
        _, source, problems, anchored = stored
        self.keep(sid, key, (source, problems, anchored))
        return source, problems, anchored

    def put(self, sid: str, key: str, source: Source, problems: list[Problem],
            anchored: dict[str, Memory]) -> None:
        _dump(self.folder / f"{sid}.pickle", (key, source, problems, anchored))


class Manifest:
    """What the last build wrote to the site folder: each page's key and file state."""

    def __init__(self, root: Path, out: Path) -> None:
        self.path = root / CACHE_DIR / f"pages-{digest(str(out))[:12]}.json"
        self.out = out
        self.pages: dict[str, list] = {}
        try:
            data = json.loads(read_regular(self.path))
            if data.get("out") == str(out) and out.is_dir():
                self.pages = data["pages"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.pages = {}

    def unchanged(self, path: str, key: str) -> bool:
        """True if the last build wrote this page with this key and the file is as it left it
        (a regular file: a link or anything else put in its place is never kept)."""
        entry = self.pages.get(path)
        if not entry or entry[0] != key:
            return False
        try:
            st = (self.out / path).lstat()
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and [st.st_size, st.st_mtime_ns] == entry[1:]

    def kept(self, belongs: Callable[[str], bool], key: Callable[[str], str]) -> list[str]:
        """The files of a group the last build wrote (those `belongs` says are in it), if
        every one of them is still as it left it under key(path); else []."""
        previous = [p for p in self.pages if belongs(p)]
        return previous if all(self.unchanged(p, key(p)) for p in previous) else []

    def save(self, keys: dict[str, str], written: set[str] | None = None) -> None:
        """Record each file's key and state. `written`: the only files this build changed
        (the preview's rebuilds), so the others' recorded state still holds."""
        pages = {}
        for path, key in sorted(keys.items()):
            old = self.pages.get(path)
            if written is not None and old and path not in written:
                pages[path] = [key, *old[1:]]
                continue
            st = (self.out / path).stat()
            pages[path] = [key, st.st_size, st.st_mtime_ns]
        self.pages = pages
        atomic_write(self.path, json.dumps({"out": str(self.out), "pages": pages}).encode())


def shared_passages(root: Path) -> Callable[[list[Source]], tuple[SharedPassage, ...]]:
    """overlap.shared_passages, kept in the cache under a hash of every source's text: an
    annotation edit, which changes no text, does not compare the sources again."""

    def find(sources: list[Source]) -> tuple[SharedPassage, ...]:
        h = hashlib.sha256(code_version().encode())
        for source in sorted(sources, key=lambda s: s.id):
            h.update(f"\0{source.id}\0{len(source.cleaned.text)}\0".encode())
            h.update(source.cleaned.text.encode("utf-8"))
            h.update(repr([(b.role, len(b.text)) for b in source.cleaned.blocks]).encode())
        key, path = h.hexdigest(), root / CACHE_DIR / "shared-passages.pickle"
        stored = _load(path)
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
            return stored[1]
        from . import overlap

        passages = overlap.shared_passages(sources)
        _dump(path, (key, passages))
        return passages

    return find


class PartsCache:
    """Each source's parts of the open-data files (opendata.Parts) under a key, kept between
    builds in one file, and in memory for the next build of this process."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / "open-data.pickle"
        self._entries: dict[str, tuple[str, dict[str, str]]] | None = None
        self.changed = False

    @property
    def entries(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Read on first use: a build that keeps the open data as it is never reads it."""
        if self._entries is None:
            self._entries = _HELD.get(self.path)
        if self._entries is None:
            stored = _load(self.path)
            self._entries = stored if isinstance(stored, dict) else {}
        return self._entries

    def get(self, sid: str, key: str) -> dict[str, str] | None:
        found = self.entries.get(sid)
        return found[1] if found is not None and found[0] == key else None

    def put(self, sid: str, key: str, parts: dict[str, str]) -> None:
        self.entries[sid] = (key, parts)
        self.changed = True

    def save(self, keep: set[str]) -> None:
        """Write the entries of the sources in `keep` (if anything changed)."""
        if self._entries is None:
            return  # not used by this build
        for sid in set(self.entries) - keep:
            del self.entries[sid]
            self.changed = True
        _HELD[self.path] = self.entries
        if self.changed:
            _dump(self.path, self.entries)
