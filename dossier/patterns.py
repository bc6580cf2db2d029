"""User regular expressions (content/boilerplate.yaml), compiled with RE2 so none can hang a build.

Python's `re` backtracks: `^(a+)+$` against a long line of a's ending in 'b' takes exponential
time, and `a{4294967296}` or a few hundred nested groups raise instead of giving a message.
Google's RE2 (the `google-re2` package, module `re2`) matches in time linear in the line, and
refuses what it cannot do that way. `compile_pattern` translates a pattern written in Python's
syntax to RE2's, compiles it, and raises `PatternError` with a message a person can act on.

What is refused (Python accepts it, RE2 cannot match it in linear time, or it would silently
mean something else):
- look-ahead and look-behind `(?=` `(?!` `(?<=` `(?<!`, back-references `\\1` `(?P=name)`,
  conditional groups `(?(1)...)`, atomic groups `(?>...)` and possessive quantifiers `*+` ...;
- counted repetitions above 1000 (`a{1001}`; RE2 also multiplies nested counts), groups nested
  more than 100 deep, and patterns whose compiled form needs more than RE2's 8 MiB;
- inline flags other than `i`, `m` and `s` (`(?x)` verbose, `(?a)` ASCII, `(?L)`, `(?u)`);
- `\\W` or `\\S` inside a character class together with other items (`[\\W_]`, `[\\s\\S]`):
  RE2 cannot say "not a word character, or ..." in one class; write an alternation such as
  `(?:\\W|_)` or, for any character, `(?s:.)`.

What is translated, so that a pattern means what it means in Python:
- `\\w \\W \\d \\D \\s \\S`, outside and inside character classes, keep Python's Unicode meaning
  (RE2's own are ASCII-only): `\\w` is `[\\p{L}\\p{N}_]`, `\\d` is `\\p{Nd}`, `\\s` is
  `[\\t-\\r\\x{1c}-\\x{1f}\\x{85}\\p{Z}]` (exactly `str.isspace`); their capitals the complements.
  They agree with Python on every code point Python's Unicode tables assign; RE2's tables are
  newer, so letters and digits added to Unicode since then count too;
- `\\Z` is RE2's `\\z`; `\\uXXXX`, `\\UXXXXXXXX`, `\\N{NAME}`, `\\xhh` and octal escapes become
  `\\x{...}`; `{,n}` becomes `{0,n}` (RE2 reads `{,n}` as text); a `[` inside a class is a plain
  character, as in Python (RE2 would read `[[:alpha:]]` as a POSIX class); `(?#...)` comments
  are dropped.

What differs and is not translated:
- `\\b` and `\\B` stay ASCII in RE2: a word boundary is found only between an ASCII letter, digit
  or underscore and anything else. `\\bcafé\\b` does not match "cafés" in Python but does in
  RE2 (é is not an ASCII word character), and `\\bnaïve` matches inside "xnaïve" in neither.
  RE2 has no look-around to emulate Python's Unicode boundary; prefer `(^|\\W)word(\\W|$)`
  where a boundary next to a non-ASCII letter matters;
- `$` matches only at the very end of the text (Python's also before a final line break; a
  line of a page never contains one), and case-insensitive matching uses Unicode simple case
  folding (Python's differs for a handful of special letters such as 'ß' and 'İ');
- RE2 extensions are accepted as RE2 reads them: `\\p{Greek}`, `\\pL`, `\\z`, `(?<name>...)`.

Compiled patterns pickle (they are compiled again from their source on unpickling), so rules
can be handed to worker processes. `Regex.search` answers only whether a pattern matches.
"""

from __future__ import annotations

import re
import string
import unicodedata

import re2
from re2 import _re2  # RE2 itself, under the re2 module's Python layer; see Regex

_UNANCHORED = _re2.RE2.Anchor.UNANCHORED

MAX_REPEAT = 1000
"""RE2's largest repetition count (nested counts multiply: (a{100}){100} is too large too)."""
MAX_DEPTH = 100
"""How deeply groups may nest."""

_WORD = r"\p{L}\p{N}_"
_DIGIT = r"\p{Nd}"
_SPACE = r"\t-\r\x{1c}-\x{1f}\x{85}\p{Z}"
_CLASS = {"w": _WORD, "d": _DIGIT, "s": _SPACE}
"""The class bodies that give \\w \\d \\s their Python (Unicode) meaning in RE2."""

_COUNT = re.compile(r"\{([0-9]*)(?:(,)([0-9]*))?\}")
_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_PUNCTUATION = set(string.punctuation) | {" "}
_LOOKAROUND = {"(?=": "look-ahead", "(?!": "negative look-ahead", "(?<=": "look-behind",
               "(?<!": "negative look-behind"}

NOT_LINEAR = ("RE2 does not support look-ahead/look-behind or back-references (they can take "
              "exponential time); rewrite the pattern without them")
