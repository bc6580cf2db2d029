"""`dossier check --fix`: write the mentions that `check` finds missing.

Every occurrence of a registered name or variant that no mention covers (check's
unannotated-name finding) becomes a mention, written by dossier/edit.py as the preview's
annotation tools write one: the smallest selector, in text order, the rest of the file
untouched. Left alone: occurrences content/lint-ignore.yaml silences, occurrences inside a
longer mention (check never reports those) and names two entities share, which are listed
for a person to decide.

With `--stubs`, mentions of entity ids the registry lacks get a registry entry each (name
from the quote, the kind given with --kind or asked for at the terminal).
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import edit
from .anchor import mention_key
from .check import Ignore, SeedText, entity_names, read_ignores, unmentioned
from .models import Entity, Kind, Problems, Source
from .text import slugify

Say = Callable[[str], None]


@dataclass
class Plan:
    """What --fix would write: an edit per source file, and what it leaves to a person."""

    edits: list[tuple[edit.Edit, SeedText]] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    """'file:line: 'Assad' is a name of a, b', one per occurrence left alone."""


def anchored_lines(source: Source) -> dict[int, edit.Anchored]:
    """Each mention entry's first line (0-based) -> where it is anchored."""
    at = {m.key: (m.span.start, -m.span.end, m.span.block) for m in source.mentions}
    return {spec.where.line - 1: at[mention_key(spec)] for spec in source.meta.mentions
            if mention_key(spec) in at}


def plan(sources: list[Source], entities: dict[str, Entity], root: Path,
         ignores: list[Ignore]) -> Plan:
    """The mentions to add to each annotated source, and the shared names left alone."""
    out, names = Plan(), entity_names(entities)
    for source in sorted(sources, key=lambda s: s.id):
        if not source.meta.annotated:
            continue
        seed = SeedText(source, root)
        new = []
        for s, e, (_name, ids) in unmentioned(seed, names):
            finding = seed.finding("unannotated-name", s, e, "")
            if any(ign.matches(finding) for ign in ignores):
                continue
            if len(ids) > 1:
                out.shared.append(f"{finding.where.path}:{finding.where.line}: "
                                  f"'{seed.value[s:e]}' is a name of {', '.join(ids)}")
                continue
            new.append(edit.NewEntry(s, e, edit.mention_fields(seed.text, s, e, ids[0]),
                                     seed.text.block_at(s)))
        if new:
            rel = source.meta.where.path
            change = edit.add_entries(root / rel, rel, "mentions", new, anchored_lines(source),
                                      f"added {len(new)} mention(s)")
            out.edits.append((change, seed))
    return out


def diff(change: edit.Edit) -> str:
    """The edit as a unified diff, as `git diff` shows it."""
    return "".join(difflib.unified_diff(
        change.before.decode("utf-8").splitlines(keepends=True),
        change.after.decode("utf-8").splitlines(keepends=True),
        f"a/{change.rel}", f"b/{change.rel}"))


def apply(p: Plan, dry_run: bool, say: Say) -> int:
    """Write (or, dry, show) the plan; return the number of mentions added."""
    added = 0
    for change, seed in p.edits:
        if dry_run:
            say(diff(change).rstrip("\n"))
        else:
            edit.commit(change)
        for line, entry in change.added:
            added += 1
            say(f"{change.rel}:{line}: {'would add' if dry_run else 'added'} "
                f"{entry.fields['quote']!r} ({entry.fields['entity']}): "
                f"{seed.sentence(entry.start, entry.end)}")
    files = len(p.edits)
    say(f"{'Would add' if dry_run else 'Added'} {added} mention(s) to {files} file(s)."
        + ("" if not p.shared else
           f" Left for you to decide, names two entities share ({len(p.shared)}):"))
    for line in p.shared:
        say(f"  {line}")
    return added


# ----------------------------------------------------------------- --stubs


