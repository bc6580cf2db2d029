"""Writing annotations: the one module that changes files under content/.

Used by the preview's annotation tools (dossier/annotate.py) and by `check --fix`. Every edit:

1. reads the file as it is on disk and parses it with ruamel.yaml in round-trip mode, which
   gives the line and column of every entry (`YamlFile`);
2. splices whole lines into, out of or over that text: the new entry is written in the file's
   own style (a one-line `{…}` mapping where its neighbours are one-liners, their indent, in
   text order among them), so comments, blank lines and every other line stay byte for byte
   (ruamel's own dump would re-indent entity files, whose nested lists sit deeper than the
   top-level one);
3. parses the result again and checks it against the build's schema, then replaces the file
   atomically (a temporary file in the same folder, fsync, rename), and only if the file on
   disk is still the one that was read (`commit`).

An `Edit` remembers the bytes before and after, so the last write can be undone (`undo`) as
long as nobody changed the file since.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .anchor import Text
from .inputs import read_regular
from .models import Problems
from .yamlio import read_yaml, validate, yaml_value

SCHEMAS = {"content/sources": "source.schema.json", "content/entities": "entities.schema.json"}
"""The folders an edit may write in, and the schema each file there must pass."""
TRIM = " \t\n,;:!?\"'“”‘’«»()[]{}"
"""Characters dropped from both ends of a selection (not '.', which ends 'U.S.')."""


class EditRefused(Exception):
    """An edit that is not made; the message says why and what to do."""


@dataclass(frozen=True)
class NewEntry:
    """An entry to add to a list of a source file, at its place in the text."""

    start: int
    end: int
    fields: dict[str, str | int | bool]
    """The entry's fields, selector first: {quote, occurrence?, entity} or a date's."""
    block: int = -1
    """The paragraph it is in (its entry goes under that paragraph's comment, if any)."""


Anchored = tuple[int, int, int]
"""Where an existing entry is anchored: (start, -end, block)."""


@dataclass(frozen=True)
class Edit:
    """One write of one file: what it held before and after."""

    path: Path
    rel: str
    before: bytes
    after: bytes
    line: int
    """1-based line of the (first) changed line in the new text."""
    what: str
    """What changed, for the terminal: "added mention 'Iran' (iran)"."""
    added: tuple[tuple[int, NewEntry], ...] = ()
    """The entries added, each with its 1-based line in the new text."""


# ----------------------------------------------------------------- selectors


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space and punctuation at its ends."""
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return start, end


def selector(text: Text, start: int, end: int) -> dict[str, str | int | bool]:
    """The smallest selector that finds exactly text[start:end]: the quote alone when it
    occurs once, else the quote and which occurrence it is. (A whole-word selection is always
    told apart by its occurrence, so prefix and suffix are never needed.)"""
    quote = text.value[start:end]
    if not quote.strip():
        raise EditRefused("nothing is selected; select the words of the name")
    if "\n" in quote:
        raise EditRefused("the selection spans two paragraphs; select within one")
    found = text.occurrences(quote)
    if (start, end) not in found:
        raise EditRefused(f"'{quote}' is part of a longer word; select whole words")
    if len(found) == 1:
        return {"quote": quote}
    return {"quote": quote, "occurrence": found.index((start, end)) + 1}


def mention_fields(text: Text, start: int, end: int, entity: str) -> dict[str, str | int | bool]:
    """A new mention's fields in the order the shipped files write them: quote, entity, then
    the rest of the selector."""
    sel = selector(text, start, end)
    return {"quote": sel.pop("quote"), "entity": entity, **sel}


# ----------------------------------------------------------------- the file


@dataclass(frozen=True)
class Item:
    """Where one entry of a YAML list sits: lines first..last (0-based, inclusive)."""

    first: int
    last: int
    lead: str
    """What precedes the entry's first key on its first line: '  - '."""
    flow: bool


class YamlFile:
    """A YAML file as lines, with the positions ruamel.yaml's round-trip parser finds."""

    def __init__(self, path: Path, rel: str) -> None:
        self.path, self.rel = path, rel
        try:
            self.raw = read_regular(path)
            text = self.raw.decode("utf-8")
        except FileNotFoundError:
            self.raw, text = b"", ""
        except (OSError, UnicodeDecodeError) as exc:
            raise EditRefused(f"{rel} cannot be read ({exc}); fix the file first") from None
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"
        try:
            self.data = _parse(path, self.raw, text)
        except YAMLError as exc:
            raise EditRefused(f"{rel} is not valid YAML ({_first_line(exc)}); fix it and "
                              "save, then try again") from None

    def items(self, key: str | None) -> list[Item]:
        """The entries of the list under `key` (None: the file's top-level list)."""
        seq = self.data if key is None else (
            self.data.get(key) if hasattr(self.data, "get") else None)
        if not seq or not hasattr(seq, "lc"):
            return []
        out = []
        for i in range(len(seq)):
            line, col = seq.lc.item(i)
            lead = self.lines[line][:col]
            out.append(Item(line, self._last_line(line, col), lead,
                            hasattr(seq[i], "fa") and seq[i].fa.flow_style()))
        return out

    def _last_line(self, first: int, col: int) -> int:
        """The last line of the entry starting at line `first`: the lines after it that are
        indented deeper than its dash, trailing blank and comment lines left out."""
        dash = col - 2
        last = first
        for n in range(first + 1, len(self.lines)):
            line = self.lines[n]
            bare = line.strip()
            if not bare or bare.startswith("#"):
                continue
            if len(line) - len(line.lstrip(" ")) <= dash:
                break
            last = n
        return last

    def key_line(self, key: str) -> int | None:
        """The 0-based line of a top-level key, if the file has it."""
        if hasattr(self.data, "lc") and hasattr(self.data, "get") and key in self.data:
            return self.data.lc.key(key)[0]
        return None


_PARSED: OrderedDict[Path, tuple[bytes, Any]] = OrderedDict()
"""The last round-trip parse of each recently edited file, with the bytes it was made from:
the parse is most of an edit's time (ruamel.yaml is pure Python), and the preview parses the
file of the page being read ahead of the first write from it (`warm`). Only read, never
changed, by the edits."""
_PARSED_LOCK = threading.Lock()
PARSES_KEPT = 32


def _parse(path: Path, raw: bytes, text: str) -> Any:
    with _PARSED_LOCK:
        kept = _PARSED.get(path)
        if kept is not None and kept[0] == raw:
            _PARSED.move_to_end(path)
            return kept[1]
    data = YAML(typ="rt").load(text)
    with _PARSED_LOCK:
        _PARSED[path] = (raw, data)
        _PARSED.move_to_end(path)
        while len(_PARSED) > PARSES_KEPT:
            _PARSED.popitem(last=False)
    return data


def warm(path: Path, rel: str) -> None:
    """Parse the file now, so that an edit of it soon does not wait for that (nothing happens
    when it cannot be read or parsed: the edit will say why)."""
    try:
        YamlFile(path, rel)
    except EditRefused:
        pass


def entry_lines(fields: dict[str, str | int | bool], lead: str, flow: bool) -> list[str]:
    """An entry written after `lead` ('  - '): one `{…}` line, or a key per line."""
    kept = [(k, _value(v, quoted=k == "value")) for k, v in fields.items()
            if v not in ("", 0, False)]
    if flow:
        return [lead + "{" + ", ".join(f"{k}: {v}" for k, v in kept) + "}\n"]
    pad = " " * len(lead)
    return [(lead if i == 0 else pad) + f"{k}: {v}\n" for i, (k, v) in enumerate(kept)]


def _value(value: str | int | bool, quoted: bool = False) -> str:
    """A scalar as YAML reads it back: true/false for booleans, else yamlio.yaml_value. A
    date's value is always quoted, as ANNOTATING.md writes it ("2015", unquoted, would be a
    number)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return yaml_value(value, quoted)


# ----------------------------------------------------------------- edits of a source file


def add_entries(path: Path, rel: str, key: str, new: list[NewEntry],
                starts: dict[int, Anchored], what: str) -> Edit:
    """Add entries to the list `key` (mentions, dates) of a source file, in text order.
    `starts` maps an existing entry's first line (0-based) to where it is anchored; entries
    not anchored are passed over."""
    f = YamlFile(path, rel)
    items = f.items(key)
    if not items:
        return _new_list(f, key, new, what)
    lead, flow = _style(items)
    inserts: dict[int, list[NewEntry]] = {}
    for entry in sorted(new, key=lambda n: (n.start, -n.end)):
        inserts.setdefault(_place(entry, items, starts, f.lines), []).append(entry)
    lines, added, shift = list(f.lines), [], 0
    for at in sorted(inserts):
        block = []
        for e in inserts[at]:
            added.append((at + shift + len(block) + 1, e))
            block += entry_lines(e.fields, lead, flow)
        lines[at + shift:at + shift] = block
        shift += len(block)
    return _edit(f, lines, added[0][0], what, tuple(added))


def _place(entry: NewEntry, items: list[Item], starts: dict[int, Anchored],
           lines: list[str]) -> int:
    """The line a new entry goes before: just after the last entry that comes before it in
    the text; but when that one is in another paragraph and the next one in the entry's own,
    just before the next one (below the comment, such as '# paragraph 6', that heads it)."""
    at = (entry.start, -entry.end)
    anchored = [it for it in items if it.first in starts]
    before = [it for it in anchored if starts[it.first][:2] <= at]
    if not before:
        return items[0].first
    after = [it for it in anchored if it.first > before[-1].first]
    prev_block = starts[before[-1].first][2]
    if after and entry.block >= 0 and prev_block != entry.block == starts[after[0].first][2]:
        return after[0].first
    offset = _numbering([it for it in anchored if it.first <= before[-1].first], starts, lines)
    if entry.block >= 0 and prev_block != entry.block and offset is not None:
        # a paragraph of its own: under the comment between the two that heads it
        end = after[0].first if after else len(lines)
        heading = re.compile(rf"\s*#\D*\b{entry.block + offset}\b")
        for n in range(before[-1].last + 1, end):
            if heading.match(lines[n]):
                return n + 1
    return before[-1].last + 1


_NUMBERED = re.compile(r"\s*#\D*\b(\d+)\b")


def _numbering(items: list[Item], starts: dict[int, Anchored], lines: list[str]) -> int | None:
    """How the file's comments number paragraphs ('# paragraph 4' over the entries of block
    3: +1), as the last numbered comment above one of `items` does; None if none is."""
    for it in reversed(items):
        above = it.first - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        found = _NUMBERED.match(lines[above]) if above >= 0 else None
        if found:
            return int(found[1]) - starts[it.first][2]
    return None


def _style(items: list[Item]) -> tuple[str, bool]:
    """The lead and flow style the list's entries mostly use."""
    flows = sum(it.flow for it in items)
    pick = next(it for it in items if it.flow == (flows * 2 >= len(items)))
    return pick.lead, pick.flow


