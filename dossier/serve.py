"""Live preview: build, serve the site, rebuild on every change and reload the browser.

    serve(root, out, build_fn, report_fn, host, port)

builds once, serves `out` over HTTP, watches seeds/, content/ and templates/ and rebuilds
after every change (one build at a time; changes made during a build cause one more build).

The built files are never changed. At serve time only, every HTML response gets a small
script before </body> that listens on the Server-Sent Events endpoint EVENTS: a "reload"
event reloads the page; an "error" event carries the problems of a failed build as text, which
the script shows in an overlay (as text, never as markup) over the last good page, which keeps
being served. If no site could ever be built, pages are answered with an error page instead.

Only requests addressed to the preview itself are answered (see accepted_host): a web page that
points a DNS name of its own at this machine (DNS rebinding) gets 421 Misdirected Request. A
request target over MAX_TARGET bytes gets 414, a name the file system rejects 404; a client that
goes away early is no error, and no request ever prints a traceback.

On a source page the preview also adds the annotation script (dossier/preview/annotate.js)
when it was handed an Annotator and listens on loopback (or --allow-edit). Its requests are
answered only when they pass every check of Editing.refusal: this machine, the page's own
Origin, JSON, and this run's secret (put in the page by this server, in no file of site/).

This module does not import build.py: the caller passes the build and the terminal report.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import html
import ipaddress
import json
import mimetypes
import os
import queue
import re
import secrets
import socket
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote

import watchfiles

if TYPE_CHECKING:
    from .annotate import Annotator

from .inputs import file_stamp
from .models import Problems
from .report import problem_text

EVENTS = "/__dossier/events"
"""The Server-Sent Events endpoint the injected script listens on."""
API = "/__dossier/api/"
"""Where the annotation script sends its requests (POST, JSON): API + operation."""
EDIT_SCRIPT = "/__dossier/annotate.js"
"""The annotation script (dossier/preview/annotate.js), added to source pages."""
MAX_BODY = 1 << 20
"""The largest request body the annotation endpoint reads."""
SECRET_HEADER = "X-Dossier-Secret"
EDIT_JS = Path(__file__).parent / "preview" / "annotate.js"
WATCHED = ("seeds", "content", "templates")
"""The folders of the project whose changes trigger a rebuild."""
HEARTBEAT = 15.0
"""Seconds between keep-alive comments on an idle event stream (finds closed tabs)."""
OVERLAY_ID = "dossier-live-errors"
MAX_TARGET = 2048
"""The longest request target (path and query, in bytes) answered; a longer one gets 414."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""The names of this machine every preview answers to, whatever its --host."""
WILDCARDS = frozenset({"", "0.0.0.0", "::"})
"""--host values that mean every address of the machine."""
NO_FILE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL,
                     errno.EILSEQ})
"""File-system errors that mean there is no file by that name (one too long, say): 404."""
HOST = re.compile(r"(?:\[(?P<v6>[^\[\]]+)\]|(?P<name>[^:\[\]]+))(?::(?P<port>\d{1,5}))?"
                  r"|(?P<bare>[0-9a-f]*:[0-9a-f:.]*)")
"""A Host header in lower case: name or [IPv6 address], then maybe :port; or a bare IPv6."""

BuildFn = Callable[[Problems], "dict[str, int] | None"]
ReportFn = Callable[[Problems], None]

