"""Incremental builds: a rebuild after any edit equals a clean build of the same inputs."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import build
from dossier import search
from tests.conftest import (
    build_output,
    clean_build,
    edit,
    files,
    own_template,
    quiet_build,
    rendered_pages,
)

EDITS = {
    "annotation": lambda r: edit(r / "content/sources/beta.yaml", "  - {quote: Tehran, "
                                    "entity: tehran}\n", ""),
    "entity description": lambda r: edit(r / "content/entities/all.yaml", "City in Syria.",
                                            "A city in northern Syria."),
    "entity name": lambda r: edit(r / "content/entities/all.yaml", "name: Aleppo",
                                     "name: Aleppo city"),
    "seed": lambda r: edit(r / "seeds/beta.txt", "stayed closed.", "stayed closed for days."),
    "template": lambda r: edit(own_template(r, "base.html"), "Skip to content", "Skip to text"),
    "stylesheet": lambda r: edit(own_template(r, "static/style.css"), "--mark: #fff1a8;",
                                    "--mark: #ffe066;"),
    "boilerplate rules": lambda r: (r / "content/boilerplate.yaml").write_text(
        "thresholds: {prose_words: 21}\n", encoding="utf-8"),
    "source removed": lambda r: ((r / "seeds/beta.txt").unlink(),
                                 (r / "content/sources/beta.yaml").unlink(),
                                 edit(r / "content/entities/all.yaml", "sources: [beta]}",
                                         "sources: [alpha]}"),
                                 edit(r / "content/entities/all.yaml", "sources: [beta]}",
                                         "sources: [alpha]}"),
                                 edit(r / "content/entities/all.yaml", "sources: [beta]}",
                                         "sources: [alpha]}")),
    "dossier title": lambda r: edit(r / "content/dossier.yaml", "Mini dossier", "Mini"),
    # shown of beta on the pages that list it (entity, date, description citations)
    "publisher": lambda r: edit(r / "content/sources/beta.yaml", "publisher: Other Paper",
                                "publisher: Another Paper"),
    "headline": lambda r: edit(r / "content/sources/beta.yaml", "headline: General buried",
                               "headline: General buried in Tehran"),
    "event of a date": lambda r: edit(r / "content/sources/beta.yaml",
                                      "event: Hamadani buried", "event: Hamadani was buried"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_rebuild_after_an_edit_equals_a_clean_build(mini, tmp_path, edit):
    assert quiet_build("--root", str(mini)) == 0
    EDITS[edit](mini)
    assert quiet_build("--root", str(mini)) == 0
    assert files(mini / "site") == clean_build(mini, tmp_path)


def test_a_rebuild_rewrites_only_the_pages_an_edit_touches(mini):
    assert quiet_build("--root", str(mini)) == 0
    site = mini / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    edit(mini / "seeds/beta.txt", "stayed closed.", "stayed closed for days.")
    assert quiet_build("--root", str(mini)) == 0
    changed = sorted(p.relative_to(site).as_posix() for p in before
                     if p.stat().st_mtime_ns != before[p])
    assert "sources/beta.html" in changed
    assert "sources/alpha.html" not in changed
    assert "places/bassel-airport.html" in changed      # quotes the edited sentence
    assert "people/hossein-hamedani.html" not in changed  # quotes another sentence of beta
    assert "places/aleppo.html" not in changed          # beta does not mention Aleppo
    assert "dates/2015-10-15.html" not in changed


def test_a_page_changed_or_deleted_by_hand_is_restored(mini, tmp_path):
    assert quiet_build("--root", str(mini)) == 0
    (mini / "site/sources/alpha.html").write_text("edited by hand")
    (mini / "site/places/aleppo.html").unlink()
    (mini / "site/stray.html").write_text("not ours")
    assert quiet_build("--root", str(mini)) == 0
    assert files(mini / "site") == clean_build(mini, tmp_path)


def test_a_deleted_cache_only_makes_the_next_build_slower(mini, tmp_path):
    assert quiet_build("--root", str(mini)) == 0
    shutil.rmtree(mini / ".dossier-cache")
    edit(mini / "content/entities/all.yaml", "City in Syria.", "A city.")
    assert quiet_build("--root", str(mini)) == 0
    assert files(mini / "site") == clean_build(mini, tmp_path)


@pytest.mark.parametrize("edit, reindexed", [("annotation", False), ("template", False),
                                              ("seed", True), ("entity description", True)])
def test_search_is_reindexed_only_when_searchable_text_changed(mini, monkeypatch, edit,
                                                               reindexed):
    assert quiet_build("--root", str(mini)) == 0
    started = []
    real = search.Indexing
    monkeypatch.setattr(search, "Indexing",
                        lambda docs, work: started.append(1) or real(docs, work))
    EDITS[edit](mini)
    assert quiet_build("--root", str(mini)) == 0
    assert bool(started) is reindexed


@pytest.mark.parametrize("threads", [False, True])
def test_sources_cleaned_on_several_cores_give_the_same_site_and_errors(mini, tmp_path,
                                                                        monkeypatch, threads):
    """The worker pool (forked, or from a fresh interpreter when threads run, as in serve)
    gives what one process gives: the same site, the same problems in the same order."""
    import threading

    from dossier import parallel

    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n",
            "  - {quote: Tehran, entity: tehran}\n  - {quote: Nowhere, entity: tehran}\n")
    serial = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(serial):
        assert build.main(["--root", str(mini)]) == 1
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    stop = threading.Event()
    if threads:
        threading.Thread(target=stop.wait, daemon=True).start()
    pooled = io.StringIO()
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(pooled):
            assert build.main(["--root", str(mini)]) == 1
    finally:
        stop.set()
    assert pooled.getvalue() == serial.getvalue() and "Nowhere" in serial.getvalue()
    edit(mini / "content/sources/beta.yaml", "  - {quote: Nowhere, entity: tehran}\n", "")
    shutil.rmtree(mini / ".dossier-cache", ignore_errors=True)
    assert quiet_build("--root", str(mini)) == 0  # every source through the pool
    monkeypatch.undo()
    assert files(mini / "site") == clean_build(mini, tmp_path)  # in this process


@pytest.mark.parametrize("edit, remade", [(None, False), ("template", True),
                                          ("annotation", True), ("entity description", True),
                                          ("dossier title", True)])
def test_whole_dossier_pages_and_open_data_are_made_again_only_when_their_inputs_change(
        mini, monkeypatch, edit, remade):
    from dossier import opendata

    assert quiet_build("--root", str(mini)) == 0
    calls = []
    real = opendata.exports
    monkeypatch.setattr(opendata, "exports", lambda *a, **k: calls.append(1) or real(*a, **k))
    if edit:
        EDITS[edit](mini)
    before = (mini / "site/timeline.html").stat().st_mtime_ns
    assert quiet_build("--root", str(mini)) == 0
    assert bool(calls) is remade
    if not remade:
        assert (mini / "site/timeline.html").stat().st_mtime_ns == before


def test_a_second_build_in_the_same_process_takes_sources_from_memory(mini, monkeypatch,
                                                                      tmp_path):
    """The live preview builds again and again: unchanged sources are not read back from
    disk, and what it builds is what a clean build makes."""
    from dossier import cache

    assert quiet_build("--root", str(mini)) == 0
    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n", "")

    read = []
    real = cache._load
    monkeypatch.setattr(cache, "_load", lambda path: read.append(path) or real(path))
    assert quiet_build("--root", str(mini)) == 0
    # alpha, unchanged, is not read back from disk (beta, edited, is looked up there)
    assert [p.stem for p in read if p.parent.name == "sources"] == ["beta"]
    assert read  # the recording works: the shared passages do come from disk
    monkeypatch.undo()
    assert files(mini / "site") == clean_build(mini, tmp_path)


def test_an_entity_mentioned_in_many_sources_lists_them_on_pages_and_an_edit_redoes_one(
        mini, monkeypatch):
    """Hossein Hamedani is mentioned in alpha and beta: with one source per page, his page
    lists alpha and a second page beta; editing beta remakes the second page only."""
    from bs4 import BeautifulSoup

    from dossier import pages

    monkeypatch.setattr(pages, "PAGE_SOURCES", 1)
    assert quiet_build("--root", str(mini)) == 0
    site = mini / "site"
    first, second = site / "people/hossein-hamedani.html", site / "people/hossein-hamedani/2.html"
    listed = []
    for page in (first, second):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        section = soup.find("section", attrs={"aria-labelledby": "h-mentions"})
        listed.append([a["href"].rsplit("/", 1)[-1] for a in section.select("h3 a")])
        pager = soup.select_one("nav.pager")
        links = [a["href"] for a in pager.select("ol a")]
        assert len(links) == 2 and pager.select_one("[aria-current=page]")
        for href in links:  # every pager link leads to a page of this build
            assert (page.parent / href).resolve().is_file(), href
    assert listed == [["alpha.html"], ["beta.html"]]
    assert "Mentions: 3 in 2 sources" in first.read_text(encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in (first, second)}
    edit(mini / "content/sources/beta.yaml", "headline: General buried",
            "headline: General buried in Tehran")  # shown on the second page only
    assert quiet_build("--root", str(mini)) == 0
    assert first.stat().st_mtime_ns == before[first]
    assert second.stat().st_mtime_ns != before[second]


@pytest.mark.parametrize("edit, remade", [("annotation", ["beta"]),
                                          ("entity name", ["alpha"]),
                                          ("dossier title", ["alpha", "beta"])])
def test_open_data_is_joined_from_parts_kept_per_source(mini, monkeypatch, tmp_path, edit,
                                                        remade):
    """An edit remakes the open-data parts of the sources it touches (beta's annotations;
    the sources that mention a renamed entity: Aleppo is in alpha only), and the joined
    files equal a clean build's."""
    from dossier import opendata

    assert quiet_build("--root", str(mini)) == 0
    made = []
    real = opendata.source_parts
    monkeypatch.setattr(opendata, "source_parts",
                        lambda src, *a: made.append(src.id) or real(src, *a))
    EDITS[edit](mini)
    assert quiet_build("--root", str(mini)) == 0
    assert sorted(made) == remade
    monkeypatch.undo()
    assert files(mini / "site") == clean_build(mini, tmp_path)