def _new_list(f: YamlFile, key: str, new: list[NewEntry], what: str) -> Edit:
    """Start the list `key`: over an empty `key: []` or `key:`, else at the end of the file."""
    lines = list(f.lines)
    entries = sorted(new, key=lambda n: (n.start, -n.end))
    body = [ln for e in entries for ln in entry_lines(e.fields, "  - ", True)]
    at = f.key_line(key)
    if at is not None:
        if f.data.get(key):
            raise EditRefused(f"{f.rel}: '{key}' is not a list; fix it and try again")
        lines[at:at + 1] = [f"{key}:\n", *body]
    else:
        if lines and lines[-1].strip():
            lines.append("\n")
        at = len(lines)
        lines += [f"{key}:\n", *body]
    return _edit(f, lines, at + 2, what, tuple((at + 2 + i, e) for i, e in enumerate(entries)))


def replace_value(path: Path, rel: str, key: str, line: int, field: str, value: str,
                  what: str) -> Edit:
    """Set `field` of the entry of list `key` that starts on `line` (1-based) to `value`."""
    f = YamlFile(path, rel)
    item = _item_at(f, key, line)
    seq = f.data[key]
    index = [it.first for it in f.items(key)].index(item.first)
    entry = dict(seq[index])
    if field not in entry:
        raise EditRefused(f"{rel}:{line} has no {field}; edit it by hand")
    entry[field] = value
    lines = list(f.lines)
    if item.flow and item.first == item.last:
        lines[item.first] = entry_lines(entry, item.lead, True)[0]
    else:
        fl, fc = seq[index].lc.value(field)
        old = str(seq[index][field])
        text = lines[fl]
        if not text[fc:].startswith(old) and not text[fc:].startswith(yaml_value(old)):
            raise EditRefused(f"{rel}:{fl + 1}: the {field} is written in a way this editor "
                              "does not change; edit it by hand")
        written = yaml_value(old) if text[fc:].startswith(yaml_value(old)) else old
        lines[fl] = text[:fc] + yaml_value(value) + text[fc + len(written):]
    return _edit(f, lines, item.first + 1, what)


