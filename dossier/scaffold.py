"""`dossier init FOLDER`: a new, minimal, documented dossier that builds at once.

What it writes comes from dossier/defaults/scaffold/ (the dossier's README, its
content/dossier.yaml, a .gitignore, the publishing workflow and the requirements it installs);
the folders seeds/, content/sources/ and content/entities/ start empty.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

from .layout import DEFAULTS

SCAFFOLD = DEFAULTS / "scaffold"
FILES = {  # written file -> scaffold file
    "README.md": "README.md",
    "content/dossier.yaml": "dossier.yaml",
    ".gitignore": "gitignore",
    ".github/workflows/pages.yml": "pages.yml",
    "requirements.txt": "requirements.txt",
}
FOLDERS = ("seeds", "content/sources", "content/entities")


def init_command(folder: Path, title: str, prog: str) -> int:
    """Write a new dossier into `folder` (made if missing; refused unless empty)."""
    problem = _refusal(folder)
    if problem:
        print(f"{prog} init: error: {problem}", file=sys.stderr)
        return 1
    title = title or _title(folder)
    values = {"{title}": title, "{title_yaml}": json.dumps(title, ensure_ascii=False),
              "{requirement}": _requirement()}
    for name in FOLDERS:
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / ".gitkeep").write_bytes(b"")
    for target, source in FILES.items():
        text = (SCAFFOLD / source).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        (folder / target).parent.mkdir(parents=True, exist_ok=True)
        (folder / target).write_text(text, encoding="utf-8")
    shown = str(folder)
    print(f"Started the dossier \"{title}\" in {shown}/. Next:\n"
          f"    cd {shown}\n"
          f"    {prog} add ~/Downloads/article.html   # a saved page, with its metadata\n"
          f"    {prog} build                          # then open site/index.html")
    return 0


def _refusal(folder: Path) -> str:
    """Why `folder` cannot take a new dossier, or ''."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return f"{folder} exists and is not a folder; choose a new or empty folder"
    if folder.is_dir() and any(folder.iterdir()):
        return (f"{folder} is not empty; a new dossier goes into a new or empty folder "
                "(nothing was written)")
    return ""


def _title(folder: Path) -> str:
    """A title from the folder's name: 'wework-files' -> 'Wework files'."""
    words = re.sub(r"[-_.\s]+", " ", folder.resolve().name).strip()
    return words[:1].upper() + words[1:] if words else "Dossier"


def _requirement() -> str:
    """The tool as the workflow can install it: where it came from, if pip recorded an address
    a machine elsewhere can reach (PEP 610), else a line to fill in."""
    try:
        recorded = metadata.distribution("dossier").read_text("direct_url.json") or ""
    except metadata.PackageNotFoundError:
        recorded = ""
    url = json.loads(recorded).get("url", "") if recorded else ""
    if url.startswith(("https://", "git+https://")):
        return f"dossier @ {url}"
    return "# dossier @ git+https://github.com/OWNER/dossier  <- fill in, then remove the '#'"
