"""Shared text, credit lines and independent origins across the sources of a dossier.

Three pure, deterministic functions (the order of the input list never changes the output):

`shared_passages(sources)`
    Passages that two sources print verbatim or nearly. Each cleaned text is cut into word
    tokens (a word is letters and digits, with inner apostrophes: "Moscow’s" is one token;
    hyphens, dashes, quotes, brackets and other punctuation separate tokens and are otherwise
    ignored, so "(for Iranian forces)" and "[for Iranian forces]" are the same five tokens).
    Each token is compared by a key: casefolded, accents removed, and, for words of
    SKELETON_MIN_LETTERS letters or more, reduced to its first letter and consonants with
    doubled letters collapsed and z read as s ("advisors" and "advisers" are both "advsrs";
    "Alaedin" and "Alaeddin", "Hamedani" and "Hamadani" agree). Every run of SHINGLE tokens (a
    shingle) goes into an inverted index shingle -> (source, token position); shingles held by
    more than MAX_SHINGLE_SOURCES sources are stock phrases and skipped (this is what keeps the
    work near-linear in the total text size: no pair of sources is compared unless they hold a
    rarer shingle in common, and a pair is looked at only when it holds two such shingles).
    Matching shingles of a pair of sources are chained in reading order, allowing steps of up
    to MAX_STEP tokens (a few changed words) and a drift of up to MAX_SHIFT tokens between the
    sides (words inserted on one side: "he added"). A chain whose matching shingles cover at
    least MIN_WORDS words is then widened word by word at both ends while the sides agree,
    bridging at most MAX_EDGE_EDITS edits per end: a word written as two ("underway" / "under
    way"), or one word changed, inserted or dropped when the words after it agree again
    ("Moscow’s campaign" / "Russia’s campaign"). It is a passage when its shorter side has at
    least MIN_WORDS words and its similarity (distinct shingles the sides have in common /
    shingles of the shorter side) is at least MIN_SIMILARITY. A passage may run over a
    paragraph break; its spans are offsets in Cleaned.text, like a mention's.

    Passages are reported as *pairs* of sources (one record per pair, the smaller source id
    first), and every record carries a `group` number: all pairs whose sides overlap in some
    source describe the same text, so a passage shared by three sources is three records with
    one group number. The site links each side to the other sides of its group (`twins`).

`credits(source)`
    Lines of the cleaned text that name the news agency material came from ("told AFP",
    "the Associated Press reported", "according to Tehran-based Mehr News Agency", "IRNA
    quoted", "(AFP)" ...), from the small tables AGENCIES and CREDIT_PATTERNS below, plus the
    agency the publisher carries (metadata `agency`), marked `carrying`.

`origins(sources, passages)`
    The rule, in one sentence: **two sources have the same origin when they share at least
    ORIGIN_MIN_WORDS words of text, or share any passage while carrying or crediting the same
    agency; origins are the connected groups of that relation, so a source that shares no text
    with another is its own origin, whatever agency it carries.** An origin is labelled "<agency>
    report, <date>" when every member carries or credits one agency and the members' dates lie
    within ORIGIN_DATE_DAYS days of each other (a single source counts only the agency it
    carries), and by the publisher of its earliest member otherwise (on the same day, a member
    that carries an agency first). The date in a label is that member's publication date.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from .models import Credit, Source, Span

SHINGLE = 5
"""Words per shingle: the unit of comparison."""
MIN_WORDS = 8
"""A shared passage has at least this many words (on its shorter side)."""
MIN_SIMILARITY = 0.5
"""... and at least this share of the shorter side's shingles in common."""
MAX_STEP = SHINGLE + 4
"""Largest distance in tokens between consecutive matching shingles of one passage: a
substitution of one word breaks SHINGLE shingles, so this allows up to about four changed
words between two matching stretches."""
MAX_SHIFT = 3
"""Largest difference between the two sides' steps (words inserted on one side only)."""
MAX_SHINGLE_SOURCES = 40
"""A shingle held by more sources than this is a stock phrase and not indexed. This bounds the
pairs a shingle can produce (at most 40*39/2), so that common filler cannot make the candidate
pairs explode; a report carried verbatim by more than 40 sources of one dossier would need a
larger value."""
NUMPY_FROM = 200
"""From this many sources on, the inverted index is built in numpy arrays (_hits_numpy)."""
MAX_EDGE_EDITS = 2
"""At each end, a passage is widened word by word past at most this many edits (see _extend)."""
SKELETON_MIN_LETTERS = 5
"""Words at least this long are compared by their consonant skeleton (see the module doc)."""
ORIGIN_MIN_WORDS = 20
"""Two sources sharing at least this many words (summed over their passages) share an origin."""
ORIGIN_DATE_DAYS = 3
"""An origin is labelled by agency and date only when its members' dates are this close."""

