"""Read a seed file as text. Seeds are only ever read, never written."""

from __future__ import annotations

from pathlib import Path

from .models import Problems, Where


def read_seed(path: Path, rel: str, problems: Problems) -> str | None:
    """The seed's text, or None after recording why it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.error(Where(rel), "no such seed file; check the path")
        return None
    except OSError as exc:
        problems.error(Where(rel), f"cannot read the seed: {exc.strerror}")
        return None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        problems.error(Where(rel, line), "this looks like a binary file (it contains NUL "
                       "bytes); seeds must be text (.txt) or saved web pages (.html)")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.error(Where(rel, line, col), f"not UTF-8 (byte 0x{data[exc.start]:02x}); "
                       "re-save the seed as UTF-8, e.g. iconv -f windows-1252 -t utf-8")
        return None
    if not text.strip():
        problems.error(Where(rel), "the seed is empty; paste the article text into it or "
                       "remove the file")
        return None
    return text
