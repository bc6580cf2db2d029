"""Bad input: a clear message naming file and line, exit code 1, no traceback, no site change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import build
from tests.conftest import REPO, edit, own_template, tree_digest


def run(root: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def errors(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Build in-process; assert it failed; return the error lines (without the shown line)."""
    assert build.main(["--root", str(root), *args]) == 1
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if ": error: " in line]


def test_yaml_syntax_error(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "publisher: Example News", "publisher: [Example")
    errs = errors(mini, capsys)
    assert errs == ["content/sources/alpha.yaml:2:12: error: YAML syntax: this '[' is not closed "
                    "(found at line 3, column 10: did not find expected ',' or ']'); end the "
                    "list with ']' on this line, and put an item holding a comma, a colon or a "
                    "bracket in quotes"]


def test_quote_not_in_cleaned_text_suggests_closest(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "{quote: Hamadani,", "{quote: Hamadany,")
    assert errors(mini, capsys) == [
        "content/sources/alpha.yaml:8:5: error: 'Hamadany' is not in the cleaned text of "
        "seeds/alpha.txt (did you mean 'Hamadani'?)"]


def test_quote_in_removed_boilerplate_is_not_found(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "{quote: Hamadani,", "{quote: Back to top,")
    errs = errors(mini, capsys)
    assert errs and errs[0].startswith(
        "content/sources/alpha.yaml:8:5: error: 'Back to top' is not in the cleaned text")


def test_unknown_entity_with_suggestion(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "entity: hossein-hamedani}", "entity: hamedani}")
    assert errors(mini, capsys) == [
        "content/sources/alpha.yaml:7:5: error: unknown entity 'hamedani' "
        "(did you mean 'hossein-hamedani'?)"]


def test_ambiguous_quote_lists_lines(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "{quote: Aleppo, entity: aleppo, occurrence: 1}",
         "{quote: Aleppo, entity: aleppo}")
    assert errors(mini, capsys) == [
        "content/sources/alpha.yaml:9:5: error: 'Aleppo' occurs 2 times in seeds/alpha.txt "
        "(lines 5, 6); add occurrence: 1 to 2, or a prefix or suffix"]


def test_annotation_without_seed(mini, capsys):
    (mini / "seeds" / "beta.txt").unlink()
    errs = errors(mini, capsys)
    assert errs[0] == ("content/sources/beta.yaml: error: no seed for this annotation file: "
                       "expected seeds/beta.txt or .html; add the seed or rename the file")


def test_unknown_field_suggests_the_right_one(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "{quote: Hamadani, entity:",
         "{qoute: Hamadani, entity:")
    errs = errors(mini, capsys)
    assert "unknown field 'qoute' (did you mean 'quote'?) in mentions[1]" in errs[0]
    assert errs[0].startswith("content/sources/alpha.yaml:8:5: error:")


def test_date_weekday_must_match_value(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "value: 2015-10-15", "value: 2015-10-14")
    assert errors(mini, capsys) == [
        "content/sources/alpha.yaml:17:5: error: 'Thursday' says Thursday but 2015-10-14 "
        "is a Wednesday"]


def test_bad_date_value(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "value: 2015-10-15", "value: 2015-13-01")
    errs = errors(mini, capsys)
    assert errs == ["content/sources/alpha.yaml:17:5: error: date value: '2015-13-01' has no "
                    "month 13; write YYYY, YYYY-MM, YYYY-MM-DD or START/END"]


def test_duplicate_entity_id(mini, capsys):
    path = mini / "content/entities/all.yaml"
    path.write_text(path.read_text() + "- {id: aleppo, name: Aleppo again, kind: place, "
                    "description: [{text: x, sources: [alpha]}]}\n")
    errs = errors(mini, capsys)
    assert errs[0].startswith("content/entities/all.yaml:")
    assert errs[0].endswith("duplicate entity id 'aleppo' (first defined at "
                            "content/entities/all.yaml:10); ids must be unique")


