"""Open data beside the pages (to be written): exports, JSON-LD, sitemap, feed, citations."""

from __future__ import annotations

from markupsafe import Markup


def exports(index: object, entities: object, dossier: object) -> dict[str, bytes]:
    """Files to publish beside the pages: {site-relative path: bytes}."""
    return {}


def jsonld(kind: str, page: object, dossier: object) -> Markup:
    """The schema.org JSON-LD <script> for a page."""
    return Markup("")


def citations(source: object, dossier: object) -> list[tuple[str, str]]:
    """Ready-to-copy citations of a source: [(style name, text)]."""
    return []
