"""`python build.py check`: each finding kind, the ignore list, and the shipped dossier."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

import jsonschema
import yaml

from dossier.check import KINDS, check
from dossier.models import Problem, Problems
from dossier.project import read_project
from tests.conftest import REPO
from tests.conftest import edit as edit_file  # edit() below takes root and name

IGNORE = "content/lint-ignore.yaml"


def lint(root: Path) -> tuple[int, list[Problem]]:
    """Read the project as `build.py check` does (no cache writes), then lint it."""
    problems = Problems()
    project = read_project(root, problems, write_cache=False)
    assert problems.items == []
    count = check(project, root, problems)
    return count, problems.items


def shown(items: list[Problem]) -> list[str]:
    return [p.format() for p in items]


def edit(root: Path, name: str, old: str, new: str) -> None:
    edit_file(root / name, old, new)


def ignore(root: Path, text: str) -> None:
    (root / IGNORE).write_text(textwrap.dedent(text), encoding="utf-8")


ASSOCIATED_PRESS = (
    "seeds/alpha.txt:5:63: warning: 'Associated Press' (a name of associated-press) occurs here "
    "without a mention; annotate it in content/sources/alpha.yaml, or add it to "
    "content/lint-ignore.yaml if it is not a mention [unannotated-name]\n"
    "    Gen. Hossein Hamedani was killed near Aleppo on Thursday, the Associated Press said.")
IRAN = (
    "seeds/beta.txt:1:1: warning: 'Iran' looks like a name, but no mention covers it; annotate "
    "it in content/sources/beta.yaml (registering the entity in content/entities/ if it is new), "
    "or add it to content/lint-ignore.yaml if it is not a name [unknown-name]\n"
    "    Iran’s top general Hossein Hamadani was buried in Tehran on Saturday.")
UNUSED_AP = (
    "content/entities/all.yaml:42:3: warning: entity 'associated-press' has no mentions in any "
    "source; annotate its mentions, remove it, or add it to content/lint-ignore.yaml if it is "
    "kept on purpose [unused-entity]\n"
    "    - id: associated-press")


# ----------------------------------------------------------------- each kind


def test_the_mini_dossier_gives_one_finding_of_each_name_kind_in_file_order(mini):
    count, items = lint(mini)
    assert shown(items) == [UNUSED_AP, ASSOCIATED_PRESS, IRAN]
    assert count == 3
    assert {p.severity for p in items} == {"warning"}


def test_an_annotated_name_is_not_reported_and_an_unregistered_one_is(mini):
    edit(mini, "content/sources/alpha.yaml", "mentions:\n",
         "mentions:\n  - {quote: Associated Press, entity: associated-press}\n")
    count, items = lint(mini)
    assert shown(items) == [IRAN]
    assert count == 1


def test_demonyms_titles_and_sentence_initial_words_are_set_aside_but_names_are_not(mini):
    edit(mini, "seeds/beta.txt", "stayed closed.\n", "stayed closed.\n"
         "Syrian officials say Russian President Vladimir Putin met Brig. Gen. Qassem Soleimani.\n"
         "According to the ECFR, Sunni rebels and Iranian-backed militias fight near Jableh.\n"
         "Faced with that, the Syrian Observatory is right.\n"
         "Analysts and observers agree.\n")
    _, items = lint(mini)
    names = [re.match(r"[^']*'([^']*)'", p.message)[1] for p in items
             if p.message.endswith("[unknown-name]")]
    assert names == ["Iran", "Vladimir Putin", "Qassem Soleimani", "ECFR", "Jableh",
                     "Syrian Observatory"]
    soleimani = next(p for p in items if "'Qassem Soleimani'" in p.message)
    assert soleimani.format().startswith("seeds/beta.txt:3:70: warning: ")


def test_a_weekday_without_a_date_annotation_is_reported(mini):
    edit(mini, "content/sources/alpha.yaml",
         "  - quote: Thursday\n    value: 2015-10-15\n    reasoning: Publication day, a Thursday.\n"
         "    event: Hamedani killed near Aleppo\n", "")
    _, items = lint(mini)
    assert (
        "seeds/alpha.txt:5:49: warning: 'Thursday' is a time expression without a date "
        "annotation; add it to the dates in content/sources/alpha.yaml, or add it to "
        "content/lint-ignore.yaml if it dates nothing (a state, a duration, an event the source "
        "does not date) [undated-expression]\n"
        "    Gen. Hossein Hamedani was killed near Aleppo on Thursday, the Associated Press said."
    ) in shown(items)


def test_relative_expressions_and_years_are_reported_but_durations_are_not(mini):
    edit(mini, "seeds/alpha.txt", "for a year.\n",
         "for a year. In 2013 it began; two weeks ago it grew, and until now it lasts.\n")
    _, items = lint(mini)
    undated = [re.match(r"'([^']*)'", p.message)[1] for p in items
               if p.message.endswith("[undated-expression]")]
    assert undated == ["2013", "two weeks ago", "until now"]


def test_a_since_clause_counts_as_dated_when_an_annotation_lies_in_it(mini):
    edit(mini, "content/sources/alpha.yaml", "  - quote: since last year\n",
         "  - quote: last year\n")
    count, _ = lint(mini)
    assert count == 3  # 'since last year' is covered by the annotation of 'last year'


def test_a_date_after_publication_is_reported_at_its_annotation(mini):
    edit(mini, "content/sources/alpha.yaml", "    value: 2015-10-15\n",
         "    value: 2015-10-22\n")
    _, items = lint(mini)
    assert (
        "content/sources/alpha.yaml:17:5: warning: date 'Thursday' (2015-10-22) starts after the "
        "source's publication date (2015-10-15); correct the value, or add it to "
        "content/lint-ignore.yaml if the source predicts it [future-date]\n"
        "    - quote: Thursday") in shown(items)


def test_shared_names_and_clashing_slugs_are_reported_at_the_entity(mini):
    with (mini / "content" / "entities" / "all.yaml").open("a", encoding="utf-8") as f:
        f.write(textwrap.dedent("""\
            - id: aleppo-city
              name: Aleppo city
              kind: place
              variants: [aleppo]
              description: [{text: The city., sources: [alpha]}]
            - id: al-qaeda
              name: Al-Qaeda
              kind: unit
              description: [{text: A group., sources: [alpha]}]
            - id: al-qaeda-2
              name: Al Qaeda
              kind: unit
              description: [{text: A group., sources: [alpha]}]
            """))
    _, items = lint(mini)
    out = shown(items)
    assert (
        "content/entities/all.yaml:46:3: warning: 'aleppo' is a name of both 'aleppo' "
        "(content/entities/all.yaml:10) and 'aleppo-city'; a mention of it cannot say which is "
        "meant by its text alone: keep it on one entity, or add it to content/lint-ignore.yaml "
        "if both are meant [shared-name]\n    - id: aleppo-city") in out
    assert (
        "content/entities/all.yaml:55:3: warning: the names of 'al-qaeda' "
        "(content/entities/all.yaml:51) and 'al-qaeda-2' both slugify to 'al-qaeda'; rename one, "
        "or add it to content/lint-ignore.yaml if they are distinct [slug-clash]\n"
        "    - id: al-qaeda-2") in out


# ----------------------------------------------------------------- the ignore list


def test_an_ignore_entry_silences_exactly_its_finding(mini):
    ignore(mini, """\
        - source: alpha
          text: Associated Press
          kind: unannotated-name
          reason: Test.
        """)
    count, items = lint(mini)
    assert shown(items) == [UNUSED_AP, IRAN]
    assert count == 2


def test_an_ignore_entry_must_agree_on_source_kind_and_context(mini):
    ignore(mini, """\
        - source: beta
          text: Associated Press
          kind: unannotated-name
          reason: Wrong source.
        - source: "*"
          text: Associated Press
          kind: unknown-name
          reason: Wrong kind.
        - source: alpha
          text: Associated Press
          kind: unannotated-name
          prefix: "said "
          reason: Wrong prefix.
        - source: "*"
          text: Iran
          kind: unknown-name
          prefix: ""
          suffix: "’s top"
          reason: Right, in every source.
        - source: "*"
          text: associated-press
          kind: unused-entity
          reason: Kept on purpose.
        """)
    count, items = lint(mini)
    assert [p.where.path for p in items] == [IGNORE, IGNORE, IGNORE, "seeds/alpha.txt"]
    assert items[-1].format() == ASSOCIATED_PRESS
    assert count == 4


def test_a_stale_ignore_entry_is_a_finding(mini):
    ignore(mini, """\
        # reviewed
        - source: gamma
          text: Aleppo
          kind: unannotated-name
          reason: No such source.
        - {source: alpha, text: Aleppo, kind: unannotated-name, reason: Annotated after all.}
        """)
    _, items = lint(mini)
    assert [p.format() for p in items if p.where.path == IGNORE] == [
        "content/lint-ignore.yaml:2:3: warning: ignore entry for unannotated-name 'Aleppo' in "
        "gamma matches no finding (there is no source 'gamma'); remove it, or correct it "
        "[stale-ignore]\n    - source: gamma",
        "content/lint-ignore.yaml:6:3: warning: ignore entry for unannotated-name 'Aleppo' in "
        "alpha matches no finding; remove it, or correct it [stale-ignore]\n"
        "    - {source: alpha, text: Aleppo, kind: unannotated-name, reason: Annotated after all.}",
    ]


def test_a_broken_ignore_file_is_an_error_with_its_place(mini):
    ignore(mini, """\
        - source: alpha
          text: Associated Press
          kind: [unannotated-name
        """)
    count, items = lint(mini)
    assert count == len(items) == 1
    assert items[0].severity == "error"
    assert re.match(r"content/lint-ignore\.yaml:3:9: error: YAML syntax", items[0].format())


def test_an_ignore_entry_without_a_reason_or_with_a_wrong_kind_is_an_error(mini):
    ignore(mini, """\
        - source: alpha
          text: Associated Press
          kind: unannotated-name
        - source: alpha
          text: Aleppo
          kind: missing-mention
          reason: Typo in the kind.
        """)
    count, items = lint(mini)
    assert count == 2
    assert [(p.severity, p.where.line, p.where.column) for p in items] == [
        ("error", 1, 3), ("error", 6, 9)]
    assert "reason" in items[0].message
    assert "missing-mention" in items[1].message
    assert items[1].line_text == "kind: missing-mention"


def test_the_ignore_schema_is_described_and_its_fields_documented():
    schema = json.loads((REPO / "dossier" / "schema" / "lint-ignore.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    entry = schema["$defs"]["entry"]
    assert entry["additionalProperties"] is False
    assert set(entry["properties"]["kind"]["enum"]) == set(KINDS)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", readme, re.M))
    for name, prop in entry["properties"].items():
        assert prop["description"]
        assert name in documented
    shipped = yaml.safe_load((REPO / IGNORE).read_text(encoding="utf-8"))
    jsonschema.validate(shipped, schema)


# ----------------------------------------------------------------- side effects, shipped


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_writes_nothing(mini):
    ignore(mini, "- {source: alpha, text: Aleppo, kind: unannotated-name, reason: Stale.}\n")
    before = snapshot(mini)
    lint(mini)
    assert snapshot(mini) == before
    assert not (mini / "site").exists()


def test_the_shipped_dossier_has_no_findings():
    before = snapshot(REPO / "seeds")
    count, items = lint(REPO)
    assert shown(items) == []
    assert count == 0
    assert snapshot(REPO / "seeds") == before