@pytest.mark.parametrize("edit, remade", [
    (lambda r: edit(r / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n",
                       ""), False),
    (lambda r: edit(r / "content/sources/beta.yaml", "event: Hamadani buried",
                       "event: Hamadani buried in Tehran"), True),
    (lambda r: edit(r / "content/sources/beta.yaml", "publisher: Other Paper",
                       "publisher: Another Paper"), True)])
def test_the_timeline_is_made_again_only_when_dates_or_publication_change(mini, monkeypatch,
                                                                          tmp_path, edit,
                                                                          remade):
    from dossier import graphics

    assert quiet_build("--root", str(mini)) == 0
    drawn = []
    real = graphics.timeline_svg
    monkeypatch.setattr(graphics, "timeline_svg",
                        lambda *a, **k: drawn.append(1) or real(*a, **k))
    edit(mini)
    assert quiet_build("--root", str(mini)) == 0
    assert bool(drawn) is remade
    monkeypatch.undo()
    assert files(mini / "site") == clean_build(mini, tmp_path)


def test_a_new_mention_remakes_the_entity_pages_whose_passages_it_changes(mini, monkeypatch):
    """Adding Tehran in beta changes what Tehran's page lists, and which entities share a
    paragraph with whom, but not the pages of Bassel airport or of Aleppo (beta's headline and
    citation, all they show of it besides their passages, are the same)."""
    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n", "")
    assert quiet_build("--root", str(mini)) == 0
    edit(mini / "content/sources/beta.yaml", "mentions:\n",
         "mentions:\n  - {quote: Tehran, entity: tehran}\n")
    made = [p for p in rendered_pages(mini) if p.startswith(("people/", "places/"))
            and not p.endswith("index.html")]
    assert sorted(made) == ["people/hossein-hamedani.html", "places/tehran.html"]


