"""Pictures generated at build time as inline SVG (to be written)."""

from __future__ import annotations

from markupsafe import Markup


def timeline_svg(index: object) -> Markup:
    """The timeline of dated events across sources, as an accessible SVG."""
    return Markup("")


def entity_graph_svg(info: object, entity_path: object) -> Markup:
    """The entities an entity appears with, as an accessible SVG."""
    return Markup("")
