"""Anchor annotations in the cleaned text: each selector must find exactly one place.

A quote matches only at word boundaries ('Iran' is not found inside 'Iranian'). Prefix and
suffix narrow the matches; `occurrence` picks one of what remains. A mention's id counts the
whole-word occurrences of its exact quote, so it does not move when other annotations are
added or removed.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections import Counter
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
from .text import slugify


class Text:
    """The cleaned text of one source, with the block boundaries for locating offsets."""

    def __init__(self, cleaned: Cleaned, seed: str) -> None:
        self.cleaned = cleaned
        self.seed = seed
        self.value = cleaned.text
        self.plain_spaces = not _ODD_SPACE.search(self.value)
        """True when the only white space is single spaces and line breaks."""
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

    def occurrences(self, quote: str) -> list[tuple[int, int]]:
        """(start, end) of every whole-word occurrence of `quote`. White space in the quote
        matches any run of white space, so a typed space finds a pasted non-breaking one."""
        found = []
        words = quote.split()
        if quote and self.plain_spaces and " ".join(words) == quote:
            # single spaces on both sides: plain search finds what the pattern would
            at = self.value.find(quote)
            while at != -1:
                end = at + len(quote)
                if _boundary(self.value, at, quote[0], before=True) and \
                        _boundary(self.value, end, quote[-1], before=False):
                    found.append((at, end))
                at = self.value.find(quote, at + 1)
            return found
        for m in _pattern(quote).finditer(self.value):
            if _boundary(self.value, m.start(), quote[0], before=True) and \
                    _boundary(self.value, m.end(), quote[-1], before=False):
                found.append((m.start(), m.end()))
        return found


_ODD_SPACE = re.compile(r"[^\S\n ]|  ")


@lru_cache(maxsize=4096)
def _pattern(quote: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"\s+", quote.strip())]
    return re.compile(r"[^\S\n]+".join(parts))


def _boundary(text: str, at: int, edge_char: str, before: bool) -> bool:
    """True if a match edge at `at` does not cut through a word."""
    if not _is_word(edge_char):
        return True
    neighbour = text[at - 1] if before else (text[at] if at < len(text) else "")
    return not (neighbour and _is_word(neighbour))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def select(sel: Selector, text: Text) -> tuple[tuple[int, int] | None, str]:
    """Where the selector points: (span, '') or (None, why not)."""
    if "\n" in sel.quote:
        return None, f"quote '{sel.quote}' spans two paragraphs; annotate each part"
    every = text.occurrences(sel.quote)
    matches = [(s, e) for s, e in every
               if text.value[max(0, s - len(sel.prefix)):s] == sel.prefix
               and text.value[e:e + len(sel.suffix)] == sel.suffix]
    if not matches:
        return None, _not_found(sel, text, bool(every))
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
    n = text.occurrences(found).index((best.start, best.end)) + 1
    now = "" if found == sel.quote else f", now reading '{found}'"
    return (f"'{sel.quote}' moved after an edit of {text.seed}: relocated to line "
            f"{text.seed_line(best.start)}{now} (score {best.score:.2f}); to keep it there, "
            f"write quote: {found}, occurrence: {n}")


def _orphaned(sel: Selector, memory: Memory, text: Text,
              best: relocate.Candidate | None) -> str:
    msg = f"'{sel.quote}' is orphaned: it is no longer in the cleaned text of {text.seed}"
    if best is None:
        return msg + " and nothing like it is; fix or remove the annotation"
    return (msg + f"; the closest candidate, '{text.value[best.start:best.end]}' at line "
            f"{text.seed_line(best.start)}, is too unlike it (score {best.score:.2f}; an edit "
            f"is followed only from {relocate.FLOOR} with a quote {relocate.QUOTE_FLOOR:.0%} "
            "alike); fix or remove the annotation")


def _lines(spans: list[tuple[int, int]], text: Text) -> str:
    return ", ".join(str(text.seed_line(s)) for s, _ in spans)


def _not_found(sel: Selector, text: Text, quote_found: bool) -> str:
    if quote_found:
        return (f"'{sel.quote}' occurs in {text.seed}, but never with prefix "
                f"'{sel.prefix}' and suffix '{sel.suffix}'; check them")
    msg = f"'{sel.quote}' is not in the cleaned text of {text.seed}"
    if sel.quote.casefold() in text.value.casefold():
        return msg + " (it occurs with other capitals; quotes are case-sensitive)"
    if _pattern(sel.quote).search(text.value):
        return msg + " as a whole word (it occurs inside a longer word)"
    n = len(sel.quote.split())
    words = text.value.split()
    windows = {" ".join(words[i:i + n]).strip(".,;:“”\"'’()") for i in range(len(words))}
    close = difflib.get_close_matches(sel.quote, sorted(windows), n=1, cutoff=0.75)
    return msg + (f" (did you mean '{close[0]}'?)" if close else
                  "; run `python build.py clean " + text.seed + "` to see the cleaned text")


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
    entities are not reported when the registry itself could not be read: that is noise)."""
    memory = memory or {}
    mentions: list[tuple[Mention, Where]] = []
    for spec in meta.mentions:
        if spec.entity not in entities and not registry_ok:
            continue
        if not _known(spec, entities, problems):
            continue
        key = mention_key(spec)
        found = resolve(spec.selector, text, spec.where, problems, memory.get(key), tally)
        if found is None:
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
    n = text.occurrences(quote).index(found) + 1
    return f"{prefix}-{slugify(quote) or 'x'}-{n}"


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


def anchor_claims(claims: tuple[ClaimSpec, ...], sources: dict[str, tuple[Text, SourceMeta]],
                  entities: dict[str, Entity], problems: Problems,
                  memory: dict[str, dict[str, Memory]] | None = None,
                  tally: Counter[str] | None = None) -> tuple[Claim, ...]:
    """Anchor each answer of each claim in the text of the source that gives it."""
    memory = memory or {}
    out = []
    for claim in claims:
        answers = []
        for spec in claim.answers:
            if spec.source not in sources:
                close = difflib.get_close_matches(spec.source, list(sources), n=1)
                problems.error(spec.where, f"unknown source '{spec.source}'" + (
                    f" (did you mean '{close[0]}'?)" if close else "; use a seed's id"))
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
