"""Shared passages, credit lines and independent origins (dossier/overlap.py)."""

from __future__ import annotations

import pytest

from dossier import overlap
from dossier.models import Block, Cleaned, Problems, Published, Source, SourceMeta, Where
from dossier.project import read_project
from tests.conftest import REPO

# ----------------------------------------------------------------- an inline fixture

VERBATIM = ("The airport has been closed to civilian flights since Tuesday and is now used "
            "as a base by foreign forces, the monitoring group said.")
WIRE = (
    "Iran is ready to send more soldiers to Syria if Damascus asks for them, a senior "
    "official said on Thursday.",
    "“If Syria makes a request (for Iranian forces), we will study the request and make a "
    "decision,” the chairman told reporters in Damascus.",
    "He said military advisors have been in the country since 2012 and would stay there.",
    VERBATIM,
)
COPY = (
    "Groups of troops have arrived in the coastal province over several weeks, activists "
    "say, while the army prepares an offensive.",
    VERBATIM,
    "\"If Syria makes a request [for Iranian forces], we will study the request and make a "
    "decision\", he was quoted saying by Agence France-Presse.",
    "Officials added that military advisers have been in the country since 2012 — and would "
    "stay there.",
)
THIRD = (
    "Weather reports for the weekend were mixed across the region.",
    VERBATIM,
    "Farmers told Reuters the harvest came early this year.",
)
OTHER = (
    # shares "is ready to send more soldiers to" (seven words) with WIRE: below MIN_WORDS
    "The ministry is ready to send more soldiers to the border, a spokesman told the AP.",
    "The harvest festival drew large crowds to the old town square on Sunday.",
)


def source(sid: str, paragraphs: tuple[str, ...], agency: str = "", day: str = "2015-10-15",
           publisher: str = "") -> Source:
    """A Source record built directly, one block per paragraph."""
    meta = SourceMeta(id=sid, seed=f"seeds/{sid}.txt", headline=sid,
                      publisher=publisher or f"{sid.title()} News", agency=agency,
                      published=Published(date=day, inferred=False, reasoning=""),
                      url=f"https://example.org/{sid}", notes="", mentions=(), dates=(),
                      where=Where(f"content/sources/{sid}.yaml"))
    blocks = tuple(Block(line=2 * i + 1, text=p, role="paragraph")
                   for i, p in enumerate(paragraphs))
    cleaned = Cleaned(headline=sid, blocks=blocks, removed=())
    return Source(meta=meta, cleaned=cleaned, mentions=(), dates=())


@pytest.fixture(scope="module")
def inline() -> list[Source]:
    return [source("wire", WIRE, agency="AFP"), source("copy", COPY),
            source("third", THIRD, day="2015-10-16"), source("other", OTHER, day="2015-06-03")]


def at(src: Source, words: str) -> tuple[int, int]:
    """The span of `words` in a source's cleaned text (which must hold them once)."""
    text = src.cleaned.text
    assert text.count(words) == 1, words
    start = text.index(words)
    return start, start + len(words)


def block_bounds(src: Source, index: int) -> tuple[int, int]:
    """Where block `index` starts and ends in a source's cleaned text."""
    start = sum(len(b.text) + 1 for b in src.cleaned.blocks[:index])
    return start, start + len(src.cleaned.blocks[index].text)


def by_pair(passages: tuple[overlap.SharedPassage, ...]) -> dict[tuple[str, str], list]:
    pairs: dict[tuple[str, str], list] = {}
    for p in passages:
        pairs.setdefault((p.a.source, p.b.source), []).append(p)
    return pairs


