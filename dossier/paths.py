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


def date_path(page: str) -> str:
    return f"dates/{page}.html"