# The script added to every HTML response. __TOKEN__ names the build the page came from; if the
# server has a newer one when the script connects, it is told to reload at once.
SCRIPT = """<script>/* dossier live preview: added by the preview server, not part of the site */
(function () {
  "use strict";
  var events = new EventSource("__EVENTS__?v=__TOKEN__");
  function show(text) {
    var box = document.getElementById("__ID__");
    if (!box) {
      box = document.createElement("div");
      box.id = "__ID__";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "padding:1.5rem;background:rgba(24,24,24,.95);color:#f5f5f5;text-align:left;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
      var head = document.createElement("p");
      head.style.cssText = "margin:0 0 1rem;color:#ff8a80;font-weight:bold";
      head.textContent = "The build failed; this is the last good version of the page. " +
        "Fix the problems below and save: the page reloads.";
      var hide = document.createElement("button");
      hide.type = "button";
      hide.textContent = "Hide";
      hide.style.cssText = "float:right;font:inherit";
      hide.onclick = function () { box.style.display = "none"; };
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap;overflow-wrap:anywhere";
      box.appendChild(hide);
      box.appendChild(head);
      box.appendChild(pre);
      document.body.appendChild(box);
    }
    box.style.display = "";
    box.querySelector("pre").textContent = text;
  }
  events.addEventListener("reload", function () {
    events.close();
    location.reload();
  });
  events.addEventListener("error", function (event) {
    /* also fired, without data, when the connection drops; EventSource then reconnects */
    if (typeof event.data === "string") show(event.data);
  });
})();
</script>
""".replace("__EVENTS__", EVENTS).replace("__ID__", OVERLAY_ID)

ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · dossier</title>
</head>
<body style="margin:0;background:#181818;color:#f5f5f5">
<div id="__ID__" role="alert" style="padding:1.5rem;font:14px/1.5 ui-monospace,SFMono-Regular,\
Menlo,Consolas,monospace">
<p style="margin:0 0 1rem;color:#ff8a80;font-weight:bold">The build failed and there is no \
site to show yet. Fix the problems below and save: the page reloads.</p>
<pre style="margin:0;white-space:pre-wrap;overflow-wrap:anywhere">__TEXT__</pre>
</div>
</body>
</html>
""".replace("__ID__", OVERLAY_ID)


# ----------------------------------------------------------------- build state and events


class Live:
    """What the server knows about the builds, and the browsers listening for news of them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.instance = secrets.token_hex(4)
        self.good = 0
        """Successful builds so far."""
        self.error = ""
        """The problems of the last build, as text, if it failed; else empty."""
        self.clients: set[queue.SimpleQueue] = set()
        self.closed = False
        self.idle = threading.Event()
        """Set while no build is running."""
        self.idle.set()
        self.built_ns = 0
        """When the last successful build started (time.time_ns): a file saved later is not
        what the pages show."""

    def token(self) -> str:
        """Names the site being served; a page from an older one must reload."""
        return f"{self.instance}-{self.good}"

    def subscribe(self, token: str) -> queue.SimpleQueue:
        """A queue of (event, data) for one browser tab; None in it means: stop."""
        q: queue.SimpleQueue = queue.SimpleQueue()
        with self.lock:
            if self.closed:
                q.put(None)
                return q
            self.clients.add(q)
            if token != self.token():
                q.put(("reload", ""))
            elif self.error:
                q.put(("error", self.error))
        return q

    def unsubscribe(self, q: queue.SimpleQueue) -> None:
        with self.lock:
            self.clients.discard(q)

    def succeeded(self) -> None:
        with self.lock:
            self.good += 1
            self.error = ""
            self._send(("reload", ""))

    def failed(self, text: str) -> None:
        with self.lock:
            self.error = text
            self._send(("error", text))

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self._send(None)
            self.clients.clear()

    def _send(self, item: tuple[str, str] | None) -> None:
        for q in self.clients:
            q.put(item)


def sse(event: str, data: str) -> bytes:
    """One Server-Sent Event; each line of `data` on its own data: field."""
    lines = re.split(r"\r\n|\r|\n", data)
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


def inject(page: bytes, token: str, editor: dict[str, str] | None = None) -> bytes:
    """The page with the live-reload script before its last </body> (or at the end), and,
    on a source page of a preview that edits, the annotation script and its settings (this
    run's secret among them: it is in no file of site/)."""
    script = SCRIPT.replace("__TOKEN__", token)
    if editor is not None:
        settings = json.dumps({**editor, "token": token, "api": API}).replace("</", "<\\/")
        script += (f'<script id="dossier-edit-config" type="application/json">{settings}'
                   f'</script>\n<script src="{EDIT_SCRIPT}"></script>\n')
    data = script.encode()
    at = page.lower().rfind(b"</body>")
    return page + data if at < 0 else page[:at] + data + page[at:]


SOURCE_PAGE = re.compile(r"/sources/([A-Za-z0-9][A-Za-z0-9._-]*)\.html")
"""A source page's address: where the annotation script is added."""


# ----------------------------------------------------------------- HTTP


