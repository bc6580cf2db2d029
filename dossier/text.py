"""Small text helpers: slugs and sentence boundaries."""

from __future__ import annotations

import re
import unicodedata

# Abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "gen", "brig", "maj", "col", "lt", "capt", "sgt", "adm", "gov", "sen", "rep", "mr", "mrs",
    "ms", "dr", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "no", "vs", "etc", "u.s", "u.k", "u.n", "inc", "co", "corp", "jr", "sr",
}
_END = re.compile(r"[.!?][\"”’')\]]*\s+")


def slugify(text: str) -> str:
    """Lowercase ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in a paragraph."""
    bounds, start = [], 0
    for m in _END.finditer(text):
        word = re.search(r"([\w.]+)[.!?][\"”’')\]]*\s+$", text[start:m.end()])
        if word and text[m.start()] == "." and (
                word.group(1).lower() in ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        following = text[m.end():m.end() + 1]
        if following and not (following.isupper() or following.isdigit() or following in "“\"'‘"):
            continue
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return [(s, e) for s, e in ((s, _rstrip(text, e)) for s, e in bounds) if e > s]


def _rstrip(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence(s) of `text` that hold text[start:end]."""
    bounds = sentence_bounds(text)
    first = next((s for s, e in bounds if s <= start < e), 0)
    last = next((e for s, e in bounds if s < end <= e), len(text))
    return first, max(last, end)