def test_duplicate_key_and_alias_are_refused(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "publisher: Example News",
         "publisher: Example News\npublisher: Again")
    edit(mini / "content/sources/beta.yaml", "publisher: Other Paper",
         "publisher: &p Other Paper\nagency: *p")
    assert build.main(["--root", str(mini)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "content/sources/alpha.yaml:3:1: error: YAML syntax: duplicate key 'publisher' "
        "(the first one would be lost)",
        "    publisher: Again",
        "content/sources/beta.yaml:3:9: error: YAML syntax: YAML aliases (*name) are not "
        "allowed in dossier files; write the value out",
        "    agency: *p",
        "2 error(s), 0 warning(s)",
        f"Build failed; {mini / 'site'} was left as it was."]


def test_every_problem_is_reported_in_one_run(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "entity: aleppo, occurrence: 1", "entity: alepo, "
         "occurrence: 1")
    edit(mini / "content/sources/beta.yaml", "{quote: Tehran,", "{quote: Teheran,")
    assert len(errors(mini, capsys)) == 2


def test_non_utf8_binary_and_empty_seeds(mini, capsys):
    (mini / "seeds" / "beta.txt").write_bytes("line one\ncaf\xe9 au lait\n".encode("latin-1"))
    (mini / "seeds" / "gamma.txt").write_bytes(b"\x89PNG\r\n\x00\x00")
    (mini / "seeds" / "delta.txt").write_text("  \n\n")
    errs = errors(mini, capsys)
    assert ("seeds/beta.txt:2:4: error: not UTF-8 (byte 0xe9); re-save the seed as UTF-8, "
            "e.g. iconv -f windows-1252 -t utf-8") in errs
    assert ("seeds/gamma.txt:2: error: this looks like a binary file (it contains NUL bytes); "
            "seeds must be text (.txt) or saved web pages (.html)") in errs
    assert ("seeds/delta.txt: error: the seed is empty; paste the article text into it or "
            "remove the file") in errs


def test_broken_template_names_file_and_line(mini, capsys):
    edit(own_template(mini, "timeline.html"), "{% for t in part.timeline %}",
         "{% for t in part.timeline %}{{ t.no_such_field }}")
    errs = errors(mini, capsys)
    assert len(errs) == 1
    assert errs[0].startswith("templates/timeline.html:")
    assert "no_such_field" in errs[0]


@pytest.mark.parametrize("pooled", [False, True])
def test_broken_page_template_names_file_and_line_even_from_a_worker(mini, capsys, monkeypatch,
                                                                     pooled):
    """Source and entity pages are rendered by worker processes on large sites; an error
    there reads as it does in one process."""
    from dossier import parallel

    if pooled:
        monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
        monkeypatch.setattr(parallel, "workers", lambda: 2)
    lines = own_template(mini, "entity.html").read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines, 1) if "{{ e.name }}</span></h1>" in line)
    edit(mini / "templates/entity.html", "{{ e.name }}</span></h1>",
         "{{ e.name.no_such_field }}</span></h1>")
    errs = errors(mini, capsys)
    assert len(errs) == 1
    assert errs[0].startswith(f"templates/entity.html:{n}:"), errs[0]
    assert "no_such_field" in errs[0]
    assert not (mini / "site").exists() and not list(mini.glob(".site.*"))


def test_failed_build_leaves_previous_site_and_seeds_untouched(mini):
    assert run(mini)[0] == 0
    before_site = tree_digest(mini / "site")
    before_seeds = tree_digest(mini / "seeds")
    edit(mini / "content/sources/beta.yaml", "{quote: Tehran,", "{quote: Teheran,")
    code, out, err = run(mini)
    assert code == 1
    assert "Traceback" not in err and "Traceback" not in out
    assert err.splitlines()[0] == ("content/sources/beta.yaml:10:5: error: 'Teheran' is not in "
                                   "the cleaned text of seeds/beta.txt (did you mean 'Tehran'?)")
    assert err.splitlines()[1] == "    - {quote: Teheran, entity: tehran}"
    assert "Build failed;" in err
    assert tree_digest(mini / "site") == before_site
    assert tree_digest(mini / "seeds") == before_seeds
    assert not [p for p in mini.iterdir() if p.name.startswith(".site")]


def test_warnings_do_not_stop_the_build_but_strict_does(mini):
    code, out, err = run(mini)
    assert code == 0
    assert ("content/entities/all.yaml:42:3: warning: entity 'associated-press' is not "
            "mentioned in any source") in err
    assert "1 warning(s)" in out
    code, out, err = run(mini, "--strict")
    assert code == 1
    assert "--strict: warnings count as errors" in err


def test_seed_without_annotations_builds_with_warning(mini):
    (mini / "seeds" / "gamma.txt").write_text("An unannotated report about Iran and Syria.\n")
    code, out, err = run(mini)
    assert code == 0
    assert ("seeds/gamma.txt: warning: no annotations: add content/sources/gamma.yaml "
            "(dossier add seeds/gamma.txt writes one); the source is shown as unannotated") in err
    assert "has no annotation file yet" in (mini / "site/sources/gamma.html").read_text()


def test_wrong_usage_exits_2(mini):
    code, _, err = run(mini, "--no-such-flag")
    assert code == 2
    assert "usage: build.py" in err


def test_clean_of_missing_file(mini):
    code, out, err = run(mini, "clean", str(mini / "seeds" / "nope.txt"))
    assert code == 1 and out == ""
    assert "nope.txt: error: no such seed file; check the path" in err
    assert "Traceback" not in err


def test_check_reports_without_writing_and_strict_fails_on_findings(mini):
    before = sorted(p.relative_to(mini).as_posix() for p in mini.rglob("*"))
    code, out, err = run(mini, "check")
    assert code == 0
    assert ("content/entities/all.yaml:42:3: warning: entity 'associated-press' has no mentions "
            "in any source; annotate its mentions, remove it, or add it to "
            "content/lint-ignore.yaml if it is kept on purpose [unused-entity]") in err
    assert run(mini, "check", "--strict")[0] == 1
    assert sorted(p.relative_to(mini).as_posix() for p in mini.rglob("*")) == before


def test_check_of_the_shipped_dossier_is_clean():
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--strict"],
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "No findings.\n", "")


def test_a_search_index_that_cannot_be_built_stops_the_build_cleanly(mini, capsys, monkeypatch,
                                                                      tmp_path):
    """Pagefind missing or failing: one error saying what to do, the old site left as it was."""
    assert build.main(["--root", str(mini)]) == 0
    before = tree_digest(mini / "site")
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'pagefind: out of disk space' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr("pagefind_bin.get_executable", lambda: failing)
    edit(mini / "seeds" / "alpha.txt", "for a year.", "for a year and more.")  # new text
    (line,) = errors(mini, capsys)
    assert "search index could not be built" in line and "exit code 3" in line
    assert "out of disk space" in line and "pip install" in line
    assert tree_digest(mini / "site") == before
