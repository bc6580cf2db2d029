"""The pure functions behind anchoring, dates, sentences, addresses and the writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier import dates
from dossier.anchor import Text, resolve
from dossier.annotations import publisher_key, strip_tracking
from dossier.models import Block, Cleaned, Problems, Selector, Where
from dossier.text import sentence_around, slugify
from dossier.write import safe_relpath, write_site


def text_of(*blocks: str) -> Text:
    return Text(Cleaned(None, tuple(Block(i + 1, b, "paragraph") for i, b in enumerate(blocks)),
                        ()), "seeds/x.txt")


@pytest.mark.parametrize(("value", "start", "end", "precision", "page"), [
    ("2015-10-15", "2015-10-15", "2015-10-15", "day", "2015-10-15"),
    ("2015-09", "2015-09-01", "2015-09-30", "month", "2015-09"),
    ("2024-02", "2024-02-01", "2024-02-29", "month", "2024-02"),
    ("2013", "2013-01-01", "2013-12-31", "year", "2013"),
    ("2015-10-05/2015-10-11", "2015-10-05", "2015-10-11", "interval", "2015-10"),
    ("2015-09-28/2015-10-04", "2015-09-28", "2015-10-04", "interval", "2015"),
    ("2014-01-01/2015-10-15", "2014-01-01", "2015-10-15", "interval", "2014"),
    ("2015-09/2015-10", "2015-09-01", "2015-10-31", "interval", "2015"),
])
def test_date_values(value, start, end, precision, page):
    rng = dates.parse(value)
    assert (rng.start.isoformat(), rng.end.isoformat(), rng.precision, rng.page) == \
        (start, end, precision, page)


@pytest.mark.parametrize(("value", "message"), [
    ("15 October", "'15 October' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2015-02-30", "'2015-02-30' is not a day of the calendar"),
    ("2015-10-11/2015-10-05", "interval '2015-10-11/2015-10-05' ends before it starts"),
])
def test_bad_date_values(value, message):
    with pytest.raises(ValueError) as exc:
        dates.parse(value)
    assert str(exc.value) == message


def test_date_words_are_checked_against_the_value():
    assert dates.mismatches("Thursday", dates.parse("2015-10-15")) == []
    assert dates.mismatches("Sept. 30", dates.parse("2015-09-30")) == []
    assert dates.mismatches("September 30", dates.parse("2015-09-29")) == [
        "'September 30' names day 30 but the value is day 29"]
    assert dates.mismatches("March 2011", dates.parse("2011-04")) == [
        "'March 2011' names March but the value is in April"]
    assert dates.mismatches("In 2013", dates.parse("2014")) == [
        "'In 2013' names the year 2013 but the value is not in it"]
    assert dates.label("2015-10-05/2015-10-11") == "5 October 2015 – 11 October 2015"


def test_quotes_match_whole_words_only():
    t = text_of("Iranian troops left Iran.", "Iran-Russia cooperation")
    assert t.occurrences("Iran") == [(20, 24), (26, 30)]


def test_white_space_in_a_quote_matches_a_non_breaking_space():
    t = text_of("the Associated\u00a0Press reported; told The Associated Press")
    assert t.occurrences("Associated Press") == [(4, 20), (40, 56)]


def test_prefix_suffix_and_occurrence_select_one_place():
    t = text_of("the Assad regime and Bassel al-Assad International Airport",
                "Assad met Assad.")
    problems = Problems()
    w = Where("content/sources/x.yaml", 3, 5)
    assert resolve(Selector("Assad", prefix="the "), t, w, problems) == (4, 9)
    assert resolve(Selector("Assad", suffix=" met"), t, w, problems) == (59, 64)
    assert resolve(Selector("Assad", occurrence=4), t, w, problems) == (69, 74)
    assert problems.items == []
    assert resolve(Selector("Assad"), t, w, problems) is None
    assert resolve(Selector("Assad", occurrence=9), t, w, problems) is None
    assert resolve(Selector("assad"), t, w, problems) is None
    assert [p.message for p in problems.items] == [
        "'Assad' occurs 4 times in seeds/x.txt (lines 1, 1, 2, 2); add occurrence: 1 to 4, "
        "or a prefix or suffix",
        "occurrence 9 of 'Assad' asked for, but it occurs 4 time(s) in seeds/x.txt "
        "(lines 1, 1, 2, 2)",
        "'assad' is not in the cleaned text of seeds/x.txt (it occurs with other capitals; "
        "quotes are case-sensitive)"]


def test_sentences_ignore_abbreviations():
    text = ("Iran’s top general, Brig. Gen. Hossein Hamedani, was killed. Russia began on "
            "Sept. 30. “It will end,” Maj. Jamil Saleh said.")
    s, e = sentence_around(text, text.index("Hossein"), text.index("Hossein") + 7)
    assert text[s:e] == "Iran’s top general, Brig. Gen. Hossein Hamedani, was killed."
    s, e = sentence_around(text, text.index("Russia"), text.index("Russia") + 6)
    assert text[s:e] == "Russia began on Sept. 30."
    s, e = sentence_around(text, text.index("Jamil"), text.index("Jamil") + 5)
    assert text[s:e] == "“It will end,” Maj. Jamil Saleh said."


def test_slugs():
    assert slugify("Bassel al-Assad Airport") == "bassel-al-assad-airport"
    assert slugify("Iran’s") == "irans"
    assert slugify("Qods") == "qods"


def test_tracking_parameters_are_dropped():
    url = ("http://www.aljazeera.com/news/2015/10/x.html?utm_source=Al+Jazeera&utm_medium=email"
           "&utm_campaign=Newsletter&utm_term=1&page=2&fbclid=abc")
    assert strip_tracking(url) == "http://www.aljazeera.com/news/2015/10/x.html?page=2"
    assert strip_tracking("https://example.org/a?utm_source=x") == "https://example.org/a"
    assert publisher_key(url) == "aljazeera.com"


@pytest.mark.parametrize("bad", ["../evil.html", "/etc/passwd", "a/../../b.html", "a\\b.html",
                                 ""])
def test_writer_refuses_paths_outside_the_site(bad, tmp_path):
    with pytest.raises(ValueError):
        safe_relpath(bad)
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.html").write_text("old")
    with pytest.raises(ValueError):
        write_site(out, {"index.html": b"new", bad: b"x"}, tmp_path / "no-static")
    assert [p.name for p in out.iterdir()] == ["keep.html"]
    assert not (tmp_path / "evil.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_writer_swaps_in_a_complete_site(tmp_path: Path):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"one", "a/b.html": b"two"}, tmp_path / "none")
    write_site(out, {"index.html": b"three"}, tmp_path / "none")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [".dossier-site",
                                                                            "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_progress_bar_shows_on_a_terminal_only_and_for_long_stages():
    from dossier.progress import Progress

    terminal, pipe = _Stream(True), _Stream(False)
    for stream in (terminal, pipe):
        bar = Progress("Rendering", 400, stream)  # type: ignore[arg-type]
        for _ in range(400):
            bar.step()
        bar.close()
    assert "Rendering" in terminal.text and "400/400" in terminal.text
    assert terminal.text.endswith("\r")
    assert pipe.text == ""
    short = _Stream(True)
    Progress("Rendering", 5, short).step()  # type: ignore[arg-type]
    assert short.text == ""


def test_profile_shows_where_the_time_went(tmp_path, capsys):
    import build
    from tests.conftest import write_mini

    root = write_mini(tmp_path / "mini")
    assert build.main(["--root", str(root), "--profile"]) == 0
    err = capsys.readouterr().err
    assert "ncalls" in err and "cumtime" in err and "build.py" in err


# --- schema checks: the fast check (fastjsonschema) and the full one (jsonschema) agree -----

def _documents() -> list[tuple[str, object]]:
    """Every shipped annotation file, and each broken in the ways people break them."""
    import copy

    import yaml

    from tests.conftest import REPO

    docs: list[tuple[str, object]] = []
    for path in sorted((REPO / "content" / "sources").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        docs.append(("source.schema.json", data))
        for breaking in (
            lambda d: d.update(publisherr="x"),
            lambda d: d["mentions"][0].update(quote=5),
            lambda d: d["mentions"][0].pop("entity"),
            lambda d: d["mentions"][0].update(occurrence=0),
            lambda d: d["mentions"][0].update(prefix=""),
            lambda d: d["dates"][0].update(value="15 Oct 2015"),
            lambda d: d.update(mentions={}),
            lambda d: d["quotes"][0].update(speaker="x", anonymous="y"),
        ):
            broken = copy.deepcopy(data)
            breaking(broken)
            docs.append(("source.schema.json", broken))
    for path in sorted((REPO / "content" / "entities").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        docs.append(("entities.schema.json", data))
        for breaking in (lambda d: d[0].update(kind="army"), lambda d: d[0].pop("name"),
                         lambda d: d[0].update(id="Not A Slug"),
                         lambda d: d[0].update(variants="one")):
            broken = copy.deepcopy(data)
            breaking(broken)
            docs.append(("entities.schema.json", broken))
    for name in ("claims", "dossier", "lint-ignore"):
        data = yaml.safe_load((REPO / "content" / f"{name}.yaml").read_text(encoding="utf-8"))
        docs.append((f"{name}.schema.json", data))
    return docs


def test_the_fast_schema_check_agrees_with_jsonschema_on_valid_and_broken_files():
    import fastjsonschema

    from dossier import yamlio

    verdicts = []
    for schema, data in _documents():
        full = not any(yamlio._validator(schema).iter_errors(data))
        try:
            yamlio._fast(schema)(data)
            fast = True
        except fastjsonschema.JsonSchemaValueException:
            fast = False
        assert fast == full, (schema, data)
        verdicts.append(full)
    assert verdicts.count(True) >= 10 and verdicts.count(False) >= 40


@pytest.mark.parametrize("blocks", [
    ("Iran sent troops to Syria. Syria's army and Iran's IRGC met in Syria-Iraq talks.",
     "Syria: Iran (Syria) Iran_x Iran"),
    ("Hossein  Hamedani was killed.", "Gen.\u00a0Hossein Hamedani\tdied near Aleppo."),
    ("the Quds Force, the Quds  Force and the\u00a0Quds Force", "Quds Forces"),
    ("Gen. Hossein Hamedani of the Quds Force died in Aleppo. Aleppo.", "Iran (Syria) Syria-Iraq"),
])
@pytest.mark.parametrize("quote", ["Iran", "Syria", "Hossein Hamedani", "Quds Force", "Gen.",
                                   "Iran (Syria)", "Syria-Iraq", "Aleppo.", "the Quds Force"])
def test_plain_search_finds_what_the_white_space_pattern_finds(blocks, quote):
    """Texts with only single spaces are searched with str.find, others with a pattern that
    lets a space match any run of white space; on a plain text both must agree."""
    text = text_of(*blocks)
    assert text.plain_spaces == all("  " not in b and "\u00a0" not in b and "\t" not in b
                                    for b in blocks)
    found = text.occurrences(quote)
    text.plain_spaces = False  # force the pattern
    assert found == text.occurrences(quote)
