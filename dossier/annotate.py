"""The preview's annotation tools: what `serve` does when a page asks it to write.

    Annotator(root, fresh).handle(op, request) -> (HTTP status, JSON answer)

The page (dossier/preview/annotate.js) sends what the reader selected as a block of the
article and character offsets in it, and the text it saw there; nothing in a request names a
file. The source id must be one of the dossier's sources and the file written is always
content/sources/<that id>.yaml or a registry file in content/entities/, through
dossier/edit.py (the smallest selector, in text order, the rest of the file untouched, the
result checked against the build's schema, written atomically). A request made from a page
older than the files (another build since, a file saved since that build) is refused, so the
page reloads instead of writing over an edit it has not seen.

Operations: registry, mention, entity, date-proposal, date, change, remove, candidates,
accept, undo. Every write is printed to the terminal: file, line, what.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from . import edit
from .anchor import Text, mention_key
from .build import Project, read_project
from .check import SeedText, read_ignores, unmentioned
from .fix import anchored_lines, registry_file
from .models import Problems, Source
from .text import sentence_around, slugify

ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ITEMS = 2000
"""The most occurrences one "Tag all" may write."""

Answer = tuple[HTTPStatus, dict[str, Any]]


class Refused(Exception):
    """A request that is answered with an error and writes nothing."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Spot:
    """A run of a source's cleaned text the request points at."""

    source: Source
    text: Text
    start: int
    end: int


