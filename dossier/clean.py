"""Strip boilerplate from a saved article: keep the article's own lines, explain the rest.

The input is one article page, either as plain text (one visual block a line, as "select all,
copy, paste" gives it) or as HTML (the article is first extracted with trafilatura, see
`dossier.extract`). Every non-blank line ends up either as a `Block` of the article or as a
`Removed` line with the id of the rule that removed it and a reason a reader can check.

The judgement works in these steps, each a small pure function:

1. split the input into lines and measure each (words, end punctuation, stop words, case);
2. apply the known patterns and overrides from `content/boilerplate.yaml` (widgets, promos,
   credits, per-publisher and per-source lines) and find the headline;
3. remove lines that repeat on the page (an "About" blurb printed twice is site chrome);
4. find the article region: the run of lines with the most prose in it, where prose lines
   earn their length in words and every other line costs a fixed penalty;
5. judge the rest by position: outside the region a line is navigation or chrome; inside it
   a short line between paragraphs is a subheading, unless it reads like a site control.

Site-specific knowledge is data (the YAML file); the code holds only generic signals.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema

from dossier.inputs import rel as relative
from dossier.layout import DEFAULT_RULES
from dossier.models import Block, Cleaned, Problems, Removed, Where
from dossier.patterns import PatternError, Regex, compile_pattern
from dossier.seeds import seed_kind
from dossier.text import editor_lines
from dossier.yamlio import field_path, line_text, load_schema, position, read_yaml, validate

# ----------------------------------------------------------------- rules


@dataclass(frozen=True)
class Thresholds:
    """Numbers that tune the generic judgement (see content/boilerplate.yaml)."""

    prose_words: int = 20
    sentence_words: int = 6
    short_words: int = 5
    cjk_chars_per_word: int = 2
    chrome_penalty: float = 6.0
    max_word_weight: float = 40.0
    headline_window: int = 8
    headline_min_words: int = 4
    headline_max_words: int = 30
    min_stop_share: float = 0.12
    pattern_max_words: int = 25
    html_fallback_share: float = 0.5
    html_recover_ratio: float = 2.5


@dataclass(frozen=True)
class Pattern:
    """A known kind of boilerplate line, matched by a regular expression or exact text."""

    id: str
    """Rule id shown by --explain (e.g. 'widget', 'promo')."""
    regex: Regex
    """The regex (or the exact text as one), compiled with RE2: linear time, never a hang."""
    reason: str
    credit: bool = False
    """True: the removed line also goes into Cleaned.credits."""
    when: str = "always"
    """'always', 'short' (only lines below pattern_max_words) or 'edge' (outside the article)."""


@dataclass(frozen=True)
class Override:
    """Per-publisher or per-source additions: extra patterns, and lines that must be kept."""

    remove: tuple[Pattern, ...] = ()
    keep: frozenset[str] = frozenset()
    """Lines (white space collapsed) that are article text whatever the generic rules say."""


@dataclass(frozen=True)
class Rules:
    """Everything content/boilerplate.yaml says, ready to use."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    stop_words: frozenset[str] = frozenset()
    chrome_words: frozenset[str] = frozenset()
    patterns: tuple[Pattern, ...] = ()
    publishers: Mapping[str, Override] = field(default_factory=dict)
    sources: Mapping[str, Override] = field(default_factory=dict)


# ----------------------------------------------------------------- loading the rules

RULES_SCHEMA = "boilerplate.schema.json"


def dossier_rules(root: Path, problems: Problems) -> Rules:
    """The rules a dossier cleans with: the tool's defaults (dossier/defaults/boilerplate.yaml),
    then the dossier's own content/boilerplate.yaml, if it has one, on top of them.

    Compiling the patterns is most of the cost, so the last result is kept (with the
    problems it reported) for as long as both files hold the same bytes: a preview that
    rebuilds after every save compiles them once."""
    own = root / "content" / "boilerplate.yaml"
    has_own = os.path.lexists(own)
    key = (str(root), _file_bytes(DEFAULT_RULES), _file_bytes(own) if has_own else b"")
    if _LAST_RULES and _LAST_RULES[0] == key:
        problems.items.extend(_LAST_RULES[2])
        return _LAST_RULES[1]
    found = Problems()
    rules = load_rules(DEFAULT_RULES, found, root)
    if has_own:
        rules = load_rules(own, found, root, base=rules)
    if None not in key:  # a file that is not a regular one is read (and refused) every time
        _LAST_RULES[:] = [key, rules, list(found.items)]
    problems.items.extend(found.items)
    return rules


