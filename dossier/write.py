"""Write the rendered site, page by page as pages are rendered, without holding them.

Every page goes first into a staging folder beside the site, never into the site itself. When
the whole build has succeeded (`finish`), the staging folder becomes the new site in one step:
a rebuild first links every page it kept unchanged from the old site into the staging folder
(hard links: no copy), then the staging folder and the site swap names. Either every changed
page is in place or none is: a build that fails, is interrupted or runs out of disk before the
swap (`abort`) leaves the previous site untouched, and the next build removes its staging
folder (`output.remove_leftovers`). The live preview's rebuilds instead move each changed file
into place, one at a time (SiteWriter._put_in_place): its edits cost what they change.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from .inputs import read_regular, regular_files
from .output import MARKER, OLD_PREFIX, STAGE_PREFIX, remove_tree


def safe_relpath(path: str) -> PurePosixPath:
    """A site-relative path that cannot escape the site folder."""
    return PurePosixPath(_checked(path))


def _checked(path: str) -> str:
    """The site-relative path, normalised ('a//b', 'a/./b': 'a/b'), if it cannot escape the
    site folder; else ValueError. (Strings, not paths: a site has tens of thousands.)"""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if path.startswith("/") or "\\" in path or ".." in parts or not parts:
        raise ValueError(f"refusing to write outside the site folder: {path!r}")
    return "/".join(parts)


class SiteWriter:
    """Takes the pages of one build as they come; changes the site only in `finish`."""

    def __init__(self, out: Path, static: list[Path], root: Path,
                 incremental: bool = False, in_place: set[str] | None = None) -> None:
        self.out, self.static = out, static
        """The folders whose files become site/static/, a later one's file replacing an
        earlier one's of the same name (the tool's defaults, then the dossier's own)."""
        self.root = root.resolve()
        """The dossier's static files are read only from inside this folder (the project)."""
        self.incremental = incremental and self.out.is_dir()
        self.in_place = in_place if self.incremental and (self.out / MARKER).is_file() else None
        """The live preview's rebuilds: every file the last build wrote, which this build puts
        in place file by file instead of swapping the whole site (see finish)."""
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}{STAGE_PREFIX}",
                                           dir=self.out.parent))
        self.wanted: set[str] = set()
        self.staged: set[str] = set()
        self.written: set[str] = set()
        """The files `finish` put in the site (site paths)."""
        self.static_paths: set[str] = set()
        """The static files `finish` put (site paths)."""

    def put(self, rel: str, data: bytes | None) -> None:
        """A page of this build: its bytes, or None for a page the last build wrote as it
        should be (only in a rebuild)."""
        path = _checked(rel)
        if data is None:
            if not self.incremental and path not in self.wanted:
                raise ValueError(f"a clean build needs every page rendered: {rel}")
            self.wanted.add(path)
            return
        self.wanted.add(path)
        if self.incremental and _same(self.out / path, data):
            return
        target = self.stage / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.staged.add(path)

    def keep(self, paths: set[str]) -> None:
        """Pages the last build wrote in place, still as they should be (a rebuild in place:
        their paths were checked when they were written)."""
        assert self.in_place is not None
        self.wanted |= paths

    def finish(self) -> int:
        """Add the static files and make the staging folder the site; return how many files
        were written (pages kept from the last build are linked, not counted). A rebuild that
        changes nothing leaves the site as it is."""
        try:
            for rel, data in self._static_files():
                self.put(rel, data)
                self.static_paths.add(rel)
            if self.in_place is not None:
                return self._put_in_place()
            if self.incremental and not self.staged and (self.out / MARKER).is_file() \
                    and _files(self.out) == self.wanted:
                return 0
            made: set[str] = set()
            for path in sorted(self.wanted - self.staged):
                _link(str(self.out), str(self.stage), path, made)
            (self.stage / MARKER).write_bytes(b"Written by dossier: the next build replaces "
                                              b"this folder whole.\n")
            os.chmod(self.stage, 0o755)
            _swap(self.stage, self.out)
            return len(self.staged)
        finally:
            self.abort()

    def _put_in_place(self) -> int:
        """Move each changed file into the site (each whole: os.replace) and delete the files
        the last build wrote that this one does not: the cost of the files that changed, not
        of the site. Stopped half way, the site holds whole pages, some old and some new; the
        manifest still records the old ones, so the next build makes the new ones again."""
        assert self.in_place is not None
        made: set[str] = set()
        for rel in sorted(self.staged):
            folder = os.path.dirname(rel)
            if folder and folder not in made:
                os.makedirs(os.path.join(self.out, folder), exist_ok=True)
                made.add(folder)
            os.replace(os.path.join(self.stage, rel), os.path.join(self.out, rel))
            self.written.add(rel)
        for rel in sorted(self.in_place - self.wanted, reverse=True):
            target = self.out / _checked(rel)
            target.unlink(missing_ok=True)
            _prune(target.parent, self.out)
        return len(self.staged)

    def abort(self) -> None:
        """Forget this build: the site stays as the last good build left it."""
        if self.stage.exists():
            remove_tree(self.stage)

    def _static_files(self) -> list[tuple[str, bytes]]:
        """The static folders' regular files as (site path, bytes), each folder's read only from
        inside the project, or inside itself when it is not in the project (the package's
        defaults); links to folders inside are followed (inputs.check_inputs refused any other
        link)."""
        files: dict[str, Path] = {}
        for folder in self.static:
            inside = self.root if folder.resolve().is_relative_to(self.root) else folder.resolve()
            for src in regular_files(folder, inside):
                files[PurePosixPath("static", *src.relative_to(folder).parts).as_posix()] = src
        return [(path, read_regular(src)) for path, src in sorted(files.items())]


