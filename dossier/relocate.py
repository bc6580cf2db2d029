"""Anchors that survive edits: remember where each annotation sat, and find it again.

After every successful build the context of each anchor (the text just before and after it) is
kept in .dossier-cache/anchors.json. When a seed or a boilerplate rule changes, each annotation
is classified against that memory:

- exact: the selector lands where the remembered context still is (or there is no memory yet);
- relocated: the selector fails or lands elsewhere, and one place scores clearly best, above
  the floor (a warning with the score and the new line; the annotation follows the text);
- ambiguous: two places score within a hair of each other (an error);
- orphaned: nothing scores above the floor (an error naming the closest candidate and its line).

Scores are in [0, 1]: half from how alike the quote is, half from how alike the context is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from .inputs import file_stamp, read_regular
from .output import CACHE_DIR, atomic_write

CONTEXT = 40
"""Characters of context remembered on each side."""
FLOOR = 0.85
"""Below this score a candidate is never attached."""
QUOTE_FLOOR = 0.75
"""A candidate's quote must be at least this alike, whatever its context (a respelling like
Hamadani / Hamedani is 0.875 alike; Hamadani / Hamid, a different name, 0.615)."""
LOOSE = 0.5
"""Windows less alike than this are not even scored (they cannot be the closest candidate)."""
MARGIN = 0.03
"""The best candidate must beat the next by this much, or the anchor is ambiguous."""
KEEP = 0.9
"""A selector's own match whose context scores this much is kept as exact."""
LOCK_PATH = CACHE_DIR / "anchors.json"


@dataclass(frozen=True)
class Memory:
    """Where an annotation was at the last good build."""

    quote: str
    before: str
    after: str

    def to_json(self) -> list[str]:
        return [self.quote, self.before, self.after]


@dataclass(frozen=True)
class Candidate:
    """A place the anchor may have moved to."""

    start: int
    end: int
    score: float
    """Quote and context together, in [0, 1]."""
    quote: float
    """How alike the quote alone is, in [0, 1]."""

    @property
    def eligible(self) -> bool:
        """Good enough to attach the annotation to."""
        return self.score >= FLOOR and self.quote >= QUOTE_FLOOR


def remember(text: str, start: int, end: int) -> Memory:
    return Memory(text[start:end], text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def score(memory: Memory, text: str, start: int, end: int) -> float:
    """How well text[start:end] and its surroundings match the remembered anchor."""
    now = remember(text, start, end)
    if now == memory:
        return 1.0
    quote = SequenceMatcher(None, memory.quote, now.quote, autojunk=False).ratio()
    before = SequenceMatcher(None, memory.before[::-1], now.before[::-1], autojunk=False).ratio()
    after = SequenceMatcher(None, memory.after, now.after, autojunk=False).ratio()
    if not memory.before and not now.before:
        before = 1.0
    if not memory.after and not now.after:
        after = 1.0
    return round(0.5 * quote + 0.25 * before + 0.25 * after, 3)


def quote_similarity(memory: Memory, text: str, start: int, end: int) -> float:
    return SequenceMatcher(None, memory.quote, text[start:end], autojunk=False).ratio()


def candidates(memory: Memory, text: str, exact: list[tuple[int, int]]) -> list[Candidate]:
    """Places the remembered anchor may have moved to, best first.

    Exact occurrences of the quote are always candidates; when there are none, windows of the
    text as many words long as the quote (give or take one) are scored, after a cheap filter.
    """
    spans = list(exact) or _windows(memory.quote, text)
    scored = [Candidate(s, e, score(memory, text, s, e), quote_similarity(memory, text, s, e))
              for s, e in spans]
    return sorted((c for c in scored if c.quote >= LOOSE), key=lambda c: (-c.score, c.start))


def _windows(quote: str, text: str) -> list[tuple[int, int]]:
    """Word-aligned windows of about the quote's length whose letters roughly match."""
    words = word_spans(text)
    n = max(1, len(quote.split()))
    out = []
    probe = SequenceMatcher(None, autojunk=False)
    probe.set_seq2(quote)
    for size in (n - 1, n, n + 1):
        if size < 1:
            continue
        for i in range(len(words) - size + 1):
            s, e = words[i][0], words[i + size - 1][1]
            if "\n" in text[s:e]:
                continue
            probe.set_seq1(text[s:e])
            if probe.real_quick_ratio() >= LOOSE and probe.quick_ratio() >= LOOSE:
                out.append((s, e))
    return out


def word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, ch in enumerate(text):
        inside = not ch.isspace()
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


_HELD: dict[Path, tuple[tuple[int, int, int], dict[str, dict[str, Memory]]]] = {}
"""The lock each project's last build in this process wrote or read, with its file's state."""


def load_lock(root: Path) -> dict[str, dict[str, Memory]]:
    """The anchors remembered at the last good build ({} when none or unreadable); from memory
    when this process wrote or read the file as it is."""
    path = root / LOCK_PATH
    held = _HELD.get(path)
    if held is not None and held[0] == file_stamp(path):
        return held[1]
    try:
        data = json.loads(read_regular(path))
        lock = {sid: {key: Memory(*value) for key, value in anchors.items()}
                for sid, anchors in data.items()}
    except (OSError, ValueError, TypeError):
        return {}
    stamp = file_stamp(path)
    if stamp is not None:
        _HELD[path] = (stamp, lock)
    return lock


def save_lock(root: Path, lock: dict[str, dict[str, Memory]]) -> None:
    """Remember the anchors of a good build (written atomically)."""
    data = {sid: {k: m.to_json() for k, m in sorted(anchors.items())}
            for sid, anchors in sorted(lock.items())}
    # compact, so that the C encoder writes it (an indent means the slow pure-Python one)
    atomic_write(root / LOCK_PATH, json.dumps(data, ensure_ascii=False,
                                              separators=(",", ":")).encode("utf-8"))
    stamp = file_stamp(root / LOCK_PATH)
    if stamp is not None:
        _HELD[root / LOCK_PATH] = (stamp, lock)
