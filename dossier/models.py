"""Typed records that flow between the build stages.

Every record is a frozen dataclass: a stage receives records, returns new ones, and
never edits what an earlier stage produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .text import safe_text


@dataclass(frozen=True)
class Kind:
    """A kind of entity a dossier annotates (content/dossier.yaml, `kinds:`)."""

    id: str
    """What an entity's `kind:` says ('person', 'company')."""
    singular: str
    """'Person', 'Company'."""
    plural: str
    """'People', 'Companies': the heading of its index."""
    folder: str
    """Where its pages go: <folder>/<entity id>.html, <folder>/index.html."""
    style: str
    """How its mentions are marked in the text: one of STYLES."""
    nav: str = ""
    """A shorter label for the navigation bar ('' = the plural)."""

    @property
    def short(self) -> str:
        return self.nav or self.plural


STYLES = ("person", "unit", "organisation", "place", "extra1", "extra2", "extra3", "extra4")
"""The highlight styles (colour and underline, and the shape in the graphs): templates/static/
style.css and graphics.css define each."""

DEFAULT_KINDS: tuple[Kind, ...] = (
    Kind("person", "Person", "People", "people", "person"),
    Kind("unit", "Military unit or armed group", "Military units and armed groups", "units",
         "unit", "Units"),
    Kind("organisation", "Organisation", "Organisations", "organisations", "organisation"),
    Kind("place", "Place", "Places", "places", "place"),
)
"""The kinds of a dossier whose content/dossier.yaml names none (the shipped dossier's)."""


# relation -> (label from the subject's page, label from the object's page)
RELATIONS: dict[str, tuple[str, str]] = {
    "part-of": ("part of", "includes"),
    "member-of": ("member of", "members include"),
    "leads": ("leads", "led by"),
    "located-in": ("located in", "contains"),
    "based-in": ("based in", "base of"),
    "affiliated-with": ("affiliate of", "affiliates include"),
    "backed-by": ("backed by", "backs"),
    "owned-by": ("owned by", "owns"),
    "allied-with": ("ally of", "ally of"),
    "fights": ("fights", "fought by"),
}


@dataclass(frozen=True)
class Where:
    """A place in an input file, for error messages."""

    path: str
    """Path of the file, relative to the project root (POSIX separators)."""
    line: int = 0
    """1-based line number; 0 when the problem concerns the whole file."""
    column: int = 0
    """1-based column; 0 when unknown."""


# ----------------------------------------------------------------- cleaning


@dataclass(frozen=True)
class Block:
    """One kept block (paragraph or subheading) of an article."""

    line: int
    """1-based line number in the input text (for HTML input: in the extracted text)."""
    text: str
    """The line exactly as in the input, surrounding white space removed."""
    role: str
    """'paragraph' or 'subheading'."""


@dataclass(frozen=True)
class Removed:
    """One non-blank input line that is not article text, and why."""

    line: int
    """1-based line number in the input text."""
    text: str
    """The line as in the input, surrounding white space removed."""
    rule: str
    """Identifier of the rule that removed it (e.g. 'widget', 'promo', 'headline')."""
    reason: str
    """One sentence a reader can check: why this rule matched."""


@dataclass(frozen=True)
class Cleaned:
    """The result of stripping boilerplate from one input file."""

    headline: str | None
    """The headline found in the input (becomes the page title), if any."""
    blocks: tuple[Block, ...]
    """The article text, in order."""
    removed: tuple[Removed, ...]
    """Every non-blank line that is not in `blocks`, in input order (the headline included)."""
    credits: tuple[str, ...] = ()
    """Source-credit lines that were removed but feed metadata ('Source: Al Jazeera, ...')."""
    input_kind: str = "text"
    """'text' or 'html'."""

    @cached_property
    def text(self) -> str:
        """The cleaned text: blocks joined by newlines. Mentions are anchored in it."""
        return "\n".join(b.text for b in self.blocks)


# ----------------------------------------------------------------- annotations


@dataclass(frozen=True)
class Selector:
    """Where an annotation sits in the cleaned text (W3C TextQuoteSelector plus occurrence)."""

    quote: str
    """The exact text of the mention."""
    prefix: str = ""
    """Text that must stand immediately before the quote, if given."""
    suffix: str = ""
    """Text that must stand immediately after the quote, if given."""
    occurrence: int = 0
    """1-based: which of the matches (after prefix/suffix) is meant; 0 = the only one."""


@dataclass(frozen=True)
class Statement:
    """One sentence of an entity description with the sources that support it."""

    text: str
    """What the sources say, in the editor's words or quoted."""
    sources: tuple[str, ...]
    """Ids of the sources that support the sentence."""


@dataclass(frozen=True)
class Relation:
    """A relation between two entities that a source states."""

    relation: str
    """A key of RELATIONS."""
    target: str
    """Id of the other entity."""
    source: str
    """Id of the source that states it."""
    quote: str = ""
    """The source's words that state it (optional)."""


