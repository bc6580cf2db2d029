"""A dossier of one's own: `dossier init`, finding the dossier from any folder, the package's
defaults and a dossier's overrides of them, kinds of entity of its own, a non-editable install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from dossier.clean import clean_text, dossier_rules
from dossier.cli import main
from dossier.layout import DEFAULT_RULES, DEFAULT_TEMPLATES
from dossier.models import Problems
from tests.conftest import REPO, tree_digest, write_mini


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The `dossier` command in this process: (exit code, standard output, standard error)."""
    try:
        code = main(list(args), prog="dossier")
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# ----------------------------------------------------------------- init


def test_init_writes_a_documented_dossier_that_builds_at_once(tmp_path, capsys, monkeypatch):
    code, out, err = run(capsys, "init", str(tmp_path / "wework-files"))
    assert (code, err) == (0, "")
    root = tmp_path / "wework-files"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [".github/workflows/pages.yml", ".gitignore", "README.md",
                     "content/dossier.yaml", "content/entities/.gitkeep",
                     "content/sources/.gitkeep", "requirements.txt", "seeds/.gitkeep"]
    settings = yaml.safe_load((root / "content/dossier.yaml").read_text())
    assert settings["title"] == "Wework files"
    assert settings["base_url"] == "http://localhost:8000/"
    assert "/site/" in (root / ".gitignore").read_text()
    assert "/.dossier-cache/" in (root / ".gitignore").read_text()
    workflow = yaml.safe_load((root / ".github/workflows/pages.yml").read_text())
    steps = [s.get("run", "") for s in workflow["jobs"]["build"]["steps"]]
    assert "python -m pip install -r requirements.txt" in steps
    assert any(s.startswith("dossier build --strict") for s in steps)
    assert f"cd {root}\n" in out
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "build")
    assert code == 0, err
    home = page(root / "site/index.html")
    start = home.find(id="h-start")
    assert start is not None and start.get_text() == "No sources yet"
    assert "dossier add" in start.find_parent("section").get_text()
    assert (root / "site/pagefind/pagefind.js").is_file()  # Pagefind indexed an empty dossier


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n")
    before = tree_digest(tmp_path)
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 1
    assert err == (f"dossier init: error: {tmp_path} is not empty; a new dossier goes into a "
                   "new or empty folder (nothing was written)\n")
    assert tree_digest(tmp_path) == before


def test_init_into_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    code, _, err = run(capsys, "init", str(tmp_path / "report.pdf"))
    assert code == 1 and "exists and is not a folder" in err


