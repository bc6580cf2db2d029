"""Tests of reading content/boilerplate.yaml (dossier/clean.py) and of user patterns in RE2
(dossier/patterns.py): unsafe YAML and unsafe patterns are refused with file:line:column, and
no input can hang the build or end it in a traceback."""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dossier.clean import Rules, clean_file, explain_lines, load_rules, split_lines
from dossier.models import Problems

REPO = Path(__file__).resolve().parent.parent
SEED = "000_24226ba9ecf00a29.txt"
SUMMARY = "1 error(s), 0 warning(s)"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's inputs whose content/boilerplate.yaml a test replaces."""
    for part in ("seeds", "content", "templates"):
        shutil.copytree(REPO / part, tmp_path / part)
    return tmp_path


def run_clean(root: Path, rules: str, seed: str = SEED) -> subprocess.CompletedProcess[str]:
    """`build.py clean seeds/<seed> --explain --root <root>` with the given rules file, in a
    new process with a timeout, so that a pattern that hangs fails the test instead."""
    (root / "content" / "boilerplate.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "clean", f"seeds/{seed}", "--explain",
         "--root", str(root)],
        cwd=root, capture_output=True, text=True, timeout=60, check=False)


def errors(*problems: tuple[str, str, str]) -> str:
    """The exact text `build.py` prints for (line:column, message, offending line) problems."""
    out = [f"content/boilerplate.yaml:{where}: error: {message}\n    {line}\n"
           for where, message, line in problems]
    return "".join(out) + f"{len(problems)} error(s), 0 warning(s)\n"


# ----------------------------------------------------------------- refused YAML

NOT_LINEAR = ("is not supported: RE2 does not support look-ahead/look-behind or back-references "
              "(they can take exponential time); rewrite the pattern without them")
TAGS = ("are not allowed in dossier files; remove the tag and write the value as plain text, a "
        "number, a list or a mapping")