# Canonical agency name -> regular expressions of the names the text uses for it. Names are
# matched case-sensitively, at word boundaries, and a space matches any white space.
AGENCIES: dict[str, tuple[str, ...]] = {
    "AFP": (r"AFP", r"Agence France[- ‑]Presse", r"Agence France Presse"),
    "Associated Press": (r"(?:[Tt]he )?Associated Press", r"(?:[Tt]he )?AP"),
    "Reuters": (r"Reuters(?: news agency)?", r"Thomson Reuters"),
    "IRNA": (r"IRNA", r"Islamic Republic News Agency"),
    "Mehr News Agency": (r"Mehr [Nn]ews [Aa]gency", r"MNA"),
    "Fars News Agency": (r"Fars [Nn]ews [Aa]gency",),
    "Tasnim News Agency": (r"Tasnim [Nn]ews [Aa]gency",),
    "ISNA": (r"ISNA", r"Iranian Students(?:’|')? News Agency"),
    "SANA": (r"SANA", r"Syrian Arab News Agency"),
    "Anadolu Agency": (r"Anadolu [Aa]gency",),
    "dpa": (r"DPA", r"Deutsche Presse-Agentur"),
    "Xinhua": (r"Xinhua(?: [Nn]ews [Aa]gency)?",),
    "TASS": (r"TASS", r"ITAR-TASS"),
    "RIA Novosti": (r"RIA Novosti",),
    "Interfax": (r"Interfax",),
    "EFE": (r"EFE",),
    "ANSA": (r"ANSA",),
    "Kyodo News": (r"Kyodo News",),
    "Yonhap": (r"Yonhap(?: [Nn]ews [Aa]gency)?",),
    "UPI": (r"UPI", r"United Press International"),
}
# Short forms that are also ordinary names ("Fars province", "Michael Bloomberg"): they count
# only inside a credit phrase ("Mehr reported", "told Bloomberg"), never standing alone.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "Mehr News Agency": (r"Mehr",),
    "Fars News Agency": (r"Fars",),
    "Tasnim News Agency": (r"Tasnim",),
    "Anadolu Agency": (r"Anadolu",),
    "dpa": (r"dpa",),
    "RIA Novosti": (r"RIA",),
    "Kyodo News": (r"Kyodo",),
    "Bloomberg": (r"Bloomberg(?: News)?",),
}
# Any other "<Capitalised Words> News Agency" is an agency too, named as written.
OTHER_AGENCY = r"(?:[A-Z][\w’'-]*\s){1,4}News Agency"

# Credit patterns: (label, regular expression with {A} standing for an agency name and {T} for
# an optional "the" before it: "told the Syrian Arab News Agency"). Verbs are
# case-insensitive; the agency name is not ("AP" is an agency, "ap" is not). Earlier patterns
# win where matches overlap; the last one, a bare name, only counts where nothing else matched.
CREDIT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("dateline", r"\(\s*{A}\s*\)"),
    ("quoted by", r"(?i:quoted)\b[^.\n“”\"]{0,80}?\b(?i:by)\s+{T}{A}"),
    ("seen by", r"(?i:seen|obtained|reviewed) by\s+{T}{A}"),
    ("according to", r"(?i:according to)\s+{T}(?:[\w-]+-based\s+)?{A}"),
    ("told", r"(?i:told|said to|speaking to|spoke to|talking to|interview with)\s+{T}{A}"),
    ("reported", r"{A}\s+(?:(?i:news agency)\s+)?(?i:reported|reports|has reported|quoted|quotes|"
                 r"cited|cites|said|says|learned|has learned|confirmed|contributed)\b"),
    ("wire", r"(?i:via|courtesy of|from)\s+{T}{A}\s*$"),
    ("named", r"{A}"),
)