def locate(site: Path, url_path: str) -> Path | HTTPStatus:
    """The path inside `site` that a URL path names, or the status to refuse it with.

    Refuses '..' segments (also percent-encoded), backslashes, NUL and anything that resolves
    (through a symbolic link, say) outside the site folder."""
    try:
        raw = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return HTTPStatus.BAD_REQUEST
    if not raw.startswith("/") or "\\" in raw or "\x00" in raw:
        return HTTPStatus.BAD_REQUEST
    parts = raw.split("/")[1:]
    if ".." in parts:
        return HTTPStatus.FORBIDDEN
    base = Path(os.path.realpath(site))
    target = base.joinpath(*(p for p in parts if p not in ("", ".")))
    real = Path(os.path.realpath(target))
    if real != base and base not in real.parents:
        return HTTPStatus.FORBIDDEN
    return target


def resolve(site: Path, url_path: str) -> Path | str | HTTPStatus:
    """The file a URL path names (a folder's index.html), the address a folder named without
    its final slash redirects to, or the status to refuse the path with."""
    found = locate(site, url_path)
    if isinstance(found, HTTPStatus):
        return found
    folder = is_dir(found)
    if folder and not url_path.endswith("/"):
        parts = [p for p in unquote(url_path).split("/") if p not in ("", ".")]
        return "/" + "".join(quote(p) + "/" for p in parts)
    return found / "index.html" if folder or url_path.endswith("/") else found


def is_dir(path: Path) -> bool:
    """Whether `path` is a folder; False also for a name the file system rejects (too long,
    say). Other errors (no permission ...) are raised."""
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError as exc:
        if exc.errno not in NO_FILE:
            raise
        return False


def read_file(path: Path) -> bytes | None:
    """The bytes of the file at `path`, or None if there is none (also for a name the file
    system rejects). Other errors are raised."""
    try:
        return path.read_bytes() if stat.S_ISREG(path.stat().st_mode) else None
    except OSError as exc:
        if exc.errno not in NO_FILE:
            raise
        return None


def ip(name: str) -> str | None:
    """`name` in the standard form of an IP address (0:0:0:0:0:0:0:1 is ::1), if it is one."""
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return None


def accepted_names(host: str, hostname: str) -> list[str]:
    """The names a preview served on `host` answers to (IPv6 addresses without brackets)."""
    extra = hostname.lower() if host in WILDCARDS else ip(host) or host.lower()
    return list(dict.fromkeys([*LOOPBACK, extra] if extra else LOOPBACK))


def accepted_host(value: str, host: str, port: int, hostname: str) -> bool:
    """Whether the Host header `value` names the preview served on `host`:`port`.

    Accepted: the loopback names and `host`, and when `host` is a wildcard also the machine's
    `hostname` and any IP address; a port, if given, must be `port`. A web page that points a
    DNS name of its own at this machine (DNS rebinding) sends that name, and is refused."""
    found = HOST.fullmatch(value.strip().lower())
    if not found or (found["port"] and int(found["port"]) != port):
        return False
    name = found["v6"] or found["name"] or found["bare"]
    if (ip(name) or name) in accepted_names(host, hostname):
        return True
    return host in WILDCARDS and ip(name) is not None


def misdirected_text(host: str, port: int, hostname: str) -> str:
    """The body of a 421 answer: the hosts the preview answers to."""
    names = [f"[{n}]" if ":" in n else n for n in accepted_names(host, hostname)]
    if host in WILDCARDS:
        names.append("any IP address")
    return (f"421 Misdirected Request: this dossier preview answers only requests for "
            f"{', '.join(names[:-1])} or {names[-1]}, port {port}.\n")


@dataclass
class Editing:
    """The preview's annotation endpoint: who may write, and what does the writing."""

    annotator: Annotator
    secret: str
    anywhere: bool
    """--allow-edit: requests from other machines are accepted too."""

    def refusal(self, handler: BaseHTTPRequestHandler) -> tuple[HTTPStatus, str] | None:
        """Why a write request is refused, or None. The Host header was checked already."""
        headers = handler.headers
        client = ip(handler.client_address[0]) or ""
        if not self.anywhere and not ipaddress.ip_address(client).is_loopback:
            return HTTPStatus.FORBIDDEN, "annotating is accepted from this machine only"
        origin = (headers.get("Origin") or "").lower()
        if origin != "http://" + (headers.get("Host") or "").strip().lower():
            return HTTPStatus.FORBIDDEN, f"request from another site (Origin {origin[:100]!r})"
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "only application/json is accepted"
        given = headers.get(SECRET_HEADER) or ""
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return HTTPStatus.FORBIDDEN, "missing or wrong secret; reload the page"
        return None