def test_with_its_own_entity_template_every_page_listing_the_source_is_remade(mini,
                                                                             monkeypatch):
    """A dossier's own entity.html may show anything of a source (its mention count, say):
    then the tool cannot tell what a page shows, and keys entity pages on whole sources."""
    edit(own_template(mini, "_mentions.html"), "{{ src.meta.headline }}",
         "{{ src.meta.headline }} ({{ src.mentions | length }} mentions)")
    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n", "")
    assert quiet_build("--root", str(mini)) == 0
    edit(mini / "content/sources/beta.yaml", "mentions:\n",
         "mentions:\n  - {quote: Tehran, entity: tehran}\n")
    made = rendered_pages(mini)
    assert "places/bassel-airport.html" in made
    page = (mini / "site/places/bassel-airport.html").read_text(encoding="utf-8")
    assert "General buried (3 mentions)" in page


SHIPPED_EDITS = {
    # shown on the who-said-what page and on entity pages (a quote's via)
    "name of a via": lambda r: edit(r / "content/entities/organisations.yaml",
                                    "name: Mehr News Agency", "name: Mehr News"),
    # shown on the claims page beside an answer
    "name of a speaker": lambda r: edit(r / "content/entities/organisations.yaml",
                                        "name: Associated Press", "name: The Associated Press"),
    "publisher of a source that answers": lambda r: edit(
        r / "content/sources/002_04fd449ed01c997c.yaml", "publisher: The Tower",
        "publisher: The Tower Magazine"),
}


