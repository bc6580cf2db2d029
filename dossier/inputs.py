"""Which files the build may read: regular files inside the project, nothing else.

A dossier keeps evidence, and its site is published: a symbolic link in seeds/, content/ or
templates/ that points outside the project would publish whatever it points to (/etc/passwd,
a private key), and a FIFO or a device would block the build forever or never end. So, before
anything is read, every entry of those folders is checked (`check_inputs`), and every input is
then opened without blocking and read only if it is a regular file (`read_regular`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .models import Problems, Where

INPUT_FOLDERS = ("seeds", "content", "templates")
"""The project's folders the build reads."""

FOLDERS = (*INPUT_FOLDERS, "content/sources", "content/entities", "templates/static")
"""What must be a folder if it is there at all (a file in its place would hide its contents)."""


class NotRegular(OSError):
    """The path is a FIFO, socket, device or folder: it is not read."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(f"not a regular file ({_kind(mode)})")
        self.strerror = f"it is a {_kind(mode)}, not a regular file"
        self.filename = str(path)


MAX_BYTES = 256 << 20
"""The largest file the build reads (256 MiB): a saved article is a few megabytes, and a file
of gigabytes (a sparse file, a disk image saved as .txt) would exhaust the memory instead."""


class TooLarge(OSError):
    """The file is larger than MAX_BYTES: it is not read."""

    def __init__(self, path: Path, size: int) -> None:
        super().__init__(f"too large ({size >> 20} MiB)")
        self.strerror = (f"it is {size >> 20} MiB, more than the {MAX_BYTES >> 20} MiB an input "
                         "may have")
        self.filename = str(path)


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file. Opened without blocking (a FIFO with no writer would block
    an ordinary open for ever); anything but a regular file raises NotRegular, a file over
    MAX_BYTES TooLarge."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(path, info.st_mode)
        if info.st_size > MAX_BYTES:
            raise TooLarge(path, info.st_size)
        chunks, size = [], 0
        while size <= MAX_BYTES and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:  # it grew while being read
            raise TooLarge(path, size)
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_stamp(path: Path | str) -> tuple[int, int, int] | None:
    """A file's size, modification time (ns) and inode, or None when it is not there: what
    says, without reading it, that a file is as it was."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def check_inputs(root: Path, problems: Problems) -> bool:
    """Record every link that leads outside the project (or nowhere) and every entry of the
    input folders that is neither a folder nor a regular file; True if there was none. Links
    to folders inside the project are followed (the readers follow them too)."""
    root = root.resolve()
    errors = len(problems.errors)
    for name in FOLDERS:
        if os.path.lexists(root / name) and not (root / name).is_dir():
            problems.error(Where(name), f"{name} is a file where a folder must be: move the "
                           "file away and make the folder")
    for name in INPUT_FOLDERS:
        for name_of, mode in _walk(root / name, root):
            if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
                continue
            path = Path(name_of)
            shown = rel(path, root)
            if stat.S_ISLNK(mode):
                _check_link(path, shown, root, problems)
            else:
                problems.error(Where(shown), f"{shown} is a {_kind(mode)}, not a regular file: "
                               "the build reads only regular files; remove it")
    return len(problems.errors) == errors


def walk(top: Path, root: Path) -> list[tuple[Path, int]]:
    """`top` and everything below it as the build sees them, each with its own mode (lstat):
    links to folders inside the project are followed (once each: a loop of links ends),
    links leading outside are listed but not followed."""
    return [(Path(path), mode) for path, mode in _walk(top, root)]


def _walk(top: Path, root: Path) -> list[tuple[str, int]]:
    """walk, with paths as strings (a large dossier's seeds/ holds tens of thousands)."""
    try:
        found = [(str(top), top.lstat().st_mode)]
    except OSError:
        return []
    seen: set[Path] = set()
    todo = [top]
    while todo:
        folder = todo.pop()
        real = _inside(folder, root)
        if real is None or real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            mode = _mode(entry)
            found.append((entry.path, mode))
            if stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and _is_dir(Path(entry.path))):
                todo.append(Path(entry.path))
    return found


def _mode(entry: os.DirEntry) -> int:
    """An entry's type as a mode: from the folder listing for files, folders and links (no
    system call each: a large dossier has tens of thousands), else from lstat."""
    if entry.is_symlink():
        return stat.S_IFLNK
    if entry.is_file(follow_symlinks=False):
        return stat.S_IFREG
    if entry.is_dir(follow_symlinks=False):
        return stat.S_IFDIR
    return entry.stat(follow_symlinks=False).st_mode


def _is_dir(path: Path) -> bool:
    """Whether a link leads to a folder (False for one that leads nowhere or loops)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _inside(folder: Path, root: Path) -> Path | None:
    """The real folder behind `folder` if it is one inside the project, else None."""
    try:
        real = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_dir() and real.is_relative_to(root) else None


def regular_files(top: Path, root: Path) -> list[Path]:
    """The regular files below `top`, inside the project, as `walk` finds them."""
    return sorted(p for p, mode in walk(top, root)
                  if (stat.S_ISREG(mode) or stat.S_ISLNK(mode)) and p.is_file()
                  and p.resolve().is_relative_to(root))


def _check_link(path: Path, name: str, root: Path, problems: Problems) -> None:
    target = os.readlink(path)
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.error(Where(name), f"{name} is a link to {target}, which does not exist (or "
                       "loops); replace the link by the file itself")
        return
    if not resolved.is_relative_to(root):
        problems.error(Where(name), f"{name} is a link to {resolved}, outside the project; "
                       "the build never reads (or publishes) files from outside the project: "
                       "copy the file into the project instead of linking to it")
    elif not (resolved.is_file() or resolved.is_dir()):
        problems.error(Where(name), f"{name} is a link to {resolved}, which is not a regular "
                       "file; remove it")


def rel(path: Path, root: Path) -> str:
    """A path as the user sees it, relative to the project root (links not resolved)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"
