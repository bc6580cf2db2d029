"""`python build.py check`: find what the annotations miss, without writing anything.

Findings (each a warning; the kind is named in brackets at the end of the message):

- unannotated-name: a registered entity's name or variant occurs in a source's cleaned text
  where no mention covers it;
- unknown-name: a name-like phrase (a run of capitalised words, an acronym) that no mention
  covers, once demonyms, titles, sentence-initial common words and date words are set aside;
- unused-entity, shared-name, slug-clash: problems of the entity registry;
- undated-expression: a time expression ("Tuesday", "last week", "since …", "2013") that no
  date annotation covers;
- future-date: a normalised date that starts after the source's publication date;
- stale-ignore: an entry of content/lint-ignore.yaml that silences nothing.

A finding that is intended is silenced by an entry of content/lint-ignore.yaml, a reviewed list:
each entry names the source, the text, the kind and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .anchor import Text
from .dates import MONTHS, WEEKDAYS
from .models import Entity, Problems, Source, Where
from .seeds import read_seed
from .text import ABBREVIATIONS, editor_lines, sentence_around, sentence_bounds, slugify
from .yamlio import line_text, position, read_yaml, validate

IGNORE_FILE = "content/lint-ignore.yaml"

KINDS = ("unannotated-name", "unknown-name", "unused-entity", "shared-name", "slug-clash",
         "undated-expression", "future-date")
"""The finding kinds an ignore entry may name (a stale ignore entry cannot be ignored)."""


class ProjectLike(Protocol):
    """What `check` needs of build.Project."""

    entities: dict[str, Entity]
    sources: list[Source]
    seeds: dict[str, Path]
    complete: bool


@dataclass(frozen=True)
class Finding:
    kind: str
    source: str
    """The source id, or '*' for a finding about the entity registry."""
    text: str
    """What an ignore entry's `text` must equal to silence it."""
    where: Where
    message: str
    line_text: str = ""
    context: tuple[str, str] = ("", "")
    """The text just before and just after the finding (for an entry's prefix and suffix)."""


@dataclass(frozen=True)
class Ignore:
    source: str
    text: str
    kind: str
    reason: str
    prefix: str
    suffix: str
    where: Where

    def matches(self, f: Finding) -> bool:
        return (self.kind == f.kind and self.source in ("*", f.source)
                and _norm(self.text) == _norm(f.text)
                and f.context[0].endswith(self.prefix) and f.context[1].startswith(self.suffix))


def check(project: ProjectLike, root: Path, problems: Problems) -> int:
    """Lint the project; add one problem per finding (in file, line, column order) and return
    the number of problems added. Writes nothing."""
    before = len(problems.items)
    ignores = read_ignores(root, problems)
    if ignores is None:
        return len(problems.items) - before
    findings: list[Finding] = []
    corpus = _lowercase_words(project.sources)
    for source in sorted(project.sources, key=lambda s: s.id):
        if source.meta.where.path == source.meta.seed:  # unannotated: the build says so
            continue
        seed = SeedText(source, root)
        findings += unannotated_names(source, seed, project.entities)
        findings += unknown_names(source, seed, project.entities, corpus)
        findings += undated_expressions(source, seed)
        findings += future_dates(source, seed, root)
    findings += registry(project.entities, root, unused=project.complete,
                         mentioned={m.entity for s in project.sources for m in s.mentions})
    kept = []
    used: set[int] = set()
    for f in findings:
        hits = [i for i, ign in enumerate(ignores) if ign.matches(f)]
        used.update(hits)
        if not hits:
            kept.append(f)
    if project.complete:
        ids = {s.id for s in project.sources}
        kept += [_stale(ign, ids, root) for i, ign in enumerate(ignores) if i not in used]
    kept.sort(key=lambda f: (f.where.path, f.where.line, f.where.column, f.message))
    for f in kept:
        problems.warn(f.where, f.message, f.line_text)
    return len(problems.items) - before


# ----------------------------------------------------------------- the ignore list