# ----------------------------------------------------------------- records


@dataclass(frozen=True)
class Side:
    """One source's copy of a shared passage."""

    source: str
    """The source id."""
    block: int
    """Index of the block where the passage starts."""
    last_block: int
    """Index of the block where it ends (equal to `block` unless it runs over paragraphs)."""
    start: int
    """Offset of its first character in Cleaned.text."""
    end: int
    """Offset just past its last character in Cleaned.text."""
    text: str
    """The passage exactly as this source prints it: Cleaned.text[start:end]."""
    words: int
    """Its number of words (tokens)."""


@dataclass(frozen=True)
class SharedPassage:
    """A passage two sources print verbatim or nearly."""

    group: int
    """1-based number shared by every pair that shows the same text (its twins)."""
    a: Side
    """The side in the source with the smaller id."""
    b: Side
    """The side in the other source."""
    shared: int
    """Number of shingles (runs of SHINGLE word keys) the two sides have in common."""
    similarity: float
    """`shared` / shingles of the shorter side, between 0 and 1 (1 = identical word keys)."""
    words: int
    """Words of the shorter side."""

    def side(self, source: str) -> Side:
        """This passage's side in `source`."""
        return self.a if self.a.source == source else self.b

    def other(self, source: str) -> Side:
        """The side that is not in `source`."""
        return self.b if self.a.source == source else self.a


@dataclass(frozen=True)
class Origin:
    """A report that one or more sources of the dossier depend on."""

    id: str
    """'o1', 'o2' ... in order of the earliest member's date, then its id."""
    label: str
    """'<agency> report, <day month year>' when members agree on agency and date; otherwise the
    publisher of the earliest member (on the same day, one that carries an agency first)."""
    agency: str
    """The agency every member carries or credits (for a single source: the one it carries);
    may be empty."""
    date: str
    """Publication date (ISO) of the earliest member; may be empty."""
    members: tuple[str, ...]
    """Source ids, in date order then id."""
    passages: int
    """Shared passages (pairs) between members."""
    shared_words: int
    """Words of those passages, summed (shorter sides)."""
    credits: tuple[tuple[str, tuple[str, ...]], ...]
    """Per member (same order as `members`): the agencies it carries or credits, sorted."""


# ----------------------------------------------------------------- tokens

_TOKEN = re.compile(r"\w+(?:['’ʼ‘`´]\w+)*")
_VOWELS = re.compile(r"[aeiouy']")
_DOUBLES = re.compile(r"(.)\1+")