def test_the_workflow_init_writes_passes_the_audits(tmp_path, capsys):
    """The same checks as the repository's own workflow: GitHub's schema and zizmor."""
    run(capsys, "init", str(tmp_path / "d"))
    workflow = tmp_path / "d/.github/workflows/pages.yml"
    bin_dir = Path(sys.executable).parent
    checked = subprocess.run([str(bin_dir / "check-jsonschema"), "--builtin-schema",
                              "vendor.github-workflows", str(workflow)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    audited = subprocess.run([str(bin_dir / "zizmor"), "--offline", "--persona", "auditor",
                              str(workflow)], capture_output=True, text=True, timeout=120)
    assert audited.returncode == 0, audited.stdout + audited.stderr


# ----------------------------------------------------------------- finding the dossier


def test_commands_find_the_dossier_from_a_folder_inside_it(tmp_path, capsys, monkeypatch):
    root = write_mini(tmp_path / "mini")
    monkeypatch.chdir(root / "content" / "sources")
    code, out, err = run(capsys, "build")
    assert code == 0, err
    assert (root / "site/index.html").is_file()
    assert not (root / "content/sources/site").exists()


def test_outside_any_dossier_a_command_says_so_and_writes_nothing(tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in ("build", "check", "serve"):
        code, _, err = run(capsys, command)
        assert code == 2
        assert err.endswith(f"dossier: error: {tmp_path} is not inside a dossier (no "
                            "content/dossier.yaml here or in any folder above); start one "
                            "with `dossier init FOLDER`, or name one with --root FOLDER\n")
    assert list(tmp_path.iterdir()) == []


def test_build_py_run_from_another_folder_never_builds_the_shipped_dossier(tmp_path):
    """`python /repo/build.py` from a folder outside any dossier: the error, not the
    repository's dossier."""
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "--out",
                           str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "is not inside a dossier" in done.stderr
    assert not (tmp_path / "site").exists()


def test_root_must_be_a_dossier(tmp_path, capsys):
    (tmp_path / "seeds").mkdir()
    code, _, err = run(capsys, "build", "--root", str(tmp_path))
    assert code == 2
    assert err.endswith(f"dossier: error: --root {tmp_path} is not a dossier (it has no "
                        "content/dossier.yaml); start one with `dossier init FOLDER`, or name "
                        "one with --root FOLDER\n")


def test_clean_works_on_any_file_with_the_default_rules(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Share this article\n\nIran sent more advisers to Syria on "
                                    "Tuesday, officials said in Damascus.\n")
    code, out, _ = run(capsys, "clean", "a.txt")
    assert (code, out) == (0, "Iran sent more advisers to Syria on Tuesday, officials said in "
                              "Damascus.\n")


# ----------------------------------------------------------------- defaults and overrides


def test_a_dossier_with_no_templates_or_rules_uses_the_packages(tmp_path, capsys):
    root = write_mini(tmp_path / "mini")
    assert not (root / "templates").exists()
    assert not (root / "content/boilerplate.yaml").exists()
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 0, err
    assert (root / "site/static/style.css").read_bytes() == \
        (DEFAULT_TEMPLATES / "static/style.css").read_bytes()


def test_own_templates_and_static_files_override_the_defaults_file_by_file(tmp_path, capsys):
    root = write_mini(tmp_path / "mini")
    (root / "templates/static").mkdir(parents=True)
    footer = (DEFAULT_TEMPLATES / "base.html").read_text().replace(
        "Built with dossier", "Built by the newsroom with dossier")
    (root / "templates/base.html").write_text(footer)
    (root / "templates/static/style.css").write_text("body { color: black; }\n")
    (root / "templates/static/logo.svg").write_text("<svg/>")
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 0, err
    home = page(root / "site/index.html")
    assert home.find("footer").get_text(" ", strip=True).startswith("Built by the newsroom")
    assert (root / "site/static/style.css").read_text() == "body { color: black; }\n"
    assert (root / "site/static/logo.svg").read_text() == "<svg/>"
    assert (root / "site/static/site.js").read_bytes() == \
        (DEFAULT_TEMPLATES / "static/site.js").read_bytes()


def test_the_shipped_dossier_overrides_the_legend_only(shipped_site):
    """This repository's templates/ is the override example: its legend words the kinds its
    own way, every other template is the package's."""
    assert sorted(p.name for p in (REPO / "templates").iterdir()) == ["_legend.html"]
    legend = page(shipped_site / "sources/003_ee9f25022a302441.html").find(id="highlight")
    assert [s.get_text() for s in legend.select(".legend-item .m")] == [
        "people", "units and armed groups", "organisations", "places", "dates"]


RULES_PAGE = "Share this article\n\nSubscribe to our newsletter\n\n" + (
    "Iran sent more military advisers to Syria on Tuesday, officials in Damascus said.\n\n"
    "Weekly Widget Box\n\n"
    "The advisers will help the Syrian army in its offensive near Aleppo, they added.\n")


def _kept(root: Path) -> list[str]:
    problems = Problems()
    rules = dossier_rules(root, problems)
    assert problems.items == []
    return [b.text for b in clean_text(RULES_PAGE, rules, kind="text").blocks]


def _rule_of(root: Path, line: str) -> str:
    """The rule that removed `line` from RULES_PAGE ('' if it was kept)."""
    rules = dossier_rules(root, Problems())
    removed = clean_text(RULES_PAGE, rules, kind="text").removed
    return next((r.rule for r in removed if r.text == line), "")


def test_own_rules_add_to_the_defaults(tmp_path):
    (tmp_path / "content").mkdir()
    assert "Weekly Widget Box" in _kept(tmp_path)
    assert "Share this article" not in _kept(tmp_path)  # a default pattern
    (tmp_path / "content/boilerplate.yaml").write_text(
        "patterns:\n  - id: widget\n    text: Weekly Widget Box\n    reason: The site's box.\n")
    kept = _kept(tmp_path)
    assert "Weekly Widget Box" not in kept and "Share this article" not in kept


def test_default_patterns_false_switches_the_tools_patterns_off(tmp_path):
    (tmp_path / "content").mkdir()
    assert _rule_of(tmp_path, "Share this article") == "widget"  # the default pattern
    (tmp_path / "content/boilerplate.yaml").write_text("default_patterns: false\n")
    assert _rule_of(tmp_path, "Subscribe to our newsletter") != "promo"
    assert _rule_of(tmp_path, "Share this article") != "widget"


def test_default_publishers_false_drops_the_tools_publisher_rules(tmp_path):
    (tmp_path / "content").mkdir()
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text(DEFAULT_RULES.read_text().replace(
        "publishers: {}", "publishers:\n  example.com:\n    remove:\n      - id: widget\n"
        "        text: Weekly Widget Box\n        reason: The site's box.\n"))
    problems = Problems()
    from dossier.clean import load_rules

    base = load_rules(defaults, problems, tmp_path)
    own = tmp_path / "content/boilerplate.yaml"
    own.write_text("publishers:\n  example.com:\n    keep: [Subscribe to our newsletter]\n")
    merged = load_rules(own, problems, tmp_path, base=base)
    assert [p.reason for p in merged.publishers["example.com"].remove] == ["The site's box."]
    assert "Subscribe to our newsletter" in merged.publishers["example.com"].keep
    own.write_text("default_publishers: false\n")
    assert load_rules(own, problems, tmp_path, base=base).publishers == {}
    assert problems.items == []


def test_own_thresholds_replace_only_the_ones_they_name(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/boilerplate.yaml").write_text("thresholds: {prose_words: 7}\n")
    problems = Problems()
    rules = dossier_rules(tmp_path, problems)
    default = dossier_rules(REPO, Problems())
    assert rules.thresholds.prose_words == 7
    assert rules.thresholds.sentence_words == default.thresholds.sentence_words
    assert rules.stop_words == default.stop_words and rules.stop_words


# ----------------------------------------------------------------- kinds of entity

BUSINESS_KINDS = """\
kinds:
  - {id: person, singular: Person, plural: People, folder: people, style: person}
  - {id: company, singular: Company, plural: Companies, folder: companies, style: extra1}
  - {id: court, singular: Court, plural: Courts, folder: courts, style: extra2, nav: Courts}
"""


def _business(root: Path) -> Path:
    write_mini(root)
    (root / "content/dossier.yaml").write_text("title: Business\n" + BUSINESS_KINDS)
    entities = root / "content/entities/all.yaml"
    text = entities.read_text()
    for kind in ("unit", "organisation", "place"):
        text = text.replace(f"kind: {kind}\n", "kind: company\n")
    entities.write_text(text)
    return root


def test_a_dossier_of_its_own_kinds_mentions_no_units(tmp_path, capsys):
    root = _business(tmp_path / "b")
    code, out, err = run(capsys, "build", "--root", str(root))
    assert code == 0, err
    assert "9 entities (1 people, 8 companies, 0 courts)" in out
    folders = sorted(p.name for p in (root / "site").iterdir() if p.is_dir())
    assert folders == ["companies", "courts", "data", "dates", "pagefind", "people", "sources",
                       "static"]
    home = page(root / "site/index.html")
    nav = [a.get_text() for a in home.select("header nav a")]
    assert nav[:4] == ["Sources", "People", "Companies", "Courts"]
    for html in (root / "site").rglob("*.html"):
        text = html.read_text()
        assert "units/" not in text and ">Units<" not in text, html
        assert "military unit" not in text.lower() and "m-unit" not in text, html
    aleppo = page(root / "site/companies/aleppo.html")
    assert aleppo.find("h1").find("span")["class"] == ["m", "m-extra1"]
    legend = page(root / "site/sources/alpha.html").find(id="highlight")
    assert [s.get_text() for s in legend.select(".legend-item .m")] == [
        "people", "companies", "courts", "dates"]


def test_an_entity_of_a_kind_the_dossier_lacks_is_an_error(tmp_path, capsys):
    root = _business(tmp_path / "b")
    entities = root / "content/entities/all.yaml"
    entities.write_text(entities.read_text().replace("kind: company\n", "kind: unit\n", 1))
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 1
    line = next(i for i, text in enumerate(entities.read_text().splitlines(), 1)
                if "kind: unit" in text)
    assert f"content/entities/all.yaml:{line}:9: error: kind 'unit' is not a kind of this " \
        "dossier: use one of person, company, court, or add it to kinds in " \
        "content/dossier.yaml" in err


@pytest.mark.parametrize(("kinds", "message"), [
    ("kinds:\n  - {id: a, singular: A, plural: As, folder: sources, style: person}\n",
     "content/dossier.yaml:4:5: error: kinds[0].folder 'sources' is a folder of the site itself "
     "(data, dates, pagefind, sources, static); choose another"),
    ("kinds:\n  - {id: a, singular: A, plural: As, folder: as, style: person}\n"
     "  - {id: a, singular: B, plural: Bs, folder: bs, style: unit}\n",
     "content/dossier.yaml:5:5: error: kinds[1] has the same id as the kind 'a' above; each "
     "kind needs its own id and folder"),
    ("kinds:\n  - {id: a, singular: A, plural: As, folder: as, style: pink}\n",
     "content/dossier.yaml:4:57: error: kinds[0].style: 'pink' is not one of"),
])
def test_kinds_that_cannot_work_are_errors(tmp_path, capsys, kinds, message):
    root = write_mini(tmp_path / "m")
    (root / "content/dossier.yaml").write_text("title: T\n\n" + kinds)
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 1
    assert message in err, err
    assert err.count(": error: ") == 1  # the entities are not each an error of their own


# ----------------------------------------------------------------- optional files


def test_a_removed_seed_gives_one_error_per_citing_entity(tmp_path, capsys):
    root = tmp_path / "ship"
    for part in ("seeds", "content", "templates"):
        shutil.copytree(REPO / part, root / part)
    (root / "seeds/003_ee9f25022a302441.txt").unlink()
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 1
    lines = [line for line in err.splitlines() if ": error: " in line]
    citing = [line for line in lines if "cites '003_ee9f25022a302441'" in line]
    assert len(citing) == len(set(line.split(": error:")[0] for line in citing))
    assert ("content/entities/places.yaml:77:3: error: entity 'united-states' cites "
            "'003_ee9f25022a302441', which is not a source (no seeds/003_ee9f25022a302441.txt "
            "or .html), in description 2, description 3, relation leads; restore the seed, or "
            "cite a seed's id") in lines


def test_a_dossier_without_claims_or_quotes_builds(tmp_path, capsys):
    root = write_mini(tmp_path / "m")
    assert not (root / "content/claims.yaml").exists()
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 0, err
    assert page(root / "site/claims.html").find("h1") is not None


# ----------------------------------------------------------------- a non-editable install


def test_a_wheel_installed_elsewhere_works_without_the_repository(tmp_path):
    """Build the wheel, install it (no editable link to this folder) and start, fill and
    build a dossier with it: the templates, static files, rules and schemas come from the
    installed package."""
    source = tmp_path / "source"  # a copy: building writes build/ beside the sources
    shutil.copytree(REPO / "dossier", source / "dossier",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("dossier-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("dossier/defaults/boilerplate.yaml", "dossier/defaults/templates/base.html",
                 "dossier/defaults/templates/static/style.css",
                 "dossier/defaults/scaffold/pages.yml", "dossier/schema/source.schema.json"):
        assert name in names
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    command = [sys.executable, "-c", "import dossier, sys; assert dossier.__file__.startswith("
               f"{str(target)!r}), dossier.__file__; from dossier.cli import run; run()"]
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([*command, "init", "mine"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    shutil.copy(REPO / "tests/pages/jsonld-only.html", work / "article.html")
    for args in (["add", "../article.html"], ["build"]):
        done = subprocess.run([*command, *args], cwd=work / "mine", env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    sources = sorted((work / "mine/site/sources").glob("*.html"))
    assert [p.name for p in sources] != ["index.html"]


# ----------------------------------------------------------------- authors and language


def test_authors_and_language_reach_the_page_the_citations_and_the_data(tmp_path, capsys):
    root = write_mini(tmp_path / "m")
    alpha = root / "content/sources/alpha.yaml"
    alpha.write_text(alpha.read_text().replace(
        "publisher: Example News\n",
        "publisher: Example News\nauthor: [Ana Ruiz, Li Wei, Sam O'Neil]\nlanguage: en-GB\n"))
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 0, err
    html = page(root / "site/sources/alpha.html")
    meta = dict(zip([dt.get_text() for dt in html.select("dl.meta dt")],
                    [dd.get_text(" ", strip=True) for dd in html.select("dl.meta dd")],
                    strict=False))
    assert meta["Authors"] == "Ana Ruiz, Li Wei, Sam O'Neil"
    assert html.find("article")["lang"] == "en-GB"
    cites = {h.get_text(): h.find_next("pre").get_text() for h in
             html.find(id="h-cite").find_parent("section").find_all("h3")}
    assert cites["Reference"].startswith("Ana Ruiz, Li Wei and Sam O'Neil. Example News. ")
    assert cites["Chicago note"].startswith("Ana Ruiz, Li Wei and Sam O'Neil, “Iran sends "
                                            "advisers to Syria,” Example News, ")
    assert "  author = {Ana Ruiz and Li Wei and Sam O'Neil},\n" in cites["BibTeX"]
    import json

    ld = json.loads(html.find("script", type="application/ld+json").string)
    assert ld["author"] == [{"@type": "Person", "name": n}
                            for n in ("Ana Ruiz", "Li Wei", "Sam O'Neil")]
    assert ld["inLanguage"] == "en-GB"
    record = next(r for r in json.loads((root / "site/data/sources.json").read_text())
                  if r["id"] == "alpha")
    assert (record["author"], record["language"]) == ("Ana Ruiz; Li Wei; Sam O'Neil", "en-GB")
    feed = (root / "site/feed.xml").read_text()
    assert feed.count("<name>Li Wei</name>") == 1
    beta = page(root / "site/sources/beta.html")  # no author: none shown, the agency rule kept
    assert "Author" not in [dt.get_text() for dt in beta.select("dl.meta dt")]


def test_schema_entity_and_anchor_errors_are_reported_in_one_run(tmp_path, capsys):
    """A broken entity file, a broken source file and a quote not in its text: all three at
    once, the quote checked even though its entity's file could not be read."""
    root = write_mini(tmp_path / "m")
    entities = root / "content/entities/all.yaml"
    entities.write_text(entities.read_text().replace("  kind: person", "  kind: person\n"
                                                     "  nickname: x", 1))
    alpha = root / "content/sources/alpha.yaml"
    alpha.write_text(alpha.read_text().replace("headline: Iran sends advisers to Syria",
                                               "headline: [Iran"))
    beta = root / "content/sources/beta.yaml"
    beta.write_text(beta.read_text().replace("{quote: Tehran, entity: tehran}",
                                             "{quote: Teheran, entity: tehran}"))
    code, _, err = run(capsys, "build", "--root", str(root))
    assert code == 1
    errors = [line.split(": error: ")[0] for line in err.splitlines() if ": error: " in line]
    assert errors == ["content/entities/all.yaml:1:3", "content/sources/alpha.yaml:1:11",
                      "content/sources/beta.yaml:10:5"]
    assert "'Teheran' is not in the cleaned text of seeds/beta.txt (did you mean 'Tehran'?)" \
        in err
