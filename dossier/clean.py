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

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from dossier.models import Block, Cleaned, Problems, Removed, Where

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
    regex: re.Pattern[str]
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

_WHEN = ("always", "short", "edge")


class _RulesError(Exception):
    """A problem in the rules file at a given YAML node."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


def load_rules(path: Path, problems: Problems, root: Path) -> Rules:
    """Read the boilerplate rules; report every problem to `problems` and never raise.

    A file that cannot be read or parsed gives empty rules (the generic judgement still works);
    a bad entry is reported and skipped, the rest of the file is used.
    """
    rel = _relative(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        problems.error(Where(rel), f"cannot read the boilerplate rules ({exc.strerror}); "
                       "restore content/boilerplate.yaml from version control")
        return Rules()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = getattr(exc, "problem", None) or str(exc)
        problems.error(Where(rel, line, col), f"invalid YAML: {what}; fix the syntax there")
        return Rules()
    finally:
        loader.dispose()
    if node is None:
        return Rules()
    errors: list[_RulesError] = []
    rules = _rules_from_node(node, loader, errors)
    for err in errors:
        mark = err.node.start_mark
        problems.error(Where(rel, mark.line + 1, mark.column + 1), str(err))
    return rules


def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` with POSIX separators (as is when outside the root)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _rules_from_node(node: yaml.Node, loader: yaml.SafeLoader,
                     errors: list[_RulesError]) -> Rules:
    """Build Rules from the document's root node, collecting errors instead of raising."""
    top = _mapping(node, "the rules file", errors)
    known = {"thresholds", "vocabulary", "patterns", "publishers", "sources"}
    for key, value in top.items():
        if key not in known:
            errors.append(_RulesError(value, f"unknown section '{key}'; expected one of "
                                      f"{', '.join(sorted(known))}"))
    thresholds = _thresholds(top.get("thresholds"), loader, errors)
    vocab = _mapping(top["vocabulary"], "vocabulary", errors) if "vocabulary" in top else {}
    return Rules(
        thresholds=thresholds,
        stop_words=_word_list(vocab.get("stop_words"), loader, errors),
        chrome_words=_word_list(vocab.get("chrome_words"), loader, errors),
        patterns=_patterns(top.get("patterns"), loader, errors),
        publishers=_overrides(top.get("publishers"), "publishers", loader, errors),
        sources=_overrides(top.get("sources"), "sources", loader, errors),
    )


def _mapping(node: yaml.Node, what: str, errors: list[_RulesError]) -> dict[str, yaml.Node]:
    """The key -> value nodes of a mapping node; an error (and {}) for anything else."""
    if not isinstance(node, yaml.MappingNode):
        errors.append(_RulesError(node, f"{what} must be a mapping (key: value lines)"))
        return {}
    out: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            errors.append(_RulesError(key, f"keys in {what} must be plain names"))
            continue
        out[str(key.value)] = value
    return out


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    """The Python value of a node (a YAML scalar or a list of scalars)."""
    return loader.construct_object(node, deep=True)


def _thresholds(node: yaml.Node | None, loader: yaml.SafeLoader,
                errors: list[_RulesError]) -> Thresholds:
    """Thresholds from the 'thresholds' mapping; unknown keys and bad numbers are errors."""
    if node is None:
        return Thresholds()
    defaults = Thresholds()
    values: dict[str, Any] = {}
    kinds = {f.name: type(getattr(defaults, f.name)) for f in fields(Thresholds)}
    for key, value in _mapping(node, "thresholds", errors).items():
        if key not in kinds:
            errors.append(_RulesError(value, f"unknown threshold '{key}'; expected one of "
                                      f"{', '.join(kinds)}"))
            continue
        got = _scalar(value, loader)
        if isinstance(got, bool) or not isinstance(got, int | float) or got < 0:
            errors.append(_RulesError(value, f"threshold '{key}' must be a number >= 0"))
            continue
        if kinds[key] is int and not isinstance(got, int):
            errors.append(_RulesError(value, f"threshold '{key}' must be a whole number"))
            continue
        values[key] = kinds[key](got)
    return Thresholds(**values)


def _word_list(node: yaml.Node | None, loader: yaml.SafeLoader,
               errors: list[_RulesError]) -> frozenset[str]:
    """A list of words, folded to lower case."""
    if node is None:
        return frozenset()
    if not isinstance(node, yaml.SequenceNode):
        errors.append(_RulesError(node, "a word list must be a YAML list ([a, b, c])"))
        return frozenset()
    return frozenset(str(_scalar(item, loader)).casefold() for item in node.value)