def read_ignores(root: Path, problems: Problems) -> list[Ignore] | None:
    """The entries of content/lint-ignore.yaml ([] if there is none), or None after recording
    why the file is broken."""
    path = root / IGNORE_FILE
    if not path.exists():
        return []
    errors = len(problems.errors)
    data = read_yaml(path, IGNORE_FILE, problems)
    if len(problems.errors) > errors:
        return None
    if data is None:  # an empty file
        return []
    if not validate(data, "lint-ignore.schema.json", path, IGNORE_FILE, problems):
        return None
    return [Ignore(item["source"], item["text"], item["kind"], item["reason"],
                   item.get("prefix", ""), item.get("suffix", ""),
                   Where(IGNORE_FILE, *position(data, [i])))
            for i, item in enumerate(data)]


def _stale(ign: Ignore, source_ids: set[str], root: Path) -> Finding:
    why = ""
    if ign.source != "*" and ign.source not in source_ids:
        why = f" (there is no source '{ign.source}')"
    elif ign.kind in ("unused-entity", "shared-name", "slug-clash") and ign.source != "*":
        why = " (registry findings are ignored with source: \"*\")"
    msg = (f"ignore entry for {ign.kind} '{ign.text}' in {ign.source} matches no finding{why}; "
           "remove it, or correct it [stale-ignore]")
    return Finding("stale-ignore", ign.source, ign.text, ign.where, msg,
                   line_text(root / ign.where.path, ign.where.line))


# ----------------------------------------------------------------- text helpers