def test_verbatim_passage_exact_spans_and_twins(inline: list[Source]) -> None:
    srcs = {s.id: s for s in inline}
    passages = overlap.shared_passages(inline)
    verbatim = VERBATIM.rstrip(".")  # punctuation after the last word is not part of it
    found = [p for p in passages if p.a.text == verbatim]
    # one passage in three sources: three pairs, smaller id first, one group
    assert [(p.a.source, p.b.source) for p in found] == [
        ("copy", "third"), ("copy", "wire"), ("third", "wire")]
    assert len({p.group for p in found}) == 1
    for p in found:
        for side in (p.a, p.b):
            assert (side.start, side.end) == at(srcs[side.source], verbatim)
            assert side.text == srcs[side.source].cleaned.text[side.start:side.end]
            assert side.block == side.last_block == {"wire": 3, "copy": 1, "third": 1}[side.source]
            assert (side.start, side.end) == block_bounds(srcs[side.source], side.block)[:1] + (
                side.end,)
        assert p.words == len(verbatim.split()) == 24
        assert p.similarity == 1.0 and p.shared == 24 - overlap.SHINGLE + 1
    group = found[0].group
    assert [s.source for s in overlap.twins(passages, "wire", group)] == ["copy", "third"]
    assert [s.text for s in overlap.twins(passages, "wire", group)] == [verbatim] * 2


def test_near_verbatim_passages_bridge_brackets_quotes_spelling_and_dashes(
        inline: list[Source]) -> None:
    srcs = {s.id: s for s in inline}
    pair = by_pair(overlap.shared_passages(inline))[("copy", "wire")]
    texts = [(p.a.text, p.b.text) for p in pair]
    quote_copy = ("If Syria makes a request [for Iranian forces], we will study the request and "
                  "make a decision")
    quote_wire = quote_copy.replace("[", "(").replace("]", ")")
    advisers = "military advisers have been in the country since 2012 — and would stay there"
    advisors = "military advisors have been in the country since 2012 and would stay there"
    assert (quote_copy, quote_wire) in texts
    assert (advisers, advisors) in texts
    quote = next(p for p in pair if p.a.text == quote_copy)
    assert (quote.a.start, quote.a.end) == at(srcs["copy"], quote_copy)
    assert (quote.b.start, quote.b.end) == at(srcs["wire"], quote_wire)
    assert (quote.a.block, quote.b.block) == (2, 1)
    assert quote.words == 17 and quote.similarity == 1.0
    spelled = next(p for p in pair if p.a.text == advisers)
    assert (spelled.b.start, spelled.b.end) == at(srcs["wire"], advisors)
    assert spelled.words == 13 and spelled.similarity == 1.0  # advisers/advisors: one key
    # each is its own twin group, apart from the verbatim paragraph's
    assert len({p.group for p in pair}) == 3


def test_no_passage_below_min_words_or_between_unrelated_sources(inline: list[Source]) -> None:
    passages = overlap.shared_passages(inline)
    # "other" shares seven words with "wire" ("is ready to send more soldiers to"): too short
    assert "is ready to send more soldiers to" in " ".join(OTHER)
    assert not [p for p in passages if "other" in (p.a.source, p.b.source)]
    assert overlap.MIN_WORDS == 8
    # the pair sharing only the verbatim paragraph has nothing else
    assert [p.a.text for p in by_pair(passages)[("third", "wire")]] == [VERBATIM.rstrip(".")]


def test_a_passage_may_run_over_a_paragraph_break() -> None:
    one = source("one", ("Short opening line here.", "The convoy left the border crossing at "
                         "dawn. It reached the city after a long detour through the hills."))
    two = source("two", ("The convoy left the border crossing at dawn.",
                         "It reached the city after a long detour through the hills.",
                         "Nothing else was said."))
    (p,) = overlap.shared_passages([two, one])
    assert (p.a.source, p.a.block, p.a.last_block) == ("one", 1, 1)
    assert (p.b.source, p.b.block, p.b.last_block) == ("two", 0, 1)
    assert p.b.text == ("The convoy left the border crossing at dawn.\nIt reached the city "
                        "after a long detour through the hills")
    assert (p.b.start, p.b.end) == (0, len(p.b.text)) and p.words == 19


def test_word_keys_forgive_case_accents_apostrophes_and_spelling() -> None:
    key = overlap.word_key
    assert key("advisors") == key("advisers") == key("Advisers")
    assert key("Alaedin") == key("Alaeddin") and key("Hamedani") == key("Hamadani")
    assert key("Moscow’s") == key("Moscow's") and key("Moscow’s") != key("Russia’s")
    assert key("défense") == key("defense") and key("organize") == key("organise")
    assert key("in") != key("on")  # short words keep their vowels