def read_json(handler: BaseHTTPRequestHandler) -> dict[str, Any] | str:
    """The request's JSON object, or why it cannot be read."""
    try:
        length = int(handler.headers.get("Content-Length") or "-1")
    except ValueError:
        length = -1
    if not 0 <= length <= MAX_BODY:
        return f"a body of 0 to {MAX_BODY} bytes, with its Content-Length, is expected"
    try:
        data = json.loads(handler.rfile.read(length).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the body is not JSON"
    return data if isinstance(data, dict) else "a JSON object is expected"


def make_handler(site: Path, live: Live, host: str,
                 editing: Editing | None = None) -> type[BaseHTTPRequestHandler]:
    hostname = socket.gethostname()

    class Handler(BaseHTTPRequestHandler):
        server_version = "dossier-serve"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows builds, not requests

        def do_GET(self) -> None:
            self.respond(head=False)

        def do_HEAD(self) -> None:
            self.respond(head=True)

        def do_POST(self) -> None:
            """The annotation endpoint: every check, then the annotator's answer."""
            port = self.server.server_address[1]
            if self.misdirected(port):
                self.send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                          misdirected_text(host, port, hostname).encode(), False)
                return
            path = self.path.partition("?")[0]
            if not path.startswith(API) or len(self.path) > MAX_TARGET:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "nothing to post to here"})
                return
            if editing is None:
                self.answer(HTTPStatus.FORBIDDEN, {"error": "annotating in the browser is off "
                            "in this preview (see the terminal)"})
                return
            refused = editing.refusal(self)
            body = read_json(self) if refused is None else ""
            if isinstance(body, str) and refused is None:
                refused = HTTPStatus.BAD_REQUEST, body
            if refused is not None:
                print(f"{time.strftime('%H:%M:%S')} refused a write request from "
                      f"{self.client_address[0]}: {refused[1]}", file=sys.stderr, flush=True)
                self.answer(refused[0], {"error": refused[1]})
                return
            assert isinstance(body, dict)
            try:
                self.answer(*editing.annotator.handle(path[len(API):], body))
            except Exception as exc:  # a bug must not end the preview or lose the answer
                message = " ".join(f"{type(exc).__name__}: {exc}".split())
                print(f"error: annotating: {message}", file=sys.stderr, flush=True)
                self.answer(HTTPStatus.INTERNAL_SERVER_ERROR,
                            {"error": f"the preview failed to do this ({message}); nothing "
                             "more was written. Please report it"})

        def answer(self, status: HTTPStatus, data: dict[str, Any]) -> None:
            self.send(status, "application/json; charset=utf-8",
                      json.dumps(data, ensure_ascii=False).encode(), False)

        def respond(self, head: bool) -> None:
            port = self.server.server_address[1]
            if self.misdirected(port):
                self.send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                          misdirected_text(host, port, hostname).encode(), head)
                return
            if len(self.path) > MAX_TARGET:  # decoded as Latin-1: a character per byte
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG,
                                explain=f"Addresses are limited to {MAX_TARGET} bytes.")
                return
            # not urlsplit: it would take '//x/...' for a host name
            path, _, query = self.path.partition("#")[0].partition("?")
            if path == EVENTS:
                token = parse_qs(query).get("v", [""])[0]
                self.events(token, head)
                return
            if path == EDIT_SCRIPT and editing is not None:
                self.asset("text/javascript; charset=utf-8", EDIT_JS.read_bytes(), head)
                return
            self.page(path, query, head)

        def misdirected(self, port: int) -> bool:
            """Whether the Host header names another server (HTTP/1.0 may leave it out)."""
            values = self.headers.get_all("Host") or []
            if not values:
                return self.request_version not in ("HTTP/0.9", "HTTP/1.0")
            return len(values) > 1 or not accepted_host(values[0], host, port, hostname)

        def page(self, path: str, query: str, head: bool) -> None:
            """Answer with the file `path` names, a redirect to a folder's address, or why not."""
            try:
                found = resolve(site, path)
                data = self.read(found) if isinstance(found, Path) else None
            except OSError as exc:
                self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR,
                                explain=f"cannot read {unquote(path)}: {exc.strerror or exc}")
                return
            if isinstance(found, HTTPStatus):
                self.send_error(found)
            elif isinstance(found, str):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", found + (f"?{query}" if query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif data is None:
                self.missing(found, head)
            else:
                ctype = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                if ctype == "text/html":
                    ctype = "text/html; charset=utf-8"
                    page = SOURCE_PAGE.fullmatch(unquote(path))
                    data = inject(data, live.token(), None if editing is None or not page else
                                  {"secret": editing.secret, "source": page[1]})
                    self.send(HTTPStatus.OK, ctype, data, head)
                else:
                    self.asset(ctype, data, head)

        def missing(self, path: Path, head: bool) -> None:
            """404, or the build's errors for a page while no site could be built yet."""
            if live.error and not (site / "index.html").is_file() and (
                    path.suffix in (".html", ".htm", "")):
                body = ERROR_PAGE.replace("__TEXT__", html.escape(live.error))
                self.send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8",
                          inject(body.encode(), live.token()), head)
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def read(self, path: Path) -> bytes | None:
            """The file's bytes, or None; a miss during a build is retried once it ends (the
            build swaps the new site in with two renames)."""
            data = read_file(path)
            if data is None and not live.idle.is_set():
                live.idle.wait(10)
                data = read_file(path)
            return data

        def send(self, status: HTTPStatus, ctype: str, data: bytes, head: bool,
                 tag: str = "") -> None:
            """A response; with an entity `tag`, one the browser may keep but must check."""
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-cache" if tag else "no-store")
            if tag:
                self.send_header("ETag", tag)
            self.end_headers()
            if not head:
                self.wfile.write(data)

        def asset(self, ctype: str, data: bytes, head: bool) -> None:
            """A stylesheet, script, image ...: 304 Not Modified when the browser has these
            bytes already, so a reload after each rebuild does not fetch them again (pages
            themselves are never kept: each carries the build it came from)."""
            tag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
            if tag in (self.headers.get("If-None-Match") or "").replace(" ", "").split(","):
                self.send_response(HTTPStatus.NOT_MODIFIED)  # no body, so no length
                self.send_header("Cache-Control", "no-cache")
                self.send_header("ETag", tag)
                self.end_headers()
            else:
                self.send(HTTPStatus.OK, ctype, data, head, tag)

        def events(self, token: str, head: bool) -> None:
            q = None if head else live.subscribe(token)  # before the headers: nothing is missed
            try:
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if q is None:
                    return
                self.wfile.write(b"retry: 1000\n\n")
                while True:
                    try:
                        item = q.get(timeout=HEARTBEAT)
                    except queue.Empty:
                        self.wfile.write(b": keep-alive\n\n")
                        continue
                    if item is None:
                        return
                    self.wfile.write(sse(*item))
            except OSError:
                pass  # the tab was closed or reloaded
            finally:
                if q is not None:
                    live.unsubscribe(q)

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[object, ...]) -> None:
        """A client that went away early is no error; anything else is one line, not a
        traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            print(f"error: answering a request from {client_address[0]}: {message}",
                  file=sys.stderr, flush=True)


def listen(host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> Server:
    cls = Server
    if ":" in host:
        cls = type("Server6", (Server,), {"address_family": socket.AF_INET6})
    return cls((host, port), handler)


def address(host: str, port: int) -> str:
    shown = "localhost" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


# ----------------------------------------------------------------- watching


class Changes:
    """Changed files collected until the builder takes them: from the watcher, and directly
    from the annotator when it writes (so a write is rebuilt at once, and the watcher's later
    report of that same write is dropped instead of causing a second build)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.pending: dict[str, set[watchfiles.Change]] = {}
        self.ours: dict[str, tuple[int, int, int] | None] = {}
        """path -> its stamp right after the preview itself wrote it."""

    def add(self, batch: set[tuple[watchfiles.Change, str]]) -> None:
        with self.cond:
            for change, path in batch:
                if not self._echo(path):
                    self.pending.setdefault(path, set()).add(change)
            if self.pending:
                self.cond.notify_all()

    def wrote(self, paths: list[Path]) -> None:
        """The preview wrote these files: rebuild now."""
        with self.cond:
            for path in paths:
                self.ours[str(path)] = file_stamp(str(path))
                self.pending.setdefault(str(path), set()).add(watchfiles.Change.modified)
            self.cond.notify_all()

    def take(self, timeout: float) -> dict[str, set[watchfiles.Change]]:
        with self.cond:
            self.cond.wait_for(lambda: self.pending, timeout)
            taken, self.pending = self.pending, {}
            return taken

    def _echo(self, path: str) -> bool:
        """Is this the watcher reporting a write of the preview's own (or its temporary file)?"""
        if path in self.ours:
            return file_stamp(path) == self.ours[path]
        temporary = TEMPORARY.fullmatch(os.path.basename(path))
        return bool(temporary) and \
            os.path.join(os.path.dirname(path), temporary["name"]) in self.ours


