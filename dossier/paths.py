"""Where each page lives in the site, relative to its root: one pattern per kind of page."""

from __future__ import annotations

from .models import KINDS, Entity, Source


def entity_path(entity: Entity) -> str:
    return f"{KINDS[entity.kind]}/{entity.id}.html"


def source_path(source: Source) -> str:
    return f"sources/{source.id}.html"


def date_path(page: str) -> str:
    return f"dates/{page}.html"