def test_order_of_sources_does_not_matter_and_runs_repeat(inline: list[Source]) -> None:
    first = overlap.shared_passages(inline)
    assert overlap.shared_passages(list(reversed(inline))) == first
    assert overlap.shared_passages(inline) == first
    assert overlap.origins(list(reversed(inline)), first) == overlap.origins(inline, first)


def test_stock_phrases_held_by_many_sources_are_not_indexed() -> None:
    stock = ("Readers can follow the latest updates on the conflict in our live blog, "
             "which is refreshed every hour.")

    def sources(n: int) -> list[Source]:
        return [source(f"s{i:03d}", (f"Report number {i} opens with its own words {i}.", stock))
                for i in range(n)]

    cap = overlap.MAX_SHINGLE_SOURCES
    held = overlap.shared_passages(sources(cap))
    assert len(held) == cap * (cap - 1) // 2  # every pair, one twin group
    assert {p.group for p in held} == {1}
    assert overlap.shared_passages(sources(cap + 1)) == ()


# ----------------------------------------------------------------- credits


def test_credit_patterns_on_inline_text() -> None:
    text = (
        "BEIRUT (AFP) — Officials met on Monday.",
        "He was quoted on Thursday by AFP as saying so.",
        "The Guards confirmed it in a statement seen by Reuters.",
        "Iran's official news agency IRNA quoted the general.",
        "Agence France-Presse reported the clashes, according to Tehran-based Mehr News Agency.",
        "A source told the AP, and a second one spoke to Reuters news agency.",
        "Several people told the Fars News Agency the same; the Tasnim News Agency said so too.",
        "The map of the APC convoy was drawn by an ap-proved artist; Reuters journalists left.",
        "In Fars province, Michael Bloomberg met Tasnim; Mehr reported it.",
    )
    src = source("credits", text, agency="Agence France-Presse")
    found = overlap.credits(src)
    assert found[0] == overlap.Credit("AFP", "Agence France-Presse", None, True, "metadata")
    cited = [(c.agency, c.words, c.how, c.span.block) for c in found[1:]]
    assert cited == [
        ("AFP", "(AFP)", "dateline", 0),
        ("AFP", "quoted on Thursday by AFP", "quoted by", 1),
        ("Reuters", "seen by Reuters", "seen by", 2),
        ("IRNA", "IRNA quoted", "reported", 3),
        ("AFP", "Agence France-Presse reported", "reported", 4),
        ("Mehr News Agency", "according to Tehran-based Mehr News Agency", "according to", 4),
        ("Associated Press", "told the AP", "told", 5),
        ("Reuters", "spoke to Reuters news agency", "told", 5),
        ("Fars News Agency", "told the Fars News Agency", "told", 6),
        ("Tasnim News Agency", "Tasnim News Agency said", "reported", 6),
        ("Reuters", "Reuters", "named", 7),
        # short forms count only in a credit phrase
        ("Mehr News Agency", "Mehr reported", "reported", 8),
    ]
    for c in found[1:]:
        assert src.cleaned.text[c.span.start:c.span.end] == c.words
        assert not c.carrying


def test_other_news_agencies_are_named_as_written_and_agency_names_normalise() -> None:
    src = source("x", ("Officials told the Syrian Arab News Agency and Kurdish Rudaw News Agency "
                       "reported it.",))
    assert [(c.agency, c.how) for c in overlap.credits(src)] == [
        ("SANA", "told"), ("Kurdish Rudaw News Agency", "reported")]
    assert overlap.normalise_agency("  Associated   Press ") == "Associated Press"
    assert overlap.normalise_agency("AP") == "Associated Press"
    assert overlap.normalise_agency("afp") == "AFP"
    assert overlap.normalise_agency("Some Wire") == "Some Wire"


# ----------------------------------------------------------------- origins


def test_origins_group_sources_that_share_text(inline: list[Source]) -> None:
    found = overlap.origins(inline, overlap.shared_passages(inline))
    assert [o.members for o in found] == [("other",), ("copy", "wire", "third")]
    assert [o.id for o in found] == ["o1", "o2"]
    lone, shared = found
    assert lone.label == "Other News" and lone.agency == "" and lone.passages == 0
    # "third" neither carries nor credits AFP: no agency common to all, so the label is the
    # publisher of the earliest member that carries an agency (wire, same day as copy)
    assert shared.agency == "" and shared.label == "Wire News"
    assert shared.passages == 5 and shared.shared_words == 24 * 3 + 17 + 13
    assert dict(shared.credits) == {"copy": ("AFP",), "wire": ("AFP",), "third": ("Reuters",)}
    assert overlap.summary(found, 4) == (
        "4 sources, 2 independent origins: Other News; Wire News (3 sources).")