_LAST_RULES: list[Any] = []
"""[key, rules, problems] of the last dossier_rules call."""


def _file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def load_rules(path: Path, problems: Problems, root: Path, base: Rules | None = None) -> Rules:
    """Read one boilerplate rules file on top of `base` (none: every threshold at its default,
    no word or pattern); report every problem to `problems` and never raise.

    The file is read like every other YAML file (dossier.yamlio: aliases, duplicate keys and
    tags refused) and checked against dossier/schema/boilerplate.schema.json; what a schema
    cannot say is checked here: thresholds are finite, and every pattern compiles with RE2
    (dossier.patterns). A file that cannot be read or parsed adds nothing (the generic
    judgement still works); a bad entry is reported and skipped, the rest of the file is used.
    """
    base = base or Rules()
    rel = relative(path.resolve(), root.resolve())
    try:
        path.stat()
    except OSError as exc:
        problems.error(Where(rel), f"cannot read the boilerplate rules ({exc.strerror}); "
                       "restore the file from version control, or delete it")
        return base
    data = read_yaml(path, rel, problems, if_empty="delete it (the tool's default rules "
                     "apply), or write the rules you want into it")
    if data is None:
        return base
    found = Problems()  # the schema's problems and ours, to report them in line order
    valid = validate(data, RULES_SCHEMA, path, rel, found)
    rules = _rules(data, _Report(data, path, rel, found, valid), base)
    problems.items.extend(sorted(found.items, key=lambda p: (p.where.line, p.where.column)))
    return rules


@dataclass(frozen=True)
class _Report:
    """The rules file's located data, to report a problem at the line of a value in it."""

    data: Any
    path: Path
    rel: str
    problems: Problems
    valid: bool
    """The file passed the schema (else the schema's messages have been reported)."""

    def error(self, steps: list[str | int], message: str) -> None:
        line, col = position(self.data, steps)
        self.problems.error(Where(self.rel, line, col), f"{field_path(steps)}: {message}",
                            line_text(self.path, line))

    def fits(self, value: Any, definition: str) -> bool:
        """Whether `value` is valid against the schema's $defs/<definition>."""
        if self.valid:
            return True
        try:
            _definition(definition)(value)
            return True
        except fastjsonschema.JsonSchemaValueException:
            return False


@cache
def _definition(name: str) -> Callable[[Any], Any]:
    """A validator for one definition of the rules schema (to skip what the schema refused)."""
    schema = load_schema(RULES_SCHEMA)
    return fastjsonschema.compile({"$schema": schema["$schema"], "$defs": schema["$defs"],
                                   "$ref": f"#/$defs/{name}"})


def _rules(data: Any, report: _Report, base: Rules) -> Rules:
    """`base` with the file's located data on top; parts the schema refused are left out.
    Thresholds and word lists given replace the base's; patterns come before the base's (which
    default_patterns: false drops); per-publisher rules add to the base's (which
    default_publishers: false drops); per-source rules add to the base's."""
    top = _mapping(data)
    vocabulary = _mapping(top.get("vocabulary"))
    inherited = base.patterns if top.get("default_patterns", True) is not False else ()
    publishers = base.publishers if top.get("default_publishers", True) is not False else {}
    return Rules(
        thresholds=_thresholds(_mapping(top.get("thresholds")), report, base.thresholds),
        stop_words=_words(vocabulary.get("stop_words"), base.stop_words),
        chrome_words=_words(vocabulary.get("chrome_words"), base.chrome_words),
        patterns=(*_patterns(top.get("patterns"), ["patterns"], report), *inherited),
        publishers=_merged(publishers, _overrides(top.get("publishers"), "publishers", report)),
        sources=_merged(base.sources, _overrides(top.get("sources"), "sources", report)),
    )


def _merged(base: Mapping[str, Override], own: dict[str, Override]) -> dict[str, Override]:
    """Overrides by key: a key in both removes what either removes, keeps what either keeps."""
    out = dict(base)
    for key, override in own.items():
        if key in out:
            override = Override(remove=(*override.remove, *out[key].remove),
                                keep=override.keep | out[key].keep)
        out[key] = override
    return out


