"""Small frictions of annotating: apostrophe styles, suggestions that look like the quote,
capitals, YAML syntax errors, and relocation suggestions that paste as valid YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import build
from dossier import relocate
from dossier.anchor import Text, resolve, select
from dossier.build import build as run_build
from dossier.models import Block, Cleaned, Problems, Selector, Where
from tests.conftest import edit

W = Where("content/sources/x.yaml", 3, 5)


def text_of(*blocks: str) -> Text:
    return Text(Cleaned(None, tuple(Block(i + 1, b, "paragraph") for i, b in enumerate(blocks)),
                        ()), "seeds/x.txt")


def found(sel: Selector, text: Text) -> str | None:
    """The text's own characters the selector lands on (None, and the reason, if nowhere)."""
    span, why = select(sel, text)
    assert span or why
    return text.value[span[0]:span[1]] if span else None


def why(sel: Selector, text: Text) -> str:
    span, reason = select(sel, text)
    assert span is None, text.value[span[0]:span[1]]
    return reason


def errors(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Build; assert it failed; every line of the report but the summary."""
    assert build.main(["--root", str(root)]) == 1
    return [line for line in capsys.readouterr().err.splitlines()
            if not re.match(r"\d+ error\(s\)|Build failed", line)]


# ----------------------------------------------------------------- 1. apostrophes and quotes


@pytest.mark.parametrize(("quote", "text", "expected"), [
    ("Iran's forces", "Iran’s forces moved north.", "Iran’s forces"),
    ("Iran’s forces", "Iran's forces moved north.", "Iran's forces"),
    ("Iran‘s forces", "Iran’s forces moved north.", "Iran’s forces"),
    ('"We will"', "He said “We will” and left.", "“We will”"),
    ("“We will”", 'He said "We will" and left.', '"We will"'),
    ("„Wir werden“", "Er sagte «Wir werden» heute.", "«Wir werden»"),
    ("Iran's  forces", "Iran’s\u00a0forces moved north.", "Iran’s\u00a0forces"),
])
def test_apostrophes_and_quotation_marks_match_each_other_in_a_quote(quote, text, expected):
    assert found(Selector(quote), text_of(text)) == expected


def test_the_span_is_the_texts_own_characters_at_the_texts_offsets():
    text = text_of("Tehran said “yes”.", "Iran’s top general, Iran’s army")
    span, _ = select(Selector("Iran's army"), text)
    assert span == (text.value.index("Iran’s army"), len(text.value))
    assert text.occurrences("Iran's") == [(19, 25), (39, 45)]


def test_apostrophes_and_quotation_marks_match_in_prefix_and_suffix():
    text = text_of("Iran’s top general Hossein Hamadani said “we stay” on Thursday.",
                   "Hossein Hamadani was buried.")
    assert found(Selector("Hossein Hamadani", prefix="Iran's top general "), text) == \
        "Hossein Hamadani"
    assert found(Selector("we stay", prefix='said "', suffix='" on'), text) == "we stay"
    # white space in a prefix is as loose as in a quote: any run matches any run
    nbsp = text_of("the\u00a0 Assad regime and the Assad family")
    assert select(Selector("Assad", prefix="the ", suffix=" regime"), nbsp)[0] == (5, 10)


def test_an_apostrophe_style_in_a_mention_of_the_mini_dossier_anchors(mini, capsys):
    edit(mini / "content/sources/beta.yaml", "{quote: Hossein Hamadani, entity: hossein-hamedani}",
         "{quote: Hossein Hamadani, entity: hossein-hamedani, prefix: \"Iran's top general \"}")
    assert build.main(["--root", str(mini)]) == 0
    page = (mini / "site" / "sources" / "beta.html").read_text(encoding="utf-8")
    assert "Iran’s top general" in page


def test_mention_ids_still_count_the_exact_quote():
    """Ids do not move because the other apostrophe style occurs elsewhere in the text."""
    from dossier.anchor import _fragment

    text = text_of("Iran's army and Iran’s army")
    second = (16, 27)
    assert text.occurrences("Iran’s army") == [(0, 11), second]
    assert _fragment("m", "Iran’s army", second, text) == "m-irans-army-1"


# ----------------------------------------------------------------- 2. look-alike suggestions


@pytest.mark.parametrize(("typed", "there", "said"), [
    ("Hamedani", "Hame\u00addani",
     "the text has an invisible soft hyphen (U+00AD) after 'Hame' that the quote does not "
     "have; write quote: \"Hame\\xaddani\""),
    ("Hamedani", "Hame\u200bdani",
     "the text has an invisible zero width space (U+200B) after 'Hame' that the quote does "
     "not have; write quote: \"Hame\\u200bdani\""),
    ("US-led coalition", "US\u2011led coalition",
     "the text has a non-breaking hyphen \u2011 (U+2011) where the quote has a hyphen -; "
     "write quote: \"US\\u2011led coalition\""),
    ("Damascus-Homs highway", "Damascus–Homs highway",
     "the text has an en dash – (U+2013) where the quote has a hyphen -; write quote: "
     "\"Damascus\\u2013Homs highway\""),
    ("Damascus–Homs highway", "Damascus—Homs highway",
     "the text has an em dash — (U+2014) where the quote has an en dash – (U+2013); write "
     "quote: \"Damascus\\u2014Homs highway\""),
])
def test_a_suggestion_that_looks_like_the_quote_says_what_differs(typed, there, said):
    text = text_of(f"The {there} was closed on Thursday.")
    assert why(Selector(typed), text) == (
        f"'{typed}' is not in the cleaned text of seeds/x.txt (did you mean '{there}'? it "
        f"looks the same, but {said})")


def test_the_written_quote_of_a_look_alike_suggestion_anchors():
    text = text_of("The US\u2011led coalition and Hame\u00addani.")
    for typed in ("US-led coalition", "Hamedani"):
        message = why(Selector(typed), text)
        written = yaml.safe_load(message.split("; write ")[1].rstrip(")"))["quote"]
        assert found(Selector(written), text) == written


def test_a_visibly_different_suggestion_stays_short():
    text = text_of("Gen. Hossein Hamadani was buried.")
    assert why(Selector("Hamadany"), text) == (
        "'Hamadany' is not in the cleaned text of seeds/x.txt (did you mean 'Hamadani'?)")


def test_a_non_breaking_space_is_never_the_difference(mini, capsys):
    """A pasted non-breaking space matches a typed space, in a quote and in a prefix."""
    edit(mini / "seeds/alpha.txt", "the Associated Press said",
         "the\u00a0Associated\u00a0Press said")
    edit(mini / "content/sources/alpha.yaml", "  - {quote: ISIL, entity: islamic-state}",
         "  - {quote: ISIL, entity: islamic-state}\n"
         "  - {quote: Associated Press, entity: associated-press, prefix: 'the '}")
    assert build.main(["--root", str(mini)]) == 0


def test_a_relocation_to_look_alike_text_says_what_differs(mini):
    problems = Problems()
    assert run_build(mini, mini / "site", problems)
    edit(mini / "seeds/alpha.txt", "Gen. Hossein Hamedani was", "Gen. Hossein Hame\u00addani was")
    problems = Problems()
    assert run_build(mini, mini / "site", problems)
    (warning,) = [p.message for p in problems.warnings if "moved" in p.message]
    assert warning == (
        "'Hossein Hamedani' moved after an edit of seeds/alpha.txt: relocated to line 5, now "
        "reading 'Hossein Hame\u00addani' (it looks the same, but the text has an invisible "
        "soft hyphen (U+00AD) after 'Hossein Hame' that the quote does not have) (score "
        "0.98); to keep it there, write {quote: \"Hossein Hame\\xaddani\", occurrence: 1}")


# ----------------------------------------------------------------- 3. capitals, longer words


def test_other_capitals_is_said_only_when_the_capitals_differ():
    text = text_of("Iranian troops entered the Straße in Syria.")
    assert "capitals" not in why(Selector("iran"), text)  # only inside a longer word
    assert "capitals" not in why(Selector("Strasse"), text)  # ß is not a capital of ss
    assert why(Selector("syria"), text) == (
        "'syria' is not in the cleaned text of seeds/x.txt (it occurs with other capitals; "
        "quotes are case-sensitive)")
    assert "capitals" in why(Selector("Iran's Troops"), text_of("Iran’s troops left."))


@pytest.mark.parametrize("blocks", [("Iranian troops left.",), ("Officials of xIran said.",)])
def test_a_quote_found_only_inside_a_longer_word_says_so(blocks):
    text = text_of("Troops left Syria.", *blocks)
    word = "Iranian" if "Iranian" in blocks[0] else "xIran"
    assert why(Selector("Iran"), text) == (
        f"'Iran' is not in the cleaned text of seeds/x.txt as a whole word: it occurs only "
        f"inside a longer word: '{word}' (line 2); quote the whole word")


def test_longer_words_are_listed_once_each_with_their_first_line(mini, capsys):
    edit(mini / "content/sources/alpha.yaml", "{quote: ISIL,", "{quote: ISI,")
    assert errors(mini, capsys)[0] == (
        "content/sources/alpha.yaml:15:5: error: 'ISI' is not in the cleaned text of "
        "seeds/alpha.txt as a whole word: it occurs only inside a longer word: 'ISIL' (line "
        "7); quote the whole word")


# ----------------------------------------------------------------- 4. YAML syntax errors


def syntax(mini: Path, capsys: pytest.CaptureFixture[str], old: str, new: str) -> list[str]:
    edit(mini / "content/sources/alpha.yaml", old, new)
    return errors(mini, capsys)


def test_a_colon_in_a_block_value_shows_the_line_the_caret_and_the_quotes(mini, capsys):
    assert syntax(mini, capsys, "    reasoning: Publication day, a Thursday.",
                  "    reasoning: Publication day: a Thursday.") == [
        "content/sources/alpha.yaml:19:31: error: YAML syntax: mapping values are not allowed "
        "in this context; a value holding ': ' must be in quotes: reasoning: \"Publication "
        "day: a Thursday.\"",
        "        reasoning: Publication day: a Thursday.",
        "                                  ^"]


def test_a_line_indented_too_far_points_at_its_start(mini, capsys):
    assert syntax(mini, capsys, "    event: Hamedani killed near Aleppo",
                  "      event: Hamedani killed near Aleppo") == [
        "content/sources/alpha.yaml:20:7: error: YAML syntax: mapping values are not allowed "
        "in this context; check the indentation of this line",
        "          event: Hamedani killed near Aleppo",
        "          ^"]


def test_a_line_indented_too_little_points_at_its_start(mini, capsys):
    assert syntax(mini, capsys, "    event: Hamedani killed near Aleppo",
                  "   event: Hamedani killed near Aleppo") == [
        "content/sources/alpha.yaml:20:4: error: YAML syntax: while parsing a block "
        "collection (started at line 17, column 3): did not find expected '-' indicator; check "
        "the indentation of this line",
        "       event: Hamedani killed near Aleppo",
        "       ^"]


def test_an_unquoted_comma_in_a_one_line_mapping_asks_for_quotes(mini, capsys):
    """PyYAML reads the rest of the value as a field without a value; the message says what
    happened, at the comma, and how to write it."""
    edit(mini / "content/sources/beta.yaml", """\
  - quote: Saturday
    value: 2015-10-17
    reasoning: The Saturday before publication.
    event: Hamadani buried""", "  - {quote: Saturday, value: 2015-10-17, reasoning: March before "
         "publication, so 2015., event: Hamadani buried}")
    lines = errors(mini, capsys)
    assert lines == [
        "content/sources/beta.yaml:13:77: error: unknown field 'so 2015.' in dates[0]: the comma "
        "here ends the value of reasoning (in a {…} mapping a comma separates fields); put the "
        "value in quotes: reasoning: \"March before publication, so 2015.\"",
        "      - {quote: Saturday, value: 2015-10-17, reasoning: March before publication, so "
        "2015., event: Hamadani buried}",
        "    " + " " * 76 + "^"]
    fixed = lines[0].split("put the value in quotes: ")[1]
    assert yaml.safe_load(fixed) == {"reasoning": "March before publication, so 2015."}


def test_a_colon_in_a_one_line_mapping_asks_for_quotes(mini, capsys):
    assert syntax(mini, capsys, "{quote: Hamadani, entity: hossein-hamedani}",
                  "{quote: Hamadani, entity: hossein-hamedani, note: see: below}") == [
        "content/sources/alpha.yaml:8:58: error: YAML syntax: while parsing a flow mapping "
        "(started at line 8, column 5): did not find expected ',' or '}'; in a {…} mapping, a "
        "value holding a colon, a comma or a bracket must be in quotes: note: \"see: below\"",
        "      - {quote: Hamadani, entity: hossein-hamedani, note: see: below}",
        "    " + " " * 57 + "^"]


def test_an_apostrophe_inside_single_quotes_asks_for_double_quotes(mini, capsys):
    assert syntax(mini, capsys, "headline: Iran sends advisers to Syria",
                  "headline: 'Iran's advisers in Syria'") == [
        "content/sources/alpha.yaml:1:17: error: YAML syntax: while parsing a block mapping "
        "(started at line 1, column 1): did not find expected key; the apostrophe before this "
        "column ends the quoted value; write headline: \"Iran's advisers in Syria\"",
        "    headline: 'Iran's advisers in Syria'",
        "                    ^"]


def test_an_unclosed_bracket_is_shown_where_it_opens(mini, capsys):
    assert syntax(mini, capsys, "publisher: Example News", "publisher: [Example") == [
        "content/sources/alpha.yaml:2:12: error: YAML syntax: this '[' is not closed (found at "
        "line 3, column 10: did not find expected ',' or ']'); end the list with ']' on this "
        "line, and put an item holding a comma, a colon or a bracket in quotes",
        "    publisher: [Example",
        "               ^"]


def test_an_unclosed_quotation_mark_is_shown_where_it_opens_not_at_the_end(mini, capsys):
    assert syntax(mini, capsys, "headline: Iran sends advisers to Syria",
                  'headline: "Iran sends advisers to Syria') == [
        "content/sources/alpha.yaml:1:11: error: YAML syntax: this quotation mark is never "
        "closed (at the end of the file: found unexpected end of stream); close it at the end "
        "of the value (inside '…' an apostrophe is written twice: '')",
        '    headline: "Iran sends advisers to Syria',
        "              ^"]


def test_a_key_without_its_colon_is_shown_on_its_own_line(mini, capsys):
    assert syntax(mini, capsys, "publisher: Example News", "publisher Example News") == [
        "content/sources/alpha.yaml:2:1: error: YAML syntax: could not find the ':' after this "
        "key (found at line 3, column 1: could not find expected ':'); write key: value, or "
        "check the indentation of this line",
        "    publisher Example News",
        "    ^"]


def test_a_tab_in_the_indentation_says_to_use_spaces(mini, capsys):
    assert syntax(mini, capsys, "  - {quote: ISIL,", "\t- {quote: ISIL,") == [
        "content/sources/alpha.yaml:15:1: error: YAML syntax: while scanning for the next "
        "token: found character that cannot start any token; indent with spaces, not tabs",
        "    \t- {quote: ISIL, entity: islamic-state}",
        "    ^"]


# ----------------------------------------------------------------- 5. relocation suggestions

AWKWARD = ["Aleppo", "Iran: forces", "#1 spot", "a, b", "“We will”", "'quoted'", '"Press"',
           "yes", "No", "null", "2015", "1.5", "2015-10-15", "- Syria", "[sic]", "{x}", "&co",
           "*", "!important", "%", "@AFP", "`tick`", "|", ">", "Iran #1", "? who", "true",
           "US\u2011led", "Hame\u00addani", "back\\slash", "~", "0x1F", ".inf", "<<"]


def relocated(quote: str, sel: Selector, *blocks: str) -> str:
    """Anchor `sel` with the memory of `quote`'s last occurrence; the relocation warning."""
    text = text_of(*blocks)
    s, e = text.occurrences(quote)[-1]
    memory = relocate.remember(text.value, s, e)
    problems = Problems()
    assert resolve(sel, text, W, problems, memory) == (s, e)
    (warning,) = [p.message for p in problems.warnings]
    return warning


def suggestion(warning: str) -> object:
    written = re.search(r"to keep it there, write (\{.*\})(?: and remove its \w+(?: and \w+)?)?$",
                        warning)
    assert written, warning
    return yaml.safe_load(written.group(1))


@pytest.mark.parametrize("quote", AWKWARD)
def test_the_suggested_selector_is_yaml_that_reads_back(quote):
    warning = relocated(quote, Selector(quote, occurrence=1),
                        f"Officials said ( {quote} ) at first.",
                        f"Later the ministry wrote ( {quote} ) in a long statement to reporters.")
    assert suggestion(warning) == {"quote": quote, "occurrence": 2}


def test_the_suggestion_keeps_a_prefix_that_still_holds_and_drops_one_that_does_not():
    blocks = ("The general said: Assad will stay.",
              "In a long statement the ministry said: Assad will go, it told reporters.")
    warning = relocated("Assad", Selector("Assad", prefix="said: ", occurrence=1), *blocks)
    assert suggestion(warning) == {"quote": "Assad", "prefix": "said: ", "occurrence": 2}
    warning = relocated("Assad", Selector("Assad", prefix="The general said: "), *blocks)
    assert warning.endswith(" and remove its prefix")
    assert suggestion(warning) == {"quote": "Assad", "occurrence": 2}


def test_the_suggestion_of_the_mini_dossier_reads_back(built_mini_copy):
    edit(built_mini_copy / "seeds/alpha.txt", "Gen. Hossein",
         "Fighting went on in Aleppo: residents said, as the offensive slowed.\nGen. Hossein")
    problems = Problems()
    assert run_build(built_mini_copy, built_mini_copy / "site", problems)
    warnings = [p.message for p in problems.warnings if "moved" in p.message]
    assert [suggestion(w) for w in warnings] == [{"quote": "Aleppo", "occurrence": 2},
                                                 {"quote": "Aleppo", "occurrence": 3}]


@pytest.fixture
def built_mini_copy(mini: Path) -> Path:
    problems = Problems()
    assert run_build(mini, mini / "site", problems)
    return mini


def test_a_quote_at_the_very_start_of_the_text_is_found():
    """The word boundary before offset 0 is the start of the text, not its last character."""
    text = text_of("Iran sent troops", "to Syria")
    assert text.occurrences("Iran") == [(0, 4)]
