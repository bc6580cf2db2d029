"""Read a seed file as text. Seeds are only ever read, never written."""

from __future__ import annotations

from pathlib import Path

from .inputs import read_regular
from .models import Problems, Where
from .text import CONTROL, editor_position


def read_seed(path: Path, rel: str, problems: Problems) -> str | None:
    """The seed's text (control characters dropped, with a warning), or None after recording
    why it cannot be used."""
    data = seed_bytes(path, rel, problems)
    return None if data is None else decode_seed(data, rel, problems)


def seed_bytes(path: Path, rel: str, problems: Problems) -> bytes | None:
    """The seed file's bytes, or None after recording why it cannot be read."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        problems.error(Where(rel), "no such seed file; check the path")
    except OSError as exc:
        problems.error(Where(rel), f"cannot read the seed: {exc.strerror}")
    return None


def decode_seed(data: bytes, rel: str, problems: Problems) -> str | None:
    """A seed's bytes as text (see read_seed), or None after recording why they are not."""
    if _binary(data):
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
    text = _drop_controls(text, rel, problems)
    if not text.strip():
        problems.error(Where(rel), "the seed is empty; paste the article text into it or "
                       "remove the file")
        return None
    return text


def _binary(data: bytes) -> bool:
    """NUL bytes in a file that is not UTF-8, or more than one byte in a hundred: a picture, a
    PDF or UTF-16 text, not an article (a stray NUL in text is dropped like any control)."""
    nuls = data.count(b"\x00")
    if not nuls:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return nuls * 100 > len(data)


def _drop_controls(text: str, rel: str, problems: Problems) -> str:
    """The text without control characters (tab and line breaks aside): they would break the
    feed's XML and the CSV files, and some (vertical tab, form feed, NEL) split lines where an
    editor does not. One warning says where the first is and how many there were."""
    found = CONTROL.search(text)
    if found is None:
        return text
    line, col = editor_position(text, found.start())
    count = len(CONTROL.findall(text))
    problems.warn(Where(rel, line, col), f"{count} control character(s) dropped from the text "
                  f"(the first: U+{ord(found.group()):04X}); they are not part of any article")
    return CONTROL.sub("", text)


def seed_kind(path: Path) -> str:
    """How a seed is cleaned: "html" for a saved web page (.html, .htm), else "text"."""
    return "html" if path.suffix.lower() in (".html", ".htm") else "text"
