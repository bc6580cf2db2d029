#!/usr/bin/env python3
"""Write a synthetic dossier of N sources in dossier's own format, deterministically.

    python bench/generate.py N OUT_DIR [--seed S] [--hugo DIR] [--pelican DIR]

Each source is a news-like article of about 600 words with realistic boilerplate around it
(section label, share widgets, a newsletter promo, a related-stories box, a photo credit, "Back
to top"), and an annotation file with about 15 mentions drawn from a pool of about 20*sqrt(N)
entities with a Zipf distribution (a few entities, like the main country, appear in most
sources), plus three date expressions. OUT_DIR gets seeds/ and content/: the tool's default
templates and rules apply, as in a dossier `dossier init` started.

With --hugo and --pelican the same articles (headline, date, paragraphs; no boilerplate, which
Markdown sources do not have) are also written as a Hugo site and a Pelican site, each tagged
with the names of the entities the article mentions, for bench/run.py to compare against:

- Hugo: content/posts/<id>.md (TOML front matter: title, date, tags), hugo.toml and plain
  layouts: a page per article, a page per tag, a tag index and a home page listing every
  article; no theme; RSS, sitemap, robots.txt, sections and 404 disabled.
- Pelican: content/<id>.md (Title, Date, Tags, Slug), pelicanconf.py and a minimal theme with
  the same four kinds of page; no feeds, categories, authors or archives; relative URLs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
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


def zipf_pick(pool: list[dict[str, str]], rng: random.Random, k: int,
              cum_weights: list[float] | None = None) -> list[dict[str, str]]:
    """k distinct entities, entity i drawn with weight 1/(i+1). `cum_weights` (the running sums
    of those weights, as zipf_weights gives them) only saves recomputing them: the draws are the
    same either way."""
    cum = cum_weights or zipf_weights(len(pool))
    picked: dict[str, dict[str, str]] = {}
    while len(picked) < min(k, len(pool)):
        e = rng.choices(pool, cum_weights=cum)[0]
        picked[e["id"]] = e
    return list(picked.values())


def zipf_weights(size: int) -> list[float]:
    return list(itertools.accumulate(1 / (i + 1) for i in range(size)))


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
    if re.search(rf"\b{published.year + 1}\b", " ".join(paragraphs[:-1])):
        dates_[-1]["prefix"] = "again in "  # "report 2017.3" names the year too
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
        yaml += [f"  - quote: '{d['quote']}'"]
        if "prefix" in d:
            yaml.append(f"    prefix: '{d['prefix']}'")
        yaml += [f"    value: '{d['value']}'",
                 f"    reasoning: {d['reasoning']}", f"    event: {d['event']}"]
    (out / "content" / "sources" / f"{sid}.yaml").write_text("\n".join(yaml) + "\n",
                                                              encoding="utf-8")


def generate(n: int, out: Path, seed: int = 0, hugo: Path | None = None,
             pelican: Path | None = None) -> None:
    """Write N sources to `out` in dossier's format, and the same articles as a Hugo site to
    `hugo` and a Pelican site to `pelican` when given. The same n and seed give the same bytes."""
    rng = random.Random(seed)
    for folder in (out, hugo, pelican):
        if folder is not None and folder.exists():
            shutil.rmtree(folder)
    for sub in ("seeds", "content/sources", "content/entities"):
        (out / sub).mkdir(parents=True)
    (out / "content" / "dossier.yaml").write_text(f"title: Synthetic dossier of {n} sources\n")
    title = f"Synthetic dossier of {n} sources"
    if hugo is not None:
        hugo_site(hugo, title)
    if pelican is not None:
        pelican_site(pelican, title)
    pool = entity_pool(n, rng)
    cum = zipf_weights(len(pool))
    used: dict[str, str] = {}
    start = date(2015, 1, 1)
    for i in range(n):
        sid = f"s{i:06d}"
        published = start + timedelta(days=i % 700)
        ents = zipf_pick(pool, rng, 15, cum)
        headline = f"{ents[0]['name']} and {ents[1]['name']} in talks, report {i}"
        paragraphs, mentions, dates_ = article(ents, published, rng, i)
        write_source(out, sid, headline, published, paragraphs, mentions, dates_)
        tags = tag_names(mentions, pool)
        if hugo is not None:
            write_hugo_post(hugo, sid, headline, published, paragraphs, tags)
        if pelican is not None:
            write_pelican_post(pelican, sid, headline, published, paragraphs, tags)
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


def add_source(out: Path, n: int, seed: int = 0, index: int | None = None) -> str:
    """Add one more source to a dossier generate(n, out, seed) wrote, mentioning only entities
    already in its registry; returns the new source's id (s<index>, default s<n>)."""
    index = n if index is None else index
    registry = (out / "content" / "entities" / "all.yaml").read_text(encoding="utf-8")
    known = {line[len("- id: "):] for line in registry.splitlines() if line.startswith("- id: ")}
    pool = [e for e in entity_pool(n, random.Random(seed)) if e["id"] in known]
    rng = random.Random(f"{seed}-add-{index}")
    ents = zipf_pick(pool, rng, 15)
    sid = f"s{index:06d}"
    published = date(2015, 1, 1) + timedelta(days=index % 700)
    headline = f"{ents[0]['name']} and {ents[1]['name']} in talks, report {index}"
    paragraphs, mentions, dates_ = article(ents, published, rng, index)
    write_source(out, sid, headline, published, paragraphs, mentions, dates_)
    return sid