class Annotator:
    """Answers the page's requests; one at a time (a lock), with an undo history."""

    def __init__(self, root: Path, say: Callable[[str], None] = print) -> None:
        self.root = root
        self.fresh: Callable[[str, Path], str] = lambda token, path: ""
        """fresh(page token, file) -> '' if the page shows the file as it is, else why not."""
        self.wrote: Callable[[list[Path]], None] = lambda paths: None
        """Told the files each write or undo changed (the preview rebuilds at once)."""
        self.say = say
        self.lock = threading.Lock()
        self.history: list[list[edit.Edit]] = []
        self.latest: Project | None = None
        """The project the last successful build read."""
        self.next: Project | None = None
        """The project the build under way read (build's `keep`)."""

    # ------------------------------------------------------------- dispatch

    def handle(self, op: str, req: dict[str, Any]) -> Answer:
        action = getattr(self, "op_" + op.replace("-", "_"), None)
        if action is None or op not in OPERATIONS:
            return HTTPStatus.NOT_FOUND, {"error": f"no operation '{op}'"}
        with self.lock:
            try:
                return HTTPStatus.OK, action(req)
            except Refused as exc:
                return exc.status, {"error": str(exc)}
            except edit.EditRefused as exc:
                return HTTPStatus.CONFLICT if "changed" in str(exc) else \
                    HTTPStatus.UNPROCESSABLE_ENTITY, {"error": str(exc)}

    def keep(self, project: Project) -> None:
        self.next = project

    def built(self) -> None:
        """The build under way succeeded: its project is what the pages show."""
        with self.lock:
            self.latest, self.next = self.next or self.latest, None

    def project(self, token: str = "") -> Project:
        """The dossier as the last build read it (read here if no build could)."""
        if self.latest is None:
            self.latest = read_project(self.root, Problems(), write_cache=False)
        return self.latest

    # ------------------------------------------------------------- reading

    def op_prepare(self, req: dict[str, Any]) -> dict[str, Any]:
        """The page has loaded: the registry, and the source's file parsed now, so that the
        first write from the page does not wait for that (the parse is most of a write)."""
        p = self.project(_text(req, "token"))
        sid = _text(req, "source")
        source = next((s for s in p.sources if s.id == sid), None)
        if source is not None and source.meta.annotated:
            rel = source.meta.where.path
            self.inside(self.root / rel)
            edit.warm(self.root / rel, rel)
        return self.op_registry(req)

    def op_registry(self, req: dict[str, Any]) -> dict[str, Any]:
        p = self.project(_text(req, "token"))
        kinds = [{"id": k.id, "label": k.singular, "style": k.style} for k in p.dossier.kinds]
        entities = [{"id": e.id, "name": e.name, "variants": list(e.variants), "kind": e.kind,
                     "label": e.kind_info.singular, "style": e.kind_info.style}
                    for e in sorted(p.entities.values(), key=lambda e: e.name.lower())]
        return {"entities": entities, "kinds": kinds}

    def op_date_proposal(self, req: dict[str, Any]) -> dict[str, Any]:
        from .infer import infer

        spot = self.spot(req)
        guess = infer(spot.text.value[spot.start:spot.end], spot.source.meta.published.date)
        if guess is None:
            return {"proposal": None}
        return {"proposal": {"value": guess.value, "reasoning": guess.reasoning,
                             "inferred": guess.inferred, "approximate": guess.approximate}}

    def op_candidates(self, req: dict[str, Any]) -> dict[str, Any]:
        """Every unannotated occurrence of the text and of the entity's names, in all sources,
        each with the sentence around it."""
        p = self.project(_text(req, "token"))
        entity = p.entities.get(_text(req, "entity"))
        if entity is None:
            raise Refused("no such entity; reload the page")
        names = {n: [entity.id] for n in (_text(req, "text"), entity.name, *entity.variants)
                 if n.strip()}
        ignores = read_ignores(self.root, Problems()) or []
        out = []
        for source in sorted(p.sources, key=lambda s: s.id):
            if not source.meta.annotated:
                continue
            seed = SeedText(source, self.root)
            for s, e, _ in unmentioned(seed, names):
                if any(ign.matches(seed.finding("unannotated-name", s, e, "")) for ign in ignores):
                    continue
                out.append({"source": source.id, "headline": source.meta.headline,
                            "start": s, "end": e, "text": seed.value[s:e],
                            **_around(seed.text, s, e)})
        return {"candidates": out[:MAX_ITEMS], "more": max(0, len(out) - MAX_ITEMS)}

    # ------------------------------------------------------------- writing

    def op_mention(self, req: dict[str, Any]) -> dict[str, Any]:
        spot = self.spot(req)
        eid = self.entity_id(req)
        return self.write([self.add_mention(spot, eid)], _text(req, "token"))

    def op_entity(self, req: dict[str, Any]) -> dict[str, Any]:
        """A new registry entry, and the selection as its first mention."""
        p = self.project(_text(req, "token"))
        spot = self.spot(req)
        name = " ".join(_text(req, "name").split())
        kind = _text(req, "kind")
        eid = _text(req, "id") or slugify(name)
        if not name:
            raise Refused("give the entity a name")
        if kind not in {k.id for k in p.dossier.kinds}:
            raise Refused(f"'{kind}' is not a kind of this dossier")
        if not ID.fullmatch(eid) or len(eid) > 150:
            raise Refused(f"'{eid}' cannot be an id: lowercase letters, digits and single "
                          "hyphens, at most 150 characters")
        if eid in p.entities:
            raise Refused(f"there is already an entity '{eid}' ({p.entities[eid].name}); pick "
                          "it, or choose another id")
        path, rel = registry_file(self.root, p.entities, p.dossier.kinds, kind)
        self.inside(path)
        quote = spot.text.value[spot.start:spot.end]
        first = edit.add_entity(path, rel, eid, name, kind, spot.source.id, quote)
        return self.write([first, self.add_mention(spot, eid)], _text(req, "token"))

    def op_date(self, req: dict[str, Any]) -> dict[str, Any]:
        from .dates import mismatches, parse

        spot = self.spot(req)
        quote = spot.text.value[spot.start:spot.end]
        value, event, reasoning = (" ".join(_text(req, k).split())
                                   for k in ("value", "event", "reasoning"))
        try:
            problems = mismatches(quote, parse(value))
        except ValueError as exc:
            raise Refused(f"the date value: {exc}") from None
        if problems:
            raise Refused("; ".join(problems))
        if not event or not reasoning:
            raise Refused("say what happened then (event) and how the value was worked out "
                          "(reasoning)")
        sel = edit.selector(spot.text, spot.start, spot.end)
        fields: dict[str, str | int | bool] = {**sel, "value": value}
        if req.get("approximate") is True:
            fields["approximate"] = True
        fields.update(reasoning=reasoning, event=event)
        starts = {d.where.line - 1: _at(spot.source.dates, d) for d in spot.source.meta.dates
                  if _at(spot.source.dates, d) is not None}
        rel = spot.source.meta.where.path
        change = edit.add_entries(self.root / rel, rel, "dates",
                                  [edit.NewEntry(spot.start, spot.end, fields,
                                                 spot.text.block_at(spot.start))], starts,
                                  f"added date '{quote}' = {value}")
        return self.write([change], _text(req, "token"))

    def op_change(self, req: dict[str, Any]) -> dict[str, Any]:
        source, line = self.mention_line(req)
        eid = self.entity_id(req)
        rel = source.meta.where.path
        change = edit.replace_value(self.root / rel, rel, "mentions", line, "entity", eid,
                                    f"changed the entity of a mention to {eid}")
        return self.write([change], _text(req, "token"))

    def op_remove(self, req: dict[str, Any]) -> dict[str, Any]:
        source, line = self.mention_line(req)
        rel = source.meta.where.path
        change = edit.remove_entry(self.root / rel, rel, "mentions", line, "removed a mention")
        return self.write([change], _text(req, "token"))

    def op_accept(self, req: dict[str, Any]) -> dict[str, Any]:
        """Write the accepted occurrences of "Tag all", one edit per source file."""
        p = self.project(_text(req, "token"))
        eid = self.entity_id(req)
        items = req.get("items")
        if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
            raise Refused(f"items: a list of 1 to {MAX_ITEMS} occurrences")
        by_source: dict[str, list[edit.NewEntry]] = {}
        sources = {s.id: s for s in p.sources}
        texts: dict[str, Text] = {}
        for item in items:
            if not isinstance(item, dict):
                raise Refused("each item is {source, start, end, text}")
            source = self.source(sources, item)
            text = texts.setdefault(source.id, Text(source.cleaned, source.meta.seed))
            s, e = _offsets(item, text)
            by_source.setdefault(source.id, []).append(
                edit.NewEntry(s, e, edit.mention_fields(text, s, e, eid), text.block_at(s)))
        changes = []
        for sid, new in sorted(by_source.items()):
            rel = sources[sid].meta.where.path
            changes.append(edit.add_entries(self.root / rel, rel, "mentions", new,
                                            anchored_lines(sources[sid]),
                                            f"added {len(new)} mention(s) of {eid}"))
        return self.write(changes, _text(req, "token"))

    def op_undo(self, req: dict[str, Any]) -> dict[str, Any]:
        if not self.history:
            raise Refused("nothing to undo in this session", HTTPStatus.CONFLICT)
        step = self.history[-1]
        for change in step:
            problem = self.fresh(_text(req, "token"), change.path)
            if problem:
                raise Refused(problem, HTTPStatus.CONFLICT)
        done = []
        for change in reversed(step):
            done.append(edit.undo(change))
            self.say(f"{time.strftime('%H:%M:%S')} wrote {change.rel}: {done[-1].what}")
        self.history.pop()
        self.wrote([d.path for d in done])
        return {"written": [{"file": d.rel, "line": d.line, "what": d.what} for d in done]}

    # ------------------------------------------------------------- helpers

    def write(self, changes: list[edit.Edit], token: str) -> dict[str, Any]:
        """Commit the edits in order (undoing the first ones if a later one is refused) and
        remember them as one step to undo."""
        for change in changes:
            self.inside(change.path)
            problem = self.fresh(token, change.path)
            if problem:
                raise Refused(problem, HTTPStatus.CONFLICT)
            edit.check(change)
        done: list[edit.Edit] = []
        try:
            for change in changes:
                done.append(edit.commit(change, checked=True))
        except edit.EditRefused:
            for change in reversed(done):
                edit.undo(change)
            raise
        self.history.append(done)
        self.wrote([d.path for d in done])
        for d in done:
            self.say(f"{time.strftime('%H:%M:%S')} wrote {d.rel}:{d.line}: {d.what}")
        return {"written": [{"file": d.rel, "line": d.line, "what": d.what} for d in done]}

    def add_mention(self, spot: Spot, eid: str) -> edit.Edit:
        rel = spot.source.meta.where.path
        fields = edit.mention_fields(spot.text, spot.start, spot.end, eid)
        return edit.add_entries(self.root / rel, rel, "mentions",
                                [edit.NewEntry(spot.start, spot.end, fields,
                                               spot.text.block_at(spot.start))],
                                anchored_lines(spot.source),
                                f"added mention '{fields['quote']}' ({eid})")

    def spot(self, req: dict[str, Any]) -> Spot:
        """The selection a request names: source, block, offsets, and the text seen there."""
        p = self.project(_text(req, "token"))
        source = self.source({s.id: s for s in p.sources}, req)
        if not source.meta.annotated:
            raise Refused(f"{source.id} has no annotation file yet: start one with `dossier "
                          f"add` or write content/sources/{source.id}.yaml")
        text = Text(source.cleaned, source.meta.seed)
        block = req.get("block")
        if not isinstance(block, int) or not 0 <= block < len(text.starts):
            raise Refused("block: the paragraph's number is missing or wrong; reload the page")
        base = text.starts[block]
        s, e = _offsets({**req, "start": _int(req, "start") + base,
                         "end": _int(req, "end") + base}, text)
        return Spot(source, text, s, e)

    def source(self, sources: dict[str, Source], req: dict[str, Any]) -> Source:
        sid = _text(req, "source")
        if sid not in sources:
            raise Refused(f"no source '{sid[:80]}' in this dossier; reload the page")
        return sources[sid]

    def entity_id(self, req: dict[str, Any]) -> str:
        eid = _text(req, "entity")
        if eid not in self.project(_text(req, "token")).entities:
            raise Refused(f"no entity '{eid[:80]}' in the registry; reload the page")
        return eid

    def mention_line(self, req: dict[str, Any]) -> tuple[Source, int]:
        """The source and the line of the entry of the mention the request names by its id."""
        p = self.project(_text(req, "token"))
        source = self.source({s.id: s for s in p.sources}, req)
        mid = _text(req, "mention")
        found = next((m for m in source.mentions if m.id == mid), None)
        spec = next((sp for sp in source.meta.mentions
                     if found is not None and mention_key(sp) == found.key), None)
        if spec is None:
            raise Refused(f"no mention '{mid[:80]}' in {source.id}; reload the page")
        return source, spec.where.line

    def inside(self, path: Path) -> None:
        """Refuse a file outside content/sources/ and content/entities/ (a link, say)."""
        real = Path(path).resolve()
        allowed = [(self.root / f).resolve() for f in edit.SCHEMAS]
        if real.parent not in allowed or real.suffix != ".yaml":
            raise Refused(f"{path} is not a file this editor writes", HTTPStatus.FORBIDDEN)


