#!/usr/bin/env python3
"""Build the annotated source dossier of this repository: `python build.py [command] ...`.

The same commands as the `dossier` command that `pip install` gives (see dossier/cli.py):

    python build.py                  build site/ and print a summary
    python build.py clean FILE       print the article text of a seed, one block per line
    python build.py clean FILE --explain
                                     ... with the headline and every removed line and its rule
    python build.py check            lint the annotations; writes nothing
    python build.py serve            build, serve on http://localhost:8000, rebuild on change
    python build.py init FOLDER      start a dossier of your own
    python build.py add FILE         add a saved page to the dossier

Run from this folder, it works on this repository's dossier (content/dossier.yaml); from
inside another dossier, on that one; --root FOLDER names one.
"""

from pathlib import Path

from dossier.cli import main as _main
from dossier.cli import run

ROOT = Path(__file__).resolve().parent
"""This repository: the shipped dossier."""


def main(argv: list[str] | None = None) -> int:
    return _main(argv, prog="build.py")


if __name__ == "__main__":
    run(prog="build.py")