def _plain(word: str) -> str:
    """Casefolded, accents removed, every apostrophe made straight."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"['’ʼ‘`´]", "'", folded)


def word_key(word: str) -> str:
    """The key a word is compared by (see the module doc)."""
    plain = _plain(word)
    if len(plain) < SKELETON_MIN_LETTERS or not plain.replace("'", "").isalpha():
        return plain
    skeleton = plain[0] + _VOWELS.sub("", plain[1:]).replace("z", "s")
    return _DOUBLES.sub(r"\1", skeleton)


class _Doc:
    """A source as word keys; character offsets are worked out only for sources that share."""

    def __init__(self, source: Source, vocabulary: dict[str, int], cache: dict[str, int]):
        self.source = source
        words = _TOKEN.findall(source.cleaned.text)
        for word in set(words).difference(cache):
            cache[word] = vocabulary.setdefault(word_key(word), len(vocabulary))
        self.keys: tuple[int, ...] = tuple(map(cache.__getitem__, words))
        """Key id of each token."""
        self._offsets: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None = None

    def _compute(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        if self._offsets is None:
            spans = [m.span() for m in _TOKEN.finditer(self.source.cleaned.text)]
            blocks, at = [], 0
            for block in self.source.cleaned.blocks:
                blocks.append(at)
                at += len(block.text) + 1
            self._offsets = (tuple(a for a, _ in spans), tuple(b for _, b in spans),
                             tuple(blocks))
        return self._offsets

    @property
    def starts(self) -> tuple[int, ...]:
        """Character offset of each token in Cleaned.text."""
        return self._compute()[0]

    @property
    def ends(self) -> tuple[int, ...]:
        """Offset just past each token."""
        return self._compute()[1]

    def block_of(self, offset: int) -> int:
        return bisect_right(self._compute()[2], offset) - 1


# ----------------------------------------------------------------- shared passages

def _shingle_tuples(keys: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    """Every run of SHINGLE keys, in order."""
    return zip(*(keys[i:] for i in range(SHINGLE)), strict=False)


def shared_passages(sources: list[Source]) -> tuple[SharedPassage, ...]:
    """Every passage two sources share verbatim or nearly, as pairs with a twin group number,
    sorted by (first source id, start, second source id, start)."""
    ordered = sorted(sources, key=lambda s: s.id)
    vocabulary: dict[str, int] = {}
    cache: dict[str, int] = {}
    docs = [_Doc(s, vocabulary, cache) for s in ordered]
    # Pairs of sources that share indexed shingles, and where (see _hits).
    hits = (_hits_numpy if len(docs) >= NUMPY_FROM else _hits)(docs)
    found: list[tuple[Side, Side, int, float, int]] = []
    for (da, db), shared in hits:
        for chain in _chains(shared):
            if min(chain[-1][0] - chain[0][0], chain[-1][1] - chain[0][1]) + SHINGLE < MIN_WORDS:
                continue  # the matching shingles alone must cover MIN_WORDS words
            passage = _passage(docs[da], docs[db], chain)
            if passage is not None:
                found.append(passage)
    return _grouped(found)


def _hits(docs: list[_Doc]) -> Iterator[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """Each pair of candidate sources (a < b, by number, in order) with the (position in a,
    position in b) of each indexed shingle they share, sorted."""
    # The inverted index shingle -> (source, position), built so that the per-shingle work
    # runs inside dict, set and Counter operations: first each source's shingles (a shingle
    # repeated within one source is indexed at its last position) and how many sources hold
    # each, then postings only for shingles held by 2 to MAX_SHINGLE_SOURCES sources.
    # A shingle is indexed by its hash (an int, cheaper to look up than the tuple; a rare
    # collision can only add a hit, and every passage is checked on the keys themselves).
    held: Counter[int] = Counter()
    positions = []
    for doc in docs:
        hashed = map(hash, _shingle_tuples(doc.keys))
        where = dict(zip(hashed, range(len(doc.keys)), strict=False))
        held.update(where.keys())
        positions.append(where)
    indexed = {sh for sh, n in held.items() if 2 <= n <= MAX_SHINGLE_SOURCES}
    postings: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for d, where in enumerate(positions):
        for sh in where.keys() & indexed:
            postings[sh].append((d, where[sh]))
    # Candidate pairs: sources with at least two indexed shingles in common (one shingle is
    # SHINGLE < MIN_WORDS words). Counting first keeps the many pairs that share one stock
    # shingle out of the per-pair lists.
    in_common: Counter[tuple[int, int]] = Counter()
    for found_at in postings.values():
        in_common.update(combinations([d for d, _ in found_at], 2))
    candidates = {pair for pair, n in in_common.items() if n > 1}
    hits: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for found_at in postings.values():
        for (da, pa), (db, pb) in combinations(found_at, 2):
            if (da, db) in candidates:
                hits[(da, db)].append((pa, pb))
    return ((pair, sorted(hits[pair])) for pair in sorted(hits))


def _hits_numpy(docs: list[_Doc]) -> Iterator[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """What _hits finds, with the inverted index in numpy arrays: at thousands of sources the
    dicts and Counters of _hits take seconds and gigabytes, the arrays a fraction; and pairs
    are handed out one by one, never all held as Python lists."""
    import numpy as np

    hashes, owners, places = [], [], []
    for d, doc in enumerate(docs):
        keys = np.asarray(doc.keys, dtype=np.uint64)
        n = len(keys) - SHINGLE + 1
        if n <= 0:
            continue
        h = np.zeros(n, dtype=np.uint64)
        for i in range(SHINGLE):  # a polynomial hash of each run of SHINGLE keys (mod 2**64)
            h = h * np.uint64(1_000_003) + keys[i:i + n]
        # a shingle repeated within one source counts at its last position
        unique, first_from_end = np.unique(h[::-1], return_index=True)
        hashes.append(unique)
        owners.append(np.full(len(unique), d, dtype=np.int64))
        places.append((n - 1 - first_from_end).astype(np.int32))
    if not hashes:
        return
    h, d, at = np.concatenate(hashes), np.concatenate(owners), np.concatenate(places)
    order = np.argsort(h, kind="stable")  # stable: within a shingle, sources in order
    h, d, at = h[order], d[order], at[order]
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, len(h)])
    pairs_a, pairs_b, pos_a, pos_b = [], [], [], []
    for size in range(2, MAX_SHINGLE_SOURCES + 1):
        first = starts[sizes == size]
        if not len(first):
            continue
        for i, j in combinations(range(size), 2):
            pairs_a.append(d[first + i])
            pairs_b.append(d[first + j])
            pos_a.append(at[first + i])
            pos_b.append(at[first + j])
    if not pairs_a:
        return
    da, db = np.concatenate(pairs_a), np.concatenate(pairs_b)
    pa, pb = np.concatenate(pos_a), np.concatenate(pos_b)
    pair = da * len(docs) + db
    # candidates: pairs with at least two indexed shingles in common
    kinds, counts = np.unique(pair, return_counts=True)
    keep = np.isin(pair, kinds[counts > 1])
    pair, pa, pb = pair[keep], pa[keep], pb[keep]
    order = np.lexsort((pb, pa, pair))
    pair, pa, pb = pair[order], pa[order], pb[order]
    bounds = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1], True])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        a, b = divmod(int(pair[lo]), len(docs))
        yield (a, b), list(zip(pa[lo:hi].tolist(), pb[lo:hi].tolist(), strict=True))


def _chains(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Chain matching shingle positions (sorted) into runs in reading order on both sides."""
    done: list[list[tuple[int, int]]] = []
    active: list[list[tuple[int, int]]] = []
    for a, b in pairs:
        still = []
        for chain in active:
            (done if chain[-1][0] < a - MAX_STEP else still).append(chain)
        active = still
        best, best_cost = None, None
        for chain in active:
            la, lb = chain[-1]
            step_a, step_b = a - la, b - lb
            if 1 <= step_a <= MAX_STEP and 1 <= step_b <= MAX_STEP \
                    and abs(step_a - step_b) <= MAX_SHIFT:
                cost = (max(step_a, step_b), abs(step_a - step_b))
                if best_cost is None or cost < best_cost:
                    best, best_cost = chain, cost
        if best is None:
            active.append([(a, b)])
        else:
            best.append((a, b))
    return done + active


