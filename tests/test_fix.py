"""`check --fix`: it restores removed mentions exactly, leaves alone what a person must decide,
and writes through dossier/edit.py, whose refusals are tested here too."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import build
from dossier import edit
from tests.conftest import REPO, tree_digest

LINE = re.compile(r"^  - \{quote: ([^,{}\"]+), entity: ([a-z0-9-]+)(, occurrence: \d+)?\}$")


def shipped_copy(root: Path) -> Path:
    for name in ("content", "seeds", "templates"):
        shutil.copytree(REPO / name, root / name)
    return root


def fix(root: Path, *more: str) -> int:
    return build.main(["check", "--fix", *more, "--root", str(root)])


def names() -> dict[str, set[str]]:
    """Each name or variant of the shipped registry -> the ids that carry it."""
    import yaml

    out: dict[str, set[str]] = {}
    for path in (REPO / "content" / "entities").glob("*.yaml"):
        for e in yaml.safe_load(path.read_text(encoding="utf-8")):
            for n in (e["name"], *e.get("variants", [])):
                out.setdefault(n, set()).add(e["id"])
    return out


def test_on_the_shipped_dossier_it_changes_nothing(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    root = shipped_copy(tmp_path / "d")
    before = tree_digest(root / "content")
    assert fix(root) == 0
    assert tree_digest(root / "content") == before
    assert "Added 0 mention(s) to 0 file(s)." in capsys.readouterr().out


@pytest.mark.parametrize("every", [3, 1])
def test_it_restores_removed_mentions_byte_for_byte(tmp_path: Path, every: int,
                                                    capsys: pytest.CaptureFixture) -> None:
    """Every third plain mention of a name only one entity carries, or all of them (whole
    paragraphs then lose their mentions: the restored ones go back under their comment)."""
    root = shipped_copy(tmp_path / "d")
    registry = names()
    removed = 0
    for path in sorted((root / "content" / "sources").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = []
        for i, line in enumerate(lines):
            m = LINE.match(line.rstrip("\n"))
            if m and registry.get(m[1]) == {m[2]} and i % every == 0:
                removed += 1
                continue
            kept.append(line)
        path.write_text("".join(kept), encoding="utf-8")
    assert removed >= 20
    assert fix(root) == 0
    out = capsys.readouterr().out
    assert f"Added {removed} mention(s)" in out
    for path in (REPO / "content" / "sources").glob("*.yaml"):
        assert (root / "content" / "sources" / path.name).read_bytes() == path.read_bytes(), \
            path.name
    assert re.search(r"content/sources/\S+\.yaml:\d+: added '[^']+' \([a-z0-9-]+\): \S", out)


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    root = shipped_copy(tmp_path / "d")
    path = root / "content/sources/000_24226ba9ecf00a29.yaml"
    text = path.read_text(encoding="utf-8").replace("  - {quote: Iraq, entity: iraq}\n", "")
    path.write_text(text, encoding="utf-8")
    before = tree_digest(root / "content")
    assert fix(root, "--dry-run") == 0
    out = capsys.readouterr().out
    assert tree_digest(root / "content") == before
    assert "+++ b/content/sources/000_24226ba9ecf00a29.yaml" in out
    assert "\n+  - {quote: Iraq, entity: iraq}\n" in out
    assert "Would add 1 mention(s) to 1 file(s)." in out


def test_a_name_two_entities_share_is_left_for_a_person(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    root = shipped_copy(tmp_path / "d")
    people = root / "content/entities/people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace(
        "variants: [Bashar Assad, Assad]", "variants: [Bashar Assad, Assad, Iraq]"),
        encoding="utf-8")
    path = root / "content/sources/000_24226ba9ecf00a29.yaml"
    text = path.read_text(encoding="utf-8").replace("  - {quote: Iraq, entity: iraq}\n", "")
    path.write_text(text, encoding="utf-8")
    assert fix(root) == 0
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == text
    assert re.search(r"seeds/000_24226ba9ecf00a29.txt:\d+: 'Iraq' is a name of "
                     r"(iraq, bashar-al-assad|bashar-al-assad, iraq)", out)


def test_stubs_for_unknown_entity_ids(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = shipped_copy(tmp_path / "d")
    path = root / "content/sources/000_24226ba9ecf00a29.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{quote: Iraq, entity: iraq}", "{quote: Iraq, entity: iraq-state}"), encoding="utf-8")
    assert fix(root) == 1
    assert "--fix --stubs" in capsys.readouterr().err
    assert fix(root, "--stubs") == 1  # not at a terminal: the kind must be given
    assert "--kind" in capsys.readouterr().out
    assert fix(root, "--stubs", "--kind", "place") == 0
    out = capsys.readouterr().out
    places = (root / "content/entities/places.yaml").read_text(encoding="utf-8")
    assert places.endswith("\n- id: iraq-state\n  name: Iraq\n  kind: place\n  description:\n"
                           "    - text: Named in the source as “Iraq”.\n"
                           "      sources: [000_24226ba9ecf00a29]\n")
    assert "content/entities/places.yaml:" in out and "added entity iraq-state" in out
    assert build.main(["--root", str(root)]) == 0


# ----------------------------------------------------------------- the writer's refusals


def test_a_change_that_breaks_the_schema_is_not_written(tmp_path: Path) -> None:
    root = shipped_copy(tmp_path / "d")
    rel = "content/sources/000_24226ba9ecf00a29.yaml"
    change = edit.add_entries(root / rel, rel, "mentions",
                              [edit.NewEntry(0, 4, {"quote": "Iran", "entity": "Not An Id"})],
                              {}, "test")
    with pytest.raises(edit.EditRefused, match="would make the file invalid"):
        edit.commit(change)
    assert (root / rel).read_bytes() == (REPO / rel).read_bytes()


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    root = shipped_copy(tmp_path / "d")
    rel = "content/sources/000_24226ba9ecf00a29.yaml"
    change = edit.add_entries(root / rel, rel, "mentions",
                              [edit.NewEntry(0, 4, {"quote": "Iran", "entity": "iran"})],
                              {}, "test")
    (root / rel).write_text((REPO / rel).read_text(encoding="utf-8") + "# mine\n",
                            encoding="utf-8")
    with pytest.raises(edit.EditRefused, match="changed on disk"):
        edit.commit(change)
    assert (root / rel).read_text(encoding="utf-8").endswith("# mine\n")
    assert not list((root / "content" / "sources").glob(".*.tmp"))


@pytest.mark.parametrize("start, expected", [
    ("headline: H\n", "headline: H\n\nmentions:\n  - {quote: Iran, entity: iran}\n"),
    ("headline: H\nmentions: []\n", "headline: H\nmentions:\n  - {quote: Iran, entity: iran}\n"),
    ("headline: H\nmentions:\n  - quote: Syria\n    entity: syria\n# end\n",
     "headline: H\nmentions:\n  - quote: Syria\n    entity: syria\n  - quote: Iran\n"
     "    entity: iran\n# end\n"),
])
def test_the_list_is_started_or_continued_in_the_files_style(tmp_path: Path, start: str,
                                                             expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(start, encoding="utf-8")
    change = edit.add_entries(path, "content/sources/s.yaml", "mentions",
                              [edit.NewEntry(10, 14, {"quote": "Iran", "entity": "iran"})],
                              {2: (0, -5, 0)}, "test")
    assert change.after.decode() == expected


def test_a_broken_file_is_reported_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("mentions: [\n", encoding="utf-8")
    with pytest.raises(edit.EditRefused, match="not valid YAML"):
        edit.add_entries(path, "content/sources/s.yaml", "mentions", [], {}, "test")


def test_a_broken_ignore_list_is_reported_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = shipped_copy(tmp_path / "dossier")
    source = root / "content/sources/000_24226ba9ecf00a29.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "  - {quote: Iraq, entity: iraq}\n", ""), encoding="utf-8")  # something to fix
    (root / "content/lint-ignore.yaml").write_text("- source: x\n  text: [\n",
                                                  encoding="utf-8")
    before = tree_digest(root / "content")
    assert fix(root) == 1
    err = capsys.readouterr().err
    assert "content/lint-ignore.yaml:" in err and "--fix wrote nothing" in err
    assert tree_digest(root / "content") == before
