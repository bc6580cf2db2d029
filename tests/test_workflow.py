"""The GitHub Pages workflow is valid and passes a security audit, offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def tool(name: str) -> str:
    """A command installed beside this Python (the test extra installs both)."""
    found = Path(sys.executable).parent / name
    path = str(found) if found.exists() else shutil.which(name)
    assert path, f"{name} is not installed: pip install -e '.[test]'"
    return path


def test_workflow_matches_the_github_workflow_schema():
    proc = subprocess.run([tool("check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_workflow_has_no_zizmor_findings():
    proc = subprocess.run([tool("zizmor"), "--offline", "--persona", "auditor", str(WORKFLOW)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_workflow_builds_and_deploys_site_on_push_to_main():
    wf = yaml.safe_load(WORKFLOW.read_text())
    assert wf[True]["push"]["branches"] == ["main"]  # PyYAML reads the key 'on' as True
    steps = wf["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert "actions/upload-pages-artifact" in uses
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "site/"
    assert any("build.py" in s.get("run", "") for s in steps)
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
