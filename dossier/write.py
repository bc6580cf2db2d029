"""Write the rendered site.

A clean build writes into a fresh folder beside the old one, then swaps it in: one that fails
while writing leaves the previous site untouched. A rebuild (the previous build's manifest is
at hand) updates the site in place instead: only changed pages are written, each atomically,
and pages that no longer exist are deleted. Either way, a build with errors never gets here.
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


def write_site(out: Path, pages: dict[str, bytes | None], static: Path,
               incremental: bool = False) -> int:
    """Write pages (None: unchanged, keep the file) and static files; return how many files
    were written."""
    out = out.resolve()
    if incremental and out.is_dir():
        return _update(out, pages, static)
    if any(data is None for data in pages.values()):
        raise ValueError("a clean build needs every page rendered")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel, data in sorted(pages.items()):
            target = tmp.joinpath(*safe_relpath(rel).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        count = len(pages)
        if static.is_dir():
            for src in sorted(p for p in static.rglob("*") if p.is_file()):
                target = tmp / "static" / src.relative_to(static)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(src.read_bytes())
                count += 1
        os.chmod(tmp, 0o755)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count


def _update(out: Path, pages: dict[str, bytes | None], static: Path) -> int:
    """Bring an existing site up to date in place."""
    wanted: dict[PurePosixPath, bytes | None] = {safe_relpath(rel): data
                                                 for rel, data in pages.items()}
    if static.is_dir():
        for src in sorted(p for p in static.rglob("*") if p.is_file()):
            wanted[PurePosixPath("static", *src.relative_to(static).parts)] = src.read_bytes()
    written = 0
    for rel, data in sorted(wanted.items()):
        target = out.joinpath(*rel.parts)
        if data is None or (target.is_file() and target.read_bytes() == data):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        written += 1
    for path in sorted(out.rglob("*"), reverse=True):
        rel = PurePosixPath(path.relative_to(out).as_posix())
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


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