def _patterns(node: yaml.Node | None, loader: yaml.SafeLoader,
              errors: list[_RulesError]) -> tuple[Pattern, ...]:
    """The list of pattern entries; bad entries are reported and skipped."""
    if node is None:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        errors.append(_RulesError(node, "patterns must be a list of entries (- id: ...)"))
        return ()
    out = []
    for item in node.value:
        try:
            out.append(_pattern(item, loader))
        except _RulesError as err:
            errors.append(err)
    return tuple(out)


def _pattern(node: yaml.Node, loader: yaml.SafeLoader) -> Pattern:
    """One pattern entry: id, regex or text, reason, and the optional credit / case / when."""
    entry: list[_RulesError] = []
    items = _mapping(node, "a pattern entry", entry)
    if entry:
        raise entry[0]
    allowed = {"id", "regex", "text", "reason", "credit", "case", "when"}
    for key, value in items.items():
        if key not in allowed:
            raise _RulesError(value, f"unknown key '{key}' in a pattern entry; expected one "
                              f"of {', '.join(sorted(allowed))}")
    for key in ("id", "reason"):
        if key not in items:
            raise _RulesError(node, f"a pattern entry needs '{key}'")
    if ("regex" in items) == ("text" in items):
        raise _RulesError(node, "a pattern entry needs exactly one of 'regex' or 'text'")
    rule_id = str(_scalar(items["id"], loader))
    if not re.fullmatch(r"[a-z][a-z0-9-]*", rule_id):
        raise _RulesError(items["id"], f"rule id '{rule_id}' must be lower-case letters, "
                          "digits and hyphens")
    when = str(_scalar(items["when"], loader)) if "when" in items else "always"
    if when not in _WHEN:
        raise _RulesError(items["when"], f"'when' must be one of {', '.join(_WHEN)}")
    case = bool(_scalar(items["case"], loader)) if "case" in items else False
    flags = 0 if case else re.IGNORECASE
    if "text" in items:
        source = r"^" + re.escape(_collapse(str(_scalar(items["text"], loader)))) + r"$"
        where = items["text"]
    else:
        source = str(_scalar(items["regex"], loader))
        where = items["regex"]
    try:
        regex = re.compile(source, flags)
    except re.error as exc:
        raise _RulesError(where, f"bad regular expression ({exc}); fix or quote it") from exc
    return Pattern(
        id=rule_id,
        regex=regex,
        reason=str(_scalar(items["reason"], loader)),
        credit=bool(_scalar(items["credit"], loader)) if "credit" in items else False,
        when=when,
    )


def _overrides(node: yaml.Node | None, what: str, loader: yaml.SafeLoader,
               errors: list[_RulesError]) -> dict[str, Override]:
    """Per-publisher or per-source overrides: {key: {remove: [patterns], keep: [lines]}}."""
    if node is None:
        return {}
    out: dict[str, Override] = {}
    for key, value in _mapping(node, what, errors).items():
        items = _mapping(value, f"{what} entry '{key}'", errors)
        for extra, extra_node in items.items():
            if extra not in ("remove", "keep"):
                errors.append(_RulesError(extra_node, f"unknown key '{extra}' under {what} "
                                          f"'{key}'; expected remove or keep"))
        keep: frozenset[str] = frozenset()
        if "keep" in items:
            raw = _scalar(items["keep"], loader)
            if isinstance(raw, list):
                keep = frozenset(_collapse(str(line)) for line in raw)
            else:
                errors.append(_RulesError(items["keep"], "'keep' must be a list of lines"))
        out[key.removeprefix("www.")] = Override(
            remove=_patterns(items.get("remove"), loader, errors), keep=keep)
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
    """(line number, stripped text) of every non-blank line; BOM and '\\r\\n' are harmless."""
    raw = raw.removeprefix("\ufeff")
    out = []
    for no, line in enumerate(raw.splitlines(), start=1):
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
    """The verdict of the first pattern that matches the line, if any."""
    for p in patterns:
        if p.when == "short" and line.words >= rules.thresholds.pattern_max_words:
            continue
        if p.when == "edge" and inside:
            continue
        if p.regex.search(line.text) or p.regex.search(_collapse(line.text)):
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
    kind = "html" if path.suffix.lower() in (".html", ".htm") else "text"
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
