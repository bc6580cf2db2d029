"""The live preview's guards: long paths, clients that leave early, and the Host header."""

from __future__ import annotations

import errno
import http.client
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.serve import EVENTS, Server, accepted_host, misdirected_text
from tests.conftest import edit
from tests.test_serve import WAIT, Preview


@pytest.fixture
def preview(mini: Path) -> Iterator[Preview]:
    running = Preview(mini).start()
    yield running
    running.close()


class Finished:
    """The client ports whose connections the preview server is done with (error handling
    included), so that a test can wait for exactly that instead of sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cond = threading.Condition()
        self.ports: set[int] = set()
        original = Server.process_request_thread

        def process(server: Server, request: socket.socket,
                    client_address: tuple[str, int]) -> None:
            try:
                original(server, request, client_address)
            finally:
                with self.cond:
                    self.ports.add(client_address[1])
                    self.cond.notify_all()

        monkeypatch.setattr(Server, "process_request_thread", process)

    def wait(self, port: int) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: port in self.ports, WAIT), "still answering"


@pytest.fixture
def finished(monkeypatch: pytest.MonkeyPatch) -> Finished:
    return Finished(monkeypatch)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=WAIT)


def reset(sock: socket.socket) -> None:
    """Close `sock` with a TCP reset, as a killed browser tab may."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def ask(port: int, request: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send `request` as it is; the status, headers and body (none read from an event
    stream). Fails if the server closes the connection without an answer."""
    with connect(port) as sock:
        sock.sendall(request.encode("latin-1"))
        resp = http.client.HTTPResponse(sock, method=method)
        resp.begin()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        stream = headers.get("content-type", "").startswith("text/event-stream")
        body = b"" if stream else resp.read()
        resp.close()
        return resp.status, headers, body


def request(path: str, host: str | None, method: str = "GET", version: str = "HTTP/1.1") -> str:
    return f"{method} {path} {version}\r\n" + (f"Host: {host}\r\n" if host else "") + "\r\n"


# ----------------------------------------------------------------- paths too long


LONG = {
    "5000 characters": "/" + "a" * 5000,
    "a query too long": "/index.html?" + "q" * 3000,
    "many long segments": "/" + "/".join(["c" * 250] * 30),
    "many short segments": "/" + "x/" * 1500,
}
TOO_LONG_A_NAME = {
    "one 300-character name": "/" + "a" * 300,
    "in a folder": "/sources/" + "b" * 300 + ".html",
    "as a folder": "/sources/" + "b" * 300 + "/",
    "then more segments": "/" + "/".join(["d" * 300] * 6),
    "many segments within the limit": "/" + "/".join(["e" * 200] * 10),
    "a thousand segments within the limit": "/" + "f/" * 1000,
}


@pytest.mark.parametrize("path", LONG.values(), ids=LONG.keys())
def test_a_path_over_the_limit_is_414(preview: Preview, path: str,
                                      capfd: pytest.CaptureFixture[str]) -> None:
    assert len(path) > 2048
    for method in ("GET", "HEAD"):
        status, _, _ = ask(preview.port, request(path, f"127.0.0.1:{preview.port}", method),
                           method)
        assert status == 414
    assert preview.get("/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("path", TOO_LONG_A_NAME.values(), ids=TOO_LONG_A_NAME.keys())
def test_a_name_the_file_system_rejects_is_404(preview: Preview, path: str,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    assert len(path) <= 2048
    for method in ("GET", "HEAD"):
        status, _, _ = ask(preview.port, request(path, f"127.0.0.1:{preview.port}", method),
                           method)
        assert status == 404
    assert preview.get("/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


def test_an_unexpected_file_system_error_is_a_one_line_500(
        preview: Preview, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    read_bytes = Path.read_bytes

    def unreadable(path: Path) -> bytes:
        if path.name == "alpha.html":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    status, _, body = preview.get("/sources/alpha.html")
    assert status == 500
    assert b"cannot read /sources/alpha.html: Permission denied" in body
    assert str(preview.out).encode() not in body  # no file-system path is shown
    assert preview.get("/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


# ----------------------------------------------------------------- clients that leave early


def test_a_bug_while_answering_is_one_line_not_a_traceback(
        preview: Preview, finished: Finished, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    def broken(page: bytes, token: str, editor: object = None) -> bytes:
        raise RuntimeError("injection failed:\n  on two lines")

    monkeypatch.setattr("dossier.serve.inject", broken)
    with connect(preview.port) as sock:
        sock.sendall(request("/", f"127.0.0.1:{preview.port}").encode())
        finished.wait(sock.getsockname()[1])
    assert capfd.readouterr().err == ("error: answering a request from 127.0.0.1: "
                                      "RuntimeError: injection failed: on two lines\n")


@pytest.mark.parametrize("closing", [reset, socket.socket.close], ids=["reset", "close"])
def test_a_client_that_leaves_during_a_download_is_no_error(
        preview: Preview, finished: Finished, closing: object,
        capfd: pytest.CaptureFixture[str]) -> None:
    (preview.out / "big.bin").write_bytes(b"x" * (32 << 20))  # far more than socket buffers
    sock = connect(preview.port)
    port = sock.getsockname()[1]
    sock.sendall(request("/big.bin", f"127.0.0.1:{preview.port}").encode())
    closing(sock)
    finished.wait(port)
    assert preview.get("/")[0] == 200
    assert capfd.readouterr().err == ""


def test_a_client_that_leaves_before_asking_is_no_error(
        preview: Preview, finished: Finished, capfd: pytest.CaptureFixture[str]) -> None:
    for partial in ("", "GET / HTTP/1.1\r\n", f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}"):
        sock = connect(preview.port)
        port = sock.getsockname()[1]
        sock.sendall(partial.encode())
        reset(sock)
        finished.wait(port)
    assert preview.get("/")[0] == 200
    assert capfd.readouterr().err == ""


def test_a_tab_closed_on_the_event_stream_is_no_error(
        preview: Preview, finished: Finished, capfd: pytest.CaptureFixture[str]) -> None:
    page = preview.get("/")[2]
    v = page.split(b"__dossier/events?v=")[1].split(b'"')[0].decode()
    sock = connect(preview.port)
    port = sock.getsockname()[1]
    sock.sendall(request(f"{EVENTS}?v={v}", f"127.0.0.1:{preview.port}").encode())
    received = b""
    while b"retry: 1000\n\n" not in received:  # subscribed
        chunk = sock.recv(4096)
        assert chunk, "the event stream closed"
        received += chunk
    reset(sock)
    with preview.events(page) as events:
        edit(preview.root / "content" / "dossier.yaml", "Mini dossier", "Edited dossier")
        assert events.next()[0] == "reload"  # also sent to the closed tab
    finished.wait(port)
    assert b"Edited dossier" in preview.get("/")[2]
    assert "Traceback" not in capfd.readouterr().err


# ----------------------------------------------------------------- the Host header


GOOD_HOSTS = [
    ("127.0.0.1", "127.0.0.1"),
    ("127.0.0.1:8000", "127.0.0.1"),
    ("localhost:8000", "127.0.0.1"),
    ("LocalHost", "127.0.0.1"),
    ("[::1]:8000", "127.0.0.1"),
    ("[::1]", "127.0.0.1"),
    ("::1", "127.0.0.1"),
    ("localhost:8000", "::1"),
    ("[::1]:8000", "::1"),
    ("[0:0:0:0:0:0:0:1]:8000", "::1"),
    ("preview.lan:8000", "preview.lan"),
    ("192.168.1.5:8000", "192.168.1.5"),
    ("192.168.1.5:8000", "0.0.0.0"),
    ("10.0.0.7", "0.0.0.0"),
    ("[fe80::1]:8000", "::"),
    ("[2001:db8::5]:8000", "0.0.0.0"),
    ("box:8000", "0.0.0.0"),
    ("BOX", "::"),
    ("localhost:8000", ""),
    ("box", ""),
]
BAD_HOSTS = [
    ("evil.example", "127.0.0.1"),
    ("evil.example:8000", "127.0.0.1"),
    ("127.0.0.1.evil.example:8000", "127.0.0.1"),
    ("localhost.evil.example", "127.0.0.1"),
    ("localhost.", "127.0.0.1"),
    ("127.0.0.1:8001", "127.0.0.1"),
    ("localhost:80", "127.0.0.1"),
    ("[::1]:8001", "127.0.0.1"),
    ("localhost:", "127.0.0.1"),
    ("localhost:8000:8000", "127.0.0.1"),
    ("localhost:8o00", "127.0.0.1"),
    ("[::1", "127.0.0.1"),
    ("[::1]x", "127.0.0.1"),
    ("", "127.0.0.1"),
    ("127.0.0.1 evil.example", "127.0.0.1"),
    ("evil.example@127.0.0.1", "127.0.0.1"),
    ("192.168.1.5:8000", "127.0.0.1"),
    ("box:8000", "127.0.0.1"),
    ("preview.lan.evil.example", "preview.lan"),
    ("evil.example", "0.0.0.0"),
    ("box.evil.example:8000", "0.0.0.0"),
    ("10.0.0.7:8001", "0.0.0.0"),
    ("evil.example", "::"),
    ("evil.example", ""),
]


@pytest.mark.parametrize(("value", "host"), GOOD_HOSTS)
def test_hosts_accepted(value: str, host: str) -> None:
    assert accepted_host(value, host, 8000, "box")


@pytest.mark.parametrize(("value", "host"), BAD_HOSTS)
def test_hosts_refused(value: str, host: str) -> None:
    assert not accepted_host(value, host, 8000, "box")


def test_the_misdirected_answer_names_the_hosts_accepted() -> None:
    assert misdirected_text("0.0.0.0", 8000, "box") == (
        "421 Misdirected Request: this dossier preview answers only requests for 127.0.0.1, "
        "localhost, [::1], box or any IP address, port 8000.\n")
    assert misdirected_text("fe80::2", 8001, "box") == (
        "421 Misdirected Request: this dossier preview answers only requests for 127.0.0.1, "
        "localhost, [::1] or [fe80::2], port 8001.\n")
    assert misdirected_text("localhost", 8000, "box") == (
        "421 Misdirected Request: this dossier preview answers only requests for 127.0.0.1, "
        "localhost or [::1], port 8000.\n")


MISDIRECTED = ["evil.example", "127.0.0.1.evil.example:{port}", "localhost.evil.example:{port}",
               "127.0.0.1:{other}", None]


@pytest.mark.parametrize("path", ["/", "/sources/alpha.html", "/sources", "/nothing.html",
                                  f"{EVENTS}?v=x", "/" + "a" * 5000])
def test_a_request_for_another_host_is_misdirected(preview: Preview, path: str) -> None:
    port, other = preview.port, preview.port + 1
    for template in MISDIRECTED:
        host = template and template.format(port=port, other=other)
        status, headers, body = ask(port, request(path, host))
        assert status == 421, host
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body.decode() == (f"421 Misdirected Request: this dossier preview answers only "
                                 f"requests for 127.0.0.1, localhost or [::1], port {port}.\n")
        status, _, body = ask(port, request(path, host, "HEAD"), "HEAD")
        assert status == 421 and body == b""
    assert ask(port, request("/", f"localhost:{port}"))[0] == 200
    assert ask(port, request("/", f"[::1]:{port}"))[0] == 200
    assert ask(port, request("/", None, version="HTTP/1.0"))[0] == 200  # 1.0 needs no Host
