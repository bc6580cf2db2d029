"""The documentation keeps up with the code: every annotation field is described."""

from __future__ import annotations

import json
import re

import jsonschema
import yaml

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def fields(schema: dict, prefix: str = "") -> set[str]:
    """Every property name in a schema, nested ones written parent.child."""
    found = set()
    defs = schema.get("$defs", {})
    for name, sub in schema.get("properties", {}).items():
        found.add(prefix + name)
        if "$ref" in sub.get("items", {}):
            sub = defs[sub["items"]["$ref"].split("/")[-1]]
        elif "items" in sub:
            sub = sub["items"]
        found |= fields({**sub, "$defs": defs}, prefix + name + ".")
    if "items" in schema:
        found |= fields({**schema["items"], "$defs": defs}, prefix)
    return found


def test_every_schema_field_is_documented_in_the_readme():
    documented = set(re.findall(r"^\| `([a-z0-9_.]+)` \|", README, re.M))
    for name in ("source", "entities", "dossier", "lint-ignore", "claims"):
        schema = json.loads((REPO / "dossier" / "schema" / f"{name}.schema.json").read_text())
        missing = {f"{name}: {f}" for f in fields(schema) if f not in documented}
        assert missing == set()


def test_readme_gives_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert len(blocks) >= 2
    build_cmd, test_cmd = blocks[0].strip(), blocks[1].strip()
    assert "build.py" in build_cmd
    assert "pytest" in test_cmd
    assert test_cmd in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_annotating_guide_carries_the_shared_conventions():
    guide = (REPO / "docs" / "annotating.md").read_text(encoding="utf-8")
    for heading in ("## What is a mention", "## Anchoring a mention", "## Dates",
                    "## Descriptions", "# Project additions"):
        assert heading in guide


def test_readme_examples_are_valid_annotation_files():
    examples = re.findall(r"```yaml\n(.*?)\n```", README, re.S)
    source, entities = (yaml.load(e, Loader=yaml.BaseLoader) for e in examples[:2])
    for data, name in ((source, "source"), (entities, "entities")):
        schema = json.loads((REPO / "dossier" / "schema" / f"{name}.schema.json").read_text())
        jsonschema.validate(_typed(data), schema)


def _typed(value):
    """BaseLoader reads every scalar as text; give occurrence numbers back their type."""
    if isinstance(value, dict):
        return {k: int(v) if k == "occurrence" else _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def test_every_annotation_file_names_its_schema_for_editors():
    expected = {"sources": "source", "entities": "entities"}
    assert (REPO / "content" / "claims.yaml").exists()
    files = [*(REPO / "content").glob("*/*.yaml"), *(REPO / "content").glob("*.yaml")]
    files.remove(REPO / "content" / "boilerplate.yaml")
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, path
        schema = (path.parent / match[1]).resolve()
        assert schema.is_file(), path
        kind = expected.get(path.parent.name, path.stem)
        assert schema.name == f"{kind}.schema.json", path