@pytest.mark.parametrize("change", sorted(SHIPPED_EDITS))
def test_pages_keyed_on_what_they_show_follow_every_shown_field(tmp_path, change):
    """The shipped dossier has quotes, claims and via: each whole-dossier page keyed on what it
    shows is remade when one of those things changes."""
    from tests.test_annotate import shipped_copy

    root = shipped_copy(tmp_path / "dossier")
    assert quiet_build("--root", str(root)) == 0
    SHIPPED_EDITS[change](root)
    assert quiet_build("--root", str(root)) == 0
    assert files(root / "site") == clean_build(root, tmp_path)


def test_a_renamed_via_is_renamed_wherever_the_statement_is_listed(mini, tmp_path):
    """The Associated Press is named on the page of the speaker who spoke through it, which
    lists the statement, and nowhere else in the mini dossier."""
    edit(mini / "content/sources/alpha.yaml", "dates:\n", "quotes:\n"
         "  - {quote: Gen. Hossein Hamedani was killed near Aleppo on Thursday, "
         "speaker: hossein-hamedani, kind: reported, via: associated-press}\ndates:\n")
    assert quiet_build("--root", str(mini)) == 0
    speaker = mini / "site/people/hossein-hamedani.html"
    assert "Associated Press</a>)" in speaker.read_text(encoding="utf-8")
    edit(mini / "content/entities/all.yaml", "name: Associated Press", "name: AP")
    assert quiet_build("--root", str(mini)) == 0
    assert files(mini / "site") == clean_build(mini, tmp_path)


@pytest.fixture
def settled(monkeypatch):
    """Builds record the state of their inputs and site at once (not only for inputs last
    changed two seconds before), so that the next build may find nothing changed."""
    from dossier import unchanged

    monkeypatch.setattr(unchanged, "SETTLED_NS", -1)


def test_nothing_changed_is_found_from_the_files_states_and_says_the_same(mini, settled):
    """The second build reads no input: it reports the first's summary and warnings again."""
    first = build_output("--root", str(mini))
    before = files(mini / "site")
    from dossier import project

    real = project.read_project
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(project, "read_project", lambda *a, **k: pytest.fail("read the project"))
        mp.setattr("dossier.build.read_project", project.read_project)
        second = build_output("--root", str(mini))
    assert real is not None and second[0] == first[0] == 0
    assert "nothing changed since the last build" in second[1]
    assert second[2] == first[2] and "warning" in first[2]  # the same problems, again
    assert first[1].split(" files written")[0].rsplit(";", 1)[0] == \
        second[1].split(" files written")[0].rsplit(";", 1)[0]
    assert files(mini / "site") == before