def test_same_agency_without_shared_text_is_two_origins() -> None:
    june = source("june", ("Thousands of fighters arrived to defend the capital, a security "
                           "source told AFP on Wednesday.",), agency="AFP", day="2015-06-03")
    october = source("october", ("A senior official said on Thursday that more soldiers could "
                                 "be sent if asked.",), agency="AFP", day="2015-10-15")
    copy = source("copy", ("Reprinted: a senior official said on Thursday that more soldiers "
                           "could be sent if asked.",), day="2015-10-16", publisher="Reprint")
    srcs = [june, october, copy]
    passages = overlap.shared_passages(srcs)
    assert [(p.a.source, p.b.source) for p in passages] == [("copy", "october")]
    assert passages[0].words < overlap.ORIGIN_MIN_WORDS
    # a short shared passage, and copy neither carries nor credits AFP: three origins
    found = overlap.origins(srcs, passages)
    assert [(o.members, o.label) for o in found] == [
        (("june",), "AFP report, 3 June 2015"),
        (("october",), "AFP report, 15 October 2015"),
        (("copy",), "Reprint")]
    # the same short passage joins two sources that carry or credit one agency
    credited = source("copy", ("Reprinted: a senior official said on Thursday that more "
                               "soldiers could be sent if asked, AFP reported.",),
                      day="2015-10-16", publisher="Reprint")
    srcs = [june, october, credited]
    found = overlap.origins(srcs, overlap.shared_passages(srcs))
    assert [(o.members, o.label, o.passages) for o in found] == [
        (("june",), "AFP report, 3 June 2015", 0),
        (("october", "copy"), "AFP report, 15 October 2015", 1)]


# ----------------------------------------------------------------- the shipped dossier

VOC, NEWSWEEK, TOWER, JAZEERA, EGYPT = ("000_24226ba9ecf00a29", "001_44648399724b0241",
                                        "002_04fd449ed01c997c", "003_ee9f25022a302441",
                                        "004_5a6f3ee7378eafbc")


@pytest.fixture(scope="module")
def shipped() -> list[Source]:
    problems = Problems()
    project = read_project(REPO, problems, write_cache=False)
    assert not problems.errors, [p.format() for p in problems.errors]
    ids = {s.id for s in project.sources}
    assert {VOC, NEWSWEEK, TOWER, JAZEERA, EGYPT} <= ids
    return project.sources


def test_shipped_boroujerdi_quotes_are_shared_by_000_and_003(shipped: list[Source]) -> None:
    passages = overlap.shared_passages(shipped)
    pair = by_pair(passages)[(VOC, JAZEERA)]
    texts = {p.a.text: p.b.text for p in pair}
    assert texts["If Syria makes a request (for Iranian forces), we will study the request and "
                 "make a decision"] == ("If Syria makes a request [for Iranian forces], we will "
                                        "study the request and make a decision")
    important = next(p for p in pair if p.a.text.startswith("What’s important is that Iran"))
    assert important.a.text.endswith("sent advisors to Syria and Iraq")
    assert important.b.text == ("What’s important is that Iran is serious about the fight "
                                "against terrorism. We have supplied aid and weapons and sent "
                                "advisers to Syria and Iraq")
    assert "he added" in important.a.text and important.similarity < 1
    operations = next(p for p in pair if "political solution and peace" in p.a.text)
    assert operations.a.text.startswith("military operations” currently underway in Syria")
    assert operations.b.text.startswith("military operations” currently under way in Syria")
    assert operations.a.text.endswith("reference to Moscow’s campaign")
    assert operations.b.text.endswith("reference to Russia’s campaign")
    srcs = {s.id: s for s in shipped}
    for p in pair:
        for side in (p.a, p.b):
            src = srcs[side.source]
            assert src.cleaned.text[side.start:side.end] == side.text
            assert side.block == side.last_block  # none of them runs over a paragraph break
            first, last = block_bounds(src, side.block)
            assert first <= side.start < side.end <= last
    # each quote is its own twin group; nothing else in the dossier prints them
    assert len({p.group for p in pair}) == len(pair)