def _same(current: Path, data: bytes) -> bool:
    """True if the site already holds a regular file (not a link) with exactly these bytes."""
    try:
        return not current.is_symlink() and current.stat().st_size == len(data) \
            and read_regular(current) == data
    except OSError:
        return False


def _link(old_site: str, new_site: str, rel: str, made: set[str]) -> None:
    """Put a page kept from the last build into the staging folder: a hard link to it (the
    build never writes into a file, so sharing it is safe), or a copy where links fail.
    `made`: the folders of the staging folder made so far (plain strings: this runs for every
    page of a large site)."""
    folder = os.path.dirname(rel)
    if folder and folder not in made:
        os.makedirs(os.path.join(new_site, folder), exist_ok=True)
        made.add(folder)
    old, new = os.path.join(old_site, rel), os.path.join(new_site, rel)
    try:
        os.link(old, new, follow_symlinks=False)
    except OSError:
        shutil.copy2(old, new, follow_symlinks=False)


def _prune(folder: Path, site: Path) -> None:
    """Remove empty folders from `folder` up to the site (a clean build has none)."""
    while folder != site and folder.is_relative_to(site):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _files(site: Path) -> set[str]:
    """Every file of a site but its MARKER, as site paths."""
    found = set()
    for folder, _dirs, names in os.walk(site):
        base = os.path.relpath(folder, site)
        for name in names:
            found.add(name if base == "." else f"{base}/{name}")
    found.discard(MARKER)
    return found


def write_site(out: Path, pages: dict[str, bytes | None], static: Path,
               incremental: bool = False) -> int:
    """Write a whole site at once (pages: None for unchanged, keep the file), with the static
    files of one folder; return how many files were written."""
    writer = SiteWriter(out, [static], static.parent, incremental)
    try:
        for rel, data in sorted(pages.items()):
            writer.put(rel, data)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


def _swap(new: Path, out: Path) -> None:
    """Replace `out` by `new`: rename the old one aside, rename the new one in (putting the old
    one back if that fails), then delete the old one."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}{OLD_PREFIX}", dir=out.parent))
        old.rmdir()
        out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        remove_tree(old)