PIPELINE = ("dossier.build", "dossier.render", "dossier.project", "dossier.clean", "jinja2")


def test_nothing_changed_is_answered_before_the_pipeline_is_imported(mini):
    """The answer costs reading the files' states, not loading the build: a new process that
    finds nothing changed imports none of the pipeline's modules (nor jinja2); one that finds
    an input changed imports them and builds."""
    for path in mini.rglob("*"):  # inputs settled long ago: the build records their states
        os.utime(path, (1_600_000_000, 1_600_000_000))
    probe = ("import sys; from dossier.cli import main; code = main(['--root', sys.argv[1]]); "
             f"print(code, sorted(m for m in {PIPELINE!r} if m in sys.modules))")

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", probe, str(mini)], capture_output=True,
                              text=True, cwd=Path(build.__file__).parent, timeout=300)
        return done.stdout.strip().splitlines()

    assert run()[-1].startswith("0 ['dossier.build'")  # the first build loads the pipeline
    second = run()
    assert "nothing changed since the last build" in second[0]
    assert second[-1] == "0 []"
    seed = mini / "content" / "sources" / "alpha.yaml"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(seed, (1_600_000_100, 1_600_000_100))
    third = run()
    assert "nothing changed" not in third[0] and third[-1].startswith("0 ['dossier.build'")


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_with_a_record_of_the_last_build_an_edit_is_still_built(mini, tmp_path, edit, settled):
    assert quiet_build("--root", str(mini)) == 0
    EDITS[edit](mini)
    assert quiet_build("--root", str(mini)) == 0
    assert files(mini / "site") == clean_build(mini, tmp_path)


@pytest.mark.parametrize("change", ["edited", "deleted", "stray", "base url"])
def test_with_a_record_of_the_last_build_a_site_changed_by_hand_is_restored(
        mini, tmp_path, settled, change):
    assert quiet_build("--root", str(mini)) == 0
    if change == "edited":
        (mini / "site/sources/alpha.html").write_text("edited by hand")
    elif change == "deleted":
        (mini / "site/places/aleppo.html").unlink()
    elif change == "stray":
        (mini / "site/stray.html").write_text("not ours")
    args = ["--root", str(mini)] + (["--base-url", "https://example.org/d/"]
                                    if change == "base url" else [])
    assert quiet_build(*args) == 0
    if change == "base url":
        assert "https://example.org/d/" in (mini / "site/sitemap.xml").read_text()
    else:
        assert files(mini / "site") == clean_build(mini, tmp_path)


def test_the_preview_reads_again_only_the_edited_source_and_reports_what_it_did(mini):
    """Told which files changed, a preview build reads those sources only; the problems of the
    files it does not read again (a broken registry here) are reported again all the same."""
    from dossier import project
    from dossier.build import build as run_build
    from dossier.build import settle
    from dossier.models import Problems

    def preview(changed: set[str] | None) -> tuple[bool, list[str]]:
        problems = Problems()
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            built = run_build(mini, mini / "site", problems, preview=True, changed=changed)
        settle(mini, mini / "site")
        return built is not None, [p.format() for p in problems.items]

    assert preview(None)[0]
    registry = mini / "content/entities/all.yaml"
    edit(registry, "name: Aleppo", "name: [Aleppo")
    failed = preview({str(registry)})
    assert not failed[0] and any("all.yaml" in line for line in failed[1])
    beta = mini / "content/sources/beta.yaml"
    edit(beta, "headline: General buried", "headline: General buried in Tehran")
    real, heads = project._head, []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(project, "_head", lambda *a: heads.append(1) or real(*a))
        again = preview({str(beta)})
    assert heads == [] and again == failed  # the registry's error again, from memory
    edit(registry, "name: [Aleppo", "name: Aleppo")
    assert preview({str(registry)})[0]
    assert "General buried in Tehran" in (mini / "site/sources/beta.html").read_text()


