"""Fixtures: a miniature dossier written inline, and the shipped dossier built once."""

from __future__ import annotations

import hashlib
import io
import shutil
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import build  # noqa: E402
from dossier.clean import Rules, dossier_rules  # noqa: E402
from dossier.layout import DEFAULT_TEMPLATES  # noqa: E402
from dossier.models import Problems  # noqa: E402

MINI_SEEDS = {
    "alpha.txt": """\
        Middle East

        Iran sends advisers to Syria

        Gen. Hossein Hamedani was killed near Aleppo on Thursday, the Associated Press said.
        Hamadani had advised the Syrian Arab Army in Aleppo since last year.
        The US-led coalition has bombed the Islamic State (ISIL) group for a year.

        Back to top
        """,
    "beta.txt": """\
        Iran’s top general Hossein Hamadani was buried in Tehran on Saturday.
        The Bassel al-Assad International Airport stayed closed.
        """,
}

MINI_SOURCES = {
    "alpha.yaml": """\
        headline: Iran sends advisers to Syria
        publisher: Example News
        published: {date: 2015-10-15}
        url: https://example.org/alpha?utm_source=newsletter&id=7
        notes: Checked against the *print* edition.
        mentions:
          - {quote: Hossein Hamedani, entity: hossein-hamedani}
          - {quote: Hamadani, entity: hossein-hamedani}
          - {quote: Aleppo, entity: aleppo, occurrence: 1}
          - {quote: Aleppo, entity: aleppo, occurrence: 2}
          - {quote: Syrian Arab Army, entity: syrian-arab-army}
          - {quote: US-led coalition, entity: us-led-coalition}
          - {quote: US, entity: united-states}
          - {quote: Islamic State, entity: islamic-state}
          - {quote: ISIL, entity: islamic-state}
        dates:
          - quote: Thursday
            value: 2015-10-15
            reasoning: Publication day, a Thursday.
            event: Hamedani killed near Aleppo
          - quote: since last year
            value: 2014-01-01/2015-10-15
            approximate: true
            reasoning: From the start of last year to publication.
            event: Hamadani advises the Syrian army
        """,
    "beta.yaml": """\
        headline: General buried
        publisher: Other Paper
        published:
          date: 2015-10-18
          inferred: true
          reasoning: The burial was on Saturday 17 October.
        url: https://example.com/beta
        mentions:
          - {quote: Hossein Hamadani, entity: hossein-hamedani}
          - {quote: Tehran, entity: tehran}
          - {quote: Bassel al-Assad International Airport, entity: bassel-airport}
        dates:
          - quote: Saturday
            value: 2015-10-17
            reasoning: The Saturday before publication.
            event: Hamadani buried
        """,
}

MINI_ENTITIES = """\
    - id: hossein-hamedani
      name: Hossein Hamedani
      kind: person
      variants: [Hossein Hamadani, Hamadani, Hamedani]
      description:
        - {text: Iranian general killed near Aleppo., sources: [alpha]}
        - {text: "Called Iran’s top general.", sources: [beta]}
      relations:
        - {relation: member-of, entity: syrian-arab-army, source: alpha, quote: advised}
    - id: aleppo
      name: Aleppo
      kind: place
      type: city
      description: [{text: City in Syria., sources: [alpha]}]
    - id: tehran
      name: Tehran
      kind: place
      type: city
      description: [{text: Where Hamadani was buried., sources: [beta]}]
    - id: bassel-airport
      name: Bassel al-Assad International Airport
      kind: place
      type: airport
      description: [{text: Stayed closed., sources: [beta]}]
    - id: syrian-arab-army
      name: Syrian Arab Army
      kind: unit
      description: [{text: Syria's army., sources: [alpha]}]
    - id: us-led-coalition
      name: US-led coalition
      kind: unit
      description: [{text: Bombs the Islamic State., sources: [alpha]}]
    - id: united-states
      name: United States
      kind: place
      description: [{text: Leads the coalition., sources: [alpha]}]
    - id: islamic-state
      name: Islamic State
      kind: unit
      variants: [ISIL]
      description: [{text: Bombed by the coalition., sources: [alpha]}]
    - id: associated-press
      name: Associated Press
      kind: organisation
      description: [{text: News agency., sources: [alpha]}]
    """



def tree_digest(folder: Path) -> str:
    """A hash of every file's path and bytes under `folder`: equal digests, equal trees."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def build_output(*args: str) -> tuple[int, str, str]:
    """Run `build.py ARGS` in this process: its exit code, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = build.main(list(args))
    return code, out.getvalue(), err.getvalue()


def quiet_build(*args: str) -> int:
    return build_output(*args)[0]


def rendered_pages(root: Path) -> list[str]:
    """Build, in this process on one core, and list the pages rendered (not kept by their
    key), in the order rendered."""
    from dossier import parallel, render

    made: list[str] = []
    real = render.Renderer.render
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel, "workers", lambda: 1)
        mp.setattr(render.Renderer, "render",
                   lambda self, page: made.append(page.path) or real(self, page))
        assert quiet_build("--root", str(root)) == 0
    return made


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(root: Path, tmp: Path) -> dict[str, bytes]:
    """Build the same inputs from scratch: a copy of the project without any cache."""
    fresh = tmp / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".dossier-cache", "site"))
    assert quiet_build("--root", str(fresh)) == 0
    return files(fresh / "site")


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file by `new`; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

def write_mini(root: Path) -> Path:
    """Write the miniature dossier into `root`: seeds, sources, entities and a title, with the
    tool's default templates and rules (as `dossier init` leaves a dossier)."""
    for sub in ("seeds", "content/sources", "content/entities"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, text in MINI_SEEDS.items():
        (root / "seeds" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in MINI_SOURCES.items():
        (root / "content" / "sources" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "content" / "entities" / "all.yaml").write_text(textwrap.dedent(MINI_ENTITIES),
                                                            encoding="utf-8")
    (root / "content" / "dossier.yaml").write_text("title: Mini dossier\n", encoding="utf-8")
    return root


def own_template(root: Path, name: str) -> Path:
    """Give the dossier at `root` its own copy of a default template or static file
    ('timeline.html', 'static/style.css'), to edit: it overrides the tool's."""
    target = root / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_TEMPLATES / name, target)
    return target


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh miniature project a test may edit."""
    return write_mini(tmp_path / "mini")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The miniature dossier, built once; returns the project folder (site in site/)."""
    root = write_mini(tmp_path_factory.mktemp("built") / "mini")
    assert build.main(["--root", str(root)]) == 0
    return root


@pytest.fixture(scope="session")
def shipped_rules() -> Rules:
    """The shipped dossier's rules (the tool's defaults and content/boilerplate.yaml), read
    once; they must read without a problem."""
    problems = Problems()
    rules = dossier_rules(REPO, problems)
    assert problems.items == []
    return rules


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped dossier built once (strict: no warning either) into a temporary folder."""
    out = tmp_path_factory.mktemp("shipped") / "site"
    assert build.main(["--strict", "--root", str(REPO), "--out", str(out)]) == 0
    return out