@dataclass(frozen=True)
class Entity:
    """A person, unit, organisation or place, with every name the sources use for it."""

    id: str
    """Safe slug, unique across all kinds; the page is <plural>/<id>.html."""
    name: str
    """Canonical name."""
    kind: str
    """The id of its Kind."""
    type: str
    """Finer type in the editor's words ('city', 'news agency'); may be empty."""
    variants: tuple[str, ...]
    """Other spellings and forms of the name that the sources use."""
    description: tuple[Statement, ...]
    """What the sources say about it, each statement citing its sources."""
    relations: tuple[Relation, ...]
    """Relations the sources state, from this entity to others."""
    notes: str
    """Editor's notes in Markdown; may be empty."""
    where: Where
    """Where the entry is defined."""
    kind_info: Kind
    """Its kind: labels, page folder, highlight style."""


@dataclass(frozen=True)
class MentionSpec:
    """A mention as written in an annotation file, before it is anchored."""

    selector: Selector
    entity: str
    """Id of the entity mentioned."""
    note: str
    """Optional editor's remark on this mention."""
    where: Where


@dataclass(frozen=True)
class DateSpec:
    """A date expression as written in an annotation file, before it is anchored."""

    selector: Selector
    value: str
    """ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, or an interval START/END of those."""
    approximate: bool
    """True for vague expressions ('in recent days') whose bounds are a convention."""
    reasoning: str
    """How the value was worked out."""
    event: str
    """What happened at that time, in a few words."""
    where: Where


@dataclass(frozen=True)
class QuoteSpec:
    """Quoted or reported speech as written in an annotation file, before it is anchored."""

    selector: Selector
    speaker: str
    """Id of the entity that speaks, or '' for an unnamed speaker."""
    anonymous: str
    """An unnamed speaker as the text describes them, or ''."""
    kind: str
    """'direct' or 'reported'."""
    channel: str
    """How the words reached the source, in the text's words."""
    via: str
    """Id of the entity the words came through (an agency), or ''."""
    date: str
    """When the words were said (ISO 8601), or ''."""
    note: str
    where: Where


@dataclass(frozen=True)
class AnswerSpec:
    """One source's answer to a claim's question, as written, before it is anchored."""

    source: str
    selector: Selector
    answer: str
    """Short and normalised: equal answers agree."""
    speaker: str
    anonymous: str
    date: str
    note: str
    where: Where


@dataclass(frozen=True)
class ClaimSpec:
    """A question the sources answer, as written in content/claims.yaml."""

    id: str
    question: str
    answers: tuple[AnswerSpec, ...]
    where: Where


@dataclass(frozen=True)
class Published:
    """A source's publication date."""

    date: str
    """ISO 8601 day."""
    inferred: bool
    """True when the date is worked out rather than printed by the publisher."""
    reasoning: str
    """How an inferred date was worked out; may be empty when not inferred."""


@dataclass(frozen=True)
class Archive:
    """A copy of the page in a web archive (Wayback Machine, archive.today, perma.cc)."""

    url: str
    date: str = ""
    """When the archive made the copy, ISO 8601; may be empty."""


@dataclass(frozen=True)
class Capture:
    """How the seed was preserved: what the Berkeley Protocol asks a preserved source to record."""

    sha256: str = ""
    """The SHA-256 digest of the seed file as it was saved (hex); every build checks it."""
    retrieved: str = ""
    """When the page was saved, ISO 8601 (a date, or a date and time); '' when unknown."""
    retrieved_note: str = ""
    """How `retrieved` is known, when it is not stated by the collector (the saved file's
    modification time), or why it is unknown."""
    method: str = ""
    """How the page was saved and added ('saved from the browser; dossier add 0.2.0')."""
    collector: str = ""
    """Who saved it; may be empty."""
    archives: tuple[Archive, ...] = ()


@dataclass(frozen=True)
class SourceMeta:
    """A source's annotation file, read and checked but not yet anchored."""

    id: str
    """The seed's file name without extension; the page is sources/<id>.html."""
    seed: str
    """Path of the seed file, relative to the project root."""
    headline: str
    publisher: str
    agency: str
    """The news agency whose report the publisher carries; may be empty."""
    published: Published
    url: str
    """Original address, tracking parameters removed."""
    notes: str
    mentions: tuple[MentionSpec, ...]
    dates: tuple[DateSpec, ...]
    where: Where
    quotes: tuple[QuoteSpec, ...] = ()
    authors: tuple[str, ...] = ()
    """Who wrote it, as the byline gives them; may be empty."""
    language: str = ""
    """The article's language as a BCP 47 tag ('en', 'fr-CA'); may be empty."""
    capture: Capture = field(default_factory=Capture)
    from_page: tuple[str, ...] = ()
    """The fields the annotation file leaves out that were taken from the saved page's own
    metadata (an HTML seed's JSON-LD, Open Graph tags ...), for the source page to say so."""
    annotated: bool = True
    """False for a seed that has no annotation file yet."""


# ----------------------------------------------------------------- anchored


@dataclass(frozen=True)
class Span:
    """A stretch of the cleaned text."""

    start: int
    """Offset of the first character in Cleaned.text."""
    end: int
    """Offset just past the last character."""
    block: int
    """Index of the block that holds it."""