def test_a_rebuild_says_what_it_redid(mini, monkeypatch):
    """'redid 1 source and N pages': the sources cleaned and anchored anew, and exactly the
    pages rendered again."""
    from dossier import parallel, render

    assert build_output("--root", str(mini))[0] == 0
    edit(mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n",
         "  - {quote: Tehran, entity: tehran, note: Capital of Iran.}\n")
    made: list[str] = []
    real = render.Renderer.render
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    monkeypatch.setattr(render.Renderer, "render",
                        lambda self, page: made.append(page.path) or real(self, page))
    code, out, _ = build_output("--root", str(mini))
    pages = f"{len(made)} page{'' if len(made) == 1 else 's'}"
    assert code == 0 and f"; redid 1 source and {pages}." in out and 0 < len(made) < 10


def test_a_preview_rebuild_removes_a_static_file_and_the_pages_the_plan_dropped(mini, tmp_path):
    """The preview keeps the pages it wrote without walking them: a static file of the
    dossier's own taken away, and a source added then taken away (its page, and the date page
    only it listed), are deleted from the site, which equals a clean build after each step."""
    from dossier.build import build as run_build
    from dossier.build import settle
    from dossier.models import Problems

    def preview(*changed: Path) -> None:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            built = run_build(mini, mini / "site", Problems(), preview=True,
                              changed={str(p) for p in changed})
        settle(mini, mini / "site")
        assert built is not None

    own = mini / "templates/static/extra.css"
    own.parent.mkdir(parents=True)
    own.write_text("p { color: red }\n")
    preview()
    assert (mini / "site/static/extra.css").is_file()
    own.unlink()
    preview(own)
    assert not (mini / "site/static/extra.css").exists()
    assert files(mini / "site") == clean_build(mini, tmp_path / "a")
    seed, annotations = mini / "seeds/gamma.txt", mini / "content/sources/gamma.yaml"
    seed.write_text("Aleppo airport reopened on Sunday, officials said.\n")
    annotations.write_text("headline: Airport reopens\npublisher: Third Paper\n"
                           "published: {date: 2015-10-19}\nurl: https://example.net/gamma\n"
                           "mentions:\n  - {quote: Aleppo, entity: aleppo}\ndates:\n"
                           "  - quote: Sunday\n    value: 2015-10-18\n"
                           "    reasoning: The Sunday before publication.\n"
                           "    event: Aleppo airport reopened\n")
    preview(seed, annotations)
    assert (mini / "site/dates/2015-10-18.html").is_file()
    seed.unlink()
    annotations.unlink()
    preview(seed, annotations)
    assert not (mini / "site/sources/gamma.html").exists()
    assert not (mini / "site/dates/2015-10-18.html").exists()
    assert files(mini / "site") == clean_build(mini, tmp_path / "b")


def test_the_preview_reports_what_an_edit_changes_in_the_registry_s_warnings(mini):
    """The index's report is kept in parts between preview rebuilds: taking out the only
    mention of Tehran warns that it is mentioned nowhere, putting it back ends the warning, and
    each time the report is the one a whole build makes."""
    from dossier import update
    from dossier.build import build as run_build
    from dossier.build import settle
    from dossier.models import Problems

    def preview(*changed: Path) -> list[str]:
        problems = Problems()
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            assert run_build(mini, mini / "site", problems, preview=True,
                             changed={str(p) for p in changed} if changed else None)
        settle(mini, mini / "site")
        return [p.format() for p in problems.items]

    def whole() -> list[str]:
        update.forget(mini)
        return preview()

    beta, line = mini / "content/sources/beta.yaml", "  - {quote: Tehran, entity: tehran}\n"
    warning = "content/entities/all.yaml:"
    preview()
    before = preview(beta)
    assert not any("'tehran' is not mentioned" in p for p in before)
    edit(beta, line, "")
    taken = preview(beta)
    assert any(p.startswith(warning) and "'tehran' is not mentioned" in p for p in taken)
    assert taken == whole()
    edit(beta, "  - {quote: Hossein Hamadani, entity: hossein-hamedani}\n",
         "  - {quote: Hossein Hamadani, entity: hossein-hamedani}\n" + line)
    assert preview(beta) == before


