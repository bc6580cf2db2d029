"""Property: whatever sequence of edits a user makes, each rebuild equals a clean build.

Hypothesis draws sequences of edits to the mini dossier: a mention taken out or put back, a
mention given a note, a date, a quote (through an agency), a claim, a line of a seed, an
entity's name or description, a source's headline, a whole new source. After every edit the
dossier is rebuilt with its cache and site of the step before, and the site must be byte for
byte the one a clean build of the same inputs makes (in a fresh folder, no cache). The search
is derandomised, so CI runs the same sequences every time; a failure prints the shortest
sequence it found.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier import build as building
from dossier import pages, render, update
from dossier import project as reading
from dossier.build import build as run_build
from dossier.build import settle
from dossier.models import Problems
from tests.conftest import clean_build, files, quiet_build, write_mini

SOURCES = Path("content/sources")
ENTITIES = Path("content/entities/all.yaml")

SWAPS: dict[str, tuple[Path, str, str]] = {
    # (file, text as write_mini writes it, the other text): each edit swaps one for the other
    "mention note": (SOURCES / "alpha.yaml", "  - {quote: Syrian Arab Army, entity: "
                     "syrian-arab-army}\n", "  - {quote: Syrian Arab Army, entity: "
                     "syrian-arab-army, note: The regular army.}\n"),
    "date event": (SOURCES / "beta.yaml", "event: Hamadani buried",
                   "event: Hamadani was buried"),
    "date shared": (SOURCES / "beta.yaml", "quote: Saturday\n    value: 2015-10-17",
                    "quote: buried\n    value: 2015-10-15"),
    "quote in": (SOURCES / "alpha.yaml", "dates:\n", "quotes:\n  - {quote: Gen. Hossein "
                 "Hamedani was killed near Aleppo on Thursday, speaker: hossein-hamedani, kind: "
                 "reported, via: associated-press}\ndates:\n"),
    "seed line": (Path("seeds/beta.txt"), "stayed closed.\n",
                  "stayed closed.\nThe talks go on.\n"),
    "entity name": (ENTITIES, "name: Associated Press", "name: AP"),
    "entity description": (ENTITIES, "City in Syria.", "A city in northern Syria."),
    "headline": (SOURCES / "beta.yaml", "headline: General buried",
                 "headline: General buried in Tehran"),
    "publisher": (SOURCES / "alpha.yaml", "publisher: Example News",
                  "publisher: Example Daily"),
}
REMOVALS: dict[str, tuple[Path, str, str]] = {
    # (file, lines taken out and put back, the line before them, which no edit changes)
    "mention out": (SOURCES / "beta.yaml", "  - {quote: Tehran, entity: tehran}\n",
                    "  - {quote: Hossein Hamadani, entity: hossein-hamedani}\n"),
    "second occurrence out": (SOURCES / "alpha.yaml",
                              "  - {quote: Aleppo, entity: aleppo, occurrence: 2}\n",
                              "  - {quote: Aleppo, entity: aleppo, occurrence: 1}\n"),
    "date out": (SOURCES / "alpha.yaml", "  - quote: since last year\n"
                 "    value: 2014-01-01/2015-10-15\n    approximate: true\n"
                 "    reasoning: From the start of last year to publication.\n"
                 "    event: Hamadani advises the Syrian army\n",
                 "    event: Hamedani killed near Aleppo\n"),
}

ANNOTATIONS_ONLY = {"mention note", "date event", "date shared", "mention out",
                    "second occurrence out", "date out"}
"""Edits that change the annotations of a source and nothing the index is otherwise made from
(the registry, the claims, which seeds exist): the index is updated, not made whole."""

GAMMA_SEED = "Aleppo airport reopened on Sunday, officials said.\n"
GAMMA = """\
headline: Airport reopens
publisher: Third Paper
published: {date: 2015-10-19}
url: https://example.net/gamma
mentions:
  - {quote: Aleppo, entity: aleppo}
dates:
  - quote: Sunday
    value: "2015-10-18"
    reasoning: The Sunday before publication.
    event: Aleppo airport reopened
"""
CLAIMS = """\
- id: where-buried
  question: Where was Hamadani buried?
  answers:
    - source: beta
      quote: buried in Tehran
      answer: Tehran