def _side(doc: _Doc, first: int, last: int) -> Side:
    """The side covering tokens first..last (inclusive)."""
    start, end = doc.starts[first], doc.ends[last]
    return Side(doc.source.id, doc.block_of(start), doc.block_of(end - 1), start, end,
                doc.source.cleaned.text[start:end], last - first + 1)


def _edit(da: _Doc, db: _Doc, i: int, j: int, step: int) -> tuple[int, int] | None:
    """One alignment step outwards (step -1: backwards, +1: forwards) from tokens i, j already
    in the passage: the next (i, j) to include, or None when the sides stop agreeing."""
    ka, kb, na, nb = da.keys, db.keys, len(da.keys), len(db.keys)

    def ok(x: int, y: int) -> bool:
        return 0 <= x < na and 0 <= y < nb

    def same(x: int, y: int) -> bool:
        return ok(x, y) and ka[x] == kb[y]

    def confirmed(x: int, y: int) -> bool:
        """The words after an edit agree: two words, or one long word."""
        if not same(x, y):
            return False
        if same(x + step, y + step):
            return True
        word = da.source.cleaned.text[da.starts[x]:da.ends[x]]
        return len(word) >= SKELETON_MIN_LETTERS and word.isalpha()

    x, y = i + step, j + step
    if not ok(x, y):
        return None
    if ka[x] == kb[y]:
        return x, y
    if ok(x + step, y) and _joined(da, x, x + step) == _plain_token(db, y):
        return x + step, y  # one word split in two on side a ("under way" / "underway")
    if ok(x, y + step) and _joined(db, y, y + step) == _plain_token(da, x):
        return x, y + step
    if confirmed(x + step, y + step):
        return x + step, y + step  # one word replaced
    if confirmed(x + step, y):
        return x + step, y  # one word inserted on side a
    if confirmed(x, y + step):
        return x, y + step
    return None