TEMPORARY = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp")
"""The temporary file an atomic write renames into place (edit.py's `_replace`)."""


STEP_MS = 10
"""How long the watcher waits for more changes after one (watchfiles' default is 50 ms): an
editor's save (a temporary file written, then renamed into place) takes a millisecond or two,
so 10 ms still gives one batch, and the rebuild starts sooner. A save slower than that gives
two rebuilds, the second of the finished file: the site is still the file's."""


def watch(paths: list[Path], out: Path, changes: Changes, halt: threading.Event,
          watching: threading.Event) -> None:
    """Feed `changes` from the file system until `halt` is set; set `watching` once set up."""
    default = watchfiles.DefaultFilter()
    skip = str(out) + os.sep

    def keep(change: watchfiles.Change, path: str) -> bool:
        return default(change, path) and not path.startswith(skip)

    try:
        # yield_on_timeout: the first (possibly empty) batch proves the watcher is set up
        for batch in watchfiles.watch(*paths, watch_filter=keep, stop_event=halt,
                                      rust_timeout=200, yield_on_timeout=True, step=STEP_MS,
                                      raise_interrupt=False):
            watching.set()
            if batch:
                changes.add(batch)
    except Exception as exc:  # report it and keep serving
        print(f"error: watching for changes stopped: {exc}", file=sys.stderr, flush=True)
    finally:
        watching.set()


