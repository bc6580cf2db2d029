"""Read YAML so that every value knows the line it came from, and check it against a schema.

PyYAML's SafeLoader (libyaml's C parser when installed, which PyYAML's wheels include) is
extended in three ways:
- mappings and sequences remember where they and each of their items start;
- dates stay strings (`2015-10-15` is an ISO string to us, not a `datetime.date`);
- aliases and duplicate keys are refused (aliases make "billion laughs" bombs possible, and a
  duplicate key silently drops the first value).
"""

from __future__ import annotations

import difflib
import json
import pickle
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema
import yaml

if TYPE_CHECKING:
    import jsonschema

from .inputs import read_regular
from .models import Problems, Where
from .text import CONTROL, editor_lines, editor_position, invisible, safe_text

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


class LocDict(dict):
    """A mapping that remembers its own position and that of each key (1-based line, column)."""

    pos: tuple[int, int] = (0, 0)
    key_pos: dict[str, tuple[int, int]]


class LocList(list):
    """A sequence that remembers its own position and that of each item."""

    pos: tuple[int, int] = (0, 0)
    item_pos: list[tuple[int, int]]


_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when available


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that a dossier file may not use (an alias, a tag, a duplicate key …): the
    message says what to do instead."""


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """SafeLoader that records positions, keeps dates as strings and refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        result = LocDict()
        result.pos = _pos(node)
        result.key_pos = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise Refused(None, None, "a key must be plain text", key_node.start_mark)
            key = str(key)
            if key in result:
                raise Refused(
                    None, None, f"duplicate key '{key}' (the first one would be lost)",
                    key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_pos[key] = _pos(value_node)
        return result

    def construct_sequence(self, node, deep=False):  # type: ignore[no-untyped-def]
        result = LocList(self.construct_object(child, deep=True) for child in node.value)
        result.pos = _pos(node)
        result.item_pos = [_pos(child) for child in node.value]
        return result


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


# Keep ISO dates as strings: drop the timestamp resolver.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}


MAX_DEPTH = 50
"""Deepest nesting of mappings and lists a dossier file may have (PyYAML builds nested
values recursively: thousands of levels would exhaust the stack)."""

FORBIDDEN = re.compile(f"{CONTROL.pattern}|[\u2028\u2029]")
"""Control characters (tab, line feed and carriage return aside) and the characters PyYAML
takes for line breaks where editors do not (U+2028, U+2029; NEL is a control character):
refused in dossier files, so that every line number in a message is the line an editor shows."""


def _refuse_unsafe_events(text: str) -> None:
    """Raise at the first alias (*name), explicit tag (!!python/..., !name) or nesting deeper
    than MAX_DEPTH: aliases make "billion laughs" bombs, tags ask for objects other than text,
    numbers, lists and mappings, and deep nesting exhausts the stack."""
    depth = 0
    for event in yaml.parse(text, Loader=_BASE):
        if isinstance(event, yaml.AliasEvent):
            raise Refused(
                None, None, "YAML aliases (*name) are not allowed in dossier files; "
                "write the value out", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag is not None and not _implicit(event):
            raise Refused(
                None, None, f"YAML tags ({tag}) are not allowed in dossier files; remove the "
                "tag and write the value as plain text, a number, a list or a mapping",
                event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(
                    None, None, f"nested more than {MAX_DEPTH} levels deep; flatten the data",
                    event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _implicit(event: yaml.Event) -> bool:
    """True when a node's tag was worked out by the parser rather than written in the file."""
    if isinstance(event, yaml.ScalarEvent):
        return any(event.implicit)
    return bool(getattr(event, "implicit", False))


def _forbidden_character(text: str, rel: str, problems: Problems) -> bool:
    """Record the first control character of a file at its line and column (as an editor
    counts them); True if there was one."""
    found = FORBIDDEN.search(text)
    if found is None:
        return False
    line, col = editor_position(text, found.start())
    problems.error(Where(rel, line, col), f"the file holds the control character "
                   f"U+{ord(found.group()):04X}; delete it (only tabs and line breaks may "
                   "appear in a dossier file)", _line_of(text, line))
    return True


def _refuse_control_values(data: Any, rel: str, problems: Problems) -> None:
    """Every text value or key holding a control character (written as an escape such as
    "\\x00" in a double-quoted string) is an error at its position."""
    if isinstance(data, LocDict):
        for key, value in data.items():
            where = data.key_pos.get(key, data.pos)
            _control_text(key, where, rel, problems)
            if isinstance(value, str):
                _control_text(value, where, rel, problems)
            else:
                _refuse_control_values(value, rel, problems)
    elif isinstance(data, LocList):
        for item, where in zip(data, data.item_pos, strict=True):
            if isinstance(item, str):
                _control_text(item, where, rel, problems)
            else:
                _refuse_control_values(item, rel, problems)


def _control_text(text: str, where: tuple[int, int], rel: str, problems: Problems) -> None:
    found = FORBIDDEN.search(text)
    if found is not None:
        problems.error(Where(rel, *where), f"the value holds the control character "
                       f"U+{ord(found.group()):04X} ('{safe_text(text[:40])}'); remove it")


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)


def read_yaml(path: Path, rel: str, problems: Problems,
              if_empty: str = "fill it in or delete it") -> Any:
    """Parse a YAML file; on failure record the problem (file, line, column) and return None.
    `if_empty` says what to do with a file that holds nothing."""
    try:
        text = read_regular(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.error(Where(rel), f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
        return None
    except OSError as exc:
        problems.error(Where(rel), f"cannot read the file: {exc.strerror}")
        return None
    known = _PARSED.get(rel)
    if known is not None and known[0] == text:
        return pickle.loads(known[1])  # a fresh copy: callers may change what they get
    if _forbidden_character(text, rel, problems):
        return None
    try:
        _refuse_unsafe_events(text)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, text, rel, problems)
        return None
    except yaml.YAMLError as exc:
        problems.error(Where(rel), f"YAML syntax: {exc}")
        return None
    if data is None:
        problems.error(Where(rel), f"the file is empty (or only comments); {if_empty}")
        return None
    errors = len(problems.errors)
    _refuse_control_values(data, rel, problems)
    if len(problems.errors) != errors:
        return None
    _PARSED[rel] = (text, pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
    return data


_PARSED: dict[str, tuple[str, bytes]] = {}
"""The last good parse of each file, by its name in the project, with the text it came from:
the live preview rebuilds after every edit and re-parses only the files that changed (a copy
out of pickle costs a tenth of a parse). Only files that parsed without a problem are kept."""


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, rel: str, problems: Problems) -> None:
    """A YAML syntax error at the line and column to fix, with that line as written, a caret
    under the column and, for the common causes, what to write instead."""
    lines = editor_lines(text)
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        problems.error(Where(rel), f"YAML syntax: {exc.problem or exc.context or exc}")
        return
    if isinstance(exc, Refused):  # the message says it all; the line, to find the place
        problems.error(Where(rel, mark.line + 1, mark.column + 1), f"YAML syntax: {exc.problem}",
                       _line_of(text, mark.line + 1))
        return
    opener = _UNCLOSED.get(exc.context or "")
    started = exc.context_mark
    if opener and started is not None and started.line < mark.line and (
            "quoted" not in (exc.context or "") or "unexpected" in (exc.problem or "")):
        # the problem shows lines later, but the fix belongs where the value was opened
        line, col = started.line + 1, started.column + 1
        found = ("at the end of the file" if mark.line >= len(lines) else
                 f"found at line {mark.line + 1}, column {mark.column + 1}")
        what = f"{opener[0]} ({found}: {exc.problem}); {opener[1]}"
    else:
        line, col = mark.line + 1, mark.column + 1
        what = exc.problem or ""
        if exc.context:
            at = (f" (started at line {started.line + 1}, column {started.column + 1})"
                  if started and (started.line, started.column) != (mark.line, mark.column)
                  else "")
            what = f"{exc.context}{at}: {what}"
        col, hint = _hint(exc, _raw_line(lines, line), col)
        what += f"; {hint}" if hint else ""
    problems.error(Where(rel, line, col), f"YAML syntax: {what}", _raw_line(lines, line),
                   caret=True)


_UNCLOSED = {
    "while scanning a quoted scalar": (
        "this quotation mark is never closed",
        "close it at the end of the value (inside '…' an apostrophe is written twice: '')"),
    "while parsing a flow mapping": (
        "this '{' is not closed",
        "end the entry with '}' on this line, and put a value holding a comma, a colon or a "
        "bracket in quotes"),
    "while parsing a flow sequence": (
        "this '[' is not closed",
        "end the list with ']' on this line, and put an item holding a comma, a colon or a "
        "bracket in quotes"),
    "while scanning a simple key": (
        "could not find the ':' after this key",
        "write key: value, or check the indentation of this line"),
}
"""Errors PyYAML reports where it gives up, lines after the place that opened the value:
(what is wrong there, what to do)."""

_BLOCK_PROBLEMS = ("mapping values are not allowed", "did not find expected key",
                   "did not find expected '-' indicator", "expected <block end>",
                   "block sequence entries are not allowed", "could not find expected ':'")
_BLOCK_KEY = re.compile(r"(\s*(?:-\s+)*)([^\s#'\"{\[\-?:][^#]*?):[ \t]+(.*?)\s*$")
"""A block mapping line `key: value` (possibly a list item): indentation, key, value."""
_FLOW_KEY = re.compile(r"[{,]\s*([^\s,{}\[\]:#'\"][^,{}\[\]:#]*?):[ \t]+")
_NEXT_FLOW_KEY = re.compile(r"\s*,\s*[^\s,{}\[\]:#'\"][^,{}\[\]:#]*?:[ \t]")


def _hint(exc: yaml.MarkedYAMLError, raw: str, col: int) -> tuple[int, str]:
    """For a syntax error at `col` of the line `raw`: the column to point at and what to do
    ('' when the cause is not one we know)."""
    problem = exc.problem or ""
    if not raw.strip():
        return col, ""
    first = len(raw) - len(raw.lstrip()) + 1
    if "cannot start any token" in problem:
        return col, _token_hint(raw, col)
    if col > 1 and raw[col - 2:col - 1] in ("'", '"') and (
            "expected key" in problem or "expected ','" in problem):
        return col, _requote(raw, col - 2)
    if "expected ','" in problem:
        return col, _flow_value_hint(raw, col)
    if not problem.startswith(_BLOCK_PROBLEMS):
        return col, ""
    key = _BLOCK_KEY.match(raw)
    if problem.startswith("mapping values"):
        if key and col - 1 > key.end(2):  # a second ': ' on the line: inside the value
            return col, ("a value holding ': ' must be in quotes: "
                         + _quoted(key.group(2), key.group(3)))
        col = first  # the line's own key: the line is indented as if it went on the one above
    return (first, "check the indentation of this line") if col == first else (col, "")


def _token_hint(raw: str, col: int) -> str:
    """The hint for a character no YAML value may start with (a tab, @, `, %)."""
    ch = raw[col - 1:col]
    if ch == "\t":
        return "indent with spaces, not tabs"
    key = _BLOCK_KEY.match(raw)
    if key and key.start(3) == col - 1:
        return (f"a value cannot start with {ch}; put it in quotes: "
                f"{_quoted(key.group(2), key.group(3))}")
    return f"a value cannot start with {ch}; put it in quotes"


def _requote(raw: str, close: int) -> str:
    """The hint for a quoted value that ends too early, at raw[close] (an apostrophe inside
    '…', or a quotation mark inside "…")."""
    mark = raw[close]
    opening = [m.end() - 1 for m in re.finditer(r"(?:^|[\s\[{,:])" + re.escape(mark),
                                                 raw[:close])]
    ends = [i for i in range(close + 1, len(raw)) if raw[i] == mark
            and re.match(r"\s*(?:[,}\]#]|$)", raw[i + 1:])]
    why = (f"the {'apostrophe' if mark == chr(39) else 'quotation mark'} before this column "
           "ends the quoted value")
    if not opening or not ends:
        return why + ("; write an apostrophe inside '…' twice ('')" if mark == "'" else
                      "; write a quotation mark inside \"…\" as \\\"")
    inner = raw[opening[-1] + 1:ends[-1]]
    key = re.search(r"([^\s,{}\[\]:#'\"][^,{}\[\]:#]*?):\s*$", raw[:opening[-1]])
    value = f"'{inner}'" if '"' in inner and "'" not in inner else yaml_value(inner, True)
    return why + f"; write {key.group(1) + ': ' if key else ''}{value}"


def _flow_value_hint(raw: str, col: int) -> str:
    """The hint for a value of a one-line {…} mapping that holds a colon or a bracket."""
    keys = [m for m in _FLOW_KEY.finditer(raw) if m.end() <= col - 1]
    if not keys:
        return "put a value holding a colon, a comma or a bracket in quotes"
    start = keys[-1].end()
    after = _NEXT_FLOW_KEY.search(raw, col - 1)
    end = after.start() if after else (raw.rfind("}") if raw.rfind("}") >= col - 1 else len(raw))
    return ("in a {…} mapping, a value holding a colon, a comma or a bracket must be in quotes: "
            + _quoted(keys[-1].group(1), raw[start:end]))


def _quoted(key: str, value: str) -> str:
    """`key: "value"`, to paste."""
    return f"{key.strip()}: {yaml_value(value.strip(), quoted=True)}"


def _raw_line(lines: list[str], line: int) -> str:
    """The 1-based line as written (trailing white space aside), for showing with a caret."""
    return lines[line - 1].rstrip() if 0 < line <= len(lines) else ""


def _line_of(text: str, line: int) -> str:
    lines = editor_lines(text)
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def yaml_value(value: str | int, quoted: bool = False,
               escape: Callable[[str], bool] = invisible) -> str:
    """`value` written so that YAML reads it back as the same value, in a `{…}` mapping or
    after `key: `: plain when that is safe, else in double quotes, with the characters
    `escape` picks (invisible ones by default) as escapes (\\u00ad) so that a reader sees
    them. `quoted` asks for the quotes anyway."""
    if not isinstance(value, str):
        return str(value)
    if not quoted and not any(map(escape, value)) and _plain_reads_back(value):
        return value
    return '"' + "".join(_escape(ch, escape) for ch in value) + '"'


def _plain_reads_back(value: str) -> bool:
    """True if `value` written without quotes reads back as itself."""
    if not value or value != value.strip() or any(map(invisible, value)):
        return False
    written = "{k: " + value + "}"
    try:  # as PyYAML reads it, and as the build's own loader does
        ours = yaml.load(written, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        return yaml.safe_load(written) == {"k": value} == ours
    except yaml.YAMLError:
        return False


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


def _escape(ch: str, escape: Callable[[str], bool]) -> str:
    """One character inside a double-quoted YAML string."""
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch == " " or not (escape(ch) or invisible(ch) or FORBIDDEN.match(ch)):
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else (
        f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def flow_mapping(fields: dict[str, str | int]) -> str:
    """A one-line YAML mapping `{key: value, …}` that reads back as `fields` (empty values
    left out)."""
    return "{" + ", ".join(f"{k}: {yaml_value(v)}" for k, v in fields.items()
                           if v not in ("", 0)) + "}"


def line_text(path: Path, line: int) -> str:
    """The given 1-based line of a file, stripped, for showing under a message."""
    try:
        return _line_of(read_regular(path).decode("utf-8-sig"), line)
    except (OSError, UnicodeDecodeError):
        return ""


def position(data: Any, path: list[str | int]) -> tuple[int, int]:
    """Line and column of the value at `path` inside located data (closest known ancestor)."""
    best = getattr(data, "pos", (0, 0))
    node = data
    for step in path:
        if isinstance(node, LocDict) and step in node:
            best = node.key_pos.get(str(step), best)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and step < len(node):
            best = node.item_pos[step]
            node = node[step]
        else:
            break
    return best


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in dossier/schema/."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    """A checked and compiled validator per schema, built once per process (jsonschema is
    imported only when a file fails the fast check: it takes a tenth of a second)."""
    import jsonschema

    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@cache
def _fast(name: str) -> Callable[[Any], Any]:
    """The same schema compiled to Python code by fastjsonschema: about ten times faster than
    jsonschema on a valid file, which is nearly every file of a build."""
    return fastjsonschema.compile(load_schema(name))


def validate(data: Any, schema_name: str, path: Path, rel: str, problems: Problems) -> bool:
    """Check located data against a schema; record each violation at its line. True if valid.
    A file the fast check passes is valid; any other is checked again by jsonschema, whose
    errors say where and what (every violation, not just the first)."""
    try:
        _fast(schema_name)(data)
        return True
    except fastjsonschema.JsonSchemaValueException:
        pass
    errors = sorted(_validator(schema_name).iter_errors(data),
                    key=lambda e: position(data, list(e.path)))
    for err in errors:
        split = _comma_split(err, path)
        if split:
            problems.error(Where(rel, *split[0]), split[1], split[2], caret=True)
            continue
        line, col = position(data, list(err.absolute_path))
        problems.error(Where(rel, line, col), _message(err), line_text(path, line))
    return not errors


def _comma_split(err: jsonschema.ValidationError, path: Path
                 ) -> tuple[tuple[int, int], str, str] | None:
    """For unknown fields that are the rest of a value cut at an unquoted comma in a one-line
    {…} mapping (`reasoning: March before publication, so 2019.` reads as the field
    reasoning and a field 'so 2019.' without a value): the comma's position, a message that
    says to quote the value, and the line. None for any other violation."""
    data = err.instance
    if err.validator != "additionalProperties" or not isinstance(data, LocDict):
        return None
    keys = list(data)
    extra = [k for k in keys if k not in err.schema.get("properties", {})]
    if not extra:
        return None
    first = keys.index(extra[0])
    run = keys[first:first + len(extra)]
    if first == 0 or run != extra or any(data[k] is not None for k in run):
        return None
    field, value = keys[first - 1], data[keys[first - 1]]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    line, col = data.key_pos[field]
    try:
        raw = _raw_line(editor_lines(read_regular(path).decode("utf-8-sig")), line)
    except (OSError, UnicodeDecodeError):
        return None
    written = re.match(re.escape(str(value)) + "".join(r"\s*,\s*" + re.escape(k) for k in run),
                       raw[col - 1:])
    if written is None:
        return None
    comma = col + raw[col - 1:].index(",", len(str(value)))
    names = ", ".join(f"'{k}'" for k in run)
    return ((line, comma), f"unknown field {names} in {field_path(list(err.absolute_path))}: "
            f"the comma here ends the value of {field} (in a {{…}} mapping a comma separates "
            f"fields); put the value in quotes: {_quoted(field, written.group())}", raw)


JSON_TYPES = {"LocDict": "a mapping", "dict": "a mapping", "LocList": "a list", "list": "a list",
              "str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
              "NoneType": "nothing"}
SCHEMA_TYPES = {"object": "a mapping", "array": "a list", "string": "text",
                "integer": "a whole number", "number": "a number", "boolean": "true or false"}


def field_path(path: list[str | int]) -> str:
    """A path into a file's data as a person reads it: mentions[2].occurrence."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the file"


def _either(err: jsonschema.ValidationError) -> list[str]:
    """The fields of a 'one of these' rule (oneOf of required fields, or not-both), if it is one."""
    if err.validator == "oneOf":
        branches = [b.get("required", []) for b in err.validator_value]
        if all(len(b) == 1 for b in branches):
            return [b[0] for b in branches]
    if err.validator == "not":
        return list(err.validator_value.get("required", []))
    return []


def _message(err: jsonschema.ValidationError) -> str:
    """A schema violation in words a person can act on."""
    where = field_path(list(err.absolute_path))
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        hints = []
        for key in extra:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return (f"unknown field {', '.join(hints)} in {where}; "
                f"allowed fields: {', '.join(allowed)}")
    if err.validator == "required":
        return f"{where}: {err.message}"
    if err.validator in ("oneOf", "not") and isinstance(err.instance, dict):
        choices = _either(err)
        if choices:
            given = [c for c in choices if c in err.instance]
            if len(given) > 1:
                return f"{where}: has both {' and '.join(given)}; keep one"
            return f"{where}: needs one of {' or '.join(choices)}"
    if err.validator == "maxLength":
        return (f"{where}: '{safe_text(err.instance[:40])}'… is too long (at most "
                f"{err.validator_value} characters: file systems refuse longer page names)")
    if err.validator == "enum":
        return f"{where}: {err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "pattern":
        hint = err.schema.get("description", "")
        return f"{where}: {err.instance!r} is not valid" + (f" ({hint})" if hint else "")
    if err.validator == "type":
        found = JSON_TYPES.get(type(err.instance).__name__, type(err.instance).__name__)
        return (f"{where}: expected {SCHEMA_TYPES.get(err.validator_value, err.validator_value)},"
                f" found {found}")
    return f"{where}: {err.message}"