TOO_MANY_WHY = (f"RE2 allows at most {MAX_REPEAT} (counts of nested repetitions multiply); "
                "use a smaller count, or + or *")
TOO_MANY = f"repetition count too large: {TOO_MANY_WHY}"
TOO_LARGE = ("pattern too large or too deeply nested for RE2; simplify it or split it into "
             "several patterns")


class PatternError(ValueError):
    """A user pattern that cannot be used; the message says why and what to do."""


class Regex:
    """A pattern compiled with RE2, with the part of `re.Pattern`'s interface the rules use.

    It calls the extension module `re2._re2` directly, as the `re2` module's own `_Regexp`
    does: `re2.compile(...).search` also works out every group and the match's offsets in
    characters (a generator, two offset tables and a match object per call), which makes the
    search of a line about twice as costly, and the stripper searches every line with every
    pattern. `never_capture` lets RE2 answer from its DFA alone.
    """

    __slots__ = ("source", "ignore_case", "_match")

    def __init__(self, source: str, ignore_case: bool) -> None:
        options = re2.Options()
        options.case_sensitive = not ignore_case
        options.never_capture = True  # only whether it matches counts: the fastest search
        options.log_errors = False  # the error goes into PatternError, not to stderr
        try:
            compiled = _re2.RE2(translate(source).encode("utf-8"), options)
        except UnicodeEncodeError:
            raise PatternError("the pattern contains a lone surrogate code point, which is "
                               "not a character; remove it") from None
        if not compiled.ok():
            raise PatternError(_explain(compiled.error(), source))
        self._match = compiled.Match
        self.source = source
        """The pattern as written (Python syntax)."""
        self.ignore_case = ignore_case

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in `text` (as `re.Pattern.search` would
        find a match); where it matches is not needed by the rules, and not worked out."""
        data = text.encode("utf-8", "surrogatepass")
        return self._match(_UNANCHORED, data, 0, len(data))[0][0] >= 0

    def __reduce__(self) -> tuple[object, tuple[str, bool]]:
        return compile_pattern, (self.source, self.ignore_case)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Regex):
            return NotImplemented
        return (self.source, self.ignore_case) == (other.source, other.ignore_case)

    def __hash__(self) -> int:
        return hash((self.source, self.ignore_case))

    def __repr__(self) -> str:
        return f"compile_pattern({self.source!r}, ignore_case={self.ignore_case})"


def compile_pattern(source: str, ignore_case: bool) -> Regex:
    """Compile a pattern in Python's syntax with RE2; PatternError says what is wrong."""
    return Regex(source, ignore_case)


def _explain(error: bytes | str, source: str) -> str:
    """RE2's error text in words a person can act on."""
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else error
    what, _, arg = text.partition(": ")
    if what == "invalid repetition size":
        return TOO_MANY
    if what.startswith("pattern too large") or "nest" in what:
        return TOO_LARGE
    problem, advice = _RE2_ERRORS.get(what, (what, "fix the pattern"))
    if arg and arg in source and arg != source:  # the piece is the user's, not a translation
        problem += f" ('{arg}')"
    return f"{problem}; {advice}"


_RE2_ERRORS = {
    "missing )": ("a group '(' is never closed", "add the ')' or write \\( for the character"),
    "unexpected )": ("a ')' closes no group", "remove it or write \\) for the character"),
    "missing ]": ("a character class '[' is never closed", "add the ']'"),
    "no argument for repetition operator": ("a repetition (*, +, ?, {n}) follows nothing",
                                            "write \\*, \\+ or \\? for the character"),
    "bad repetition operator": ("two repetitions follow each other", "remove one"),
    "invalid character class range": ("a range in [...] runs backwards",
                                      "write it from low to high, as a-z"),
    "invalid named capture group": ("a group name is not valid",
                                    "use letters, digits and _ only"),
    "invalid perl operator": ("RE2 does not know this (?...) construct",
                              "see https://github.com/google/re2/wiki/Syntax"),
}
"""RE2's error texts (re2.h) in words that say what is wrong."""


# ----------------------------------------------------------------- translation


def translate(source: str) -> str:
    """The pattern in RE2's syntax with Python's meaning (see the module docstring)."""
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            text, i = _escape(source, i)
        elif c == "[":
            text, i = _char_class(source, i)
        elif c == "(":
            text, i, opened = _group(source, i)
            depth += opened
            if depth > MAX_DEPTH:
                raise PatternError(f"pattern too large or too deeply nested (groups nest more "
                                   f"than {MAX_DEPTH} deep); simplify it or split it into "
                                   "several patterns")
        elif c == ")":
            depth = max(0, depth - 1)
            text, i = c, i + 1
        elif c == "{":
            text, i = _braces(source, i)
        else:
            text, i = c, i + 1
        out.append(text)
        if c in "*+?" or (c == "{" and text != r"\{"):
            i = _after_quantifier(source, i, out)
    return "".join(out)


