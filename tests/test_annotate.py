"""The preview's write path (dossier/annotate.py behind dossier/serve.py): what it writes, and
every request it must refuse. Runs a real preview of a copy of the shipped dossier."""

from __future__ import annotations

import difflib
import http.client
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.annotate import Annotator
from dossier.build import build as run_build
from dossier.serve import API, EDIT_SCRIPT, serve
from tests.conftest import REPO
from tests.test_serve import WAIT, Events, free_port, get, token

SOURCE = "000_24226ba9ecf00a29"
YAML = f"content/sources/{SOURCE}.yaml"
PAGE = f"/sources/{SOURCE}.html"


def shipped_copy(root: Path) -> Path:
    for name in ("content", "seeds", "templates"):
        shutil.copytree(REPO / name, root / name)
    return root


class Preview:
    """serve() with an Annotator, in a thread, on a copy of the shipped dossier."""

    def __init__(self, root: Path, host: str = "127.0.0.1", allow_edit: bool = False) -> None:
        self.root, self.out, self.port = root, root / "site", free_port()
        self.ready, self.stop = threading.Event(), threading.Event()
        self.said: list[str] = []
        self.annotator = Annotator(root, say=self.said.append)
        self.thread = threading.Thread(target=self.run, args=(host, allow_edit), daemon=True)

    def run(self, host: str, allow_edit: bool) -> None:
        serve(self.root, self.out,
              lambda p: run_build(self.root, self.out, p, keep=self.annotator.keep, preview=True),
              lambda p: None, host=host, port=self.port, ready=self.ready, stop=self.stop,
              annotator=self.annotator, allow_edit=allow_edit)

    def __enter__(self) -> Preview:
        self.thread.start()
        assert self.ready.wait(WAIT * 3), "the preview did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(WAIT)

    def settings(self, path: str = PAGE) -> dict:
        status, _, body = get(self.port, path)
        assert status == 200
        found = re.search(rb'<script id="dossier-edit-config" type="application/json">(.*?)'
                          rb"</script>", body)
        assert found, "no annotation settings in the page"
        return json.loads(found.group(1))

    def post(self, op: str, body: dict | bytes, headers: dict | None = None,
             host: str | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        own = f"127.0.0.1:{self.port}"
        sent = {"Host": host or own, "Origin": f"http://{own}",
                "Content-Type": "application/json",
                "X-Dossier-Secret": self.settings()["secret"], **(headers or {})}
        sent = {k: v for k, v in sent.items() if v is not None}
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            conn.request("POST", API + op, body=data, headers=sent)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, json.loads(raw) if raw.startswith(b"{") else {"raw": raw.decode()}
        finally:
            conn.close()

    def request(self, **fields: object) -> dict:
        """A request body from the current page: its token and source, and `fields`."""
        return {"token": self.settings()["token"], "source": SOURCE, **fields}

    def write_and_wait(self, op: str, body: dict) -> dict:
        """Post a write; wait for the rebuild it causes; the answer."""
        with Events(self.port, self.settings()["token"]) as events:
            status, answer = self.post(op, body)
            assert status == 200, answer
            assert events.next()[0] == "reload"
        return answer


def spot(preview: Preview, words: str, nth: int = 1) -> dict:
    """block/start/end/text of the nth occurrence of `words` in the source's cleaned text, as
    the page's script sends them."""
    project = preview.annotator.project()
    source = next(s for s in project.sources if s.id == SOURCE)
    blocks = [b.text for b in source.cleaned.blocks]
    seen = 0
    for i, text in enumerate(blocks):
        for m in re.finditer(rf"\b{re.escape(words)}\b", text):
            seen += 1
            if seen == nth:
                return {"block": i, "start": m.start(), "end": m.end(), "text": words}
    raise AssertionError(f"{words!r} not found")


def added_lines(before: str, after: str) -> list[str]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    assert not [d for d in diff if d.startswith("- ")], "a line was changed or removed"
    return [d[2:] for d in diff if d.startswith("+ ")]


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = shipped_copy(tmp_path / "dossier")
    text = (root / YAML).read_text(encoding="utf-8")
    (root / YAML).write_text(text.replace("  - {quote: Hezbollah, entity: hezbollah}\n", ""),
                             encoding="utf-8")
    with Preview(root) as running:
        yield running


# ----------------------------------------------------------------- what it writes


def test_a_mention_is_one_added_line_and_the_rebuilt_page_links_it(preview: Preview) -> None:
    before = (preview.root / YAML).read_text(encoding="utf-8")
    answer = preview.write_and_wait("mention", preview.request(
        **spot(preview, "Hezbollah"), entity="hezbollah"))
    after = (preview.root / YAML).read_text(encoding="utf-8")
    assert added_lines(before, after) == ["  - {quote: Hezbollah, entity: hezbollah}"]
    line = after.splitlines().index("  - {quote: Hezbollah, entity: hezbollah}") + 1
    assert answer["written"] == [{"file": YAML, "line": line,
                                  "what": "added mention 'Hezbollah' (hezbollah)"}]
    # in text order: after the mention before it in paragraph 6, before the comment of 7
    assert after.splitlines()[line - 2].startswith("  - {quote: Tehran, entity: iran")
    page = (preview.out / "sources" / f"{SOURCE}.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="../units/hezbollah.html" class="m m-unit" id="m-hezbollah-1"',
                     page)
    entity = (preview.out / "units" / "hezbollah.html").read_text(encoding="utf-8")
    assert f"{SOURCE}.html#m-hezbollah-1" in entity
    assert any(f"wrote {YAML}:{line}: added mention 'Hezbollah'" in s for s in preview.said)


def test_prepare_returns_the_registry_and_parses_the_file_ahead_of_a_write(
        preview: Preview, monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier import edit

    status, registry = preview.post("registry", preview.request())
    assert status == 200
    path = preview.root / YAML
    with Events(preview.port, preview.settings()["token"]) as events:
        path.write_bytes(path.read_bytes() + b"# a note\n")  # bytes no parse has seen
        assert events.next()[0] == "reload"
    parses: list[Path] = []
    real = edit.YAML

    class Counting(real):  # type: ignore[misc, valid-type]
        def load(self, stream):  # noqa: ANN001
            parses.append(path)
            return super().load(stream)

    monkeypatch.setattr(edit, "YAML", Counting)
    status, prepared = preview.post("prepare", preview.request())
    assert (status, prepared) == (200, registry) and len(parses) == 1
    # the write then finds the file parsed: no parse of its own
    status, answer = preview.post("mention", preview.request(
        **spot(preview, "Hezbollah"), entity="hezbollah"))
    assert status == 200, answer
    assert len(parses) == 1


def test_a_repeated_word_gets_its_occurrence(preview: Preview) -> None:
    before = (preview.root / YAML).read_text(encoding="utf-8")
    preview.write_and_wait("remove", preview.request(mention="m-syria-3"))
    assert "{quote: Syria, entity: syria, occurrence: 3}" not in (preview.root / YAML).read_text()
    preview.write_and_wait("mention", preview.request(**spot(preview, "Syria", 3),
                                                      entity="syria"))
    assert (preview.root / YAML).read_text(encoding="utf-8") == before


def test_change_remove_and_undo(preview: Preview) -> None:
    original = (preview.root / YAML).read_bytes()
    preview.write_and_wait("change", preview.request(mention="m-iraq-1", entity="iran"))
    changed = (preview.root / YAML).read_text(encoding="utf-8")
    assert "  - {quote: Iraq, entity: iran}\n" in changed
    preview.write_and_wait("undo", preview.request())
    assert (preview.root / YAML).read_bytes() == original
    preview.write_and_wait("remove", preview.request(mention="m-iraq-1"))
    removed = (preview.root / YAML).read_text(encoding="utf-8")
    assert "{quote: Iraq," not in removed
    assert len(removed.splitlines()) == len(original.decode().splitlines()) - 1
    preview.write_and_wait("undo", preview.request())
    assert (preview.root / YAML).read_bytes() == original
    status, answer = preview.post("undo", preview.request())
    assert status == 409 and "nothing to undo" in answer["error"]


def test_a_new_entity_and_its_first_mention(preview: Preview) -> None:
    people = preview.root / "content/entities/people.yaml"
    before = people.read_text(encoding="utf-8")
    preview.write_and_wait("entity", preview.request(
        **spot(preview, "Hezbollah"), name="Hezbollah Test", kind="person", id=""))
    added = added_lines(before, people.read_text(encoding="utf-8"))
    assert added == ["", "- id: hezbollah-test", "  name: Hezbollah Test", "  kind: person",
                     "  description:", "    - text: Named in the source as “Hezbollah”.",
                     f"      sources: [{SOURCE}]"]
    assert "{quote: Hezbollah, entity: hezbollah-test}" in (preview.root / YAML).read_text()
    assert (preview.out / "people" / "hezbollah-test.html").is_file()
    preview.write_and_wait("undo", preview.request())
    assert people.read_text(encoding="utf-8") == before


MARCH = """  - quote: March 2011
    value: "2011-03"
    reasoning: Absolute month and year in the text.
    event: Protests against Assad's regime began
"""


def test_a_date_is_written_in_the_files_block_style(preview: Preview) -> None:
    path = preview.root / YAML
    shipped = path.read_text(encoding="utf-8")
    assert MARCH in shipped
    with Events(preview.port, preview.settings()["token"]) as events:
        path.write_text(shipped.replace(MARCH, ""), encoding="utf-8")
        assert events.next()[0] == "reload"
    where = spot(preview, "March 2011")
    status, answer = preview.post("date-proposal", preview.request(**where))
    assert status == 200
    proposal = answer["proposal"]
    assert proposal == {"value": "2011-03", "reasoning": proposal["reasoning"],
                        "inferred": False, "approximate": False}
    preview.write_and_wait("date", preview.request(
        **where, value="2011-03", reasoning="Absolute month and year in the text.",
        event="Protests against Assad's regime began"))
    assert path.read_text(encoding="utf-8") == shipped


def test_tag_all_offers_every_unannotated_occurrence_and_writes_them(preview: Preview) -> None:
    status, answer = preview.post("candidates", preview.request(entity="hezbollah",
                                                                text="Hezbollah"))
    assert status == 200
    found = answer["candidates"]
    assert [(c["source"], c["text"]) for c in found] == [(SOURCE, "Hezbollah")]
    assert found[0]["before"].endswith("Tehran-backed Lebanese terrorist group ")
    before = (preview.root / YAML).read_text(encoding="utf-8")
    items = [{k: c[k] for k in ("source", "start", "end", "text")} for c in found]
    preview.write_and_wait("accept", preview.request(entity="hezbollah", items=items))
    assert added_lines(before, (preview.root / YAML).read_text(encoding="utf-8")) == [
        "  - {quote: Hezbollah, entity: hezbollah}"]


# ----------------------------------------------------------------- refusals


def unchanged(preview: Preview, status: int, answer: dict, expected: int, words: str,
              original: dict[Path, bytes]) -> None:
    assert status == expected, answer
    assert words in json.dumps(answer)
    for path, data in original.items():
        assert path.read_bytes() == data


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (root / "content").rglob("*.yaml")}


@pytest.mark.parametrize("case, headers, host, status, words", [
    ("foreign Host", {}, "evil.example:80", 421, "Misdirected"),
    ("foreign Origin", {"Origin": "http://evil.example"}, None, 403, "another site"),
    ("no Origin", {"Origin": None}, None, 403, "another site"),
    ("no secret", {"X-Dossier-Secret": None}, None, 403, "secret"),
    ("wrong secret", {"X-Dossier-Secret": "x" * 43}, None, 403, "secret"),
    ("form-encoded", {"Content-Type": "application/x-www-form-urlencoded"}, None, 415, "json"),
    ("plain text", {"Content-Type": "text/plain"}, None, 415, "json"),
])
def test_requests_from_elsewhere_are_refused(preview: Preview, case: str, headers: dict,
                                             host: str | None, status: int, words: str) -> None:
    original = snapshot(preview.root)
    got, answer = preview.post("mention", preview.request(**spot(preview, "Hezbollah"),
                                                          entity="hezbollah"),
                               headers=headers, host=host)
    unchanged(preview, got, answer, status, words, original)


@pytest.mark.parametrize("case, fields, status, words", [
    ("a path as the source", {"source": "../../../etc/passwd"}, 400, "no source"),
    ("a path as the entity", {"entity": "../../seeds/x"}, 400, "no entity"),
    ("an unknown operation", {}, 404, "no operation"),
    ("text the page does not show", {"text": "Hezbollahx"}, 409, "does not show"),
    ("a block that is not there", {"block": 999}, 400, "block"),
    ("offsets that are not numbers", {"start": "0"}, 400, "whole number"),
    ("part of a word", {}, 422, "part of a longer word"),
])
def test_bad_requests_are_refused(preview: Preview, case: str, fields: dict, status: int,
                                  words: str) -> None:
    original = snapshot(preview.root)
    body = preview.request(**spot(preview, "Hezbollah"), entity="hezbollah")
    if case == "part of a word":
        body.update(text="Hezbo", end=body["start"] + 5)
    body.update(fields)
    op = "nonsense" if case == "an unknown operation" else "mention"
    got, answer = preview.post(op, body)
    unchanged(preview, got, answer, status, words, original)


@pytest.mark.parametrize("fields, words", [
    ({"id": "../../../tmp/x"}, "cannot be an id"),
    ({"id": "Bad Id"}, "cannot be an id"),
    ({"kind": "dragon"}, "not a kind"),
    ({"name": "   "}, "give the entity a name"),
    ({"id": "iran"}, "already an entity"),
])
def test_new_entities_that_fail_the_rules_are_refused(preview: Preview, fields: dict,
                                                      words: str) -> None:
    original = snapshot(preview.root)
    body = preview.request(**spot(preview, "Hezbollah"), name="X", kind="person", id="")
    got, answer = preview.post("entity", {**body, **fields})
    unchanged(preview, got, answer, 400, words, original)


@pytest.mark.parametrize("fields, words", [
    ({"value": "2015-02-30"}, "not a day of the calendar"),
    ({"value": "2016"}, "names the year 2011"),
    ({"event": ""}, "say what happened"),
])
def test_dates_that_fail_the_rules_are_refused(preview: Preview, fields: dict,
                                               words: str) -> None:
    original = snapshot(preview.root)
    body = preview.request(**spot(preview, "March 2011"), value="2011-03", reasoning="r",
                           event="e")
    got, answer = preview.post("date", {**body, **fields})
    unchanged(preview, got, answer, 400, words, original)


def test_a_body_that_is_not_a_json_object_is_refused(preview: Preview) -> None:
    original = snapshot(preview.root)
    for body, words in ((b"[1, 2]", "JSON object"), (b"{nope", "not JSON"),
                        (b"\xff\xfe", "not JSON")):
        got, answer = preview.post("mention", body)
        unchanged(preview, got, answer, 400, words, original)


def test_a_page_older_than_the_files_cannot_write(preview: Preview) -> None:
    body = preview.request(**spot(preview, "Hezbollah"), entity="hezbollah")
    stale = {**body, "token": "0000-0"}
    original = snapshot(preview.root)
    got, answer = preview.post("mention", stale)
    unchanged(preview, got, answer, 409, "older than the last build", original)
    # a file saved after the build the page shows (the watcher has not caught up yet, or
    # the rebuild is under way): refused too
    path = preview.root / YAML
    future = time.time_ns() + 10**9
    os.utime(path, ns=(future, future))
    got, answer = preview.post("mention", body)
    assert got == 409 and ("saved after" in answer["error"] or "rebuilding" in answer["error"]
                           or "older" in answer["error"])
    assert path.read_bytes() == original[path]


def test_the_secret_is_in_no_file_of_the_site(preview: Preview) -> None:
    secret = preview.settings()["secret"].encode()
    assert len(secret) >= 40
    for path in preview.out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
    status, headers, script = get(preview.port, EDIT_SCRIPT)
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert secret not in script
    assert b"dossier-edit-config" not in (preview.out / "sources" / f"{SOURCE}.html").read_bytes()
    assert "dossier-edit-config" not in get(preview.port, "/index.html")[2].decode()
    assert token(get(preview.port, PAGE)[2])


def test_editing_is_off_beyond_loopback_unless_allowed(tmp_path: Path,
                                                       capfd: pytest.CaptureFixture) -> None:
    root = shipped_copy(tmp_path / "dossier")
    with Preview(root, host="0.0.0.0") as running:
        _, _, page = get(running.port, PAGE)
        assert b"dossier-edit-config" not in page
        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=WAIT)
        conn.request("POST", API + "mention", body=b"{}",
                     headers={"Content-Type": "application/json",
                              "Origin": f"http://127.0.0.1:{running.port}"})
        resp = conn.getresponse()
        assert resp.status == 403 and b"off" in resp.read()
        conn.close()
    assert "--allow-edit" in capfd.readouterr().err
    with Preview(shipped_copy(tmp_path / "second"), host="0.0.0.0", allow_edit=True) as allowed:
        assert allowed.settings()["secret"]
