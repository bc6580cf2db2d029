"""What a build may touch: it writes only an output folder of its own, replaces the site whole
or not at all, cleans up after killed builds, runs one at a time, and reads (so publishes)
only regular files inside the project."""

from __future__ import annotations

import errno
import hashlib
import os
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import build
import dossier.write
from dossier.layout import DEFAULT_TEMPLATES
from tests.conftest import MINI_SOURCES, REPO, edit

LEFTOVERS = (".site.new-", ".site.old-")
"""Name prefixes of the staging and replaced sites a build keeps beside site/."""

OUTPUTS = ("site", ".dossier-cache")
"""What a build writes in the project; all else it must leave as it was."""


def tree(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under `folder` (those at the relative paths in `skip` aside): a hash of
    each file's bytes, the target of each link (never followed), 'folder' or 'special'."""
    entries = {}
    for top, dirs, files in os.walk(folder):
        here = Path(top).relative_to(folder)
        dirs[:] = [d for d in dirs if (here / d).as_posix() not in skip]
        for name in sorted(dirs + files):
            path, key = Path(top, name), (here / name).as_posix()
            if key in skip:
                continue
            if path.is_symlink():
                entries[key] = "-> " + os.readlink(path)
            elif path.is_dir():
                entries[key] = "folder"
            elif path.is_file():
                entries[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                entries[key] = "special"
    return entries


def leftovers(folder: Path) -> list[str]:
    """Staging or replaced sites of earlier builds in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(LEFTOVERS))


def searches(root: Path) -> list[str]:
    """Pagefind's working folders in the project's cache."""
    return sorted(p.name for p in (root / ".dossier-cache").glob("search-*"))


def errors(err: str) -> list[str]:
    """The error lines of a build's standard error."""
    return [line for line in err.splitlines() if ": error: " in line]


def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """build.py's main, in this process: (exit code, standard error)."""
    capsys.readouterr()
    code = build.main(list(args))
    return code, capsys.readouterr().err


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """build.py in a process of its own (a hang fails the test after 120 s)."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args],
                          capture_output=True, text=True, timeout=120)


def published(root: Path, text: str) -> list[str]:
    """The files of site/ and the cache that hold `text`."""
    return sorted(p.relative_to(root).as_posix()
                  for folder in (root / "site", root / ".dossier-cache") if folder.is_dir()
                  for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes())


# ------------------------------------------------------------ 1. the output folder

PROJECT = ("the output folder {out} is the project folder or holds it; a build replaces its "
           "output folder: use --out site (the default)")
INSIDE = ("the output folder {out} is inside {name}/, which the build must never write: use "
          "--out site (the default)")
A_FILE = "the output folder {out} is a file; give --out a folder"
FOREIGN = ("the output folder {out} already holds files that dossier did not write (it has no "
           ".dossier-site file); a build replaces its output folder, so give --out a new or "
           "empty folder, or empty this one yourself")
A_LINK = ("the output folder {out} is a symbolic link (to {target}); a build replaces its "
          "output folder, so it never follows a link: remove the link or give --out a real "
          "folder")


@pytest.mark.parametrize(("out", "message"), [
    pytest.param(".", PROJECT, id="dot"),
    pytest.param("{mini}", PROJECT, id="project"),
    pytest.param("..", PROJECT, id="ancestor"),
    pytest.param("seeds", INSIDE.replace("{name}", "seeds"), id="seeds"),
    pytest.param("content", INSIDE.replace("{name}", "content"), id="content"),
    pytest.param("content/sources", INSIDE.replace("{name}", "content"), id="content-sources"),
    pytest.param("templates", INSIDE.replace("{name}", "templates"), id="templates"),
    pytest.param("{mini}/templates/static", INSIDE.replace("{name}", "templates"), id="static"),
    pytest.param(".git", INSIDE.replace("{name}", ".git"), id="git"),
    pytest.param(".dossier-cache", INSIDE.replace("{name}", ".dossier-cache"), id="cache"),
    pytest.param("../report.pdf", A_FILE, id="file"),
    pytest.param("../work", FOREIGN, id="foreign-folder"),
    pytest.param("../link", A_LINK.replace("{target}", "elsewhere"), id="link"),
    pytest.param(None, A_LINK.replace("{target}", "../elsewhere"), id="site-is-a-link"),
])
def test_an_output_folder_the_build_does_not_own_is_refused(mini, tmp_path, monkeypatch,
                                                            capsys, out, message):
    """--out (relative to the working folder, here the project) that would replace the
    project, its inputs, its cache, a file, someone's folder or a link's target: exit 2, one
    line, nothing anywhere changed."""
    (mini / ".git").mkdir()
    (mini / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (mini / ".dossier-cache").mkdir()
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 the user's report")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "thesis.tex").write_text("the user's thesis")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "photo.jpg").write_bytes(b"the user's photo")
    (tmp_path / "link").symlink_to("elsewhere")
    if out is None:
        (mini / "site").symlink_to("../elsewhere")
    monkeypatch.chdir(mini)
    before = tree(tmp_path)
    args = ["--root", str(mini)] + (["--out", out.format(mini=mini)] if out else [])
    code, err = main(capsys, *args)
    shown = os.path.abspath(mini / (out or "site").format(mini=mini))
    assert (code, err) == (2, f"build.py: error: {message.format(out=shown)}\n")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("out", ["site", "../new/site", "../empty"])
def test_a_new_or_empty_folder_or_the_last_builds_is_accepted(mini, tmp_path, capsys, out):
    """The default site/, a folder yet to be made, an empty one: built into, then (holding the
    build's marker) built into again."""
    (tmp_path / "empty").mkdir()
    target = Path(os.path.normpath(mini / out))
    for _ in range(2):
        assert main(capsys, "--root", str(mini), "--out", str(target))[0] == 0
        assert (target / ".dossier-site").is_file() and (target / "index.html").is_file()
        assert leftovers(target.parent) == []


# ------------------------------------------------------------ 2. the site swapped whole

def failing(method: str, after: int, code: int):  # type: ignore[no-untyped-def]
    """Path.<method> that raises OSError(code) for anything in a staging folder once it has
    succeeded `after` times there."""
    real, calls = getattr(Path, method), []

    def fake(self: Path, *args: object) -> object:
        if any(part.startswith(".site.new-") for part in self.parts):
            calls.append(self)
            if len(calls) > after:
                raise OSError(code, os.strerror(code))
        return real(self, *args)
    return fake


@pytest.mark.parametrize(("method", "after", "code", "reason"), [
    pytest.param("write_bytes", 3, errno.ENOSPC, "No space left on device", id="disk-full"),
    pytest.param("rename", 0, errno.EIO, "Input/output error", id="swap-fails"),
])
def test_a_build_that_fails_writing_leaves_the_last_site_whole(mini, monkeypatch, capsys,
                                                               method, after, code, reason):
    """A rebuild changing many pages that fails before its site is in place: exit 1, one
    message, the old site byte for byte, no staging folder; the next build publishes all."""
    assert main(capsys, "--root", str(mini))[0] == 0
    before = tree(mini / "site")
    edit(mini / "content/sources/alpha.yaml", "headline: Iran sends advisers to Syria",
         "headline: Iran sends more advisers")
    project = tree(mini, skip=OUTPUTS)
    with monkeypatch.context() as patch:
        patch.setattr(dossier.write.Path, method, failing(method, after, code))
        status, err = main(capsys, "--root", str(mini))
    assert status == 1 and "Traceback" not in err
    assert errors(err) == [f"site: error: {reason}: the build stopped and left site as it was; "
                           "free disk space or make the folder writable, then build again"]
    assert tree(mini / "site") == before and tree(mini, skip=OUTPUTS) == project
    assert leftovers(mini) == []
    assert main(capsys, "--root", str(mini))[0] == 0
    assert "Iran sends more advisers" in (mini / "site/sources/alpha.html").read_text()


# ------------------------------------------------------------ 3. killed builds

DRIVER = """\
import os, runpy, signal, sys
sys.path.insert(0, {repo!r})
import dossier.search, dossier.write

start_indexing = dossier.search.Indexing.__init__

def indexing(self, *args):
    start_indexing(self, *args)
    self.process.wait()  # Pagefind done before the signal: its folder alone is left
    if {at!r} == "indexed":
        os.kill(os.getpid(), signal.{signal})

put = dossier.write.SiteWriter.put
staged = []

def staging(self, path, data):
    put(self, path, data)
    staged.append(path)
    if {at!r} == "staged" and len(staged) == 3:
        os.kill(os.getpid(), signal.{signal})

dossier.search.Indexing.__init__ = indexing
dossier.write.SiteWriter.put = staging
sys.argv = ["build.py", *sys.argv[1:]]
runpy.run_path({build!r}, run_name="__main__")
"""


def signalled(tmp_path: Path, signal: str, *args: str, at: str = "staged"
              ) -> subprocess.CompletedProcess[str]:
    """build.py with these arguments, sending itself `signal` after staging three pages (at
    "staged") or once Pagefind has made the search index (at "indexed", after rendering)."""
    driver = tmp_path / f"driver_{signal}.py"
    driver.write_text(DRIVER.format(repo=str(REPO), signal=signal, build=str(REPO / "build.py"),
                                    at=at))
    return subprocess.run([sys.executable, str(driver), *args], capture_output=True, text=True,
                          timeout=120)


def test_the_next_build_removes_what_a_killed_build_left(mini, tmp_path, capsys):
    """SIGKILL once Pagefind has indexed leaves a staging folder and Pagefind's folder; the next
    build succeeds and removes both."""
    killed = signalled(tmp_path, "SIGKILL", "--root", str(mini), at="indexed")
    assert killed.returncode == -9
    assert len(leftovers(mini)) == 1 and len(searches(mini)) == 1
    assert main(capsys, "--root", str(mini))[0] == 0
    assert leftovers(mini) == [] and searches(mini) == []
    assert (mini / "site/.dossier-site").is_file()


def test_sigterm_stops_a_build_cleanly(mini, tmp_path, capsys):
    """SIGTERM while rendering a rebuild: non-zero exit, no traceback, no staging or search
    folder left, the old site as it was."""
    assert main(capsys, "--root", str(mini))[0] == 0
    before = tree(mini / "site")
    edit(mini / "content/sources/alpha.yaml", "headline: Iran sends advisers to Syria",
         "headline: Iran sends more advisers")
    stopped = signalled(tmp_path, "SIGTERM", "--root", str(mini))
    assert stopped.returncode == 143 and "Traceback" not in stopped.stderr
    assert stopped.stderr.splitlines()[-1] == "Stopped; the site was left as it was."
    assert leftovers(mini) == [] and searches(mini) == []
    assert tree(mini / "site") == before


# ------------------------------------------------------------ 4. one build at a time

def wait_for_line(stream: int, wanted: str, seconds: float) -> list[str]:
    """Read lines from a pipe until one equals `wanted` (fail after `seconds`); the lines."""
    deadline, buffer, lines = time.monotonic() + seconds, b"", []
    while wanted not in lines:
        left = deadline - time.monotonic()
        assert left > 0 and select.select([stream], [], [], left)[0], f"no line {wanted!r}: {lines}"
        chunk = os.read(stream, 65536)
        assert chunk, f"the build ended without saying {wanted!r}: {lines}"
        *done, buffer = (buffer + chunk).split(b"\n")
        lines += [line.decode() for line in done]
    return lines


def test_a_second_build_waits_for_the_first(mini):
    """While another build holds the project's lock a build says it waits, and waits; it
    builds the whole site once the lock is released."""
    from dossier.output import BuildLock

    waiting = (f"Another build of this dossier is running ({mini / '.dossier-cache/build.lock'});"
               " waiting for it to finish.")
    with BuildLock(mini):
        second = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(mini)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for_line(second.stderr.fileno(), waiting, 60)
            assert second.poll() is None
        except BaseException:
            second.kill()
            second.communicate()
            raise
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0
    assert out.decode().startswith("Built 2 sources: 9 entities")
    assert (mini / "site/.dossier-site").is_file()
    assert {"index.html", "sources/alpha.html", "sources/beta.html",
            "people/hossein-hamedani.html"} <= set(tree(mini / "site"))


# ------------------------------------------------------------ 5. inputs from outside

SECRET = "SECRET-4b1e9d-never-publish"

OUTSIDE = ("{link}: error: {link} is a link to {target}, outside the project; the build never "
           "reads (or publishes) files from outside the project: copy the file into the "
           "project instead of linking to it")


def linked_away(root: Path, link: str, target: Path, capsys: pytest.CaptureFixture[str],
                marker: str) -> None:
    """After a good build, make `link` point to `target` (outside the project): the build
    fails naming both, the site is unchanged and holds no `marker`."""
    assert main(capsys, "--root", str(root))[0] == 0
    site = tree(root / "site")
    (root / link).unlink(missing_ok=True)
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(target)
    project = tree(root, skip=OUTPUTS)
    code, err = main(capsys, "--root", str(root))
    assert code == 1 and "Traceback" not in err
    assert errors(err) == [OUTSIDE.format(link=link, target=target.resolve())]
    assert tree(root / "site") == site and tree(root, skip=OUTPUTS) == project
    assert published(root, marker) == []


OUTSIDE_FILES = {
    "seeds/gamma.txt": ("gamma.txt", f"An article no one may publish: {SECRET}.\n"),
    "content/entities/more.yaml": ("more.yaml", f"- {{id: mole, name: {SECRET}, kind: person,\n"
                                   "   description: [{text: A mole., sources: [alpha]}]}\n"),
    "content/sources/beta.yaml": ("beta.yaml", textwrap.dedent(MINI_SOURCES["beta.yaml"])
                                  .replace("General buried", SECRET)),
    "templates/home.html": ("home.html", (DEFAULT_TEMPLATES / "home.html").read_text()
                            + f"<!-- {SECRET} -->\n"),
    "templates/static/notes.txt": ("notes.txt", SECRET),
    "templates/static/private": ("private/notes.txt", SECRET),  # a folder linking outside
}
"""Links to outside the project: (the file written in outside/, its text); a link points to
the file's top folder (or to the file)."""


@pytest.mark.parametrize("link", OUTSIDE_FILES)
def test_a_link_to_outside_the_project_is_refused(mini, tmp_path, capsys, link):
    """A seed, entity file, annotation file, template, static file or static folder that is a
    link to outside the project: exit 1, an error naming link and target, nothing of it
    published."""
    file, text = OUTSIDE_FILES[link]
    outside = tmp_path / "outside"
    (outside / file).parent.mkdir(parents=True, exist_ok=True)
    (outside / file).write_text(text, encoding="utf-8")
    linked_away(mini, link, outside / Path(file).parts[0], capsys, SECRET)


def test_a_seed_linking_to_etc_passwd_is_refused(mini, capsys):
    """seeds/passwd.txt -> /etc/passwd: refused, not a line of it published."""
    first = Path("/etc/passwd").read_text().splitlines()[0]
    linked_away(mini, "seeds/passwd.txt", Path("/etc/passwd"), capsys, first)


def test_a_link_within_the_project_is_read(mini, capsys):
    """seeds/gamma.txt -> ../elsewhere/gamma.txt, inside the project: built like a file."""
    (mini / "elsewhere").mkdir()
    (mini / "elsewhere/gamma.txt").write_text("Aleppo was quiet on Sunday.\n")
    (mini / "seeds/gamma.txt").symlink_to("../elsewhere/gamma.txt")
    code, err = main(capsys, "--root", str(mini))
    assert code == 0 and errors(err) == []
    assert "Aleppo was quiet on Sunday." in (mini / "site/sources/gamma.html").read_text()


@pytest.mark.parametrize(("link", "target"), [
    pytest.param("seeds/gamma.txt", "../nowhere/gamma.txt", id="dangling"),
    pytest.param("seeds/gamma.txt", "gamma.txt", id="loop"),
])
def test_a_link_to_nothing_is_an_error(mini, capsys, link, target):
    """A link that leads nowhere (or to itself): exit 1, an error naming it and its target."""
    (mini / link).symlink_to(target)
    code, err = main(capsys, "--root", str(mini))
    assert code == 1 and "Traceback" not in err
    assert errors(err) == [f"{link}: error: {link} is a link to {target}, which does not exist "
                           "(or loops); replace the link by the file itself"]


# ------------------------------------------------------------ 6. named pipes

PIPE = ("{name}: error: {name} is a named pipe (FIFO), not a regular file: the build reads "
        "only regular files; remove it")


@pytest.mark.parametrize("name", ["seeds/gamma.txt", "content/sources/alpha.yaml"])
def test_a_named_pipe_among_the_inputs_is_an_error_not_a_hang(mini, name):
    """A FIFO named like a seed or an annotation file: the build ends, exit 1, naming it."""
    (mini / name).unlink(missing_ok=True)
    os.mkfifo(mini / name)
    project = tree(mini, skip=OUTPUTS)
    done = run("--root", str(mini))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert errors(done.stderr) == [PIPE.format(name=name)]
    assert tree(mini, skip=OUTPUTS) == project


@pytest.mark.parametrize("where", ["seeds", "outside"])
def test_clean_of_a_named_pipe_is_an_error_not_a_hang(mini, tmp_path, where):
    """build.py clean FIFO, a FIFO in seeds/ or outside the project: exit 1 at once."""
    fifo = (mini / "seeds" if where == "seeds" else tmp_path) / "gamma.txt"
    os.mkfifo(fifo)
    done = run("clean", "--root", str(mini), str(fifo))
    message = (PIPE.format(name="seeds/gamma.txt") if where == "seeds" else
               f"{fifo}: error: cannot read the seed: it is a named pipe (FIFO), not a regular "
               "file")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert errors(done.stderr) == [message]


# ------------------------------------------------------------ gaps found in review

def test_a_site_left_aside_by_a_kill_during_the_swap_is_put_back(mini, capsys):
    """Killed between the swap's two renames: no site/, the last good one aside. The next
    build puts it back before anything else, so even a failing build leaves it in place."""
    assert main(capsys, "--root", str(mini))[0] == 0
    before = tree(mini / "site")
    (mini / "site").rename(mini / ".site.old-k1ll3d")
    edit(mini / "content/sources/beta.yaml", "{quote: Tehran,", "{quote: Teheran,")
    assert main(capsys, "--root", str(mini))[0] == 1
    assert tree(mini / "site") == before and leftovers(mini) == []


def test_links_below_a_linked_input_folder_are_checked(mini, tmp_path, capsys):
    """seeds/ linking to a folder inside the project is followed, and a link in it that leads
    outside is refused as any other."""
    secret = tmp_path / "secret.txt"
    secret.write_text(f"An article no one may publish: {SECRET}.\n")
    (mini / "seeds").rename(mini / "real-seeds")
    (mini / "seeds").symlink_to("real-seeds")
    (mini / "real-seeds/gamma.txt").symlink_to(secret)
    code, err = main(capsys, "--root", str(mini))
    assert code == 1
    assert errors(err) == [OUTSIDE.format(link="seeds/gamma.txt", target=secret)]
    assert not (mini / "site").exists()


def test_an_output_folder_inside_a_linked_input_folder_is_refused(mini, capsys):
    """--out into seeds/ by another name (seeds/ is a link to real-seeds/): refused."""
    (mini / "seeds").rename(mini / "real-seeds")
    (mini / "seeds").symlink_to("real-seeds")
    code, err = main(capsys, "--root", str(mini), "--out", str(mini / "real-seeds/site"))
    assert code == 2
    assert err.splitlines() == [f"build.py: error: the output folder {mini / 'real-seeds/site'} "
                                "is inside seeds/, which the build must never write: use --out "
                                "site (the default)"]
    assert sorted(p.name for p in (mini / "real-seeds").iterdir()) == ["alpha.txt", "beta.txt"]


def test_a_folder_linked_inside_static_is_published(mini, capsys):
    """templates/static/img linking to a folder inside the project: its files are published."""
    (mini / "assets").mkdir()
    (mini / "assets/logo.svg").write_text("<svg/>")
    (mini / "templates/static").mkdir(parents=True)
    (mini / "templates/static/img").symlink_to("../../assets")
    assert main(capsys, "--root", str(mini))[0] == 0
    assert (mini / "site/static/img/logo.svg").read_text() == "<svg/>"
    assert not (mini / "site/static/img").is_symlink()


def test_a_named_pipe_in_the_cache_is_no_hang(mini):
    """A FIFO where a cached source would be: a cache miss, not a build blocked for ever."""
    assert run("--root", str(mini)).returncode == 0
    entry = next((mini / ".dossier-cache/sources").glob("*.pickle"))
    entry.unlink()
    os.mkfifo(entry)
    edit(mini / "content/sources/alpha.yaml", "Checked against", "Checked again against")
    done = run("--root", str(mini))
    assert done.returncode == 0, done.stderr


def test_a_site_written_before_there_was_a_marker_is_still_ours(mini, capsys):
    """A site/ that an earlier version wrote (no marker, but the cache has its page list) is
    rebuilt, not refused; a marker is then written."""
    assert main(capsys, "--root", str(mini))[0] == 0
    (mini / "site/.dossier-site").unlink()
    assert main(capsys, "--root", str(mini))[0] == 0
    assert (mini / "site/.dossier-site").is_file()


def test_a_link_put_into_the_site_is_not_kept(mini, tmp_path, capsys):
    """A page of site/ replaced by a link to a file outside, bytes and all: the rebuild writes
    the page afresh instead of carrying the link into the new site."""
    assert main(capsys, "--root", str(mini))[0] == 0
    page = mini / "site/sources/beta.html"
    outside = tmp_path / "outside.html"
    outside.write_bytes(page.read_bytes())
    os.utime(outside, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns))
    page.unlink()
    page.symlink_to(outside)
    assert main(capsys, "--root", str(mini))[0] == 0
    assert not page.is_symlink() and page.read_bytes() == outside.read_bytes()
    assert not [p for p in (mini / "site").rglob("*") if p.is_symlink()]
