"""Where each page lives in the site, relative to its root: one pattern per kind of page."""

from __future__ import annotations

from .models import Entity, Source


def entity_path(entity: Entity) -> str:
    return f"{entity.kind_info.folder}/{entity.id}.html"


def mentions_path(entity: Entity, page: int) -> str:
    """Page `page` of an entity's mentions: the first is the entity's own page, the others sit
    in a folder named after it (no entity id can take that name)."""
    folder = entity.kind_info.folder
    return entity_path(entity) if page == 1 else f"{folder}/{entity.id}/{page}.html"


def source_path(source: Source) -> str:
    return f"sources/{source.id}.html"


def date_path(page: str, number: int = 1) -> str:
    """Page `number` of a year's, month's or day's date page: the others sit in a folder named
    after it."""
    return f"dates/{page}.html" if number == 1 else f"dates/{page}/{number}.html"


def timeline_path(label: str, page: int = 1) -> str:
    """The timeline page of a year or month ('' for the whole timeline on one page), and the
    further pages of a month busier than a page holds."""
    if not label:
        return "timeline.html"
    return f"timeline/{label}.html" if page == 1 else f"timeline/{label}/{page}.html"