def _mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else {} (the schema has reported it)."""
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    """`value` if it is a list, else [] (the schema has reported it)."""
    return value if isinstance(value, list) else []


def _scalar(value: Any) -> bool:
    """A word or a line: text, a number, or true/false (which YAML makes of an unquoted no)."""
    return isinstance(value, str | int | float)


def _thresholds(given: dict[str, Any], report: _Report, base: Thresholds) -> Thresholds:
    """`base` with the values of the 'thresholds' mapping. JSON Schema cannot refuse .nan and
    .inf, nor 20.0 where a whole number belongs; that is done here."""
    defaults = Thresholds()
    values: dict[str, Any] = {}
    for f in fields(Thresholds):
        value, default = given.get(f.name), getattr(defaults, f.name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            continue  # absent, or refused by the schema
        if isinstance(default, int) and isinstance(value, float):
            if value.is_integer():
                report.error(["thresholds", f.name], f"expected a whole number, found {value}; "
                             f"write {int(value)}")
            continue  # else refused by the schema
        if not math.isfinite(value):
            shown = ".nan" if math.isnan(value) else ".inf"
            report.error(["thresholds", f.name], f"{shown} is not a finite number; write a "
                         f"number >= 0 (the default is {default:g})")
            continue
        values[f.name] = type(default)(value)
    return replace(base, **values)


def _words(value: Any, base: frozenset[str]) -> frozenset[str]:
    """A list of words, folded to lower case; `base` when the file gives none."""
    if not isinstance(value, list):
        return base
    return frozenset(str(word).casefold() for word in _sequence(value) if _scalar(word))


def _patterns(value: Any, steps: list[str | int], report: _Report) -> tuple[Pattern, ...]:
    """The list of pattern entries at `steps`; bad entries are reported and skipped."""
    out = []
    for i, entry in enumerate(_sequence(value)):
        pattern = _pattern(entry, [*steps, i], report)
        if pattern is not None:
            out.append(pattern)
    return tuple(out)


def _pattern(entry: Any, steps: list[str | int], report: _Report) -> Pattern | None:
    """One pattern entry, its regex or text compiled with RE2; None if it cannot be used."""
    item = _mapping(entry)
    ignore_case = item.get("case") is not True
    compiled = {}
    for key in ("regex", "text"):
        if isinstance(item.get(key), str):
            source = item[key] if key == "regex" else "^" + re.escape(_collapse(item[key])) + "$"
            try:
                compiled[key] = compile_pattern(source, ignore_case)
            except PatternError as exc:
                report.error([*steps, key], f"bad regular expression: {exc}")
    if len(compiled) != 1 or not report.fits(entry, "pattern"):
        return None  # refused by the schema or by RE2, and reported
    return Pattern(id=item["id"], regex=next(iter(compiled.values())), reason=item["reason"],
                   credit=item.get("credit", False), when=item.get("when", "always"))


def _overrides(value: Any, section: str, report: _Report) -> dict[str, Override]:
    """Per-publisher or per-source overrides: {key: {remove: [patterns], keep: [lines]}}."""
    out: dict[str, Override] = {}
    for key, entry in _mapping(value).items():
        item = _mapping(entry)
        keep = frozenset(_collapse(str(line)) for line in _sequence(item.get("keep"))
                         if _scalar(line))
        out[key.removeprefix("www.")] = Override(
            remove=_patterns(item.get("remove"), [section, key, "remove"], report), keep=keep)
    return out


# ----------------------------------------------------------------- measuring lines

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CLOSERS = "\"'”’»)]」』】›"
_TERMINAL = ".!?…:;。！？：；"
_BLANK = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]*$")


@dataclass(frozen=True)
class Line:
    """One non-blank input line and what the generic judgement measures about it."""

    no: int
    """1-based line number."""
    text: str
    """The line, surrounding white space removed."""
    words: int
    """Word count (for scripts without spaces: characters / cjk_chars_per_word)."""
    terminal: bool
    """Ends like a sentence (after closing quotes and brackets)."""
    stop_share: float
    """Share of the words that are stop words."""
    title_share: float
    """Share of the words that start with a capital letter."""
    chrome_share: float
    """Share of the words that are typical of site chrome (share, menu, subscribe ...)."""
    key: str
    """The line folded for comparisons: white space collapsed, case folded."""


def split_lines(raw: str) -> list[tuple[int, str]]:
    """(line number, stripped text) of every non-blank line, lines counted as an editor counts
    them (so a U+2028 in a paragraph does not end it); BOM and '\\r\\n' are harmless."""
    raw = raw.removeprefix("\ufeff")
    out = []
    for no, line in enumerate(editor_lines(raw), start=1):
        if not _BLANK.match(line):
            out.append((no, line.strip()))
    return out


def _collapse(text: str) -> str:
    """White space (including non-breaking spaces) collapsed to single spaces, trimmed."""
    return " ".join(text.split())


def _fold(text: str) -> str:
    """The comparison key of a line: NFKC, white space collapsed, case folded."""
    return _collapse(unicodedata.normalize("NFKC", text)).casefold()


def measure(no: int, text: str, rules: Rules) -> Line:
    """Measure one line (pure: depends on the text and the rules only)."""
    tokens = _WORD.findall(text)
    cjk = len(_CJK.findall(text))
    latin = [t for t in tokens if not _CJK.search(t)]
    words = len(latin) + cjk // max(1, rules.thresholds.cjk_chars_per_word)
    lowered = [t.casefold() for t in latin]
    alpha = [t for t in latin if t[0].isalpha()]
    n = max(1, len(latin))
    return Line(
        no=no,
        text=text,
        words=words,
        terminal=text.rstrip(_CLOSERS + " ")[-1:] in _TERMINAL,
        stop_share=sum(t in rules.stop_words for t in lowered) / n,
        title_share=sum(t[0].isupper() for t in alpha) / max(1, len(alpha)),
        chrome_share=sum(t in rules.chrome_words for t in lowered) / n,
        key=_fold(text),
    )


def page_uses_stop_words(lines: Sequence[Line], rules: Rules) -> bool:
    """True when the page's long lines are in a language the stop-word list covers."""
    long = sorted(x.stop_share for x in lines if x.words >= 10)
    return bool(long) and long[len(long) // 2] >= 2 * rules.thresholds.min_stop_share


def is_prose(line: Line, rules: Rules, stops: bool) -> bool:
    """Reads as running text: long enough, ends like a sentence, not a title-case label."""
    t = rules.thresholds
    if stops and line.stop_share < t.min_stop_share and not _CJK.search(line.text):
        return False
    if line.words >= t.prose_words:
        return True
    if line.words >= t.sentence_words and line.terminal:
        return line.title_share < 0.7 or line.words >= 12
    return False


# ----------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """What became of one line: kept (rule '') or removed by a rule."""

    rule: str = ""
    reason: str = ""
    credit: bool = False


KEEP = Verdict()

_REASONS = {
    "headline": "Used as the page title.",
    "repeated": "The same line appears more than once on the page, as site chrome does.",
    "section-label": "A short label above the headline, naming the site's section.",
    "navigation": "A short link-like line outside the article's run of prose.",
    "outside-article": "Outside the run of prose lines that forms the article.",
    "widget": "A short line made of words typical of site controls (share, menu, subscribe).",
}


def _match(line: Line, patterns: Sequence[Pattern], rules: Rules,
           inside: bool) -> Verdict | None:
    """The verdict of the first pattern that matches the line, if any (on the line as it is,
    or with its white space collapsed)."""
    collapsed = _collapse(line.text)
    for p in patterns:
        if p.when == "short" and line.words >= rules.thresholds.pattern_max_words:
            continue
        if p.when == "edge" and inside:
            continue
        if p.regex.search(line.text) or (collapsed != line.text and p.regex.search(collapsed)):
            return Verdict(p.id, p.reason, p.credit)
    return None


def _overrides_for(rules: Rules, source_id: str | None,
                   publisher: str | None) -> list[Override]:
    """The overrides that apply: the source's first, then the publisher's."""
    out = []
    if source_id and source_id in rules.sources:
        out.append(rules.sources[source_id])
    if publisher and publisher.removeprefix("www.") in rules.publishers:
        out.append(rules.publishers[publisher.removeprefix("www.")])
    return out


def find_repeated(lines: Sequence[Line], rules: Rules) -> set[int]:
    """Indexes of sentence-length lines whose text occurs more than once on the page."""
    counts = Counter(x.key for x in lines)
    return {i for i, x in enumerate(lines)
            if counts[x.key] > 1 and x.words >= rules.thresholds.sentence_words}


def find_region(weights: Sequence[float]) -> tuple[int, int]:
    """The run [start, end) with the largest sum of weights (empty when none is positive)."""
    best, best_span = 0.0, (0, 0)
    run, start = 0.0, 0
    for i, w in enumerate(weights):
        if run <= 0:
            run, start = 0.0, i
        run += w
        if run > best:
            best, best_span = run, (start, i + 1)
    return best_span


def line_weight(line: Line, verdict: Verdict | None, rules: Rules, stops: bool) -> float:
    """What a line contributes to the article region: prose earns words, the rest costs."""
    t = rules.thresholds
    if verdict is not None and verdict.rule:
        return -t.chrome_penalty
    if verdict is KEEP or is_prose(line, rules, stops):
        return min(float(line.words), t.max_word_weight)
    if line.terminal and line.words >= 2 and line.chrome_share == 0:
        return 0.5
    return -t.chrome_penalty


def find_headline(lines: Sequence[Line], verdicts: Sequence[Verdict | None], start: int,
                  rules: Rules, stops: bool) -> int | None:
    """Index of the line nearest above the article that reads as a headline, if any."""
    t = rules.thresholds
    seen = 0
    for i in range(start - 1, -1, -1):
        seen += 1
        if seen > t.headline_window:
            break
        line = lines[i]
        if verdicts[i] is not None:
            continue
        if not t.headline_min_words <= line.words <= t.headline_max_words:
            continue
        if line.text.rstrip(_CLOSERS)[-1:] in ".:;" or line.chrome_share >= 0.5:
            continue
        return i
    return None


def judge_outside(line: Line, index: int, headline: int | None) -> Verdict:
    """A line outside the article region: a section label, navigation, or other chrome."""
    if headline is not None and 0 < headline - index <= 4 and line.words <= 3:
        return Verdict("section-label", _REASONS["section-label"])
    if line.words < 8 and not line.terminal:
        return Verdict("navigation", _REASONS["navigation"])
    return Verdict("outside-article", _REASONS["outside-article"])


def judge_inside(line: Line, rules: Rules, stops: bool) -> Verdict:
    """A line inside the article region: prose stays; a short line stays unless it is chrome."""
    if is_prose(line, rules, stops):
        return KEEP
    if line.words <= 4 and line.chrome_share >= 0.5:
        return Verdict("widget", _REASONS["widget"])
    return KEEP


def role_of(line: Line, rules: Rules) -> str:
    """'subheading' for a short kept line without end punctuation, else 'paragraph'."""
    if line.words < rules.thresholds.prose_words and not line.terminal:
        return "subheading"
    return "paragraph"


# ----------------------------------------------------------------- the whole page


def clean_text(raw: str, rules: Rules, *, kind: str = "text", source_id: str | None = None,
               publisher: str | None = None, headline: str | None = None) -> Cleaned:
    """Split a page into article blocks and removed lines.

    kind 'text': `raw` is the page as plain text; kind 'html': `raw` is the HTML markup, whose
    article is extracted first (see `clean_html`).
    """
    if kind == "html":
        return clean_html(raw, rules, source_id=source_id, publisher=publisher,
                          headline=headline)
    return judge_lines(raw, rules, whole_page=True, source_id=source_id, publisher=publisher,
                       headline=headline)


def judge_lines(raw: str, rules: Rules, *, whole_page: bool, source_id: str | None = None,
                publisher: str | None = None, headline: str | None = None) -> Cleaned:
    """Judge every line of `raw`; the heart of the stripper.

    whole_page False means `raw` is text already extracted from HTML: it is taken to be the
    article region as a whole, so only the patterns, overrides and the judgement of short
    lines apply (no region search, no repeated-line rule, no guessing of the headline).
    """
    lines = [measure(no, text, rules) for no, text in split_lines(raw)]
    stops = page_uses_stop_words(lines, rules)
    overrides = _overrides_for(rules, source_id, publisher)
    verdicts: list[Verdict | None] = [None] * len(lines)

    # known headline, overrides, patterns
    wanted = _fold(headline) if headline else None
    head_index: int | None = None
    for i, line in enumerate(lines):
        if wanted is not None and head_index is None and line.key == wanted:
            head_index = i
            verdicts[i] = Verdict("headline", _REASONS["headline"])
            continue
        if any(_collapse(line.text) in o.keep for o in overrides):
            verdicts[i] = KEEP
            continue
        for group in [o.remove for o in overrides] + [rules.patterns]:
            hit = _match(line, group, rules, inside=not whole_page)
            if hit is not None:
                verdicts[i] = hit
                break
    for i in find_repeated(lines, rules) if whole_page else ():
        if verdicts[i] is None:
            verdicts[i] = Verdict("repeated", _REASONS["repeated"])

    # the article region
    if not whole_page:
        start, end = 0, len(lines)
    else:
        weights = [line_weight(x, v, rules, stops) for x, v in zip(lines, verdicts, strict=True)]
        start, end = find_region(weights)
        if start == end:
            start, end = 0, len(lines)
    if whole_page and headline is None:
        head_index = find_headline(lines, verdicts, start, rules, stops)
        if head_index is not None:
            verdicts[head_index] = Verdict("headline", _REASONS["headline"])

    # edge patterns, then position
    for i, line in enumerate(lines):
        if verdicts[i] is not None:
            continue
        inside = start <= i < end
        hit = _match(line, [p for p in rules.patterns if p.when == "edge"], rules, inside)
        if hit is not None:
            verdicts[i] = hit
        elif inside:
            verdicts[i] = judge_inside(line, rules, stops)
        else:
            verdicts[i] = judge_outside(line, i, head_index)

    return _assemble(lines, verdicts, rules, head_index)


def _assemble(lines: Sequence[Line], verdicts: Sequence[Verdict | None], rules: Rules,
              head_index: int | None) -> Cleaned:
    """Turn the per-line verdicts into a Cleaned record."""
    blocks: list[Block] = []
    removed: list[Removed] = []
    credits: list[str] = []
    for line, verdict in zip(lines, verdicts, strict=True):
        assert verdict is not None
        if not verdict.rule:
            blocks.append(Block(line.no, line.text, role_of(line, rules)))
            continue
        removed.append(Removed(line.no, line.text, verdict.rule, verdict.reason))
        if verdict.credit:
            credits.append(line.text)
    return Cleaned(
        headline=lines[head_index].text if head_index is not None else None,
        blocks=tuple(blocks),
        removed=tuple(removed),
        credits=tuple(credits),
    )


def clean_file(path: Path, rules: Rules, *, source_id: str | None = None,
               publisher: str | None = None, headline: str | None = None) -> Cleaned:
    """Clean one saved article: .html/.htm is extracted first, anything else read as text."""
    kind = seed_kind(path)
    raw = path.read_bytes().decode("utf-8", errors="replace" if kind == "html" else "strict")
    return clean_text(raw, rules, kind=kind, source_id=source_id, publisher=publisher,
                      headline=headline)


def clean_html(markup: str, rules: Rules, *, source_id: str | None = None,
               publisher: str | None = None, headline: str | None = None) -> Cleaned:
    """Clean an HTML page: trafilatura's article text, judged by the same line rules.

    The precise extraction is used unless it kept much less than the default one. When the
    article region that the generic line rules find in the whole page's text is much larger
    than trafilatura's extraction, trafilatura missed part of the article, and that region is
    used instead. Block line numbers refer to the text that was used.
    """
    from dossier.extract import extract_article  # lazy: trafilatura is slow to import

    t = rules.thresholds
    found = extract_article(markup)
    options: dict[str, Any] = {"source_id": source_id, "publisher": publisher,
                               "headline": headline}
    chosen = found.precise
    if _count_words(found.precise) < t.html_fallback_share * _count_words(found.default):
        chosen = found.default
    whole = judge_lines(found.page, rules, whole_page=True, **options)
    if not chosen.strip() or (
            _count_words(whole.text) > t.html_recover_ratio * _count_words(chosen)):
        return replace(whole, input_kind="html")
    options["headline"] = headline or found.title
    return replace(judge_lines(chosen, rules, whole_page=False, **options), input_kind="html")


def _count_words(text: str) -> int:
    """Number of word tokens in `text`."""
    return len(_WORD.findall(text))


# ----------------------------------------------------------------- explaining


def explain_lines(cleaned: Cleaned) -> list[str]:
    """A human-readable account: the headline, then every non-blank line, kept or removed."""
    out = [f"headline: {cleaned.headline}" if cleaned.headline else "headline: (none found)"]
    rows: list[tuple[int, str]] = []
    for b in cleaned.blocks:
        tag = "[subheading] " if b.role == "subheading" else ""
        rows.append((b.line, f"{b.line:4d} kept      {tag}{b.text}"))
    for r in cleaned.removed:
        rows.append((r.line, f"{r.line:4d} removed   [{r.rule}] {r.text} — {r.reason}"))
    out.extend(text for _, text in sorted(rows))
    if cleaned.credits:
        out.append("credits: " + " | ".join(cleaned.credits))
    return out