REFUSED = {
    "python-object-tag": (
        """\
        patterns:
          - id: widget
            regex: '^share$'
            reason: !!python/object/apply:os.system ["echo pwned"]
        """,
        errors(("4:13", "YAML syntax: YAML tags (tag:yaml.org,2002:python/object/apply:os.system) "
                f"{TAGS}", 'reason: !!python/object/apply:os.system ["echo pwned"]'))),
    "custom-tag": (
        """\
        patterns:
          - id: widget
            regex: !foo '^share$'
            reason: A share button.
        """,
        errors(("3:12", f"YAML syntax: YAML tags (!foo) {TAGS}", "regex: !foo '^share$'"))),
    "billion-laughs": (
        """\
        thresholds:
          prose_words: 20
        laughs:
          a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
          b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
          c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
          d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
          e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
          f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
          g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
          h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
          i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
        """,
        errors(("5:10", "YAML syntax: YAML aliases (*name) are not allowed in dossier files; "
                "write the value out", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]"))),
    "duplicate-section": (
        """\
        patterns:
          - id: widget
            regex: '^share$'
            reason: A share button.
        thresholds:
          prose_words: 20
        patterns: []
        """,
        errors(("7:1", "YAML syntax: duplicate key 'patterns' (the first one would be lost)",
                "patterns: []"))),
    "unknown-keys": (
        """\
        thresholds:
          prose_word: 20
        patterns:
          - id: widget
            regex: '^share$'
            reason: A share button.
            wen: short
        """,
        errors(("2:3", "unknown field 'prose_word' (did you mean 'prose_words'?) in thresholds; "
                "allowed fields: chrome_penalty, cjk_chars_per_word, headline_max_words, "
                "headline_min_words, headline_window, html_fallback_share, html_recover_ratio, "
                "max_word_weight, min_stop_share, pattern_max_words, prose_words, "
                "sentence_words, short_words", "prose_word: 20"),
               ("4:5", "unknown field 'wen' (did you mean 'when'?) in patterns[0]; allowed "
                "fields: case, credit, id, reason, regex, text, when", "- id: widget"))),
    "huge-repetition": (
        """\
        patterns:
          - id: widget
            regex: '^a{4294967296}$'
            reason: Too many.
        """,
        errors(("3:12", "patterns[0].regex: bad regular expression: repetition count too large "
                "in '{4294967296}': RE2 allows at most 1000 (counts of nested repetitions "
                "multiply); use a smaller count, or + or *", "regex: '^a{4294967296}$'"))),
    "deep-nesting": (  # 2,000 groups inside one another, folded into lines of 100
        "patterns:\n  - id: widget\n    reason: Too deep.\n    regex: >-\n"
        + "".join(f"      {'(' * 100}\n" for _ in range(20)) + "      a\n"
        + "".join(f"      {')' * 100}\n" for _ in range(20)),
        errors(("4:12", "patterns[0].regex: bad regular expression: pattern too large or too "
                "deeply nested (groups nest more than 100 deep); simplify it or split it into "
                "several patterns", "regex: >-"))),
    "look-ahead": (
        """\
        patterns:
          - id: widget
            regex: '^share(?= this)'
            reason: Looks ahead.
        """,
        errors(("3:12", f"patterns[0].regex: bad regular expression: the look-ahead '(?=...)' "
                f"{NOT_LINEAR}", "regex: '^share(?= this)'"))),
    "back-reference": (
        """\
        sources:
          000_24226ba9ecf00a29:
            remove:
              - id: repeated-word
                regex: '^(\\w+) \\1$'
                reason: Says it twice.
        """,
        errors(("5:16", "sources.000_24226ba9ecf00a29.remove[0].regex: bad regular expression: "
                f"the back-reference '\\1' {NOT_LINEAR}", "regex: '^(\\w+) \\1$'"))),
    "nan-and-infinite-thresholds": (
        """\
        thresholds:
          chrome_penalty: .nan
          max_word_weight: .inf
          min_stop_share: -.inf
        """,
        errors(("2:19", "thresholds.chrome_penalty: .nan is not a finite number; write a number "
                ">= 0 (the default is 6)", "chrome_penalty: .nan"),
               ("3:20", "thresholds.max_word_weight: .inf is not a finite number; write a "
                "number >= 0 (the default is 40)", "max_word_weight: .inf"),
               ("4:19", "thresholds.min_stop_share: -inf is less than the minimum of 0",
                "min_stop_share: -.inf"))),
    "wrong-types": (
        """\
        thresholds:
          prose_words: twenty
          sentence_words: 6.0
        patterns:
          id: widget
          regex: '^share$'
          reason: A share button.
        """,
        errors(("2:16", "thresholds.prose_words: expected a whole number, found text",
                "prose_words: twenty"),
               ("3:19", "thresholds.sentence_words: expected a whole number, found 6.0; write 6",
                "sentence_words: 6.0"),
               ("5:3", "patterns: expected a list, found a mapping", "id: widget"))),
    "empty-file": (
        "# to do\n",
        "content/boilerplate.yaml: error: the file is empty (or only comments); delete it (the "
        "tool's default rules apply), or write the rules you want into it\n"
        f"{SUMMARY}\n"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_rules_are_refused_with_line_and_column(project, case):
    rules, expected = REFUSED[case]
    done = run_clean(project, rules)
    assert (done.returncode, done.stderr, done.stdout) == (1, expected, "")


def test_catastrophic_pattern_completes(project):
    # ^(a+)+$ takes exponential time in a backtracking engine on a's followed by a 'b'.
    a_line = "a" * 100_000 + "b"
    (project / "seeds" / "redos.txt").write_text(f"{a_line}\naaaaaaaaaa\n", encoding="utf-8")
    done = run_clean(project, """\
        patterns:
          - id: catastrophic
            regex: '^(a+)+$'
            reason: Only a's.
        """, seed="redos.txt")
    assert (done.returncode, done.stderr) == (0, "")
    explained = done.stdout.splitlines()
    assert explained[1].startswith("   1 ") and "[catastrophic]" not in explained[1]
    assert explained[2] == "   2 removed   [catastrophic] aaaaaaaaaa — Only a's."


def test_every_bad_entry_is_reported_and_the_rest_used(tmp_path):
    (tmp_path / "content").mkdir()
    path = tmp_path / "content" / "boilerplate.yaml"
    path.write_text(textwrap.dedent("""\
        patterns:
          - id: ahead
            regex: 'x(?!y)'
            reason: Looks ahead.
          - id: Widget
            regex: '(?<=a)b'
            reason: Bad id and looks behind.
          - id: promo
            regex: '^subscribe$'
            reason: Works.
        """), encoding="utf-8")
    problems = Problems()
    rules = load_rules(path, problems, root=tmp_path)
    assert [(p.where.line, p.where.column) for p in problems.errors] == [(3, 12), (5, 9), (6, 12)]
    assert [x.id for x in rules.patterns] == ["promo"]


# ----------------------------------------------------------------- the shipped rules


@pytest.fixture
def shipped(shipped_rules: Rules) -> Rules:
    return shipped_rules


def every_pattern(rules: Rules) -> list:
    overrides = [*rules.publishers.values(), *rules.sources.values()]
    return [*rules.patterns, *(p for o in overrides for p in o.remove)]


def test_shipped_patterns_match_as_python_re_does(shipped):
    lines = {text for seed in sorted((REPO / "seeds").iterdir())
             for _, text in split_lines(seed.read_text(encoding="utf-8"))}
    lines |= {"Share", "Back to top", "Photo: AFP", "By Jane Doe", "by jane doe", "© 2021 Ex",
              "Published: 12 Oct", "Oct. 15, 2015", "5 hours ago", "Tags: Iran, Syria",
              "Newsletter: sign up", "Read more: x", "Home | World | Sport | Business"}
    for pattern in every_pattern(shipped):
        python = re.compile(pattern.regex.source, re.I if pattern.regex.ignore_case else 0)
        for line in sorted(lines):
            assert bool(pattern.regex.search(line)) == bool(python.search(line)), (pattern, line)


def test_rules_survive_pickling(shipped):
    again = pickle.loads(pickle.dumps(shipped))
    assert again == shipped
    assert [p.regex.source for p in every_pattern(again)] == [
        p.regex.source for p in every_pattern(shipped)]
    for seed in sorted((REPO / "seeds").iterdir()):
        sid = seed.stem
        assert (explain_lines(clean_file(seed, again, source_id=sid))
                == explain_lines(clean_file(seed, shipped, source_id=sid)))


# ----------------------------------------------------------------- patterns in RE2


def test_shorthands_keep_pythons_unicode_meaning():
    from dossier.patterns import compile_pattern

    sample = "aZ_09é\u00df\u0416\u4e2d\u0661\u00b2\u2160 \t\u00a0\u2003\u3000\u0301-.,!\u2014"
    for shorthand in ("w", "W", "d", "D", "s", "S"):
        for source in (f"^\\{shorthand}$", f"^[\\{shorthand}]$", f"^[^\\{shorthand}]$"):
            ours = compile_pattern(source, ignore_case=False)
            for c in sample:
                assert bool(ours.search(c)) == bool(re.search(source, c)), (source, c)
    for source in (r"^[\w.-]+$", r"^[^\s,]+$", r"^[\d\D]$", r"^\W+$"):
        ours = compile_pattern(source, ignore_case=True)
        for text in ("é-x.1", "Ж,Ж", "a b", "٣", "—!", ""):
            assert bool(ours.search(text)) == bool(re.search(source, text, re.I)), (source, text)


def test_python_syntax_is_translated_not_misread():
    from dossier.patterns import compile_pattern

    assert compile_pattern(r"^a{,2}$", False).search("aa")  # RE2 alone reads {,2} as text
    assert not compile_pattern(r"^a{,2}$", False).search("a{,2}")
    posix = compile_pattern(r"^[[:alpha:]]+$", False)  # Python: one of "[:alph", then "]"s
    assert [bool(posix.search(t)) for t in ("a]]", "[]", "ab", "b")] == [True, True, False, False]
    with pytest.warns(FutureWarning, match="nested set"):
        python = re.compile(r"^[[:alpha:]]+$")
    assert [bool(python.search(t)) for t in ("a]]", "[]", "ab", "b")] == [True, True, False, False]
    assert compile_pattern(r"caf\u00e9\Z", False).search("café")
    assert compile_pattern(r"^\N{EM DASH}\x41\101$", False).search("—AA")
    assert compile_pattern(r"^(?#a comment)SHARE$", True).search("share")
    assert not compile_pattern(r"^SHARE$", False).search("share")
    assert compile_pattern(r"\bclick\b", True).search("Click here")  # \b is ASCII in RE2


@pytest.mark.parametrize(("source", "message"), [
    (r"[\W_]", r"\W cannot be combined with other characters inside [...] for RE2; write an "
     r"alternation such as (?:\W|[...]) instead (or (?s:.) for any character)"),
    (r"(?x) a", "the flag 'x' in '(?x)' is not supported by RE2, which knows only i, m and s; "
     "remove it"),
    (r"a*+", "possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported by RE2 (nor needed: "
     "it never backtracks); write the pattern without them"),
    (r"(?P<w>a)(?P=w)", f"the back-reference '(?P=w)' {NOT_LINEAR}"),
    (r"(?<!a)b", f"the negative look-behind '(?<!...)' {NOT_LINEAR}"),
    (r"((a{100}){100}){100}", "repetition count too large: RE2 allows at most 1000 (counts of "
     "nested repetitions multiply); use a smaller count, or + or *"),
    (r"^(share$", "a group '(' is never closed; add the ')' or write \\( for the character"),
    (r"[\w-z]", r"bad character range '\w-z': a class such as \w cannot end a range; put the - "
     "first or last"),
    (r"\q", r"unknown escape \q; remove the backslash, or write \\q for a backslash and the "
     "letter"),
])
def test_refused_patterns_say_why(source, message):
    from dossier.patterns import PatternError, compile_pattern

    with pytest.raises(PatternError) as caught:
        compile_pattern(source, ignore_case=True)
    assert str(caught.value) == message