def test_a_new_process_hashes_only_the_inputs_whose_state_changed(mini):
    """A command-line build records each input's size, time, inode and digest; the next
    build, in a new process, reads only the files whose state changed since (the one edited),
    and gives the site a clean build gives. `dossier check` trusts no record: it reads all."""
    for path in mini.rglob("*"):  # inputs settled long ago: the build records their states
        os.utime(path, (1_600_000_000, 1_600_000_000))
    probe = ("import sys; from dossier import cache; from dossier.cli import main\n"
             "seen = []; real = cache.read_regular\n"
             "def read(path):\n    seen.append(path.relative_to(sys.argv[1]).as_posix())\n"
             "    return real(path)\n"
             "cache.read_regular = read\n"
             "code = main(['--root', sys.argv[1], *sys.argv[2:]])\n"
             "print(code, sorted(p for p in seen if p.startswith(('seeds/', 'content/s'))))")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe, str(mini), *args],
                              capture_output=True, text=True, timeout=300,
                              cwd=Path(build.__file__).parent)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    assert run() == ("0 ['content/sources/alpha.yaml', 'content/sources/beta.yaml', "
                     "'seeds/alpha.txt', 'seeds/beta.txt']")  # the first build reads all
    EDITS["annotation"](mini)
    os.utime(mini / "content/sources/beta.yaml", (1_600_000_100, 1_600_000_100))
    assert run() == "0 ['content/sources/beta.yaml']"
    assert files(mini / "site") == clean_build(mini, mini.parent / "clean")
    assert run("check") == ("0 ['content/sources/alpha.yaml', 'content/sources/beta.yaml', "
                            "'seeds/alpha.txt', 'seeds/beta.txt']")


@pytest.mark.parametrize("record", ['{"version": 1, "files": {"seeds/alpha.txt": [1, 2]}}',
                                    "{not json", '[1, 2]', '{"version": 1, "files": [3]}',
                                    '{"version": 1, "files": {"seeds/alpha.txt": '
                                    '[1, 2, 3, null]}}'])
def test_a_damaged_record_of_the_inputs_digests_is_no_record(mini, tmp_path, record):
    from dossier import cache

    assert quiet_build("--root", str(mini)) == 0
    (mini / ".dossier-cache" / cache.DIGESTS_FILE).write_text(record, encoding="utf-8")
    cache._RECALLED.clear()
    cache._DIGESTS.clear()
    EDITS["seed"](mini)
    assert quiet_build("--root", str(mini)) == 0
    assert files(mini / "site") == clean_build(mini, tmp_path)


def test_the_preview_s_open_data_waits_until_the_reload_is_sent(mini, monkeypatch):
    """A preview rebuild puts its pages in place and returns; its open data and search index
    are written in the background only once the preview has told the browser to reload
    (`release`), so that they do not slow the reload down; then they are the new ones."""
    from dossier import build as stages
    from dossier.models import Problems

    out = mini / "site"

    def data_saying(text: str) -> list[str]:
        return sorted(p.name for p in (out / "data").rglob("*")
                      if p.is_file() and text in p.read_text(encoding="utf-8", errors="ignore"))

    begun, real = threading.Event(), stages._data_later
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert stages.build(mini, out, Problems(), preview=True) is not None
        stages.settle(mini, out)
        monkeypatch.setattr(stages, "LATER_WAIT", 600)  # never, within this test
        monkeypatch.setattr(stages, "_data_later", lambda *a: begun.set() or real(*a))
        EDITS["headline"](mini)
        beta = mini / "content/sources/beta.yaml"
        assert stages.build(mini, out, Problems(), preview=True, changed={str(beta)})
    assert "General buried in Tehran" in (out / "sources/beta.html").read_text(encoding="utf-8")
    # not begun, and not in a second either (a thread let go at once begins well within it)
    assert not begun.wait(1.0) and data_saying("General buried in Tehran") == []
    stages.release(mini, out)
    assert begun.wait(600)
    stages.settle(mini, out)
    assert "sources.csv" in data_saying("General buried in Tehran")
