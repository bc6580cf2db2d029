"""Extract text from a saved HTML page (imported lazily: trafilatura is slow to import).

Three renderings of the page are offered to `dossier.clean`, which chooses between them:

- `precise`: trafilatura's article text with `favor_precision` (least boilerplate);
- `default`: trafilatura's article text with its default balance (a safety net for pages
  where the precise pass keeps almost nothing);
- `page`: the whole page's visible text, one block a line, like the plain-text input, so the
  generic line rules can find the article when trafilatura misses most of it.

Without trafilatura (not installed, or a missing optional dependency of lxml) only `page`
is filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br caption dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DROP_XPATH = "//script|//style|//noscript|//template|//svg|//head|//iframe|//button|//select"


@dataclass(frozen=True)
class Extracted:
    """The renderings of one HTML page."""

    precise: str
    """trafilatura with favor_precision ('' when unavailable)."""
    default: str
    """trafilatura with default settings ('' when unavailable)."""
    page: str
    """The whole page's visible text, one block a line."""
    title: str | None
    """The page's headline according to its metadata, if found."""


def extract_article(markup: str) -> Extracted:
    """All renderings of the page; never raises on malformed HTML."""
    page = page_text(markup)
    try:
        import trafilatura
    except ImportError:
        return Extracted("", "", page, None)
    options = {"include_comments": False, "include_tables": True, "deduplicate": False}
    precise = trafilatura.bare_extraction(markup, favor_precision=True, with_metadata=True,
                                          **options)
    default = trafilatura.extract(markup, **options) or ""
    title = getattr(precise, "title", None) if precise is not None else None
    text = (getattr(precise, "text", None) or "") if precise is not None else ""
    return Extracted(text, default, page, title or None)


def page_text(markup: str) -> str:
    """The visible text of a page, a line for each block element (scripts etc. dropped)."""
    from lxml import etree
    from lxml import html as lxml_html

    markup = _XML_DECLARATION.sub("", markup, count=1)
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath(_DROP_XPATH):
        bad.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        name = element.tag if isinstance(element.tag, str) else ""
        if name in _BLOCK_TAGS:
            parts.append("\n")
        if event == "start" and name and element.text:
            parts.append(element.text)
        if event == "end" and element is not root and element.tail:
            parts.append(element.tail)
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n"))
