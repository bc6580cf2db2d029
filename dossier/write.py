"""Write the rendered site, page by page as pages are rendered, without holding them.

Every page goes first into a staging folder beside the site; nothing in the site changes until
the whole build has succeeded (`finish`), and a build that fails (`abort`) leaves the previous
site untouched. Then:
- a clean build swaps the staging folder in for the old site;
- a rebuild (the previous build's manifest is at hand) moves only the changed pages into the
  site, each atomically, and deletes pages that no longer exist.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath


def safe_relpath(path: str) -> PurePosixPath:
    """A site-relative path that cannot escape the site folder."""
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or "\\" in path or not p.parts:
        raise ValueError(f"refusing to write outside the site folder: {path!r}")
    return p


class SiteWriter:
    """Takes the pages of one build as they come; changes the site only in `finish`."""

    def __init__(self, out: Path, static: Path, incremental: bool = False) -> None:
        self.out, self.static = out.resolve(), static
        self.incremental = incremental and self.out.is_dir()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-",
                                           dir=self.out.parent))
        self.wanted: set[PurePosixPath] = set()
        self.staged: list[PurePosixPath] = []

    def put(self, rel: str, data: bytes | None) -> None:
        """A page of this build: its bytes, or None for a page the last build wrote as it
        should be (only in a rebuild)."""
        path = safe_relpath(rel)
        if data is None:
            if not self.incremental and path not in self.wanted:
                raise ValueError(f"a clean build needs every page rendered: {rel}")
            self.wanted.add(path)
            return
        self.wanted.add(path)
        if self.incremental:
            current = self.out.joinpath(*path.parts)
            if current.is_file() and current.stat().st_size == len(data) \
                    and current.read_bytes() == data:
                return
        target = self.stage.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.staged.append(path)

    def finish(self) -> int:
        """Add the static files and bring the site up to date; return how many files were
        written."""
        try:
            if self.static.is_dir():
                for src in sorted(p for p in self.static.rglob("*") if p.is_file()):
                    self.put(PurePosixPath("static", *src.relative_to(self.static).parts)
                             .as_posix(), src.read_bytes())
            if not self.incremental:
                os.chmod(self.stage, 0o755)
                _swap(self.stage, self.out)
                return len(self.staged)
            for path in self.staged:
                target = self.out.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.stage.joinpath(*path.parts), target)
            self._delete_unwanted()
            return len(self.staged)
        finally:
            shutil.rmtree(self.stage, ignore_errors=True)

    def abort(self) -> None:
        """Forget this build: the site stays as the last good build left it."""
        shutil.rmtree(self.stage, ignore_errors=True)

    def _delete_unwanted(self) -> None:
        for folder, _dirs, names in os.walk(self.out, topdown=False):
            base = PurePosixPath(Path(folder).relative_to(self.out).as_posix())
            for name in names:
                if (base / name if base.parts else PurePosixPath(name)) not in self.wanted:
                    os.unlink(os.path.join(folder, name))
            if folder != str(self.out) and not os.listdir(folder):
                os.rmdir(folder)


def write_site(out: Path, pages: dict[str, bytes | None], static: Path,
               incremental: bool = False) -> int:
    """Write a whole site at once (pages: None for unchanged, keep the file); return how many
    files were written."""
    writer = SiteWriter(out, static, incremental)
    try:
        for rel, data in sorted(pages.items()):
            writer.put(rel, data)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


def _swap(new: Path, out: Path) -> None:
    """Replace `out` by `new`: rename the old one aside, rename the new one in, delete the old."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