def test_shipped_no_spurious_overlap(shipped: list[Source]) -> None:
    five = {VOC, NEWSWEEK, TOWER, JAZEERA, EGYPT}
    pairs = {k for k in by_pair(overlap.shared_passages(shipped)) if set(k) <= five}
    assert pairs == {(VOC, JAZEERA)}  # in particular none between 002 and 004


def test_shipped_credits(shipped: list[Source]) -> None:
    found = {s.id: overlap.credits(s) for s in shipped}
    agencies = {sid: {c.agency for c in creds} for sid, creds in found.items()}
    assert {"Associated Press"} <= agencies[TOWER]
    assert ("the Associated\xa0Press reported", "reported") in {
        (c.words, c.how) for c in found[TOWER]}
    assert {"told The Associated Press", "told the AP", "According to the AP"} <= {
        c.words for c in found[TOWER]}
    assert {"Reuters", "Mehr News Agency"} <= agencies[NEWSWEEK]
    assert "according to Tehran-based Mehr News Agency" in {c.words for c in found[NEWSWEEK]}
    assert [(c.agency, c.carrying) for c in found[VOC]] == [("AFP", True)]
    assert [(c.agency, c.carrying, c.how) for c in found[EGYPT]][:2] == [
        ("AFP", True, "metadata"), ("AFP", False, "told")]
    assert "IRNA" in agencies[EGYPT]
    assert ("AFP", "quoted by") in {(c.agency, c.how) for c in found[JAZEERA]}
    assert not any(c.carrying for sid in (NEWSWEEK, TOWER, JAZEERA) for c in found[sid])
    for s in shipped:
        for c in found[s.id]:
            if c.span is not None:
                assert s.cleaned.text[c.span.start:c.span.end] == c.words


def test_shipped_origins(shipped: list[Source]) -> None:
    five = [s for s in shipped if s.id in {VOC, NEWSWEEK, TOWER, JAZEERA, EGYPT}]
    passages = overlap.shared_passages(five)
    found = overlap.origins(five, passages)
    assert [(o.id, o.members, o.label) for o in found] == [
        ("o1", (EGYPT,), "AFP report, 3 June 2015"),
        ("o2", (TOWER,), "Associated Press report, 14 October 2015"),
        ("o3", (VOC, JAZEERA), "AFP report, 15 October 2015"),
        ("o4", (NEWSWEEK,), "Newsweek"),
    ]
    afp = found[2]
    assert afp.agency == "AFP" and afp.passages == len(passages)
    assert afp.shared_words == sum(p.words for p in passages) >= overlap.ORIGIN_MIN_WORDS
    assert overlap.summary(found, len(five)).startswith("5 sources, 4 independent origins: ")


def test_shipped_results_are_deterministic(shipped: list[Source]) -> None:
    first = overlap.shared_passages(shipped)
    again = overlap.shared_passages(list(reversed(shipped)))
    assert first == again
    assert overlap.origins(shipped, first) == overlap.origins(list(reversed(shipped)), again)
    assert [overlap.credits(s) for s in shipped] == [overlap.credits(s) for s in shipped]


@pytest.mark.parametrize("corpus", ["inline", "shipped", "generated"])
def test_the_numpy_index_finds_what_the_dict_index_finds(corpus, inline, shipped, tmp_path,
                                                          monkeypatch):
    """Large dossiers build the inverted index in numpy arrays; both ways give the same
    passages, in the same order, on hand-made, real and generated sources."""
    if corpus == "generated":
        import sys

        sys.path.insert(0, str(REPO / "bench"))
        from generate import generate

        generate(60, tmp_path, seed=5)
        sources = read_project(tmp_path, Problems(), write_cache=False).sources
    else:
        sources = {"inline": inline, "shipped": shipped}[corpus]
    monkeypatch.setattr(overlap, "NUMPY_FROM", 10**9)
    by_dicts = overlap.shared_passages(list(sources))
    monkeypatch.setattr(overlap, "NUMPY_FROM", 1)
    assert overlap.shared_passages(list(sources)) == by_dicts
    assert by_dicts  # something to compare