class SeedText:
    """A source's cleaned text with what the checks need: coverage, lines, columns, context."""

    def __init__(self, source: Source, root: Path) -> None:
        self.source = source
        self.text = Text(source.cleaned, source.meta.seed)
        self.value = self.text.value
        self.yaml = source.meta.where.path
        self.mentions = [(m.span.start, m.span.end) for m in source.mentions]
        self.dates = [(d.span.start, d.span.end) for d in source.dates]
        headline = source.meta.headline.strip()
        self.skip = [(start, start + len(b.text)) for b, start
                     in zip(source.cleaned.blocks, self.text.starts, strict=True)
                     if b.text == headline]
        raw = None
        if source.cleaned.input_kind == "text":
            raw = read_seed(root / source.meta.seed, source.meta.seed, Problems())
        self.raw_lines = editor_lines(raw) if raw is not None else None

    def in_headline(self, start: int) -> bool:
        return any(s <= start < e for s, e in self.skip)

    def where(self, start: int) -> Where:
        block = self.text.block_at(start)
        b = self.source.cleaned.blocks[block]
        column = 0
        if self.raw_lines is not None and 0 < b.line <= len(self.raw_lines):
            raw = self.raw_lines[b.line - 1]
            lead = raw.find(b.text)
            if lead >= 0:
                column = lead + start - self.text.starts[block] + 1
        return Where(self.source.meta.seed, b.line, column)

    def sentence(self, start: int, end: int) -> str:
        """The sentence(s) holding text[start:end], shortened to about 200 characters."""
        block = self.text.block_at(start)
        first = self.text.starts[block]
        para = self.source.cleaned.blocks[block].text
        s, e = sentence_around(para, start - first, end - first)
        s, e = max(s, start - first - 120), min(e, end - first + 120)
        out = para[s:e].strip()
        return ("…" if s > 0 else "") + out + ("…" if e < len(para) else "")

    def context(self, start: int, end: int) -> tuple[str, str]:
        return self.value[max(0, start - 80):start], self.value[end:end + 80]

    def finding(self, kind: str, start: int, end: int, message: str) -> Finding:
        return Finding(kind, self.source.id, self.value[start:end], self.where(start), message,
                       self.sentence(start, end), self.context(start, end))


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _outermost(spans: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Drop every span that lies inside another one (keeping one of identical spans)."""
    spans = sorted(spans, key=lambda x: (x[0], -x[1]))
    kept: list[tuple[int, int, Any]] = []
    for s, e, what in spans:
        if not any(ks <= s and e <= ke for ks, ke, _ in kept):
            kept.append((s, e, what))
    return kept


def _norm(text: str) -> str:
    return " ".join(text.split())


def entity_names(entities: dict[str, Entity]) -> dict[str, list[str]]:
    """Every name and variant -> the ids of the entities that carry it."""
    names: dict[str, list[str]] = {}
    for eid, e in entities.items():
        for name in dict.fromkeys((e.name, *e.variants)):
            names.setdefault(name, []).append(eid)
    return names


# ----------------------------------------------------------------- 1. known names


def unannotated_names(source: Source, seed: SeedText,
                      entities: dict[str, Entity]) -> list[Finding]:
    """Occurrences of a registered name or variant that no mention covers."""
    out = []
    for s, e, (_name, ids) in unmentioned(seed, entity_names(entities)):
        whose = ", ".join(ids)
        out.append(seed.finding(
            "unannotated-name", s, e,
            f"'{seed.value[s:e]}' (a name of {whose}) occurs here without a mention; annotate "
            f"it in {seed.yaml}, or add it to {IGNORE_FILE} if it is not a mention "
            "[unannotated-name]"))
    return out


def unmentioned(seed: SeedText, names: dict[str, list[str]]
                ) -> list[tuple[int, int, tuple[str, list[str]]]]:
    """(start, end, (name, entity ids)) of each occurrence of one of `names` outside every
    mention and the headline; the longest where they overlap ("Homs province", not "Homs")."""
    found = []
    for name, ids in names.items():
        for s, e in seed.text.occurrences(name):
            if not _inside(s, e, seed.mentions) and not seed.in_headline(s):
                found.append((s, e, (name, ids)))
    return _outermost(found)


# ----------------------------------------------------------------- 2. name-like phrases

DEMONYMS = {
    # nationalities and regions
    "Afghan", "African", "American", "Arab", "Arabian", "Asian", "Bahraini", "British",
    "Chinese", "Egyptian", "Emirati", "European", "French", "German", "Gulf", "Iranian",
    "Iraqi", "Israeli", "Jordanian", "Kurdish", "Kuwaiti", "Lebanese", "Libyan", "Pakistani",
    "Palestinian", "Persian", "Qatari", "Russian", "Saudi", "Soviet", "Syrian", "Turkish",
    "Turkmen", "Ukrainian", "Yemeni", "Western", "Eastern", "Northern", "Southern", "Middle",
    # religions and sects
    "Alawite", "Christian", "Druze", "Islamic", "Islamist", "Jewish", "Muslim", "Shia",
    "Shiite", "Shi'ite", "Sunni",
}
DEMONYMS |= {d + "s" for d in DEMONYMS if d[-1] in "nit"} | {"Kurds", "Arabs", "Shias"}

TITLES = {
    "President", "Vice", "Prime", "Minister", "Gen", "General", "Brig", "Brigadier", "Maj",
    "Major", "Col", "Colonel", "Lt", "Lieutenant", "Capt", "Captain", "Sgt", "Sergeant", "Adm",
    "Admiral", "Commander", "Chairman", "Speaker", "Secretary", "Deputy", "Chief", "Ambassador",
    "Mr", "Mrs", "Ms", "Dr", "Sen", "Senator", "Gov", "Governor", "Rep", "King", "Queen",
    "Prince", "Sheikh", "Ayatollah", "Imam", "Supreme", "Leader", "Emir", "Sultan",
}
_TITLE_PHRASE = re.compile(
    r"\b(?:(?:Deputy|Vice|Prime|Foreign|Defen[cs]e|Interior|Finance|Under|Assistant) )+"
    r"(?:Minister|Secretary)(?: of State)?\b|\bSecretary of State\b")

CONNECTORS = {"of", "for", "on", "and", "the", "al", "el", "ad", "as", "bin", "ibn", "de", "du",
              "la", "le", "von", "van", "da", "di"}
"""Lower-case words that may stand inside a name (Council on Foreign Relations, al-Assad)."""

COMMON = {
    "a", "about", "according", "after", "again", "against", "all", "also", "although", "among",
    "an", "and", "another", "any", "are", "around", "as", "at", "because", "before", "being",
    "between", "both", "but", "by", "can", "could", "despite", "did", "do", "does", "during",
    "each", "either", "even", "every", "few", "for", "from", "had", "has", "have", "he", "her",
    "here", "his", "how", "however", "i", "if", "in", "instead", "into", "is", "it", "its",
    "just", "last", "later", "many", "may", "meanwhile", "might", "more", "most", "much",
    "must", "my", "neither", "no", "nor", "not", "now", "of", "on", "once", "one", "only", "or",
    "other", "our", "over", "she", "should", "since", "so", "some", "still", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "though", "through", "to", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "under", "until", "up", "was", "we", "were", "what", "when", "where",
    "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your",
}
"""Function words: capitalised only because a sentence starts with them."""

DATE_WORDS = {w.capitalize() for w in (*WEEKDAYS, *MONTHS)} | {"Sept"}

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:[-‐‑'’][^\W\d_]+)*")
_HYPHEN = re.compile(r"[-‐‑]")
_POSSESSIVE = re.compile(r"['’]s$")
_OPENERS = "“\"‘'([—–- "


@dataclass
class _Token:
    start: int
    end: int
    """End of the name part (a possessive 's left out)."""
    possessive: bool
    capitalised: bool
    parts: list[tuple[int, int]]
    """(start, end) of each hyphen-separated part."""


def _tokens(value: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(value):
        word = m.group()
        possessive = bool(_POSSESSIVE.search(word)) and len(word) > 2
        end = m.end() - 2 if possessive else m.end()
        parts, pos = [], m.start()
        for piece in _HYPHEN.split(value[m.start():end]):
            parts.append((pos, pos + len(piece)))
            pos += len(piece) + 1
        cap = any(value[s].isupper() for s, e in parts if e > s) and \
            value[m.start():end] not in DATE_WORDS  # a date word ends a name ('AFP on Wednesday')
        out.append(_Token(m.start(), end, possessive, cap, parts))
    return out


def _runs(value: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of capitalised words, with connectors between them, on one line."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    pending: list[_Token] = []  # connectors waiting for a capitalised word

    def close() -> None:
        nonlocal current, pending
        if current:
            runs.append(current)
        current, pending = [], []

    prev: _Token | None = None
    for tok in tokens:
        joined = prev is not None and _joins(value, prev, tok)
        if not joined:
            close()
        if tok.capitalised:
            current += pending + [tok]
            pending = []
        elif current and value[tok.start:tok.end] in CONNECTORS and joined:
            pending.append(tok)
        else:
            close()
        if tok.possessive:
            close()
        prev = tok
    close()
    return runs


def _joins(value: str, prev: _Token, tok: _Token) -> bool:
    gap = value[prev.end:tok.start]
    if prev.possessive:
        return False
    if gap in (" ", "\u00a0"):
        return True
    word = value[prev.start:prev.end].lower()
    return gap in (". ", ".\u00a0") and word in ABBREVIATIONS


def _sentence_starts(seed: SeedText) -> set[int]:
    """Offsets where a sentence (or a quoted sentence) begins its first word."""
    starts = set()
    for block, first in zip(seed.source.cleaned.blocks, seed.text.starts, strict=True):
        for s, _ in sentence_bounds(block.text):
            at = s
            while at < len(block.text) and block.text[at] in _OPENERS:
                at += 1
            starts.add(first + at)
        for m in re.finditer(r"(?:^|\s)[“\"‘(\[]+(?=\w)", block.text):
            starts.add(first + m.end())
    return starts


def _lowercase_words(sources: list[Source]) -> set[str]:
    """Every word that some source writes in lower case: a common word, not a name."""
    words = set()
    for s in sources:
        words.update(w for w in _TOKEN.findall(s.cleaned.text) if w[0].islower())
    return words


def unknown_names(source: Source, seed: SeedText, entities: dict[str, Entity],
                  corpus: set[str]) -> list[Finding]:
    """Runs of capitalised words and acronyms that no mention covers and that are not set
    aside as demonyms, titles, date words or sentence-initial common words."""
    value = seed.value
    covered = seed.mentions + seed.dates
    for name in entity_names(entities):
        covered += seed.text.occurrences(name)  # reported by unannotated_names if unmentioned
    titles = [m.span() for m in _TITLE_PHRASE.finditer(value)]
    starts = _sentence_starts(seed)

    def significant(s: int, e: int, initial: bool) -> bool:
        word = value[s:e]
        if not word or not word[0].isupper() or len(word) < 2:
            return False
        if _overlaps(s, e, covered) or _inside(s, e, titles):
            return False
        if word in DEMONYMS or word in TITLES or word in DATE_WORDS or word in ("The", "A"):
            return False
        return not (initial and _common_initial(value, s, e, corpus))

    out = []
    for run in _runs(value, _tokens(value)):
        segments: list[list[_Token]] = [[]]
        for tok in run:
            if any(_overlaps(s, e, covered) for s, e in tok.parts if value[s:e][:1].isupper()):
                segments.append([])
            else:
                segments[-1].append(tok)
        for seg in segments:
            flags = [any(significant(s, e, tok.start in starts and i == 0)
                         for i, (s, e) in enumerate(tok.parts)) for tok in seg]
            if not any(flags):
                continue
            # trim connectors, articles and sentence-initial common words from both ends
            lo, hi = 0, len(seg)
            while lo < hi and (not seg[lo].capitalised or (
                    not flags[lo] and _weak(value, seg[lo], starts, corpus))):
                lo += 1
            while hi > lo and not seg[hi - 1].capitalised:
                hi -= 1
            # and a leading title, with a demonym before it: "Russian President", "Brig. Gen."
            while lo < hi - 1 and not flags[lo] and (_title(value, seg[lo], titles) or (
                    value[seg[lo].start:seg[lo].end] in DEMONYMS
                    and _title(value, seg[lo + 1], titles))):
                lo += 1
            s, e = seg[lo].start, seg[hi - 1].end
            if seed.in_headline(s):
                continue
            out.append(seed.finding(
                "unknown-name", s, e,
                f"'{value[s:e]}' looks like a name, but no mention covers it; annotate it in "
                f"{seed.yaml} (registering the entity in content/entities/ if it is new), or "
                f"add it to {IGNORE_FILE} if it is not a name [unknown-name]"))
    return out


def _title(value: str, tok: _Token, titles: list[tuple[int, int]]) -> bool:
    return value[tok.start:tok.end] in TITLES or _inside(tok.start, tok.end, titles)


def _weak(value: str, tok: _Token, starts: set[int], corpus: set[str]) -> bool:
    """An article or a sentence-initial common word at the edge of a phrase."""
    word = value[tok.start:tok.end]
    return word in ("The", "A", "An") or (
        tok.start in starts and _common_initial(value, tok.start, tok.end, corpus))


_LEADS = {"a", "an", "the", "more", "its", "his", "her", "their", "this", "that", "these",
          "those", "with", "by", "to", "in", "on", "at", "from", "into", "for", "of", "some",
          "many", "all", "what", "over", "after", "under"}
"""Words that follow a participle opening a sentence ("Faced with", "Recapturing the")."""


def _common_initial(value: str, start: int, end: int, corpus: set[str]) -> bool:
    """True if a word that starts a sentence is a common word, capitalised only for that:
    a function word, a word some source writes in lower case, a participle opening a clause
    ("Sending more troops", "Faced with"), or a plural like "Analysts"."""
    word = value[start:end]
    lower = word.lower()
    if word.isupper() or "-" in word:
        return False
    if lower in COMMON or lower in corpus:
        return True
    following = re.match(r"\s+([^\W\d_]+)", value[end:])
    nxt = following.group(1) if following else ""
    if re.search(r"(?:ing|ed)$", lower) and nxt in _LEADS:
        return True
    return bool(re.search(r"[iy]sts$", lower)) and nxt[:1].islower()


# ----------------------------------------------------------------- 3. the registry


def registry(entities: dict[str, Entity], root: Path, unused: bool,
             mentioned: set[str]) -> list[Finding]:
    """Entities no source mentions, names two entities share, names that slugify alike."""
    out = []

    def at(e: Entity, kind: str, text: str, message: str) -> Finding:
        return Finding(kind, "*", text, e.where, message + f" [{kind}]",
                       line_text(root / e.where.path, e.where.line))

    if unused:
        for eid, e in entities.items():
            if eid not in mentioned:
                out.append(at(e, "unused-entity", eid,
                              f"entity '{eid}' has no mentions in any source; annotate its "
                              f"mentions, remove it, or add it to {IGNORE_FILE} if it is kept "
                              "on purpose"))
    claimed: dict[str, Entity] = {}
    for e in entities.values():
        for name in dict.fromkeys((e.name, *e.variants)):
            first = claimed.setdefault(_norm(name).casefold(), e)
            if first is not e:
                out.append(at(e, "shared-name", name,
                              f"'{name}' is a name of both '{first.id}' ({first.where.path}:"
                              f"{first.where.line}) and '{e.id}'; a mention of it cannot say "
                              "which is meant by its text alone: keep it on one entity, or add "
                              f"it to {IGNORE_FILE} if both are meant"))
    slugs: dict[str, Entity] = {}
    for e in entities.values():
        slug = slugify(e.name)
        first = slugs.setdefault(slug, e)
        if first is not e:
            out.append(at(e, "slug-clash", slug,
                          f"the names of '{first.id}' ({first.where.path}:{first.where.line}) "
                          f"and '{e.id}' both slugify to '{slug}'; rename one, or add it to "
                          f"{IGNORE_FILE} if they are distinct"))
    return out


# ----------------------------------------------------------------- 4. dates

_WEEKDAY = "|".join(w.capitalize() for w in WEEKDAYS)
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
_UNIT = r"(?:day|week|month|year)s?"
_NUMBER = (r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|"
           r"few|several|some|\d+)")
TIME_EXPRESSIONS = re.compile("|".join((
    rf"\b(?:{_WEEKDAY})s?\b",
    rf"(?:\b\d{{1,2}} )?\b(?:(?:{_MONTH})\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)"
    r"(?: \d{1,2}(?:st|nd|rd|th)?\b)?(?:,? \d{4}\b)?",
    r"(?<![\d,.$£€])\b(?:1[89]\d\d|20\d\d)s?\b(?![,.]\d)",
    r"(?i:\b(?:today|yesterday|tomorrow|tonight|recently)\b)",
    r"(?i:\b(?:last|next|this|past|coming) (?:week|month|year|weekend|spring|summer|autumn|"
    r"fall|winter)\b)",
    r"(?i:\b(?:earlier|later) (?:this|that|last) (?:week|month|year)\b)",
    rf"(?i:\b{_NUMBER} {_UNIT} (?:ago|later|earlier|after|before)\b)",
    rf"(?i:\bin recent {_UNIT}\b)",
    rf"(?i:\b(?:in|over|during|for) (?:the )?(?:past|last|coming|next) "
    rf"(?:(?:few|several|{_NUMBER}) )?{_UNIT}\b)",
    r"(?i:\b(?:until|till|up to) now\b)",
    r"(?i:\bsince\b[^,.;:!?“”\"()\n]*)",
)))


def undated_expressions(source: Source, seed: SeedText) -> list[Finding]:
    """Time expressions that no date annotation covers."""
    found = []
    for m in TIME_EXPRESSIONS.finditer(seed.value):
        s, e = m.start(), len(m.group().rstrip()) + m.start()
        if _overlaps(s, e, seed.dates) or _inside(s, e, seed.mentions) or seed.in_headline(s):
            continue
        found.append((s, e, None))
    return [seed.finding(
        "undated-expression", s, e,
        f"'{seed.value[s:e]}' is a time expression without a date annotation; add it to the "
        f"dates in {seed.yaml}, or add it to {IGNORE_FILE} if it dates nothing (a state, a "
        "duration, an event the source does not date) [undated-expression]")
        for s, e, _ in _outermost(found)]


def future_dates(source: Source, seed: SeedText, root: Path) -> list[Finding]:
    """Normalised dates that start after the source's publication date."""
    published = source.meta.published.date
    out = []
    for ref in source.dates:
        if not published or ref.start <= published:
            continue
        spec = next((d for d in source.meta.dates if d.value == ref.value
                     and d.reasoning == ref.reasoning and d.event == ref.event
                     and _norm(d.selector.quote) == _norm(ref.quote)), None)
        where = spec.where if spec else source.meta.where
        out.append(Finding(
            "future-date", source.id, ref.quote, where,
            f"date '{ref.quote}' ({ref.value}) starts after the source's publication date "
            f"({published}); correct the value, or add it to {IGNORE_FILE} if the source "
            "predicts it [future-date]",
            line_text(root / where.path, where.line),
            seed.context(ref.span.start, ref.span.end)))
    return out
