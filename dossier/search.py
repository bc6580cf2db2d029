"""Static search: a Pagefind index of the rendered pages, built in memory at build time.

Pagefind (https://pagefind.app) indexes HTML and writes a fully static bundle (index fragments,
a WebAssembly search engine and a search UI) that works on GitHub Pages and any static server;
browsers refuse it from file://, so the pages say how to get search there instead.

What is indexed:
- every page's <main> (sources' article text is left out of their page record: see below);
- each paragraph of each source as a record of its own, whose address is the paragraph's
  anchor (sources/<id>.html#p-<n>), so a passage found by search opens at that exact spot;
- entity pages carry their variant spellings, so "Hamadani" or "Qods" finds the entity.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import cast

from pagefind.index import IndexConfig, PagefindIndex
from pagefind.service import PagefindService

from .index import Index
from .paths import source_path

BUNDLE = "pagefind"
"""Where the bundle goes in the site."""
READ_LIMIT = 1 << 31
"""Largest single response read from Pagefind (the bundle, in base64)."""
BATCH = 200
"""Requests sent to Pagefind before waiting for their answers."""
TIMEOUT = 1800
"""Seconds the whole indexing may take before the build gives up with an error."""


class _Service(PagefindService):
    """Pagefind's service client, made fit for large sites.

    The stock client sleeps 0.1 s before reading each response (0.1 s per indexed page), reads
    its pipe with a 2 MiB limit (the final response, the whole bundle in base64, outgrows it on
    a site of a few thousand pages), and leaves a request waiting forever when reading fails.
    This one reads as responses come, with a limit the size of any bundle, and fails every
    waiting request when the reader stops.
    """

    async def launch(self) -> PagefindService:
        self._backend = await asyncio.create_subprocess_exec(
            self._bin, "--service", cwd=os.getcwd(), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            limit=READ_LIMIT)
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def _wait_for_responses(self) -> None:
        try:
            await self._read_responses()
        except BaseException as exc:  # the reader stopped: nobody may wait for it any more
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(RuntimeError(f"Pagefind stopped answering: {exc!r}"))
            raise

    async def _read_responses(self) -> None:
        assert self._backend.stdout is not None
        while True:
            output = await self._backend.stdout.readuntil(b",")
            resp = json.loads(base64.b64decode(output[:-1]))
            if resp is None:
                continue
            message_id = resp.get("message_id")
            if message_id is None and (original := resp["payload"].get("original_message")):
                message_id = json.loads(original).get("message_id")
            future = self._responses.get(message_id) if message_id is not None else None
            if future is None or future.done():
                continue
            payload = resp["payload"]
            if payload["type"] == "Error":
                future.set_exception(RuntimeError(payload.get("message", "pagefind error")))
            else:
                future.set_result(payload)


def passages(ix: Index) -> list[tuple[str, str, str]]:
    """(address, title, text) of every paragraph of every source."""
    out = []
    for src in ix.sources:
        for n, block in enumerate(src.cleaned.blocks, start=1):
            if block.role == "paragraph":
                out.append((f"{source_path(src)}#p-{n}", f"{src.meta.headline} (passage)",
                            block.text))
    return out


def build_bundle(pages: dict[str, bytes], ix: Index) -> dict[str, bytes]:
    """The Pagefind bundle for these pages, as {site-relative path: bytes}."""
    return asyncio.run(asyncio.wait_for(_bundle(pages, ix), TIMEOUT))


async def _bundle(pages: dict[str, bytes], ix: Index) -> dict[str, bytes]:
    service = await _Service().launch()
    try:
        index = await service.create_index(IndexConfig(force_language="en"))
        index = cast(PagefindIndex, index)
        # Requests are sent in batches without waiting for each answer (Pagefind handles them
        # in order); the index is the same as adding them one by one.
        requests = [index.add_html_file(content=html.decode("utf-8"), url=f"/{path}")
                    for path, html in sorted(pages.items()) if path.endswith(".html")]
        requests += [index.add_custom_record(url=f"/{url}", content=text, language="en",
                                             meta={"title": title})
                     for url, title, text in passages(ix)]
        for start in range(0, len(requests), BATCH):
            await asyncio.gather(*requests[start:start + BATCH])
        files = await index.get_files()
    finally:
        await service.close()
    return {f"{BUNDLE}/{f['path']}": _content(f["content"]) for f in files}


def _content(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")
