"""Write the rendered site: into a fresh folder beside the old one, then swap it in.

A build that fails before this point leaves the previous site/ untouched; one that fails while
writing leaves it untouched too, because the old folder is only replaced by a complete new one.
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


def write_site(out: Path, pages: dict[str, bytes], static: Path) -> int:
    """Write pages and static files to `out` atomically; return the number of files written."""
    out = out.resolve()
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