def _plain_token(doc: _Doc, t: int) -> str:
    return _plain(doc.source.cleaned.text[doc.starts[t]:doc.ends[t]])


def _joined(doc: _Doc, x: int, y: int) -> str:
    """Tokens x and y (neighbours, in either order) written as one word."""
    return _plain_token(doc, min(x, y)) + _plain_token(doc, max(x, y))


def _extend(da: _Doc, db: _Doc, first: tuple[int, int], last: tuple[int, int]
            ) -> tuple[tuple[int, int], tuple[int, int]]:
    """Widen a chain's token range outwards while the two sides keep agreeing, bridging a
    split word or a single changed, inserted or dropped word (at most MAX_EDGE_EDITS per edge)."""
    ends = []
    for at, step in ((first, -1), (last, 1)):
        edits = 0
        while True:
            nxt = _edit(da, db, at[0], at[1], step)
            if nxt is None:
                break
            if abs(nxt[0] - at[0]) != 1 or abs(nxt[1] - at[1]) != 1 or \
                    da.keys[nxt[0]] != db.keys[nxt[1]]:
                edits += 1
                if edits > MAX_EDGE_EDITS:
                    break
            at = nxt
        ends.append(at)
    return ends[0], ends[1]


def _shingles(doc: _Doc, first: int, last: int) -> set[tuple[int, ...]]:
    return {doc.keys[p:p + SHINGLE] for p in range(first, last - SHINGLE + 2)}


def _passage(da: _Doc, db: _Doc, chain: list[tuple[int, int]]
             ) -> tuple[Side, Side, int, float, int] | None:
    (a0, b0), (a1, b1) = chain[0], chain[-1]
    (a0, b0), (a1, b1) = _extend(da, db, (a0, b0), (a1 + SHINGLE - 1, b1 + SHINGLE - 1))
    words = min(a1 - a0, b1 - b0) + 1
    if words < MIN_WORDS:
        return None
    sa, sb = _shingles(da, a0, a1), _shingles(db, b0, b1)
    shared = len(sa & sb)
    similarity = round(shared / min(len(sa), len(sb)), 3)
    if similarity < MIN_SIMILARITY:
        return None
    return _side(da, a0, a1), _side(db, b0, b1), shared, similarity, words