OPERATIONS = ("prepare", "registry", "mention", "entity", "date-proposal", "date", "change",
              "remove", "candidates", "accept", "undo")


def _text(req: dict[str, Any], key: str) -> str:
    value = req.get(key, "")
    if not isinstance(value, str) or len(value) > 10_000:
        raise Refused(f"{key}: a string is expected")
    return value


def _int(req: dict[str, Any], key: str) -> int:
    value = req.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Refused(f"{key}: a whole number is expected")
    return value


def _offsets(req: dict[str, Any], text: Text) -> tuple[int, int]:
    """The trimmed span req's start..end names, if the text there is what the page showed."""
    s, e = _int(req, "start"), _int(req, "end")
    seen = unicodedata.normalize("NFC", _text(req, "text"))
    if not s < e <= len(text.value) or text.value[s:e] != seen:
        raise Refused("the page does not show the text the dossier holds there; reload the "
                      "page", HTTPStatus.CONFLICT)
    s, e = edit.trim(text.value, s, e)
    if s == e:
        raise Refused("select some words first")
    return s, e


def _around(text: Text, s: int, e: int) -> dict[str, str]:
    """The sentence around text[s:e], as the words before and after it."""
    block = text.block_at(s)
    first = text.starts[block]
    para = text.cleaned.blocks[block].text
    a, b = sentence_around(para, s - first, e - first)
    a, b = max(a, s - first - 160), min(b, e - first + 160)
    return {"before": para[a:s - first], "after": para[e - first:b], "block": str(block)}


def _at(refs: tuple[Any, ...], spec: Any) -> tuple[int, int] | None:
    from .anchor import date_key

    key = date_key(spec)
    return next(((r.span.start, -r.span.end, r.span.block) for r in refs if r.key == key), None)
