"""Annotating in a real browser: Debian's Chromium on a running preview of a copy of the
shipped dossier. Each test takes annotations out of a source file, puts them back with the
keyboard as a user would (select, a key, a few letters, Enter), and checks that the file is
byte for byte the hand-written one again and that the reloaded page shows the result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.serve import EVENTS
from tests.browser import SELECT_WORDS, TIMEOUT_MS
from tests.test_annotate import SOURCE, YAML, Preview, shipped_copy
from tests.test_browser import BLOCKING, browser  # noqa: F401 (a fixture)

IRAQ = "  - {quote: Iraq, entity: iraq}\n"
IRAN_5 = "  - {quote: Iran, entity: iran, occurrence: 5}\n"
IRAN_6 = "  - {quote: Iran, entity: iran, occurrence: 6}\n"
MARCH = """  - quote: March 2011
    value: "2011-03"
    reasoning: Absolute month and year in the text.
    event: Protests against Assad's regime began
"""
TAKEN = (IRAQ, IRAN_5, IRAN_6, MARCH)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = shipped_copy(tmp_path / "dossier")
    path = root / YAML
    text = path.read_text(encoding="utf-8")
    for lines in TAKEN:
        assert text.count(lines) == 1
        text = text.replace(lines, "")
    path.write_text(text, encoding="utf-8")
    with Preview(root) as running:
        yield running


@pytest.fixture
def page(browser, preview: Preview):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"http://127.0.0.1:{preview.port}/sources/{SOURCE}.html")
    yield tab
    context.close()
    assert errors == []


def shipped() -> str:
    return (Path(__file__).resolve().parent.parent / YAML).read_text(encoding="utf-8")


def written(preview: Preview) -> str:
    return (preview.root / YAML).read_text(encoding="utf-8")


def select(page, words: str, nth: int = 1) -> None:
    assert page.evaluate(SELECT_WORDS, [words, nth]) == words


def test_select_a_type_enter_writes_the_line_a_person_would(page, preview: Preview) -> None:
    before = written(preview)
    select(page, "Iraq")
    page.keyboard.press("a")
    search = page.get_by_role("combobox")
    assert search.evaluate("e => e === document.activeElement")
    search.type("iraq")
    options = page.get_by_role("option")
    assert options.first.inner_text().startswith("Iraq")
    # fuzzy: case and accents do not matter, and the id finds it too
    search.fill("IRÂQ")
    assert options.first.inner_text().startswith("Iraq")
    with page.expect_event("load"):
        search.press("Enter")
    assert written(preview) == before.replace(
        "  - {quote: Syria, entity: syria, occurrence: 3}\n",
        "  - {quote: Syria, entity: syria, occurrence: 3}\n" + IRAQ)
    link = page.locator("article a.m", has_text="Iraq")
    assert link.get_attribute("href") == "../places/iraq.html"
    assert "dossier-new" in link.get_attribute("class")
    entity = (preview.out / "places" / "iraq.html").read_text(encoding="utf-8")
    assert f"sources/{SOURCE}.html#{link.get_attribute('id')}" in entity


def test_escape_closes_the_picker_and_writes_nothing(page, preview: Preview) -> None:
    before = written(preview)
    select(page, "Iraq")
    page.keyboard.press("a")
    page.get_by_role("combobox").type("ira")
    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").count() == 0
    assert written(preview) == before


def test_tag_all_offers_the_other_occurrence_and_accepts_the_checked_ones(
        page, preview: Preview) -> None:
    select(page, "Iran", 5)
    page.keyboard.press("a")
    page.get_by_role("combobox").type("iran")
    with page.expect_event("load"):
        page.keyboard.press("Enter")
    page.get_by_role("button", name="Tag all…").click()
    dialog = page.get_by_role("dialog")
    items = dialog.locator("ul.kwic li")
    texts = items.all_inner_texts()
    # every candidate is shown in its sentence, the matched words marked
    assert all(item.locator("mark").inner_text().strip() for item in items.all())
    mine = [i for i, item in enumerate(items.all())
            if item.locator(".src").inner_text().startswith(page.locator("h1").inner_text())]
    assert mine, texts
    for i, item in enumerate(items.all()):
        if i != mine[0]:
            item.get_by_role("checkbox").uncheck()
    with page.expect_event("load"):
        dialog.get_by_role("button", name="Accept checked").click()
    text = written(preview)
    assert IRAN_5 in text and IRAN_6 in text


def test_a_date_takes_the_proposed_value_and_an_event(page, preview: Preview) -> None:
    before = written(preview)
    select(page, "March 2011")
    page.keyboard.press("d")
    value = page.get_by_label("Value", exact=False)
    assert value.input_value() == "2011-03"
    assert page.get_by_label("Reasoning").input_value() == "Absolute month and year in the text."
    event = page.get_by_label("Event", exact=False)
    assert event.evaluate("e => e === document.activeElement")
    event.type("Protests against Assad's regime began")
    with page.expect_event("load"):
        event.press("Enter")
    after = written(preview)
    assert after != before
    assert MARCH in after
    assert page.locator("article a.m-date", has_text="March 2011").count() == 1


def test_alt_click_removes_a_mention_and_u_puts_it_back(page, preview: Preview) -> None:
    before = written(preview)
    page.locator("article a.m", has_text="Latakia province").click(modifiers=["Alt"])
    with page.expect_event("load"):
        page.get_by_role("button", name="Remove mention").click()
    assert "{quote: Latakia province" not in written(preview)
    assert page.locator("article a.m", has_text="Latakia province").count() == 0
    with page.expect_event("load"):
        page.keyboard.press("u")
    assert written(preview) == before
    assert page.locator("article a.m", has_text="Latakia province").count() == 1


def test_e_on_a_focused_mention_changes_its_entity(page, preview: Preview) -> None:
    page.locator("article a.m", has_text="Latakia province").focus()
    page.keyboard.press("e")
    page.get_by_role("button", name="Change entity…").click()
    page.get_by_role("combobox").type("syria")
    with page.expect_event("load"):
        page.keyboard.press("Enter")
    assert "  - {quote: Latakia province, entity: syria}\n" in written(preview)


def test_a_file_changed_on_disk_is_not_overwritten(page, preview: Preview) -> None:
    # The page must not reload on its own when the preview rebuilds after the hand edit (as it
    # would, a moment later): keep it on the old build, as a page is between a save and a reload.
    page.route(f"**{EVENTS}*", lambda route: route.abort())
    page.reload()
    path = preview.root / YAML
    changed = written(preview) + "# edited by hand meanwhile\n"
    path.write_bytes(changed.encode())  # (the page is now older than the file)
    select(page, "Iraq")
    page.keyboard.press("a")
    page.get_by_role("combobox").type("iraq")
    page.keyboard.press("Enter")
    page.locator("#dossier-edit-toast.bad").wait_for()
    # before the preview has rebuilt, the file is newer than the page; after, the page is older
    # than the build: either way the write is refused and the user is told so
    assert "nothing was written" in page.locator("#dossier-edit-toast").inner_text()
    assert written(preview) == changed


def test_the_picker_passes_axe(page, preview: Preview) -> None:
    from axe_playwright_python.sync_playwright import Axe

    select(page, "Iraq")
    page.keyboard.press("a")
    page.get_by_role("combobox").type("i")
    results = Axe().run(page)
    blocking = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
                if v["impact"] in BLOCKING]
    assert blocking == []


def test_the_built_site_has_no_editor(preview: Preview) -> None:
    page = (preview.out / "sources" / f"{SOURCE}.html").read_text(encoding="utf-8")
    assert "dossier-edit-config" not in page and "annotate.js" not in page
    assert shipped().count(IRAQ) == 1  # the seed copy is untouched