def unknown_ids(sources: list[Source], entities: dict[str, Entity]) -> dict[str, tuple[str, str]]:
    """Entity ids mentions use that the registry lacks -> (the quote most used, a source)."""
    quotes: dict[str, Counter[str]] = {}
    first: dict[str, str] = {}
    for source in sorted(sources, key=lambda s: s.id):
        for spec in source.meta.mentions:
            if spec.entity not in entities:
                quotes.setdefault(spec.entity, Counter())[spec.selector.quote] += 1
                first.setdefault(spec.entity, source.id)
    return {eid: (q.most_common(1)[0][0], first[eid]) for eid, q in sorted(quotes.items())}


def stubs(sources: list[Source], entities: dict[str, Entity], kinds: tuple[Kind, ...],
          root: Path, kind: str | None, dry_run: bool, say: Say,
          ask: Callable[[str], str] | None) -> int:
    """Add a registry entry for each unknown id; the number added, or -1 if refused."""
    missing = unknown_ids(sources, entities)
    if not missing:
        say("Every entity id the mentions use is registered: no stub to add.")
        return 0
    ids = {k.id for k in kinds}
    if kind is not None and kind not in ids:
        say(f"error: --kind {kind}: not a kind of this dossier ({', '.join(sorted(ids))})")
        return -1
    if kind is None and ask is None:
        say(f"error: {len(missing)} unknown entity id(s) ({', '.join(missing)}); say which kind "
            f"they are with --kind ({', '.join(sorted(ids))}), or run this at a terminal to be "
            "asked for each")
        return -1
    for eid, (quote, sid) in missing.items():
        chosen = kind or _ask_kind(eid, quote, ids, ask)
        path, rel = registry_file(root, entities, kinds, chosen)
        change = edit.add_entity(path, rel, eid, quote, chosen, sid, quote)
        if dry_run:
            say(diff(change).rstrip("\n"))
        else:
            edit.commit(change)
        say(f"{rel}:{change.line}: {'would add' if dry_run else 'added'} entity {eid} "
            f"({chosen}, named {quote!r} in {sid}); write its description from the sources")
    return len(missing)


def _ask_kind(eid: str, quote: str, ids: set[str], ask: Callable[[str], str]) -> str:
    while True:
        answer = ask(f"Kind of {eid} ('{quote}') [{', '.join(sorted(ids))}]: ").strip()
        if answer in ids:
            return answer
        print(f"'{answer}' is not one of: {', '.join(sorted(ids))}", file=sys.stderr)


def registry_file(root: Path, entities: dict[str, Entity], kinds: tuple[Kind, ...],
                  kind: str) -> tuple[Path, str]:
    """The registry file entities of `kind` go to: the one holding most of them, else
    content/entities/<kind's folder>.yaml."""
    held = Counter(e.where.path for e in entities.values() if e.kind == kind)
    if held:
        rel = held.most_common(1)[0][0]
    else:
        folder = next(k.folder for k in kinds if k.id == kind)
        rel = f"content/entities/{slugify(folder) or kind}.yaml"
    return root / rel, rel


def stubs_needed(project: Any) -> bool:
    return bool(unknown_ids(project.sources, project.entities))


def run_fix(project: Any, root: Path, problems: Problems, dry_run: bool, with_stubs: bool,
            kind: str | None, say: Say = print, mentions: bool = True) -> int:
    """The command: the exit code (0 done, 1 refused or failed). With `with_stubs`, add the
    registry entries; with `mentions`, the missing mentions."""
    ignores = read_ignores(root, problems)
    if ignores is None:
        return 1
    try:
        if with_stubs and stubs(project.sources, project.entities, project.dossier.kinds, root,
                                kind, dry_run, say, input if sys.stdin.isatty() else None) < 0:
            return 1
        if mentions:
            apply(plan(project.sources, project.entities, root, ignores), dry_run, say)
    except edit.EditRefused as exc:
        say(f"error: {exc}")
        return 1
    return 0