def describe(changed: dict[str, set[watchfiles.Change]], root: Path) -> str:
    """'content/sources/a.yaml changed', leaving out an editor's short-lived temporary files."""
    def rel(path: str) -> str:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            return path

    added, deleted = watchfiles.Change.added, watchfiles.Change.deleted
    names = sorted(p for p, kinds in changed.items()
                   if not (added in kinds and deleted in kinds and not os.path.exists(p)))
    if not names:
        return "files changed"
    if len(names) > 1:
        return f"{rel(names[0])} and {len(names) - 1} more file(s) changed"
    kinds = changed[names[0]]
    verb = ("deleted" if not os.path.exists(names[0]) else
            "added" if added in kinds and deleted not in kinds else "changed")
    return f"{rel(names[0])} {verb}"


def is_loopback(host: str) -> bool:
    return host == "localhost" or (ip(host) is not None and
                                   ipaddress.ip_address(host).is_loopback)


def freshness(live: Live, changes: Changes, token: str, path: Path) -> str:
    """'' if a page of build `token` shows `path` as it is on disk; else why not."""
    if token != live.token():
        return "the page is older than the last build, so nothing was written; reloading it"
    if not live.idle.is_set() or changes.pending:
        return ("files changed and the preview is rebuilding, so nothing was written; try again "
                "once the page reloads")
    try:
        saved = path.stat().st_mtime_ns
    except FileNotFoundError:
        return ""
    if saved > live.built_ns:
        return (f"{path.name} was saved after this page was built, so nothing was written; "
                "reloading the page")
    return ""


# ----------------------------------------------------------------- the command