def _after_quantifier(source: str, i: int, out: list[str]) -> int:
    """Copy a lazy '?' after a quantifier; refuse a possessive '+'."""
    if source.startswith("?", i):
        out.append("?")
        i += 1
    if source.startswith("+", i):
        raise PatternError("possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported by "
                           "RE2 (nor needed: it never backtracks); write the pattern without "
                           "them")
    return i


def _group(source: str, i: int) -> tuple[str, int, int]:
    """An opening '(' or '(?...' construct: (RE2 text, next index, groups opened)."""
    if not source.startswith("(?", i):
        return "(", i + 1, 1
    for start, name in _LOOKAROUND.items():
        if source.startswith(start, i):
            raise PatternError(f"the {name} '{start}...)' is not supported: {NOT_LINEAR}")
    rest = source[i + 2:i + 3]
    if source.startswith("(?P=", i):
        end = source.find(")", i)
        ref = source[i:end + 1] if end >= 0 else source[i:i + 4]
        raise PatternError(f"the back-reference '{ref}' is not supported: {NOT_LINEAR}")
    if rest == ">":
        raise PatternError("atomic groups (?>...) are not supported by RE2 (nor needed: it "
                           "never backtracks); write the pattern without them")
    if rest == "(":
        raise PatternError("conditional groups (?(...)...) are not supported by RE2; rewrite "
                           "the pattern without them")
    if rest == "#":
        end = source.find(")", i)
        if end < 0:
            raise PatternError("the comment (?#... is never closed; end it with )")
        return "", end + 1, 0
    if rest in (":", "P", "<"):
        return "(?", i + 2, 1
    flags = _FLAGS.match(source, i)
    if flags is None:
        return "(?", i + 2, 1  # RE2 names the problem
    for flag in (flags.group(1) or "") + (flags.group(2) or ""):
        if flag not in "ims":
            raise PatternError(f"the flag '{flag}' in '{flags.group(0)}' is not supported by "
                               "RE2, which knows only i, m and s; remove it")
    return flags.group(0), flags.end(), 1 if flags.group(3) == ":" else 0


def _braces(source: str, i: int) -> tuple[str, int]:
    """A '{' : a counted repetition in Python's syntax, or a plain brace."""
    count = _COUNT.match(source, i)
    if count is None or (not count.group(1) and not count.group(2)):
        return r"\{", i + 1  # '{}' and '{x' are text in Python
    low = int(count.group(1) or "0")
    high = low if not count.group(2) else (int(count.group(3)) if count.group(3) else None)
    if low > MAX_REPEAT or (high is not None and high > MAX_REPEAT):
        raise PatternError(f"repetition count too large in '{count.group(0)}': {TOO_MANY_WHY}")
    if high is not None and high < low:
        raise PatternError(f"the repetition {count.group(0)} has its minimum above its "
                           "maximum; swap them")
    if not count.group(2):
        return f"{{{low}}}", count.end()
    return f"{{{low},{'' if high is None else high}}}", count.end()


def _char(code: int) -> str:
    """One character as an RE2 escape that means the same in and outside classes."""
    return f"\\x{{{code:x}}}"


def _literal(c: str) -> str:
    """An escaped literal character (`\\.`, `\\é`) in RE2's syntax."""
    return "\\" + c if c in _PUNCTUATION else _char(ord(c))


def _hex(source: str, i: int, digits: int, escape: str) -> tuple[str, int]:
    """The character of `digits` hex digits after `i` (\\xhh, \\uXXXX, \\UXXXXXXXX)."""
    text = source[i:i + digits]
    if len(text) != digits or not all(d in string.hexdigits for d in text):
        raise PatternError(f"incomplete escape \\{escape}{text}; write exactly {digits} hex "
                           f"digits after \\{escape}")
    if int(text, 16) > 0x10FFFF:
        raise PatternError(f"the escape \\{escape}{text} is beyond the last Unicode character")
    return _char(int(text, 16)), i + digits


def _octal(source: str, i: int, most: int) -> tuple[str, int]:
    """The character of up to `most` octal digits from `i`."""
    end = i
    while end < len(source) and end - i < most and source[end] in "01234567":
        end += 1
    value = int(source[i:end], 8)
    if value > 0o377:
        raise PatternError(f"the octal escape \\{source[i:end]} is above \\377; write the "
                           "character as \\x{...}")
    return _char(value), end