def tag_names(mentions: list[dict], pool: list[dict[str, str]]) -> list[str]:
    """The names of the entities an article mentions, each once, in order of first mention."""
    names = {e["id"]: e["name"] for e in pool}
    return list(dict.fromkeys(names[m["entity"]] for m in mentions))


# ----------------------------------------------------------------- Hugo

HUGO_CONFIG = """baseURL = "http://localhost:1313/"
title = {title}
languageCode = "en"
uglyURLs = true
disableKinds = ["rss", "sitemap", "robotstxt", "section", "404"]
enableRobotsTXT = false

[taxonomies]
  tag = "tags"

[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
</head>
<body>
<header><a href="{{ "" | relURL }}">{{ site.Title }}</a> ·
<a href="{{ "tags/" | relURL }}">Tags</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "home.html": """{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ul>
{{ range site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
{{ end }}
""",
    "page.html": """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time>{{ .Date.Format "2006-01-02" }}</time></p>
{{ .Content }}
<p>Tags: {{ range $i, $t := .GetTerms "tags" }}{{ if $i }}, {{ end }}
<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}</p>
</article>
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}
<h1>Tags</h1>
<ul>
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a>
({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
""",
    "term.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
{{ end }}
""",
}


def hugo_site(out: Path, title: str) -> None:
    """A Hugo project without content: hugo.toml and plain layouts (no theme)."""
    (out / "content" / "posts").mkdir(parents=True)
    (out / "layouts").mkdir()
    (out / "hugo.toml").write_text(HUGO_CONFIG.format(title=json.dumps(title)), encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (out / "layouts" / name).write_text(text, encoding="utf-8")


def write_hugo_post(out: Path, sid: str, headline: str, published: date,
                    paragraphs: list[str], tags: list[str]) -> None:
    front = ["+++", f"title = {json.dumps(headline)}", f"date = {published.isoformat()}",
             f"slug = {json.dumps(sid)}",
             "tags = [" + ", ".join(json.dumps(t) for t in tags) + "]", "+++", ""]
    (out / "content" / "posts" / f"{sid}.md").write_text(
        "\n".join(front) + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


# ----------------------------------------------------------------- Pelican

PELICAN_CONFIG = """# Written by bench/generate.py: a minimal Pelican site like the Hugo one.
AUTHOR = "bench"
SITENAME = {title}
SITEURL = ""
PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True
DEFAULT_PAGINATION = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
MARKDOWN = {{"extension_configs": {{}}, "output_format": "html5"}}

# no feeds
FEED_DOMAIN = None
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# article pages, tag pages, the tag index and the home page; nothing else
ARTICLE_URL = ARTICLE_SAVE_AS = "posts/{{slug}}.html"
TAG_URL = TAG_SAVE_AS = "tags/{{slug}}.html"
TAGS_URL = TAGS_SAVE_AS = "tags/index.html"
DIRECT_TEMPLATES = ["index", "tags"]
INDEX_SAVE_AS = "index.html"
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
PAGE_SAVE_AS = DRAFT_SAVE_AS = DRAFT_PAGE_SAVE_AS = ""
STATIC_PATHS = []
THEME_STATIC_PATHS = []
"""

PELICAN_TEMPLATES = {
    "base.html": """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title>
</head>
<body>
<header><a href="{{ SITEURL }}/index.html">{{ SITENAME }}</a> ·
<a href="{{ SITEURL }}/{{ TAGS_URL }}">Tags</a></header>
<main>
{% block content %}{% endblock %}
</main>
</body>
</html>
""",
    "index.html": """{% extends "base.html" %}
{% block content %}
<h1>{{ SITENAME }}</h1>
<ul>
{% for article in articles %}<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a>
<time>{{ article.locale_date }}</time></li>
{% endfor %}</ul>
{% endblock %}
""",
    "article.html": """{% extends "base.html" %}
{% block title %}{{ article.title|striptags }} · {{ SITENAME }}{% endblock %}
{% block content %}
<article>
<h1>{{ article.title }}</h1>
<p><time>{{ article.locale_date }}</time></p>
{{ article.content }}
<p>Tags: {% for tag in article.tags %}{% if not loop.first %}, {% endif %}
<a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a>{% endfor %}</p>
</article>
{% endblock %}
""",
    "tag.html": """{% extends "base.html" %}
{% block title %}{{ tag }} · {{ SITENAME }}{% endblock %}
{% block content %}
<h1>{{ tag }}</h1>
<ul>
{% for article in articles %}<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a>
<time>{{ article.locale_date }}</time></li>
{% endfor %}</ul>
{% endblock %}
""",
    "tags.html": """{% extends "base.html" %}
{% block title %}Tags · {{ SITENAME }}{% endblock %}
{% block content %}
<h1>Tags</h1>
<ul>
{% for tag, articles in tags|sort %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a>
({{ articles|count }})</li>
{% endfor %}</ul>
{% endblock %}
""",
}


def pelican_site(out: Path, title: str) -> None:
    """A Pelican project without content: pelicanconf.py and a minimal theme."""
    (out / "content").mkdir(parents=True)
    (out / "theme" / "templates").mkdir(parents=True)
    (out / "pelicanconf.py").write_text(PELICAN_CONFIG.format(title=json.dumps(title)),
                                        encoding="utf-8")
    for name, text in PELICAN_TEMPLATES.items():
        (out / "theme" / "templates" / name).write_text(text, encoding="utf-8")


def write_pelican_post(out: Path, sid: str, headline: str, published: date,
                       paragraphs: list[str], tags: list[str]) -> None:
    meta = [f"Title: {headline}", f"Date: {published.isoformat()}", f"Slug: {sid}",
            f"Tags: {', '.join(tags)}", ""]
    (out / "content" / f"{sid}.md").write_text(
        "\n".join(meta) + "\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hugo", type=Path, help="also write the articles as a Hugo site here")
    parser.add_argument("--pelican", type=Path,
                        help="also write the articles as a Pelican site here")
    args = parser.parse_args()
    generate(args.n, args.out, args.seed, args.hugo, args.pelican)
    print(f"wrote {args.n} sources to {args.out}"
          + (f", a Hugo site to {args.hugo}" if args.hugo else "")
          + (f", a Pelican site to {args.pelican}" if args.pelican else ""))


if __name__ == "__main__":
    main()