def remove_entry(path: Path, rel: str, key: str, line: int, what: str) -> Edit:
    """Take out the entry of list `key` that starts on `line` (1-based)."""
    f = YamlFile(path, rel)
    item = _item_at(f, key, line)
    lines = list(f.lines)
    del lines[item.first:item.last + 1]
    return _edit(f, lines, item.first + 1, what)


def _item_at(f: YamlFile, key: str, line: int) -> Item:
    for it in f.items(key):
        if it.first == line - 1:
            return it
    raise EditRefused(f"{f.rel} changed: no entry of {key} starts at line {line} any more; "
                      "reload the page")


# ----------------------------------------------------------------- registry files


def add_entity(path: Path, rel: str, eid: str, name: str, kind: str, source: str,
               quote: str) -> Edit:
    """Append an entity to a registry file, in block style: its id, name and kind, and the
    one thing known of it, that the source names it (cited, as every statement is)."""
    f = YamlFile(path, rel)
    if any(str(item.get("id", "")) == eid for item in (f.data or []) if hasattr(item, "get")):
        raise EditRefused(f"{rel} already has an entity '{eid}'; pick it, or choose another id")
    lines = list(f.lines) or [
        "# yaml-language-server: $schema=../../dossier/schema/entities.schema.json\n"]
    if lines[-1].strip():
        lines.append("\n")
    at = len(lines)
    said = f"Named in the source as “{quote}”."
    lines += [f"- id: {yaml_value(eid)}\n", f"  name: {yaml_value(name)}\n",
              f"  kind: {yaml_value(kind)}\n", "  description:\n",
              f"    - text: {yaml_value(said)}\n", f"      sources: [{yaml_value(source)}]\n"]
    return _edit(f, lines, at + 1, f"added entity '{name}' ({eid}, {kind})")


