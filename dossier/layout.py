"""Where a dossier's parts are: finding its folder, and the tool's defaults it falls back on.

A dossier is a folder holding `content/dossier.yaml`. Its `templates/` (static files in
`templates/static/`) and `content/boilerplate.yaml` are optional: each template and static
file overrides the tool's default of the same name, and the boilerplate rules add to the
default rules (see dossier/clean.py). The defaults ship inside the package, in
`dossier/defaults/`.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEFAULTS = PACKAGE / "defaults"
DEFAULT_TEMPLATES = DEFAULTS / "templates"
DEFAULT_RULES = DEFAULTS / "boilerplate.yaml"
MARK = Path("content") / "dossier.yaml"
"""The file that makes a folder a dossier (as .git makes a repository)."""
START_HINT = "start one with `dossier init FOLDER`, or name one with --root FOLDER"


class NotADossier(Exception):
    """The folder given (or the current one, and every folder above it) holds no dossier."""


def find_root(start: Path) -> Path:
    """The dossier `start` is in: the nearest folder, `start` or above, that holds
    content/dossier.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARK).is_file():
            return folder
    raise NotADossier(f"{start} is not inside a dossier (no content/dossier.yaml here or in "
                      f"any folder above); {START_HINT}")


def check_root(root: Path) -> Path:
    """`root` itself, if it is a dossier (--root names the dossier's own folder)."""
    root = root.resolve()
    if not root.is_dir():
        raise NotADossier(f"--root {root}: no such folder; give the dossier's folder (the one "
                          "holding seeds/ and content/)")
    if not (root / MARK).is_file():
        raise NotADossier(f"--root {root} is not a dossier (it has no content/dossier.yaml); "
                          f"{START_HINT}")
    return root


def template_folders(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the dossier's own, then the tool's."""
    own = root / "templates"
    return [own, DEFAULT_TEMPLATES] if own.is_dir() else [DEFAULT_TEMPLATES]


def static_folders(root: Path) -> list[Path]:
    """The folders whose files make up site/static/, later ones overriding earlier ones by
    file name: the tool's static files, then the dossier's templates/static/."""
    own = root / "templates" / "static"
    return [DEFAULT_TEMPLATES / "static", *([own] if own.is_dir() else [])]


def template_file(root: Path, name: str) -> str:
    """How a template is named in messages: templates/<name> when the dossier has it, else the
    tool's default it falls back on."""
    if (root / "templates" / name).is_file():
        return f"templates/{name}"
    return f"{DEFAULT_TEMPLATES / name} (the tool's default template)"