@dataclass(frozen=True)
class Mention:
    """An anchored mention of an entity."""

    id: str
    """Stable fragment id, unique within the source page (m-<slug of quote>-<n>)."""
    source: str
    entity: str
    quote: str
    span: Span
    note: str = ""
    key: str = ""
    """The annotation's selector as text: what the anchor memory is keyed by."""


@dataclass(frozen=True)
class DateRef:
    """An anchored date expression."""

    id: str
    """Stable fragment id within the source page (d-<slug of quote>-<n>)."""
    source: str
    quote: str
    span: Span
    value: str
    start: str
    """First day covered, ISO 8601."""
    end: str
    """Last day covered, ISO 8601."""
    precision: str
    """'day', 'month', 'year' or 'interval'."""
    page: str
    """The calendar unit whose date page lists it (YYYY, YYYY-MM or YYYY-MM-DD)."""
    approximate: bool
    reasoning: str
    event: str
    key: str = ""
    """The annotation's selector as text: what the anchor memory is keyed by."""


@dataclass(frozen=True)
class Quote:
    """Anchored quoted or reported speech."""

    source: str
    text: str
    """The words, as in the cleaned text."""
    span: Span
    speaker: str
    anonymous: str
    kind: str
    channel: str
    via: str
    date: str
    note: str = ""
    key: str = ""
    """The annotation's selector as text: what the anchor memory is keyed by."""


@dataclass(frozen=True)
class Answer:
    """An anchored answer of one source to a claim's question."""

    source: str
    text: str
    """The source's words."""
    span: Span
    answer: str
    speaker: str
    anonymous: str
    date: str
    note: str = ""
    key: str = ""


@dataclass(frozen=True)
class Claim:
    """A question and the answers the sources give."""

    id: str
    question: str
    answers: tuple[Answer, ...]

    @property
    def distinct(self) -> tuple[str, ...]:
        """The different answers given, in order of first appearance."""
        return tuple(dict.fromkeys(a.answer for a in self.answers))

    @property
    def conflict(self) -> bool:
        return len(self.distinct) > 1


@dataclass(frozen=True)
class Credit:
    """Words of a source that name the news agency material came from."""

    agency: str
    """Normalised agency name (a key of AGENCIES, or a '... News Agency' name as written)."""
    words: str
    """The matched words as printed (for the carrying agency: the metadata value)."""
    span: Span | None
    """Where the words are in Cleaned.text; None for the carrying agency from metadata."""
    carrying: bool
    """True: the publisher carries this agency's report (metadata `agency`); False: the text
    cites the agency."""
    how: str
    """The label of the pattern that matched ('told', 'reported', 'according to', 'quoted by',
    'seen by', 'dateline', 'wire', 'named'), or 'metadata'."""


@dataclass(frozen=True)
class Source:
    """A source with its cleaned text and anchored annotations."""

    meta: SourceMeta
    cleaned: Cleaned
    mentions: tuple[Mention, ...]
    dates: tuple[DateRef, ...]
    quotes: tuple[Quote, ...] = ()
    credits: tuple[Credit, ...] | None = None
    """The agencies it carries or credits (overlap.credits), found when it is read; None for
    a source made by hand, whose credits are found when the index needs them."""
    around: tuple[tuple[int, int, int, int], ...] = ()
    """(start, end, sentence start, sentence end) of each mention and date: the sentence each
    is listed in on other pages, found when the source is read (see index.context)."""
    sha256: str = ""
    """The SHA-256 digest of the seed file as the build read it (hex)."""

    @cached_property
    def id(self) -> str:
        """The metadata's id (kept on the record once asked: it is asked very often)."""
        return self.meta.id


@dataclass(frozen=True)
class Problem:
    """An error or warning about the input, with where it is."""

    where: Where
    message: str
    severity: str = "error"
    """'error' stops the build; 'warning' does not."""
    line_text: str = ""
    """The offending line of the file, shown under the message."""
    caret: bool = False
    """Show a caret under the column (when the column is exact, as in a syntax error)."""

    def format(self) -> str:
        loc = self.where.path
        if self.where.line:
            loc += f":{self.where.line}"
            if self.where.column:
                loc += f":{self.where.column}"
        head = safe_text(f"{loc}: {self.severity}: {self.message}")
        if not self.line_text:
            return head
        shown = self.line_text if len(self.line_text) <= 160 else self.line_text[:160] + " …"
        text = f"{head}\n    {safe_text(shown)}"
        if self.caret and 0 < self.where.column <= min(len(self.line_text), 160) + 1:
            # a caret under the column, the tabs before it kept so it lines up in a terminal
            lead = "".join(c if c == "\t" else " " for c in self.line_text[: self.where.column - 1])
            text += f"\n    {lead}^"
        return text


@dataclass
class Problems:
    """Collects every problem found, so a run reports them all at once."""

    items: list[Problem] = field(default_factory=list)

    def error(self, where: Where, message: str, line_text: str = "",
              caret: bool = False) -> None:
        self.items.append(Problem(where, message, "error", line_text, caret))

    def warn(self, where: Where, message: str, line_text: str = "") -> None:
        self.items.append(Problem(where, message, "warning", line_text))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]