def _grouped(found: list[tuple[Side, Side, int, float, int]]) -> tuple[SharedPassage, ...]:
    """Number the twin groups: pairs whose sides overlap in one source are the same text."""
    found.sort(key=lambda f: (f[0].source, f[0].start, f[1].source, f[1].start))
    parent = list(range(len(found)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    per_source: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, (a, b, *_) in enumerate(found):
        per_source[a.source].append((a.start, a.end, i))
        per_source[b.source].append((b.start, b.end, i))
    for spans in per_source.values():
        spans.sort()
        reach, holder = -1, -1
        for start, end, i in spans:
            if start < reach:
                parent[root(i)] = root(holder)
            if end > reach:
                reach, holder = end, i
    numbers: dict[int, int] = {}
    result = []
    for i, (a, b, shared, similarity, words) in enumerate(found):
        group = numbers.setdefault(root(i), len(numbers) + 1)
        result.append(SharedPassage(group, a, b, shared, similarity, words))
    return tuple(result)


def twins(passages: tuple[SharedPassage, ...], source: str, group: int) -> tuple[Side, ...]:
    """The other sources' sides of a twin group, as seen from `source`, by source id."""
    seen: dict[tuple[str, int, int], Side] = {}
    for p in passages:
        if p.group == group:
            for side in (p.a, p.b):
                if side.source != source:
                    seen.setdefault((side.source, side.start, side.end), side)
    return tuple(seen[k] for k in sorted(seen))


# ----------------------------------------------------------------- credits


_NAMES = [(canon, alias) for table in (AGENCIES, SHORT_FORMS)
          for canon, aliases in table.items() for alias in aliases]
_ALIASES = [canon for canon, _ in _NAMES]


_STRICT = sum(len(aliases) for aliases in AGENCIES.values())  # _NAMES[:_STRICT]: AGENCIES


def _agency_pattern(short_forms: bool) -> str:
    """An agency name (group a<i>: the i-th of _NAMES; group 'other': any '... News Agency')."""
    spaced = [alias.replace(" ", r"\s+") for _, alias in _NAMES]  # no-break spaces too
    names = "|".join(f"(?P<a{i}>{alias})" for i, alias in enumerate(spaced)
                     if short_forms or i < _STRICT)
    return rf"(?<![\w-])(?:{names}|(?P<other>{OTHER_AGENCY}))(?![\w-])"


_AGENCY = _agency_pattern(short_forms=True)
_COMPILED = tuple((label, re.compile(pattern.replace("{T}", r"(?:(?i:the)\s+)?")
                                     .replace("{A}", _agency_pattern(label != "named")),
                                     re.MULTILINE))
                  for label, pattern in CREDIT_PATTERNS)
_ANY_AGENCY = re.compile(_AGENCY)


def normalise_agency(name: str) -> str:
    """The canonical name of an agency as written ('Agence France-Presse' -> 'AFP'); a name not
    in AGENCIES comes back stripped."""
    name = " ".join(name.split())
    for canon, alias in _NAMES:
        if name.casefold() == canon.casefold() or re.fullmatch(alias, name):
            return canon
    return name


def _canonical(m: re.Match[str]) -> str:
    for key, value in m.groupdict().items():
        if value is not None and key.startswith("a") and key[1:].isdigit():
            return _ALIASES[int(key[1:])]
    return " ".join((m.group("other") or "").split())


def credits(source: Source) -> tuple[Credit, ...]:
    """The carrying agency (metadata) first, then every credit line of the text in reading
    order; where patterns overlap, the earlier pattern of CREDIT_PATTERNS wins."""
    text = source.cleaned.text
    result = []
    if source.meta.agency.strip():
        result.append(Credit(normalise_agency(source.meta.agency), source.meta.agency.strip(),
                             None, True, "metadata"))
    blocks, at = [], 0
    for block in source.cleaned.blocks:
        blocks.append(at)
        at += len(block.text) + 1
    taken: list[tuple[int, int]] = []
    found = []
    if not _ANY_AGENCY.search(text):
        return tuple(result)  # no agency named: no pattern can match
    for label, pattern in _COMPILED:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            block = bisect_right(blocks, start) - 1
            found.append(Credit(_canonical(m), m.group(), Span(start, end, block), False, label))
    found.sort(key=lambda c: (c.span.start if c.span else -1))
    return tuple(result + found)


# ----------------------------------------------------------------- origins


def _agencies(creds: tuple[Credit, ...]) -> set[str]:
    return {c.agency for c in creds}


def _day(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def _label_date(iso: str) -> str:
    day = _day(iso)
    return f"{day.day} {day:%B %Y}" if day else iso


def origins(sources: list[Source], passages: tuple[SharedPassage, ...],
            creds: dict[str, tuple[Credit, ...]] | None = None) -> tuple[Origin, ...]:
    """Group the sources into independent origins (rule in the module doc), in date order.
    `creds` are the sources' credits when the caller has them already."""
    by_id = {s.id: s for s in sources}
    if creds is None:
        creds = {s.id: credits(s) for s in sources}
    shared: dict[tuple[str, str], list[SharedPassage]] = defaultdict(list)
    for p in passages:
        if p.a.source in by_id and p.b.source in by_id:
            shared[(p.a.source, p.b.source)].append(p)
    parent = {sid: sid for sid in sorted(by_id)}

    def root(sid: str) -> str:
        while parent[sid] != sid:
            sid = parent[sid]
        return sid

    for (a, b), ps in sorted(shared.items()):
        words = sum(p.words for p in ps)
        common = _agencies(creds[a]) & _agencies(creds[b])
        if words >= ORIGIN_MIN_WORDS or common:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = defaultdict(list)
    for sid in sorted(by_id):
        members[root(sid)].append(sid)

    def when(sid: str) -> tuple[str, str]:
        return (by_id[sid].meta.published.date or "9999", sid)

    groups = sorted((sorted(ids, key=when) for ids in members.values()),
                    key=lambda ids: when(ids[0]))
    result = []
    for n, ids in enumerate(groups, 1):
        inside = [p for (a, b), ps in shared.items() if a in ids and b in ids for p in ps]
        agency = _common_agency(ids, by_id, creds)
        dates = [d for d in (_day(by_id[s].meta.published.date) for s in ids) if d]
        first = by_id[min(ids, key=lambda s: (when(s)[0], not by_id[s].meta.agency, s))]
        close = bool(dates) and (max(dates) - min(dates)).days <= ORIGIN_DATE_DAYS
        if agency and close:
            label = f"{agency} report, {_label_date(first.meta.published.date)}"
        else:
            label = first.meta.publisher or first.id
        result.append(Origin(
            id=f"o{n}", label=label, agency=agency, date=first.meta.published.date,
            members=tuple(ids), passages=len(inside), shared_words=sum(p.words for p in inside),
            credits=tuple((s, tuple(sorted(_agencies(creds[s])))) for s in ids)))
    return tuple(result)


def _common_agency(ids: list[str], by_id: dict[str, Source],
                   creds: dict[str, tuple[Credit, ...]]) -> str:
    """The agency every member carries or credits (a lone source: the one it carries);
    a carried agency is preferred, then the alphabetically first."""
    carried = sorted({c.agency for s in ids for c in creds[s] if c.carrying})
    if len(ids) == 1:
        return carried[0] if carried else _relayed(creds[ids[0]])
    common = set.intersection(*(_agencies(creds[s]) for s in ids))
    for name in carried:
        if name in common:
            return name
    return min(common) if common else ""


RELAY_MIN_CREDITS = 2
"""A lone source relays an agency's report when it says '<agency> reported' and credits that
agency more often than any other, at least this many times ("the Associated Press reported
today ... told The Associated Press ... According to the AP")."""


def _relayed(credits_: tuple[Credit, ...]) -> str:
    """The agency whose report a source relays, or ''."""
    counts = Counter(c.agency for c in credits_)
    ranked = counts.most_common()
    if not ranked or ranked[0][1] < RELAY_MIN_CREDITS:
        return ""
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return ""
    top = ranked[0][0]
    return top if any(c.agency == top and c.how == "reported" for c in credits_) else ""


def summary(origins_: tuple[Origin, ...], n_sources: int) -> str:
    """One sentence for the home page: '5 sources, 4 independent origins: ...'."""
    parts = []
    for o in origins_:
        parts.append(o.label if len(o.members) == 1 else f"{o.label} ({len(o.members)} sources)")
    head = (f"{n_sources} source{'s' if n_sources != 1 else ''}, {len(origins_)} independent "
            f"origin{'s' if len(origins_) != 1 else ''}")
    return f"{head}: {'; '.join(parts)}." if parts else f"{head}."
