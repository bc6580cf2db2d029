"""The benchmark's generator (bench/generate.py) and the Hugo and Pelican sites it writes.

Only the inputs are checked here, never timings, and neither Hugo nor Pelican is needed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from generate import add_source, generate  # noqa: E402

N = 40


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bench")
    generate(N, base / "ours", seed=3, hugo=base / "hugo", pelican=base / "pelican")
    return base


def expected(ours: Path) -> dict[str, dict]:
    """Per source id: headline, date and the names of the entities mentioned, in order."""
    names = {e["id"]: e["name"] for e in
             yaml.safe_load((ours / "content/entities/all.yaml").read_text(encoding="utf-8"))}
    out = {}
    for path in sorted((ours / "content/sources").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        tags = list(dict.fromkeys(names[m["entity"]] for m in data["mentions"]))
        out[path.stem] = {"title": data["headline"], "date": str(data["published"]["date"]),
                          "tags": tags}
    return out


def test_same_seed_same_bytes(sites: Path, tmp_path: Path) -> None:
    generate(N, tmp_path / "ours", seed=3, hugo=tmp_path / "hugo", pelican=tmp_path / "pelican")
    for name in ("ours", "hugo", "pelican"):
        assert digest(tmp_path / name) == digest(sites / name), name


def test_other_seed_other_articles(sites: Path, tmp_path: Path) -> None:
    generate(N, tmp_path / "ours", seed=4)
    assert digest(tmp_path / "ours") != digest(sites / "ours")


def test_peer_sites_do_not_change_our_format(sites: Path, tmp_path: Path) -> None:
    generate(N, tmp_path / "ours", seed=3)
    assert digest(tmp_path / "ours") == digest(sites / "ours")
    assert not (tmp_path / "hugo").exists() and not (tmp_path / "pelican").exists()


def test_counts(sites: Path) -> None:
    ours = sites / "ours"
    assert len(list((ours / "seeds").glob("*.txt"))) == N
    assert len(list((ours / "content/sources").glob("*.yaml"))) == N
    assert len(list((sites / "hugo/content/posts").glob("*.md"))) == N
    assert len(list((sites / "pelican/content").glob("*.md"))) == N
    entities = yaml.safe_load((ours / "content/entities/all.yaml").read_text(encoding="utf-8"))
    assert 0 < len(entities) <= max(20, int(20 * N ** 0.5))
    for path in (ours / "content/sources").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert 8 <= len(data["mentions"]) <= 15
        assert len(data["dates"]) == 2
        assert len((ours / "seeds" / f"{path.stem}.txt").read_text().split()) > 500


def test_hugo_posts_one_per_source_with_its_tags(sites: Path) -> None:
    want = expected(sites / "ours")
    posts = sorted((sites / "hugo/content/posts").glob("*.md"))
    assert [p.stem for p in posts] == sorted(want)
    for post in posts:
        text = post.read_text(encoding="utf-8")
        assert text.startswith("+++\n")
        front, body = text[4:].split("\n+++\n", 1)
        meta = tomllib.loads(front)
        assert meta["title"] == want[post.stem]["title"]
        assert str(meta["date"]) == want[post.stem]["date"]
        assert meta["tags"] == want[post.stem]["tags"]
        assert meta["slug"] == post.stem
        assert "World News" not in body and "Back to top" not in body  # no boilerplate
        assert len(body.split()) > 500


def test_hugo_config_and_layouts(sites: Path) -> None:
    config = tomllib.loads((sites / "hugo/hugo.toml").read_text(encoding="utf-8"))
    assert {"rss", "sitemap", "robotstxt"} <= {k.lower() for k in config["disableKinds"]}
    assert config["taxonomies"] == {"tag": "tags"}
    assert "theme" not in config
    layouts = {p.name for p in (sites / "hugo/layouts").iterdir()}
    assert {"baseof.html", "home.html", "page.html", "taxonomy.html", "term.html"} <= layouts


def test_pelican_posts_one_per_source_with_its_tags(sites: Path) -> None:
    want = expected(sites / "ours")
    posts = sorted((sites / "pelican/content").glob("*.md"))
    assert [p.stem for p in posts] == sorted(want)
    for post in posts:
        head, body = post.read_text(encoding="utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        assert meta["Title"] == want[post.stem]["title"]
        assert meta["Date"] == want[post.stem]["date"]
        assert meta["Slug"] == post.stem
        assert meta["Tags"].split(", ") == want[post.stem]["tags"]
        assert all("," not in t for t in want[post.stem]["tags"])  # the separator is safe
        assert len(body.split()) > 500


def test_pelican_config_and_theme(sites: Path) -> None:
    conf: dict = {}
    exec((sites / "pelican/pelicanconf.py").read_text(encoding="utf-8"), conf)
    assert conf["RELATIVE_URLS"] is True and conf["DELETE_OUTPUT_DIRECTORY"] is True
    assert conf["THEME"] == "theme" and conf["PATH"] == "content"
    assert all(conf[k] is None for k in conf if k.endswith(("_ATOM", "_RSS")))
    assert conf["DIRECT_TEMPLATES"] == ["index", "tags"]
    assert conf["DEFAULT_PAGINATION"] is False
    templates = {p.name for p in (sites / "pelican/theme/templates").iterdir()}
    assert {"base.html", "index.html", "article.html", "tag.html", "tags.html"} <= templates


def test_add_source_mentions_only_known_entities(sites: Path, tmp_path: Path) -> None:
    generate(N, tmp_path / "ours", seed=3)
    sid = add_source(tmp_path / "ours", N, seed=3)
    assert sid == f"s{N:06d}"
    assert (tmp_path / "ours/seeds" / f"{sid}.txt").is_file()
    data = yaml.safe_load((tmp_path / "ours/content/sources" / f"{sid}.yaml").read_text())
    known = {e["id"] for e in yaml.safe_load(
        (tmp_path / "ours/content/entities/all.yaml").read_text(encoding="utf-8"))}
    assert data["mentions"] and {m["entity"] for m in data["mentions"]} <= known
    seed_text = (tmp_path / "ours/seeds" / f"{sid}.txt").read_text(encoding="utf-8")
    assert all(m["quote"] in seed_text for m in data["mentions"])
    assert add_source(tmp_path / "ours", N, seed=3) == sid  # deterministic: same id, same text
    assert (tmp_path / "ours/seeds" / f"{sid}.txt").read_text(encoding="utf-8") == seed_text


def test_command_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench/generate.py"), "5",
                           str(tmp_path / "d"), "--hugo", str(tmp_path / "h"), "--pelican",
                           str(tmp_path / "p")], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("wrote 5 sources to")
    assert len(list((tmp_path / "d/seeds").iterdir())) == 5
    assert len(list((tmp_path / "h/content/posts").iterdir())) == 5
    assert len(list((tmp_path / "p/content").iterdir())) == 5
    plain = subprocess.run([sys.executable, str(REPO / "bench/generate.py"), "5",
                            str(tmp_path / "e")], capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == f"wrote 5 sources to {tmp_path / 'e'}"
    assert digest(tmp_path / "d") == digest(tmp_path / "e")


def test_a_year_that_is_also_a_report_number_gets_a_prefix() -> None:
    import random
    from datetime import date

    from generate import article, entity_pool

    rng = random.Random(0)
    ents = entity_pool(50, rng)[:15]
    paragraphs, _, dates_ = article(ents, date(2016, 9, 9), rng, 2017)
    year = dates_[-1]
    assert year["quote"] == "2017" and year["prefix"] == "again in "
    assert sum(p.count("again in 2017") for p in paragraphs) == 1
    _, _, plain = article(ents, date(2016, 9, 9), random.Random(0), 5)
    assert "prefix" not in plain[-1]


def test_the_boilerplate_bench_says_which_set_is_missing(monkeypatch, tmp_path, capsys):
    import boilerplate

    monkeypatch.setattr(boilerplate, "DEV", tmp_path / "no-dev")
    monkeypatch.setattr(boilerplate, "EVAL", tmp_path / "no-eval")
    assert boilerplate.main([]) == 0
    out = capsys.readouterr().out
    assert f"no development set at {tmp_path / 'no-dev'}; skipped" in out
    assert f"no evaluation corpus at {tmp_path / 'no-eval'}; skipped" in out


def test_the_boilerplate_bench_runs_the_stripper_and_both_trafilatura_modes(tmp_path):
    import boilerplate

    article = " ".join(["The council voted on Tuesday to close the old bridge to traffic, "
                        "citing cracks that engineers found in its supports last spring."] * 3)
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Bridge closed</title></head><body><nav><a href='/'>Home</a> "
        "<a href='/news'>News</a> <a href='/sport'>Sport</a></nav><article><h1>Bridge "
        f"closed</h1><p>{article}</p><p>{article}</p></article><footer>Subscribe to our "
        "newsletter</footer></body></html>", encoding="utf-8")
    outs, took = boilerplate.strip_all(str(page), "html")
    assert sorted(outs) == sorted(boilerplate.TOOLS) and took > 0
    for text in outs.values():
        assert "engineers found in its supports" in text and "Subscribe" not in text
    plain = tmp_path / "page.txt"
    other = ("Drivers will have to take the ring road until a new bridge opens, which the "
             "council expects to happen in about three years if the money can be found.")
    plain.write_text(f"News\nSport\n\n{article}\n\n{other}\n\nSubscribe to our newsletter\n",
                     encoding="utf-8")
    outs, _ = boilerplate.strip_all(str(plain), "text")
    assert list(outs) == ["dossier"] and "engineers found" in outs["dossier"]
    assert "Subscribe to our newsletter" not in outs["dossier"]
