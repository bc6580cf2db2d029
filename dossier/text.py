"""Small text helpers: slugs, sentence boundaries, lines as editors count them, text safe to
print, and the characters that look alike (apostrophes, quotation marks, dashes, invisible
characters)."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

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
    """(start, end) of each sentence in a paragraph, in time linear in its length."""
    bounds, start = [], 0
    for m in _END.finditer(text):
        word = _word_before(text, start, m.start())
        if word and text[m.start()] == "." and (word.lower() in ABBREVIATIONS or len(word) == 1):
            continue
        following = text[m.end():m.end() + 1]
        if following and not (following.isupper() or following.isdigit() or following in "“\"'‘"):
            continue
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return [(s, e) for s, e in ((s, _rstrip(text, e)) for s, e in bounds) if e > s]


_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))
_WORD_CHAR = re.compile(r"[\w.]")


def _word_before(text: str, start: int, end: int) -> str:
    """The run of word characters and dots that ends at `end` (not before `start`), looked at
    only as far back as an abbreviation can reach: a longer run is neither an abbreviation
    nor an initial, and looking no further keeps sentence finding linear."""
    i, limit = end, max(start, end - _LONGEST_ABBREVIATION - 1)
    while i > limit and _WORD_CHAR.match(text, i - 1):
        i -= 1
    return text[i:end]


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


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab, line feed and carriage return (C0, DEL and C1)."""

_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def editor_lines(text: str) -> list[str]:
    """The lines of a text as an editor shows them: split at \\n, \\r\\n and \\r only (not at
    U+2028, NEL, vertical tab or form feed, where str.splitlines splits too)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines[-1] == "":
        lines.pop()
    return lines


def editor_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset of `text`, lines counted as editor_lines does."""
    before = text[:offset]
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, offset - start + 1


def safe_text(text: str) -> str:
    """Text fit to print as one line on a terminal: control characters and line breaks (tab
    aside) shown as escapes, so that no escape sequence from an input file reaches the
    terminal and no name with a line break in it splits a message."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


APOSTROPHES = "'‘’‚‛′"
"""The straight apostrophe and the typographic ones (' ‘ ’ ‚ ‛ and the prime ′): alike when
anchoring."""
QUOTATION_MARKS = '"“”„‟″«»'
"""The straight quotation mark and the typographic ones (" “ ” „ ‟ ″ « »): alike when anchoring."""
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "\n")
"""White space other than the line break (every white space character is below U+3001)."""
_FOLD = str.maketrans({**dict.fromkeys(APOSTROPHES, "'"), **dict.fromkeys(QUOTATION_MARKS, '"'),
                       **dict.fromkeys(_SPACES, " ")})


def fold(text: str) -> str:
    """`text` with every apostrophe written ', every quotation mark " and every white space but
    the line break a space: what anchoring treats as alike. The length is kept, so an offset
    into the folded text is an offset into `text`."""
    return text.translate(_FOLD)


DASHES = "-‐‑‒–—―−﹣－"
"""The hyphen and the dashes that look like it (‐ ‑ ‒ – — ― − ﹣ －)."""
_HOMOGLYPHS = dict(zip("аеорсухіјѕԁАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧο",
                       "aeopcyxijsdABEKMHOPCTXIJSABEZHIKMNOPTYXo", strict=True))
"""Cyrillic and Greek letters that print like Latin ones."""
_LOOK = str.maketrans({**dict.fromkeys(DASHES, "-"), **_HOMOGLYPHS})
_NAMES = {"-": "hyphen", " ": "space", "'": "straight apostrophe", '"': "straight quotation mark",
          "’": "typographic apostrophe", " ": "non-breaking space"}


def invisible(ch: str) -> bool:
    """True for a character that prints as nothing or as a blank (soft hyphen, zero-width and
    non-breaking spaces, joiners, combining marks on their own)."""
    return unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me") and ch != " "


def deceptive(ch: str) -> bool:
    """True for a character a reader cannot tell from another by looking: an invisible one, a
    dash other than the hyphen, a Cyrillic or Greek letter shaped like a Latin one."""
    return invisible(ch) or (ch in DASHES and ch != "-") or ch in _HOMOGLYPHS


def _appearance(text: str) -> str:
    """How a text prints, roughly: invisible characters dropped, look-alike characters made
    one, white space runs made single spaces."""
    shown = unicodedata.normalize("NFKC", fold(text)).translate(_LOOK)
    return " ".join("".join(c for c in shown if unicodedata.category(c) != "Cf").split())


def looks_alike(typed: str, found: str) -> bool:
    """True when two different texts print the same (or as near as a reader can tell)."""
    return typed != found and _appearance(typed) == _appearance(found)


def differences(typed: str, found: str) -> str:
    """What tells the text's `found` from the `typed` quote when the two look alike, in words
    ('the text has an invisible soft hyphen (U+00AD) after 'Hame''); '' when they do not look
    alike. Apostrophe, quotation mark and white space style are not differences: anchoring
    treats them as alike."""
    if not looks_alike(typed, found):
        return ""
    a, b = (" ".join(fold(s).split()) for s in (typed, found))
    said = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        at = f" after '{a[max(0, i1 - 12):i1]}'" if i1 else " at the start"
        if op == "replace":
            said.append(f"the text has {_describe(b[j1:j2])} where the quote has "
                        f"{_describe(a[i1:i2])}")
        elif op == "insert":
            said.append(f"the text has {_describe(b[j1:j2])}{at} that the quote does not have")
        else:
            said.append(f"the quote has {_describe(a[i1:i2])}{at} that the text does not have")
    return "; ".join(said[:3]) + ("; …" if len(said) > 3 else "")


def _describe(chars: str) -> str:
    """Characters named so that a reader can tell them apart: 'an en dash – (U+2013)'."""
    return " and ".join(_name(ch) for ch in chars)


def _name(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    if ch.isascii() and ch.isalnum():
        return f"'{ch}'"
    name = _NAMES.get(ch) or unicodedata.name(ch, "").lower() or "character"
    if invisible(ch):
        return f"an invisible {name} ({code})"
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name} {ch}" + ("" if ch.isascii() else f" ({code})")
