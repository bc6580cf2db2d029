"""The live preview (dossier/serve.py): serving, path safety, rebuild, reload, error overlay."""

from __future__ import annotations

import filecmp
import http.client
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import build
from dossier.build import build as run_build
from dossier.cli import report
from dossier.serve import EVENTS, serve
from tests.conftest import edit

WAIT = 20.0
"""Upper bound, in seconds, for anything a test waits for."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    """GET `path` exactly as given (no normalisation); the status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def token(page: bytes) -> str:
    found = re.search(rb"__dossier/events\?v=([0-9a-z-]+)", page)
    assert found, "no live-reload script in the page"
    return found.group(1).decode()


class Events:
    """A Server-Sent Events client on the preview's event stream."""

    def __init__(self, port: int, v: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.conn.request("GET", f"{EVENTS}?v={v}")
        self.resp = self.conn.getresponse()  # once the headers are here, we are subscribed
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type").startswith("text/event-stream")

    def next(self) -> tuple[str, str]:
        """The next event's name and data (comments and retry fields skipped)."""
        deadline = time.monotonic() + WAIT
        name, data = "message", []
        while time.monotonic() < deadline:
            line = self.resp.readline()
            if not line:
                raise EOFError("event stream closed")
            line = line.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data.append(line[len("data: "):])
            elif not line and data:
                return name, "\n".join(data)
        raise TimeoutError("no event")

    def close(self) -> None:
        self.resp.close()  # the stream is the response's now (no length: the connection let go)
        self.conn.close()

    def __enter__(self) -> Events:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Preview:
    """serve() running in a thread on a project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "site"
        self.port = free_port()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.code: int | None = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        self.code = serve(self.root, self.out,
                          lambda problems: run_build(self.root, self.out, problems, preview=True),
                          lambda problems: report(problems, False, self.root),
                          port=self.port, ready=self.ready, stop=self.stop)

    def start(self) -> Preview:
        self.thread.start()
        assert self.ready.wait(WAIT), "the server did not start"
        return self

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "serve() did not return after stop"
        assert self.code == 0

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return get(self.port, path)

    def events(self, page: bytes) -> Events:
        return Events(self.port, token(page))


@pytest.fixture
def preview(mini: Path) -> Iterator[Preview]:
    running = Preview(mini).start()
    yield running
    running.close()


BROKEN = "'ISILX' is not in the cleaned text of seeds/alpha.txt"


def test_pages_get_the_reload_script_but_the_built_files_do_not(preview: Preview,
                                                                tmp_path: Path) -> None:
    status, headers, body = preview.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    on_disk = (preview.out / "index.html").read_bytes()
    assert b"__dossier" not in on_disk and b"EventSource" not in on_disk
    assert b"EventSource" in body and body.count(b"<script>") == on_disk.count(b"<script>") + 1
    # the script is the only difference, and it stands just before </body>
    script = body[body.rindex(b"<script>/* dossier live preview"):body.rindex(b"</body>")]
    assert body.replace(script, b"") == on_disk
    assert preview.get("/sources/index.html")[2].count(b"new EventSource(") == 1
    status, headers, css = preview.get("/static/style.css")
    assert status == 200 and css == (preview.out / "static" / "style.css").read_bytes()
    # the served site is byte for byte what `python build.py` builds
    other = tmp_path / "other"
    assert build.main(["--root", str(preview.root), "--out", str(other)]) == 0
    compared = filecmp.dircmp(preview.out, other)
    assert not (compared.left_only or compared.right_only or compared.diff_files)
    for path in other.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (preview.out / path.relative_to(other)).read_bytes()


def test_a_reload_does_not_fetch_unchanged_files_again_but_always_fetches_pages(
        preview: Preview) -> None:
    status, headers, css = get(preview.port, "/static/style.css")
    assert status == 200 and headers["cache-control"] == "no-cache" and headers["etag"]
    kept = {"If-None-Match": headers["etag"]}
    status, again, body = get(preview.port, "/static/style.css", kept)
    assert (status, body, again["etag"]) == (304, b"", headers["etag"])
    # changed bytes, another tag: the browser's copy is not used
    (preview.out / "static" / "style.css").write_bytes(css + b"/* edited */\n")
    status, changed, body = get(preview.port, "/static/style.css", kept)
    assert status == 200 and body.endswith(b"/* edited */\n")
    assert changed["etag"] != headers["etag"]
    # a page carries the build it came from: never kept
    status, page, _ = get(preview.port, "/index.html", kept)
    assert status == 200 and page["cache-control"] == "no-store" and "etag" not in page


def test_a_folder_redirects_to_its_slash_and_missing_pages_are_404(preview: Preview) -> None:
    status, headers, _ = preview.get("/sources")
    assert status == 301 and headers["location"] == "/sources/"
    assert preview.get("/sources/")[0] == 200
    assert preview.get("/nothing-here.html")[0] == 404


OUTSIDE = [
    "/../content/dossier.yaml",
    "/sources/../../content/dossier.yaml",
    "/%2e%2e/content/dossier.yaml",
    "/%2E%2E%2Fcontent%2Fdossier.yaml",
    "/static/..%2f..%2fcontent/dossier.yaml",
    "/..%5ccontent%5cdossier.yaml",
    "/%2e%2e%00/content/dossier.yaml",
    "//../content/dossier.yaml",
]


def test_nothing_outside_the_site_is_served(preview: Preview) -> None:
    for path in OUTSIDE:
        status, _, body = preview.get(path)
        assert status in (400, 403), path
        assert b"Mini dossier" not in body, path


def test_a_link_out_of_the_site_is_not_followed(preview: Preview) -> None:
    (preview.out / "escape").symlink_to(preview.root / "content")
    status, _, body = preview.get("/escape/dossier.yaml")
    assert status == 403 and b"Mini dossier" not in body


def test_an_edit_rebuilds_and_reloads(preview: Preview) -> None:
    page = preview.get("/")[2]
    assert b"Mini dossier" in page
    with preview.events(page) as events:
        edit(preview.root / "content" / "dossier.yaml", "Mini dossier", "Edited dossier")
        assert events.next()[0] == "reload"
    page = preview.get("/")[2]
    assert b"Edited dossier" in page and b"Mini dossier" not in page
    assert b"Edited dossier" in (preview.out / "index.html").read_bytes()


def test_a_page_from_an_older_build_reloads_at_once(preview: Preview) -> None:
    with Events(preview.port, "stale-0") as events:
        assert events.next()[0] == "reload"


def test_a_broken_edit_shows_the_errors_and_keeps_the_last_good_site(
        preview: Preview, capsys: pytest.CaptureFixture[str]) -> None:
    alpha = preview.root / "content" / "sources" / "alpha.yaml"
    good = preview.get("/sources/alpha.html")[2]
    with preview.events(good) as events:
        edit(alpha, "{quote: ISIL,", "{quote: ISILX,")
        name, text = events.next()
        assert name == "error"
        assert f"content/sources/alpha.yaml:15:5: error: {BROKEN}" in text
        assert "- {quote: ISILX, entity: islamic-state}" in text.splitlines()[1]
        # the last good site is still served; a page opened now shows the errors at once
        status, _, page = preview.get("/sources/alpha.html")
        assert status == 200 and page == good
        with preview.events(page) as late:
            assert late.next() == ("error", text)
        # the terminal shows the problems as `python build.py` does, and a one-line summary
        out, err = capsys.readouterr()
        assert f"content/sources/alpha.yaml:15:5: error: {BROKEN}" in err
        assert "    - {quote: ISILX, entity: islamic-state}" in err
        assert re.search(r"content/sources/alpha\.yaml changed: built in \d+ ms, 1 error\(s\)",
                         out)
        edit(alpha, "{quote: ISILX,", "{quote: ISIL,")
        assert events.next()[0] == "reload"
    # back as it was at the last good build: from the cache, and no page to make again
    assert re.search(r"alpha\.yaml changed: built in \d+ ms, ok, 1 warning\(s\); redid 0 "
                     r"sources and 0 pages$", capsys.readouterr().out, re.M)
    page = preview.get("/sources/alpha.html")[2]
    assert token(page) != token(good)
    with preview.events(page) as events:
        edit(preview.root / "content" / "dossier.yaml", "Mini dossier", "Edited")
        assert events.next()[0] == "reload"  # no error left to report


def test_when_the_first_build_fails_the_errors_are_served(mini: Path) -> None:
    alpha = mini / "content" / "sources" / "alpha.yaml"
    edit(alpha, "{quote: ISIL,", '{quote: "<b>ISILX</b>",')
    running = Preview(mini).start()
    try:
        status, headers, page = running.get("/")
        assert status == 503 and headers["content-type"] == "text/html; charset=utf-8"
        assert b"content/sources/alpha.yaml:15:5: error: &#x27;&lt;b&gt;ISILX&lt;/b&gt;&#x27;" \
            in page
        assert b"<b>ISILX" not in page
        assert running.get("/sources/alpha.html")[0] == 503
        assert running.get("/static/style.css")[0] == 404
        with running.events(page) as events:
            assert events.next()[0] == "error"
            edit(alpha, '{quote: "<b>ISILX</b>",', "{quote: ISIL,")
            assert events.next()[0] == "reload"
        status, _, page = running.get("/")
        assert status == 200 and b"Mini dossier" in page
    finally:
        running.close()


def test_changes_during_a_build_cause_one_more_build(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for name in ("seeds", "content", "templates"):
        (root / name).mkdir(parents=True)
    out = root / "site"
    builds: list[float] = []
    second_started, release = threading.Event(), threading.Event()

    def fake_build(problems: object) -> dict[str, int]:
        builds.append(time.monotonic())
        if len(builds) == 2:
            second_started.set()
            assert release.wait(WAIT)
        out.mkdir(exist_ok=True)
        (out / "index.html").write_text(f"<body>build {len(builds)}</body>", encoding="utf-8")
        return {}

    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, daemon=True, kwargs=dict(
        root=root, out=out, build_fn=fake_build, report_fn=lambda problems: None,
        port=free_port(), ready=ready, stop=stop))
    thread.start()
    try:
        assert ready.wait(WAIT)
        (root / "content" / "a.yaml").write_text("1", encoding="utf-8")
        assert second_started.wait(WAIT)
        for i in range(3):  # during the second build
            (root / "seeds" / f"{i}.txt").write_text("x", encoding="utf-8")
            time.sleep(0.1)
        time.sleep(0.5)  # let the watcher hand them over
        release.set()
        deadline = time.monotonic() + WAIT
        while len(builds) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        assert len(builds) == 3
    finally:
        release.set()
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()


def test_a_port_in_use_is_a_one_line_error(mini: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    def must_not_build(problems: object) -> None:
        raise AssertionError("built although the server could not listen")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = serve(mini, mini / "site", must_not_build, lambda problems: None, port=port)
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert f"port {port}" in err and "--port" in err


# ---------------------------------------------------------------- the preview's own writes


def test_a_write_of_the_preview_is_rebuilt_at_once_and_its_echo_dropped(tmp_path: Path) -> None:
    from watchfiles import Change

    from dossier.edit import _replace
    from dossier.serve import Changes

    path = tmp_path / "a.yaml"
    path.write_text("mentions: []\n", encoding="utf-8")
    changes = Changes()
    _replace(path, "a.yaml", path.read_bytes(), b"mentions: [{quote: x, entity: y}]\n")
    changes.wrote([path])
    assert changes.take(timeout=0) == {str(path): {Change.modified}}
    # what the watcher then reports of that same write: the file, and the temporary file that
    # was renamed onto it
    temporary = str(tmp_path / ".a.yaml.k2j4_x9.tmp")
    changes.add({(Change.added, temporary), (Change.deleted, temporary),
                 (Change.modified, str(path))})
    assert changes.take(timeout=0) == {}
    # a hand edit of the same file afterwards is a change like any other
    path.write_text("mentions: []  # by hand\n", encoding="utf-8")
    changes.add({(Change.modified, str(path))})
    assert changes.take(timeout=0) == {str(path): {Change.modified}}


def test_other_files_and_other_temporary_files_are_not_taken_for_echoes(tmp_path: Path) -> None:
    from watchfiles import Change

    from dossier.serve import Changes

    ours, other = tmp_path / "a.yaml", tmp_path / "b.yaml"
    ours.write_text("x\n", encoding="utf-8")
    changes = Changes()
    changes.wrote([ours])
    changes.take(timeout=0)
    batch = {(Change.modified, str(other)), (Change.added, str(tmp_path / ".b.yaml.abc.tmp"))}
    changes.add(batch)
    assert set(changes.take(timeout=0)) == {str(other), str(tmp_path / ".b.yaml.abc.tmp")}