def _escape(source: str, i: int, in_class: bool = False) -> tuple[str, int]:
    """A backslash escape at `i`: (RE2 text, next index)."""
    if i + 1 >= len(source):
        raise PatternError("the pattern ends with a lone backslash; write \\\\ for a backslash")
    c = source[i + 1]
    nxt = i + 2
    if c.lower() in _CLASS:
        body = _CLASS[c.lower()]
        if in_class:  # \W and \S become their complement in _join_class
            return (r"\P{Nd}" if c == "D" else body), nxt
        return f"[{'^' if c.isupper() else ''}{body}]", nxt
    if c in "bBAZ" and in_class:
        if c == "b":
            return _char(8), nxt  # [\b] is a backspace in Python
        raise PatternError(f"\\{c} cannot stand inside a character class [...]; move it out")
    if c in "bBA":
        return "\\" + c, nxt
    if c == "Z":
        return r"\z", nxt
    if c in "afnrtv":
        return "\\" + c, nxt
    if c == "x":
        return _hex(source, nxt, 2, "x")
    if c == "u":
        return _hex(source, nxt, 4, "u")
    if c == "U":
        return _hex(source, nxt, 8, "U")
    if c == "N":
        return _named(source, i)
    if c in "pP":
        end = source.find("}", nxt) + 1 if source.startswith("{", nxt) else nxt + 1
        return source[i:end or len(source)], end or len(source)
    if c.isascii() and c.isdigit():
        return _number(source, i, in_class)
    if c.isascii() and c.isalpha():
        raise PatternError(f"unknown escape \\{c}; remove the backslash, or write \\\\{c} for "
                           "a backslash and the letter")
    return _literal(c), nxt


def _named(source: str, i: int) -> tuple[str, int]:
    """\\N{NAME}: the named Unicode character."""
    end = source.find("}", i)
    if not source.startswith("{", i + 2) or end < 0:
        raise PatternError("\\N needs a character name in braces, as in \\N{EM DASH}")
    name = source[i + 3:end]
    try:
        return _char(ord(unicodedata.lookup(name))), end + 1
    except KeyError:
        raise PatternError(f"unknown character name \\N{{{name}}}") from None


def _number(source: str, i: int, in_class: bool) -> tuple[str, int]:
    """\\0, \\12, \\123 ...: an octal character or (outside classes) a back-reference."""
    digits = source[i + 1:i + 4]
    if digits[0] == "0":
        return _octal(source, i + 1, 3)
    if len(digits) == 3 and all(d in "01234567" for d in digits):
        return _octal(source, i + 1, 3)
    if in_class and digits[0] in "01234567":
        return _octal(source, i + 1, 3)
    if in_class:
        raise PatternError(f"unknown escape \\{digits[0]} in a character class; remove the "
                           "backslash")
    ref = "\\" + digits[0] + (digits[1] if digits[1:2].isdigit() else "")
    raise PatternError(f"the back-reference '{ref}' is not supported: {NOT_LINEAR}")


def _char_class(source: str, i: int) -> tuple[str, int]:
    """A character class starting at '[': (RE2 text, index after its ']'), read as Python
    reads it: a ']' right after '[' or '[^' is a character, and so is a '-' first or last."""
    start = i
    i += 1
    negated = source.startswith("^", i)
    i += negated
    items: list[str] = []
    complements: list[str] = []
    while True:
        if i >= len(source):
            raise PatternError(f"the character class starting '{source[start:start + 10]}' is "
                               "never closed; end it with ]")
        if source[i] == "]" and items:
            return _join_class(items, complements, negated), i + 1
        atom = i
        first, i, short = _class_atom(source, i)
        if source.startswith("-", i) and not source.startswith("-]", i) and i + 1 < len(source):
            last, end, short_last = _class_atom(source, i + 1)
            if short or short_last:
                raise PatternError(f"bad character range '{source[atom:end]}': a class such "
                                   "as \\w cannot end a range; put the - first or last")
            items.append(f"{first}-{last}")
            i = end
            continue
        if short in ("W", "S"):
            complements.append("\\" + short)
        items.append(first)


def _class_atom(source: str, i: int) -> tuple[str, int, str]:
    """One character (or class shorthand) inside [...]: (RE2 text, next index, the shorthand
    letter or '')."""
    c = source[i]
    if c == "\\":
        text, end = _escape(source, i, in_class=True)
        letter = source[i + 1]
        return text, end, letter if letter in "dDwWsS" else ""
    return (_literal(c) if c in _PUNCTUATION else c), i + 1, ""


def _join_class(items: list[str], complements: list[str], negated: bool) -> str:
    """The RE2 class of `items`; \\W or \\S can only be the class's one item."""
    if not complements:
        return f"[{'^' if negated else ''}{''.join(items)}]"
    if len(items) == 1:
        return f"[{'' if negated else '^'}{items[0]}]"
    raise PatternError(f"{complements[0]} cannot be combined with other characters inside "
                       f"[...] for RE2; write an alternation such as (?:{complements[0]}|[...]) "
                       "instead (or (?s:.) for any character)")
