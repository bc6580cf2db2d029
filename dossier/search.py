"""Static search: a Pagefind index, built by Pagefind's own command while the pages render.

Pagefind (https://pagefind.app) indexes HTML and writes a fully static bundle (index fragments,
a WebAssembly search engine and a search UI) that works on GitHub Pages and any static server;
browsers refuse it from file://, so the pages say how to get search there instead.

Pagefind is not given the site's pages but a search document per page, made from the dossier's
records alone (see `documents`):
- a source: its headline, publisher and date, and its article text, each paragraph under the
  id it has on the source page (p-<n>); the search box links a hit to the paragraph that holds
  it (templates/static/site.js reads Pagefind's anchors), so a passage opens at that spot;
- an entity: its name, kind, variant spellings ("Hamadani" finds Hossein Hamedani) and what the
  sources say about it;
- a date page: its label.

So the bundle depends only on what is searchable, not on how it is laid out or annotated: an
annotation edit leaves it as it is (build.py keeps it), and only new text re-indexes. Pagefind's
command indexes on its own threads, in its own process, while Python renders the pages.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from markupsafe import escape

from . import dates
from .cache import PerRecord, digest
from .index import Index
from .models import Source
from .output import SEARCH_PREFIX
from .paths import date_path, entity_path, source_path

BUNDLE = "pagefind"
"""Where the bundle goes in the site."""
TIMEOUT = 1800
"""Seconds indexing may take before the build gives up with an error."""


class SearchFailed(Exception):
    """Pagefind did not produce a bundle."""


def documents(ix: Index, date_units: list[str]) -> dict[str, bytes]:
    """{site-relative page path: the HTML Pagefind indexes for that page}."""
    docs = {}
    for src in ix.sources:
        docs[source_path(src)] = _SOURCE_DOCS.get(src.id, src, _source_document)
    _SOURCE_DOCS.keep_only({s.id for s in ix.sources})
    for infos in ix.by_kind.values():
        for info in infos:
            e = info.entity
            parts = [f"<h1>{escape(e.name)}</h1>",
                     f"<p>{escape(e.kind_info.singular)} {escape(e.type)}</p>"]
            if e.variants:
                parts.append(f"<p>Also written {escape(', '.join(e.variants))}</p>")
            parts += [f"<p>{escape(st.text)}</p>" for st in e.description]
            docs[entity_path(e)] = _page(e.name, parts)
    for unit in date_units:
        label = dates.page_label(unit)
        docs[date_path(unit)] = _page(label, [f"<h1>{escape(label)}</h1>"])
    if not docs:  # a new dossier: Pagefind refuses to index nothing
        docs["index.html"] = _page("Home", ["<h1>No sources yet</h1>"])
    return docs


_SOURCE_DOCS: PerRecord[Source, bytes] = PerRecord()
"""Each source's search document, with the source record it was made from: a rebuild in this
process makes the documents of changed sources only."""


def _source_document(src: Source) -> bytes:
    meta = src.meta
    parts = [f"<h1>{escape(meta.headline)}</h1>",
             f"<p>{escape(meta.publisher or '')} {escape(meta.published.date or '')}</p>"]
    for n, block in enumerate(src.cleaned.blocks, start=1):
        tag = "h2" if block.role == "subheading" else "p"
        parts.append(f'<{tag} id="p-{n}">{escape(block.text)}</{tag}>')
    return _page(meta.headline, parts)


def _page(title: str, parts: list[str]) -> bytes:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
            f'{escape(title)}</title></head><body><main data-pagefind-body>'
            + "".join(parts) + "</main></body></html>").encode("utf-8")


def key(docs: dict[str, bytes]) -> str:
    """A hash of everything searchable: the bundle is a function of it."""
    return digest(*(part for path in sorted(docs) for part in (path, _digest_of(docs[path]))))


_DIGESTS: dict[int, tuple[bytes, str]] = {}


def _digest_of(doc: bytes) -> str:
    """A document's digest, kept while the same bytes object is in use (see _SOURCE_DOCS)."""
    held = _DIGESTS.get(id(doc))
    if held is None or held[0] is not doc:
        held = _DIGESTS[id(doc)] = (doc, hashlib.sha256(doc).hexdigest())
        if len(_DIGESTS) > 4 * len(_SOURCE_DOCS.held) + 10_000:
            _DIGESTS.clear()
    return held[1]


class Indexing:
    """Pagefind's command running on the search documents, in the background."""

    def __init__(self, docs: dict[str, bytes], work: Path) -> None:
        """Start Pagefind in a folder of its own under `work` (the project's cache: a folder
        an interrupted build leaves there is removed by the next build)."""
        from pagefind_bin import get_executable

        work.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=SEARCH_PREFIX, dir=work))
        site, self.bundle = self.folder / "site", self.folder / "bundle"
        try:
            for path, data in docs.items():
                target = site / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            self.process = subprocess.Popen(
                [str(get_executable()), "--site", str(site), "--output-path", str(self.bundle),
                 "--force-language", "en", "--silent"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def result(self) -> dict[str, bytes]:
        """Wait for Pagefind; the bundle as {site-relative path: bytes}."""
        try:
            try:
                log, _ = self.process.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()
                raise SearchFailed(f"Pagefind took longer than {TIMEOUT} s") from None
            if self.process.returncode != 0 or not self.bundle.is_dir():
                raise SearchFailed(f"Pagefind failed (exit code {self.process.returncode}): "
                                   + log.decode("utf-8", "replace").strip()[-2000:])
            return {f"{BUNDLE}/{p.relative_to(self.bundle).as_posix()}": p.read_bytes()
                    for p in sorted(self.bundle.rglob("*")) if p.is_file()}
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        """Stop Pagefind if it still runs; reap it and close its pipe either way."""
        if self.process.poll() is None:
            self.process.kill()
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.communicate()
        shutil.rmtree(self.folder, ignore_errors=True)
