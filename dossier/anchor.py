"""Anchor annotations in the cleaned text: each selector must find exactly one place.

A quote matches only at word boundaries ('Iran' is not found inside 'Iranian'). Any run of
white space matches any other, and any apostrophe or quotation mark any other of its kind
(Iran's finds Iran’s, "We will" finds “We will”), in the quote, prefix and suffix alike; the
span anchored is the text's own characters. Prefix and suffix narrow the matches;
`occurrence` picks one of what remains. A mention's id counts the whole-word occurrences of
its exact quote, so it does not move when other annotations are added or removed.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Container, Mapping
from functools import lru_cache

from . import dates, relocate
from .models import (
    Answer,
    AnswerSpec,
    Claim,
    ClaimSpec,
    Cleaned,
    DateRef,
    DateSpec,
    Entity,
    Mention,
    MentionSpec,
    Problems,
    Quote,
    QuoteSpec,
    Selector,
    SourceMeta,
    Span,
    Where,
)
from .relocate import Memory
from .text import APOSTROPHES, QUOTATION_MARKS, deceptive, differences, fold, slugify
from .yamlio import flow_mapping, yaml_value


class Text:
    """The cleaned text of one source, with the block boundaries for locating offsets."""

    def __init__(self, cleaned: Cleaned, seed: str) -> None:
        self.cleaned = cleaned
        self.seed = seed
        self.value = cleaned.text
        self.folded = fold(self.value)
        """The text with apostrophes, quotation marks and white space folded (text.fold):
        what quotes are searched in. Offsets are the same as in `value`."""
        self.plain_spaces = not _ODD_SPACE.search(self.value)
        """True when the only white space is single spaces and line breaks."""
        self._reversed: str | None = None
        """The folded text backwards, made when a prefix with white space is first looked for."""
        self.starts: list[int] = []
        offset = 0
        for block in cleaned.blocks:
            self.starts.append(offset)
            offset += len(block.text) + 1

    def block_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def seed_line(self, offset: int) -> int:
        """The line of the seed that holds this offset."""
        return self.cleaned.blocks[self.block_at(offset)].line

    def occurrences(self, quote: str, ignore_case: bool = False) -> list[tuple[int, int]]:
        """(start, end) of every whole-word occurrence of `quote`. White space in the quote
        matches any run of white space, so a typed space finds a pasted non-breaking one, and
        any apostrophe or quotation mark matches any other (' ’ ‘, " “ ” …)."""
        found = []
        folded = fold(quote)
        words = folded.split()
        if quote and self.plain_spaces and " ".join(words) == folded and not ignore_case:
            # single spaces on both sides: plain search finds what the pattern would
            at = self.folded.find(folded)
            while at != -1:
                end = at + len(folded)
                if _boundary(self.value, at, quote[0], before=True) and \
                        _boundary(self.value, end, quote[-1], before=False):
                    found.append((at, end))
                at = self.folded.find(folded, at + 1)
            return found
        for m in _pattern(folded, ignore_case).finditer(self.folded):
            if _boundary(self.value, m.start(), quote[0], before=True) and \
                    _boundary(self.value, m.end(), quote[-1], before=False):
                found.append((m.start(), m.end()))
        return found

    def matches(self, sel: Selector) -> list[tuple[int, int]]:
        """The occurrences of the selector's quote that have its prefix and suffix."""
        return [(s, e) for s, e in self.occurrences(sel.quote)
                if self.before(s, sel.prefix) and self.after(e, sel.suffix)]

    def before(self, at: int, prefix: str) -> bool:
        """True if `prefix` stands immediately before offset `at` (white space, apostrophes
        and quotation marks matched as in a quote)."""
        if not prefix:
            return True
        folded = fold(prefix)
        if self.folded[max(0, at - len(folded)):at] == folded:
            return True
        if " " not in folded:
            return False
        if self._reversed is None:
            self._reversed = self.folded[::-1]
        return bool(_loose(folded[::-1]).match(self._reversed, len(self.value) - at))

    def after(self, at: int, suffix: str) -> bool:
        """True if `suffix` stands immediately after offset `at` (matched as `before` does)."""
        folded = fold(suffix)
        if self.folded.startswith(folded, at):
            return True
        return " " in folded and bool(_loose(folded).match(self.folded, at))

    def exact_index(self, found: tuple[int, int]) -> int:
        """1-based: which of the occurrences of the very characters at `found` it is (white
        space aside: a pasted non-breaking space is the same quote, a typographic apostrophe is
        not). Mention ids count these, so they do not change with the quote style elsewhere."""
        quote = self.value[found[0]:found[1]]
        same = [(s, e) for s, e in self.occurrences(quote)
                if self.value[s:e].split() == quote.split()]
        return same.index(found) + 1


_ODD_SPACE = re.compile(r"[^\S\n ]|  ")


@lru_cache(maxsize=4096)
def _pattern(folded: str, ignore_case: bool = False) -> re.Pattern[str]:
    """A folded quote as a pattern: each run of white space matches any run of spaces."""
    parts = [re.escape(p) for p in re.split(r"\s+", folded.strip())]
    return re.compile(" +".join(parts), re.IGNORECASE if ignore_case else 0)


@lru_cache(maxsize=1024)
def _loose(folded: str) -> re.Pattern[str]:
    """A folded prefix or suffix as a pattern, white space at its ends kept."""
    return re.compile(" +".join(re.escape(p) for p in re.split(" +", folded)))


def _boundary(text: str, at: int, edge_char: str, before: bool) -> bool:
    """True if a match edge at `at` does not cut through a word."""
    if not _is_word(edge_char):
        return True
    if before:
        neighbour = text[at - 1] if at > 0 else ""  # not text[-1]: the end of the text
    else:
        neighbour = text[at] if at < len(text) else ""
    return not (neighbour and _is_word(neighbour))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def select(sel: Selector, text: Text) -> tuple[tuple[int, int] | None, str]:
    """Where the selector points: (span, '') or (None, why not)."""
    if "\n" in sel.quote:
        return None, f"quote '{sel.quote}' spans two paragraphs; annotate each part"
    matches = text.matches(sel)
    if not matches:
        return None, _not_found(sel, text)
    if sel.occurrence:
        if sel.occurrence > len(matches):
            return None, (f"occurrence {sel.occurrence} of '{sel.quote}' asked for, but it "
                          f"occurs {len(matches)} time(s) in {text.seed} (lines "
                          f"{_lines(matches, text)})")
        return matches[sel.occurrence - 1], ""
    if len(matches) > 1:
        return None, (f"'{sel.quote}' occurs {len(matches)} times in {text.seed} "
                      f"(lines {_lines(matches, text)}); add occurrence: 1 to "
                      f"{len(matches)}, or a prefix or suffix")
    return matches[0], ""


def resolve(sel: Selector, text: Text, where: Where, problems: Problems,
            memory: Memory | None = None, tally: Counter[str] | None = None
            ) -> tuple[int, int] | None:
    """The (start, end) an annotation is anchored at, classified exact, relocated, ambiguous
    or orphaned against the memory of the last good build; problems say which and why."""
    tally = tally if tally is not None else Counter()
    chosen, why = select(sel, text)
    if memory is None:
        tally["exact" if chosen else "orphaned"] += 1
        if chosen is None:
            problems.error(where, why)
        return chosen
    if chosen and relocate.score(memory, text.value, *chosen) >= relocate.KEEP:
        tally["exact"] += 1
        return chosen
    ranked = relocate.candidates(memory, text.value, text.occurrences(memory.quote))
    eligible = [c for c in ranked if c.eligible]
    if not eligible:
        if chosen:  # the text around it was rewritten, but the selector still finds it
            tally["exact"] += 1
            return chosen
        tally["orphaned"] += 1
        problems.error(where, _orphaned(sel, memory, text, ranked[0] if ranked else None))
        return None
    best = eligible[0]
    ties = [c for c in eligible if c.score >= best.score - relocate.MARGIN]
    if len(ties) > 1:
        tally["ambiguous"] += 1
        lines = _lines([(c.start, c.end) for c in ties], text)
        problems.error(where, f"'{sel.quote}' is ambiguous after an edit of {text.seed}: it "
                       f"matches equally well at lines {lines} (score {best.score:.2f}); "
                       "add a prefix, suffix or occurrence")
        return None
    if chosen == (best.start, best.end):
        tally["exact"] += 1
        return chosen
    tally["relocated"] += 1
    problems.warn(where, _relocated(sel, text, best))
    return best.start, best.end


def _relocated(sel: Selector, text: Text, best: relocate.Candidate) -> str:
    found = text.value[best.start:best.end]
    now = "" if found == sel.quote else f", now reading '{found}'{_alike(sel.quote, found)}"
    return (f"'{sel.quote}' moved after an edit of {text.seed}: relocated to line "
            f"{text.seed_line(best.start)}{now} (score {best.score:.2f}); to keep it there, "
            f"write {_keep(sel, text, best)}")


def _keep(sel: Selector, text: Text, best: relocate.Candidate) -> str:
    """The selector that finds the relocated place, as YAML to paste: the quote as the text
    now reads, the prefix and suffix where they still hold, and the occurrence among those."""
    found = text.value[best.start:best.end]
    prefix = sel.prefix if text.before(best.start, sel.prefix) else ""
    suffix = sel.suffix if text.after(best.end, sel.suffix) else ""
    spans = text.matches(Selector(found, prefix, suffix))
    n = spans.index((best.start, best.end)) + 1 if (best.start, best.end) in spans else 0
    dropped = [name for name, old, kept in (("prefix", sel.prefix, prefix),
                                            ("suffix", sel.suffix, suffix)) if old and not kept]
    return (flow_mapping({"quote": found, "prefix": prefix, "suffix": suffix, "occurrence": n})
            + (f" and remove its {' and '.join(dropped)}" if dropped else ""))


def _alike(typed: str, found: str) -> str:
    """' (it looks the same, but …)' when `found` prints like `typed`; else ''."""
    said = differences(typed, found)
    return f" (it looks the same, but {said})" if said else ""


def _orphaned(sel: Selector, memory: Memory, text: Text,
              best: relocate.Candidate | None) -> str:
    msg = f"'{sel.quote}' is orphaned: it is no longer in the cleaned text of {text.seed}"
    if best is None:
        return msg + " and nothing like it is; fix or remove the annotation"
    closest = text.value[best.start:best.end]
    return (msg + f"; the closest candidate, '{closest}'{_alike(memory.quote, closest)} at "
            f"line {text.seed_line(best.start)}, is too unlike it (score {best.score:.2f}; an "
            f"edit is followed only from {relocate.FLOOR} with a quote "
            f"{relocate.QUOTE_FLOOR:.0%} alike); fix or remove the annotation")


def _lines(spans: list[tuple[int, int]], text: Text) -> str:
    return ", ".join(str(text.seed_line(s)) for s, _ in spans)


def _not_found(sel: Selector, text: Text) -> str:
    """Why a selector finds nothing, and what to write instead."""
    if text.occurrences(sel.quote):
        return (f"'{sel.quote}' occurs in {text.seed}, but never with prefix "
                f"'{sel.prefix}' and suffix '{sel.suffix}'; check them")
    msg = f"'{sel.quote}' is not in the cleaned text of {text.seed}"
    if _other_capitals(sel.quote, text):
        return msg + " (it occurs with other capitals; quotes are case-sensitive)"
    inside = _inside_words(sel.quote, text)
    if inside:
        return (msg + f" as a whole word: it occurs only inside a longer word: {inside}; "
                "quote the whole word")
    close = _closest(sel.quote, text)
    if close is None:
        return msg + f"; `dossier clean {text.seed}` shows the cleaned text"
    said = differences(sel.quote, close)
    if said:
        return (msg + f" (did you mean '{close}'? it looks the same, but {said}; write quote: "
                f"{yaml_value(close, quoted=True, escape=deceptive)})")
    return msg + f" (did you mean '{close}'?)"


def _other_capitals(quote: str, text: Text) -> bool:
    """True if the quote occurs as a whole word when capitals are ignored, and what is there
    differs from it in capitals alone."""
    folded = fold(quote)
    for s, e in text.occurrences(quote, ignore_case=True):
        there = text.folded[s:e]
        if " ".join(there.split()) != " ".join(folded.split()) and \
                " ".join(there.lower().split()) == " ".join(folded.lower().split()):
            return True
    return False


def _inside_words(quote: str, text: Text, most: int = 3) -> str:
    """The longer words the quote occurs in, with their lines ("'Iranian' (line 5)"), when it
    occurs only inside them; '' otherwise."""
    seen: dict[str, int] = {}
    for m in _pattern(fold(quote)).finditer(text.folded):
        s, e = m.start(), m.end()
        while s > 0 and _is_word(text.value[s - 1]):
            s -= 1
        while e < len(text.value) and _is_word(text.value[e]):
            e += 1
        seen.setdefault(text.value[s:e], text.seed_line(m.start()))
    shown = [f"'{word}' (line {line})" for word, line in list(seen.items())[:most]]
    return ", ".join(shown) + (", …" if len(seen) > most else "")


_EDGE_PUNCTUATION = ".,;:()" + APOSTROPHES + QUOTATION_MARKS


def _closest(quote: str, text: Text) -> str | None:
    """The text most like the quote (as many words long, within one paragraph, punctuation at
    its ends left off), in the text's own characters; None when nothing is close."""
    spans = relocate.word_spans(text.value)
    n = max(1, len(quote.split()))
    windows = set()
    for i in range(len(spans) - n + 1):
        window = text.value[spans[i][0]:spans[i + n - 1][1]]
        if "\n" not in window:
            windows.add(window.strip(_EDGE_PUNCTUATION))
    close = difflib.get_close_matches(quote, sorted(windows), n=1, cutoff=0.75)
    return close[0] if close else None


def mention_key(spec: MentionSpec) -> str:
    s = spec.selector
    return "\x1f".join(("m", spec.entity, s.quote, s.prefix, s.suffix, str(s.occurrence)))


def date_key(spec: DateSpec) -> str:
    s = spec.selector
    return "\x1f".join(("d", s.quote, s.prefix, s.suffix, str(s.occurrence)))


def anchor_mentions(meta: SourceMeta, text: Text, entities: dict[str, Entity],
                    problems: Problems, memory: dict[str, Memory] | None = None,
                    tally: Counter[str] | None = None,
                    registry_ok: bool = True) -> tuple[Mention, ...]:
    """Anchor every mention of a source; unknown entities and clashes are errors (unknown
    entities are not reported when the registry itself could not be read: that is noise).
    The quote of a mention of an unknown entity is still looked for, so that a run reports
    every problem of the file at once."""
    memory = memory or {}
    mentions: list[tuple[Mention, Where]] = []
    for spec in meta.mentions:
        known = spec.entity in entities or (registry_ok and _known(spec, entities, problems))
        key = mention_key(spec)
        found = resolve(spec.selector, text, spec.where, problems, memory.get(key), tally)
        if found is None or not known:
            continue
        start, end = found
        mid = _fragment("m", text.value[start:end], found, text)
        span = Span(start, end, text.block_at(start))
        mentions.append((Mention(mid, meta.id, spec.entity, text.value[start:end], span,
                                 spec.note, key), spec.where))
    mentions.sort(key=lambda mw: (mw[0].span.start, -mw[0].span.end))
    return _check_layout(mentions, problems)


def _known(spec: MentionSpec, entities: dict[str, Entity], problems: Problems) -> bool:
    return entity_exists(spec.entity, spec.selector.quote, spec.where, entities, problems)


def entity_exists(eid: str, quote: str, where: Where, entities: dict[str, Entity],
                  problems: Problems, what: str = "entity") -> bool:
    """True if the entity is registered; otherwise an error with the likeliest fix."""
    if eid in entities:
        return True
    close = difflib.get_close_matches(eid, list(entities), n=1, cutoff=0.6)
    by_name = [e.id for e in entities.values() if quote in (e.name, *e.variants)]
    hint = close[0] if close else (by_name[0] if by_name else "")
    problems.error(where, f"unknown {what} '{eid}'"
                   + (f" (did you mean '{hint}'?)" if hint else
                      "; add it to a file in content/entities/"))
    return False


def _fragment(prefix: str, quote: str, found: tuple[int, int], text: Text) -> str:
    return f"{prefix}-{slugify(quote) or 'x'}-{text.exact_index(found)}"


def _check_layout(mentions: list[tuple[Mention, Where]],
                  problems: Problems) -> tuple[Mention, ...]:
    """Refuse two mentions of one span, partial overlaps and id clashes; nesting is fine."""
    kept: list[Mention] = []
    ids: dict[str, Mention] = {}
    for m, w in mentions:
        clash = next((k for k in kept if k.span.start < m.span.end and m.span.start < k.span.end
                      and not _nested(k.span, m.span)), None)
        if clash is not None:
            what = "the same text" if (clash.span.start, clash.span.end) == \
                (m.span.start, m.span.end) else "overlapping text"
            problems.error(w, f"'{m.quote}' ({m.entity}) and '{clash.quote}' "
                           f"({clash.entity}) are annotated on {what}; keep one, or make one "
                           "lie wholly inside the other")
            continue
        if m.id in ids:
            problems.error(w, f"'{m.quote}' and '{ids[m.id].quote}' give the same id '{m.id}'")
            continue
        ids[m.id] = m
        kept.append(m)
    return tuple(kept)


def _nested(a: Span, b: Span) -> bool:
    if (a.start, a.end) == (b.start, b.end):
        return False
    return (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)


def anchor_dates(meta: SourceMeta, text: Text, problems: Problems,
                 memory: dict[str, Memory] | None = None,
                 tally: Counter[str] | None = None) -> tuple[DateRef, ...]:
    """Anchor and normalise every date expression of a source."""
    memory = memory or {}
    refs: list[DateRef] = []
    seen: dict[tuple[int, int], DateSpec] = {}
    for spec in meta.dates:
        rng = _parse_value(spec, problems)
        key = date_key(spec)
        found = resolve(spec.selector, text, spec.where, problems, memory.get(key), tally)
        if rng is None or found is None:
            continue
        start, end = found
        if (start, end) in seen:
            problems.error(spec.where, f"'{spec.selector.quote}' is annotated twice as a date "
                           f"(also at line {seen[(start, end)].where.line})")
            continue
        seen[(start, end)] = spec
        refs.append(DateRef(
            id=_fragment("d", text.value[start:end], found, text), source=meta.id,
            quote=text.value[start:end], span=Span(start, end, text.block_at(start)),
            value=spec.value, start=rng.start.isoformat(), end=rng.end.isoformat(),
            precision=rng.precision, page=rng.page, approximate=spec.approximate,
            reasoning=spec.reasoning, event=spec.event, key=key))
    return tuple(sorted(refs, key=lambda r: r.span.start))


def _parse_value(spec: DateSpec, problems: Problems) -> dates.Range | None:
    try:
        rng = dates.parse(spec.value)
    except ValueError as exc:
        problems.error(spec.where, f"date value: {exc}; write YYYY, YYYY-MM, YYYY-MM-DD "
                       "or START/END")
        return None
    for problem in dates.mismatches(spec.selector.quote, rng):
        problems.error(spec.where, problem)
    return rng


def quote_key(spec: QuoteSpec) -> str:
    s = spec.selector
    return "\x1f".join(("q", spec.speaker or spec.anonymous, s.quote, s.prefix, s.suffix,
                        str(s.occurrence)))


def anchor_quotes(meta: SourceMeta, text: Text, entities: dict[str, Entity],
                  problems: Problems, memory: dict[str, Memory] | None = None,
                  tally: Counter[str] | None = None) -> tuple[Quote, ...]:
    """Anchor every quoted or reported speech of a source; speakers and channels named by id
    must be registered entities, and dates must be valid."""
    memory = memory or {}
    quotes = []
    for spec in meta.quotes:
        ok = all(entity_exists(eid, "", spec.where, entities, problems, role)
                 for eid, role in ((spec.speaker, "speaker"), (spec.via, "channel entity"))
                 if eid)
        ok = _valid_date(spec.date, spec.where, problems) and ok
        key = quote_key(spec)
        found = resolve(spec.selector, text, spec.where, problems, memory.get(key), tally)
        if found is None or not ok:
            continue
        start, end = found
        quotes.append(Quote(meta.id, text.value[start:end], Span(start, end, text.block_at(start)),
                            spec.speaker, spec.anonymous, spec.kind, spec.channel, spec.via,
                            spec.date, spec.note, key))
    return tuple(sorted(quotes, key=lambda q: (q.span.start, q.span.end)))


def _valid_date(value: str, where: Where, problems: Problems) -> bool:
    if not value:
        return True
    try:
        dates.parse(value)
    except ValueError as exc:
        problems.error(where, f"date: {exc}; write YYYY, YYYY-MM, YYYY-MM-DD or START/END")
        return False
    return True


def answer_key(claim: ClaimSpec, spec: AnswerSpec) -> str:
    s = spec.selector
    return "\x1f".join(("c", claim.id, s.quote, s.prefix, s.suffix, str(s.occurrence)))


def anchor_claims(claims: tuple[ClaimSpec, ...], sources: Mapping[str, tuple[Text, SourceMeta]],
                  entities: dict[str, Entity], problems: Problems,
                  memory: dict[str, dict[str, Memory]] | None = None,
                  tally: Counter[str] | None = None, seeds: Container[str] = ()
                  ) -> tuple[Claim, ...]:
    """Anchor each answer of each claim in the text of the source that gives it. An answer
    from a seed that exists but could not be read (`seeds`: every seed's id) is left out
    without a word: what stopped that seed is reported already."""
    memory = memory or {}
    out = []
    for claim in claims:
        answers = []
        for spec in claim.answers:
            if spec.source not in sources and spec.source in seeds:
                continue
            if spec.source not in sources:
                close = difflib.get_close_matches(spec.source, list(sources), n=1)
                problems.error(spec.where, f"unknown source '{spec.source}'" + (
                    f" (did you mean '{close[0]}'?)" if close else
                    f": no seeds/{spec.source}.txt or .html; restore the seed, or use a "
                    "seed's id"))
                continue
            text, _ = sources[spec.source]
            ok = not spec.speaker or entity_exists(spec.speaker, "", spec.where, entities,
                                                   problems, "speaker")
            ok = _valid_date(spec.date, spec.where, problems) and ok
            key = answer_key(claim, spec)
            found = resolve(spec.selector, text, spec.where, problems,
                            memory.get(spec.source, {}).get(key), tally)
            if found is None or not ok:
                continue
            start, end = found
            answers.append(Answer(spec.source, text.value[start:end],
                                  Span(start, end, text.block_at(start)), spec.answer,
                                  spec.speaker, spec.anonymous, spec.date, spec.note, key))
        out.append(Claim(claim.id, claim.question, tuple(answers)))
    return tuple(out)