"""


def swap(root: Path, name: str) -> None:
    path, first, other = SWAPS[name]
    text = (root / path).read_text(encoding="utf-8")
    # (the other text may hold the first: "dates:" -> "quotes: ... dates:")
    old, new = (other, first) if other in text else (first, other)
    assert old in text, (name, path)
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")


def take_out_or_put_back(root: Path, name: str) -> None:
    path, lines, before = REMOVALS[name]
    text = (root / path).read_text(encoding="utf-8")
    assert text.count(before) == 1, (name, path)
    changed = text.replace(lines, "", 1) if lines in text else \
        text.replace(before, before + lines, 1)
    (root / path).write_text(changed, encoding="utf-8")


def toggle_file(path: Path, text: str) -> None:
    if path.exists():
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")


def gamma(root: Path) -> None:
    toggle_file(root / "seeds/gamma.txt", GAMMA_SEED)
    toggle_file(root / SOURCES / "gamma.yaml", GAMMA)


def claims(root: Path) -> None:
    toggle_file(root / "content/claims.yaml", CLAIMS)


EDITS: dict[str, Callable[[Path], None]] = {
    **{name: (lambda root, name=name: swap(root, name)) for name in SWAPS},
    **{name: (lambda root, name=name: take_out_or_put_back(root, name)) for name in REMOVALS},
    "source": gamma,
    "claims": claims,
}


def build(root: Path, preview: bool, changed: set[str] | None = None) -> list[str] | None:
    """A build as the command line runs it (every kept page checked against the manifest), or
    as the live preview does (trusting the pages it wrote, told which files changed): the
    problems it reported, or None if it failed."""
    if not preview:
        return [] if quiet_build("--root", str(root)) == 0 else None
    problems = Problems()
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        built = run_build(root, root / "site", problems, preview=True, changed=changed)
    settle(root, root / "site")  # the open data and the search index, put in place after
    return None if built is None else [p.format() for p in problems.items]


def states(root: Path) -> dict[str, tuple[int, int]]:
    """Every input file with its size and time: what a file watcher would see change."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for name in ("seeds", "content", "templates") for p in (root / name).rglob("*")
            if p.is_file()}


def clean_problems(root: Path, base: Path) -> list[str]:
    fresh = base / "fresh"
    problems = Problems()
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert run_build(fresh, fresh / "site", problems) is not None
    return [p.format() for p in problems.items]


SMALL = {"TIMELINE_ROWS": 1, "PAGE_SOURCES": 1, "LIST_ROWS": 1, "HOME_ROWS": 1,
         "DATE_SOURCES": 1}
"""One row a page of every list split into pages, so that the mini dossier's pages are split
and an edit remakes some of the parts and keeps the others."""


@pytest.mark.parametrize("preview, small", [(False, False), (True, False), (True, True)],
                         ids=["command line", "preview", "preview, one row a page"])
@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=2, max_size=5))
def test_after_every_edit_the_rebuilt_site_equals_a_clean_build(preview: bool, small: bool,
                                                                  steps: list[str]) -> None:
    """Each rebuild applies the changed sources to the index kept from the build before
    (update._apply; the registry, the claims or the set of seeds changed: the index is made
    whole), and plans again only what they touch."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack, \
            mock.patch.object(update, "_apply", wraps=update._apply) as applied, \
            mock.patch.object(building, "_data_later", wraps=building._data_later) as later, \
            mock.patch.object(reading, "_head", wraps=reading._head) as heads:
        for name, rows in SMALL.items() if small else ():
            stack.enter_context(mock.patch.object(pages, name, rows))
        if small:
            stack.enter_context(mock.patch.object(render, "LIST_ROWS", 1))
        base = Path(tmp)
        root = write_mini(base / "mini")
        assert build(root, preview) is not None
        whole_reads = 1
        for step in steps:
            before = states(root)
            EDITS[step](root)
            after = states(root)
            changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
            whole_reads += not all(p.startswith((str(root / SOURCES), str(root / "seeds/beta")))
                                   for p in changed)
            reported = build(root, preview, changed)
            assert reported is not None, steps
            built, clean = files(root / "site"), clean_build(root, base)
            differ = sorted(p for p in built.keys() | clean.keys() if built.get(p) != clean.get(p))
            assert differ == [], (steps, step)
            if preview:  # the same problems, in the same order, as a whole read
                assert reported == clean_problems(root, base), (steps, step)
        assert applied.call_count >= sum(1 for step in steps if step in ANNOTATIONS_ONLY), steps
        # the preview puts its pages in place first, the open data and search index after
        assert later.call_count == (len(steps) if preview else 0), steps
        # and reads again only the sources whose files changed, when only those changed
        if preview:
            assert sum(1 for c in heads.call_args_list if c.args[0] == root) == whole_reads, steps