def serve(root: Path, out: Path, build_fn: BuildFn, report_fn: ReportFn,
          host: str = "127.0.0.1", port: int = 8000,
          ready: threading.Event | None = None, stop: threading.Event | None = None,
          annotator: Annotator | None = None, allow_edit: bool = False,
          saw: Callable[[set[str] | None], None] | None = None,
          published: Callable[[], None] | None = None) -> int:
    """Build, serve `out` on host:port, rebuild on every change until Ctrl-C or `stop`.

    `build_fn(problems)` runs one build and returns its counts, or None if it failed;
    `report_fn(problems)` prints problems to the terminal. `ready` is set once the server
    answers requests. With an `annotator`, source pages can be annotated in the browser when
    `host` is loopback or `allow_edit` is given. `saw(paths)` is told, before each build,
    which files changed since the last (None before the first); `published()`, after each
    build once the browser was told to reload (or shown the errors). Returns the exit code: 0
    stopped, 2 could not listen."""
    root = Path(os.path.realpath(root))
    out = Path(os.path.realpath(out))
    stop = stop or threading.Event()
    live = Live()
    changes = Changes()
    editing = None
    if annotator is not None:
        if allow_edit or is_loopback(host):
            annotator.fresh = lambda token, path: freshness(live, changes, token, path)
            annotator.wrote = changes.wrote
            editing = Editing(annotator, secrets.token_urlsafe(32), allow_edit)
        else:
            print(f"Annotating in the browser is off: the preview listens on {host}, beyond "
                  "this machine. Pass --allow-edit to turn it on (anyone who can reach the "
                  "address could then change content/).", file=sys.stderr, flush=True)
    try:
        httpd = listen(host, port, make_handler(out, live, host, editing))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"error: port {port} is already in use on {host}; stop the program using it "
                  f"or choose another port with --port (e.g. --port {port + 1})",
                  file=sys.stderr)
        else:
            print(f"error: cannot listen on {host} port {port}: {exc.strerror or exc}; "
                  f"try another --host or --port", file=sys.stderr)
        return 2

    halt = threading.Event()
    watching = threading.Event()
    paths = [root / name for name in WATCHED if (root / name).is_dir()]
    watcher = threading.Thread(target=watch, args=(paths, out, changes, halt, watching),
                               name="dossier-watch", daemon=True)
    server = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                              name="dossier-http", daemon=True)

    def rebuild(reason: str, paths: set[str] | None = None) -> None:
        if saw is not None:
            saw(paths)
        problems = Problems()
        crash = ""
        started, started_ns = time.perf_counter(), time.time_ns()
        live.idle.clear()
        try:
            result = build_fn(problems)
        except Exception:  # a bug in the build must not end the preview
            result, crash = None, traceback.format_exc()
        finally:
            live.idle.set()
        ms = round((time.perf_counter() - started) * 1000)
        if problems.items:
            report_fn(problems)
        if crash:
            print(crash, end="", file=sys.stderr, flush=True)
        errors, warnings = len(problems.errors), len(problems.warnings)
        if result is not None:
            live.built_ns = started_ns
            if annotator is not None:
                annotator.built()
            live.succeeded()
            status = "ok" + (f", {warnings} warning(s)" if warnings else "") + (
                f"; redid {result['redid']}" if isinstance(result, dict) and "redid" in result
                else "")
        else:
            text = crash or (problem_text(problems, root) if problems.items
                             else "The build failed without reporting a problem.")
            live.failed(text)
            shown = ("serving the last good site" if (out / "index.html").is_file()
                     else "serving the errors")
            status = (f"crashed, {shown}" if crash else
                      f"{errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")
                      + f", {shown}")
        if published is not None:
            published()
        print(f"{time.strftime('%H:%M:%S')} {reason}: built in {ms} ms, {status}", flush=True)

    try:
        if paths:
            watcher.start()
            watching.wait(10)
        else:
            print(f"warning: none of {', '.join(WATCHED)} is in {root}; not watching",
                  file=sys.stderr, flush=True)
        rebuild("first build")
        server.start()
        print(f"Serving {out} at {address(host, httpd.server_address[1])} (rebuilds when "
              f"{', '.join(n + '/' for n in WATCHED)} change; Ctrl-C to stop)", flush=True)
        if ready is not None:
            ready.set()
        while not stop.is_set():
            changed = changes.take(timeout=0.1)
            if changed:
                rebuild(describe(changed, root), set(changed))
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        halt.set()
        live.close()
        if server.is_alive():
            httpd.shutdown()
        httpd.server_close()
        if watcher.is_alive():
            watcher.join(5)
    return 0
