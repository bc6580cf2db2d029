#!/usr/bin/env python3
"""Write a synthetic dossier of N sources in dossier's own format, deterministically.

    python bench/generate.py N OUT_DIR [--seed S]

Each source is a news-like article of about 600 words with realistic boilerplate around it
(section label, share widgets, a newsletter promo, a related-stories box, a photo credit, "Back
to top"), and an annotation file with about 15 mentions drawn from a pool of about 20*sqrt(N)
entities with a Zipf distribution (a few entities, like the main country, appear in most
sources), plus three date expressions. OUT_DIR gets seeds/, content/ and a copy of templates/.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["place", "person", "unit", "organisation"]
SYLLABLES = ["ka", "ro", "mi", "sa", "tel", "dan", "vor", "el", "ba", "shi", "qa", "zu", "nor",
             "lin", "ar", "to", "mek", "ra", "hal", "ios"]
FILLER = ("the officials said that the situation remained tense as talks continued between "
          "the parties while observers warned of further fighting in the coming weeks and "
          "aid groups called for access to the affected areas where thousands had fled").split()
BOILERPLATE_TOP = ["World News", "", "  • Share on Facebook", "  • Share on Twitter",
                   "  • Print", ""]
BOILERPLATE_BOTTOM = ["", "Sign up for our daily newsletter", "",
                      "Related Stories", "", "Back to top"]


def name(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                    for _ in range(words))


def entity_pool(n_sources: int, rng: random.Random) -> list[dict[str, str]]:
    size = max(20, int(20 * math.sqrt(n_sources)))
    pool, seen = [], set()
    while len(pool) < size:
        kind = KINDS[len(pool) % 4]
        full = name(rng, 2 if kind == "person" else rng.randint(1, 2))
        slug = full.lower().replace(" ", "-")
        if slug in seen:
            continue
        seen.add(slug)
        pool.append({"id": slug, "name": full, "kind": kind})
    return pool


def zipf_pick(pool: list[dict[str, str]], rng: random.Random, k: int) -> list[dict[str, str]]:
    weights = [1 / (i + 1) for i in range(len(pool))]
    picked: dict[str, dict[str, str]] = {}
    while len(picked) < min(k, len(pool)):
        e = rng.choices(pool, weights)[0]
        picked[e["id"]] = e
    return list(picked.values())


def article(ents: list[dict[str, str]], published: date, rng: random.Random,
            index: int) -> tuple[list[str], list[dict], list[dict]]:
    """Paragraphs, mention annotations and date annotations for one article."""
    paragraphs, mentions, dates_ = [], [], []
    counts: dict[str, int] = {}
    words_left, i = 600, 0
    day = published - timedelta(days=rng.randint(1, 6))
    while words_left > 0:
        ent = ents[i % len(ents)]
        n = rng.randint(35, 60)
        body = " ".join(rng.choice(FILLER) for _ in range(n))
        text = f"In report {index}.{i}, {ent['name']} was named as {body}."
        if i == 1:
            text += f" The talks were held on {day.strftime('%B')} {day.day}."
            dates_.append({"quote": f"{day.strftime('%B')} {day.day}", "value": day.isoformat(),
                           "reasoning": "Month and day given; the year is the publication's.",
                           "event": "Talks held"})
        paragraphs.append(text)
        counts[ent["name"]] = counts.get(ent["name"], 0) + 1
        mentions.append({"quote": ent["name"], "entity": ent["id"],
                         "occurrence": counts[ent["name"]]})
        words_left -= n + 8
        i += 1
    paragraphs.append(f"Officials are expected to meet again in {published.year + 1}.")
    dates_.append({"quote": f"{published.year + 1}", "value": f"{published.year + 1}",
                   "reasoning": "A year named in the text.", "event": "Next meeting expected"})
    return paragraphs, mentions, dates_


def write_source(out: Path, sid: str, headline: str, published: date, paragraphs: list[str],
                 mentions: list[dict], dates_: list[dict]) -> None:
    lines = [*BOILERPLATE_TOP, headline, ""]
    for p in paragraphs:
        lines += [p, ""]
    lines += [*BOILERPLATE_BOTTOM, "[Photo: Agency / Archive]"]
    (out / "seeds" / f"{sid}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    yaml = [f"headline: {headline}", "publisher: The Example Times",
            f"published: {{date: '{published.isoformat()}'}}",
            f"url: https://example.org/news/{sid}", "mentions:"]
    yaml += [f"  - {{quote: {m['quote']}, entity: {m['entity']}, occurrence: {m['occurrence']}}}"
             for m in mentions]
    yaml.append("dates:")
    for d in dates_:
        yaml += [f"  - quote: '{d['quote']}'", f"    value: '{d['value']}'",
                 f"    reasoning: {d['reasoning']}", f"    event: {d['event']}"]
    (out / "content" / "sources" / f"{sid}.yaml").write_text("\n".join(yaml) + "\n",
                                                              encoding="utf-8")


def generate(n: int, out: Path, seed: int = 0) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for sub in ("seeds", "content/sources", "content/entities"):
        (out / sub).mkdir(parents=True)
    shutil.copytree(ROOT / "templates", out / "templates")
    shutil.copy(ROOT / "content" / "boilerplate.yaml", out / "content" / "boilerplate.yaml")
    (out / "content" / "dossier.yaml").write_text(f"title: Synthetic dossier of {n} sources\n")
    pool = entity_pool(n, rng)
    used: dict[str, str] = {}
    start = date(2015, 1, 1)
    for i in range(n):
        sid = f"s{i:06d}"
        published = start + timedelta(days=i % 700)
        ents = zipf_pick(pool, rng, 15)
        headline = f"{ents[0]['name']} and {ents[1]['name']} in talks, report {i}"
        paragraphs, mentions, dates_ = article(ents, published, rng, i)
        write_source(out, sid, headline, published, paragraphs, mentions, dates_)
        for m in mentions:
            used.setdefault(m["entity"], sid)
    lines = []
    for e in pool:
        if e["id"] not in used:
            continue
        lines += [f"- id: {e['id']}", f"  name: {e['name']}", f"  kind: {e['kind']}",
                  "  description:", f"    - {{text: Named in the reports., sources: "
                  f"[{used[e['id']]}]}}"]
    (out / "content" / "entities" / "all.yaml").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)
    print(f"wrote {args.n} sources to {args.out}")


if __name__ == "__main__":
    main()