# ----------------------------------------------------------------- writing


def _edit(f: YamlFile, lines: list[str], line: int, what: str,
          added: tuple[tuple[int, NewEntry], ...] = ()) -> Edit:
    return Edit(f.path, f.rel, f.raw, "".join(lines).encode("utf-8"), line, what, added)


def check(edit: Edit) -> None:
    """Refuse an edit whose result the build would not read (the same loader and schema)."""
    schema = next((s for folder, s in SCHEMAS.items()
                   if edit.rel.startswith(folder + "/") and edit.rel.endswith(".yaml")), None)
    if schema is None:
        raise EditRefused(f"{edit.rel}: this editor writes only content/sources/*.yaml and "
                          "content/entities/*.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / edit.path.name
        probe.write_bytes(edit.after)
        problems = Problems()
        data = read_yaml(probe, edit.rel, problems)
        if not problems.errors and data is not None:
            validate(data, schema, probe, edit.rel, problems)
    if problems.errors:
        raise EditRefused("the edit would make the file invalid, so it was not written: "
                          + "; ".join(p.format().splitlines()[0] for p in problems.errors))


def commit(edit: Edit, checked: bool = False) -> Edit:
    """Write the edit atomically, if the file still holds what the edit was made from
    (`checked`: the caller has just run `check` on it)."""
    if not checked:
        check(edit)
    _replace(edit.path, edit.rel, edit.before, edit.after)
    return edit


def undo(edit: Edit) -> Edit:
    """Put back what the file held before `edit`, if it still holds what `edit` wrote."""
    _replace(edit.path, edit.rel, edit.after, edit.before)
    return Edit(edit.path, edit.rel, edit.after, edit.before, edit.line, f"undid: {edit.what}")


def _replace(path: Path, rel: str, expected: bytes, data: bytes) -> None:
    try:
        now = read_regular(path)
    except FileNotFoundError:
        now = b""
    if now != expected:
        raise EditRefused(f"{rel} changed on disk since it was read; nothing was written. "
                          "Reload the page and try again")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
