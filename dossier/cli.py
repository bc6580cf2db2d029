"""The commands: `dossier init`, `add`, `build`, `check`, `clean`, `serve`.

    dossier init FOLDER          start a new dossier in an empty (or new) folder
    dossier add FILE             copy a saved page or text into seeds/, with its metadata
    dossier build                build site/ and print a summary (the default command)
    dossier clean FILE           print the article text of a seed, one block per line
    dossier clean FILE --explain ... with the headline and every removed line and its rule
    dossier check                lint the annotations; writes nothing
    dossier check --fix          ... and add a mention for every unannotated known name
    dossier serve                build, serve on http://localhost:8000, rebuild on change

Every command but init works on the dossier the current folder is in (the nearest folder,
here or above, holding content/dossier.yaml), or on --root FOLDER. In this repository,
`python build.py ...` runs the same commands. Exit codes: 0 done, 1 invalid input, 2 wrong
usage.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from pathlib import Path

from dossier.layout import DEFAULT_RULES, NotADossier, check_root, find_root
from dossier.models import Problems
from dossier.output import OutputRefused, check_output
from dossier.text import safe_text

# Each command imports the stages it runs when it runs: a build with nothing to do answers
# before the pipeline is imported (see build_command).

def clean_command(root: Path | None, file: Path, explain: bool,
                  problems: Problems) -> list[str] | None:
    """The lines `dossier clean FILE` prints: what the source page's <article> holds. Outside
    a dossier (root None) the tool's default rules clean it."""
    from dossier.annotations import publisher_key, read_source
    from dossier.clean import clean_text, dossier_rules, explain_lines, load_rules
    from dossier.inputs import check_inputs
    from dossier.seeds import read_seed, seed_kind

    if root is None:
        rules = load_rules(DEFAULT_RULES, problems, DEFAULT_RULES.parent)
    elif not check_inputs(root, problems):
        return None
    else:
        rules = dossier_rules(root, problems)
    raw = read_seed(file, str(file), problems)
    if raw is None or problems.errors:
        return None
    meta = None
    if root is not None and file.resolve().parent == (root / "seeds").resolve():
        meta = read_source(root, file.stem, file, Problems())
    kind = seed_kind(file)
    cleaned = clean_text(raw, rules, kind=kind, source_id=file.stem,
                         publisher=publisher_key(meta.url) if meta else None,
                         headline=meta.headline if meta else None)
    return explain_lines(cleaned) if explain else [b.text for b in cleaned.blocks]


def profiled(run):  # type: ignore[no-untyped-def]
    """Run the build under cProfile and print where the time went, to standard error."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(run)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative").print_stats(25)
    print(text.getvalue(), file=sys.stderr)
    return result


def check_command(root: Path, problems: Problems, strict: bool) -> int:
    """`dossier check`: every build problem plus the lint findings; writes nothing."""
    from dossier import capture
    from dossier.index import build_index
    from dossier.project import read_project

    project = read_project(root, problems, write_cache=False)
    build_index(project.sources, project.entities, problems, set(project.seeds),
                warn_unused=False, shared=lambda sources: (),  # lint needs no overlaps
                kinds=project.dossier.kinds)
    if not problems.errors:
        from dossier.check import check

        check(project, root, problems)
    if strict:
        capture.unrecorded(project.sources, problems)
    report(problems, strict, root)
    failed = bool(problems.errors) or (strict and bool(problems.warnings))
    if not problems.items:
        print("No findings.")
    return 1 if failed else 0


def fix_command(root: Path, args: argparse.Namespace) -> int:
    """`dossier check --fix`: add the missing mentions (dossier/fix.py), then lint again."""
    from dossier.fix import run_fix, stubs_needed
    from dossier.project import read_project

    problems = Problems()
    project = read_project(root, problems, write_cache=False)
    if args.stubs:
        done = run_fix(project, root, problems, args.dry_run, True, args.kind, mentions=False)
        if done or args.dry_run:
            return _fix_refused(problems, root) if done and problems.errors else done
        problems = Problems()
        project = read_project(root, problems, write_cache=False)
    if problems.errors:
        hint = " (unknown entity ids: add them with --fix --stubs)" if stubs_needed(
            project) else ""
        return _fix_refused(problems, root, hint)
    done = run_fix(project, root, problems, args.dry_run, False, None)
    return _fix_refused(problems, root) if done and problems.errors else done


def _fix_refused(problems: Problems, root: Path, hint: str = "") -> int:
    """Print the errors that stopped --fix (a broken content/lint-ignore.yaml, say)."""
    report(problems, False, root)
    print(f"Fix these errors first{hint}; --fix wrote nothing.", file=sys.stderr)
    return 1


def report(problems: Problems, strict: bool, root: Path) -> None:
    """Print every problem to stderr, each followed by the offending line of its file."""
    if problems.items:
        from dossier.report import problem_text

        print(problem_text(problems, root, strict), file=sys.stderr)


def summary(c: dict[str, int], out: Path) -> str:
    return (f"Built {c['sources']} sources: {c['entities']} entities ({c['per_kind']}), "
            f"{c['mentions']} mentions, {c['dates']} dates on {c['date_pages']} date pages; "
            f"{c['removed']} lines of boilerplate removed; {c['warnings']} warning(s)"
            + (f", {c['relocated']} anchor(s) relocated" if c["relocated"] else "") + "; "
            f"{c['files']} files written in {c['ms']} ms ({c['stages']}); "
            f"redid {c['redid']}.\n"
            f"Open {out / 'index.html'} in a browser, or run: python -m http.server -d {out} 8000")


def port_number(text: str) -> int:
    """--port: a TCP port, 1 to 65535 (anything else is a usage error, exit code 2)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{safe_text(text)}' is not a port: give a number "
                                         "from 1 to 65535")
    return int(text)


def check_base_url(value: str) -> None:
    """Raise ValueError unless --base-url is empty or an address base_url in
    content/dossier.yaml could hold (the same rule, from its schema): it goes into every page,
    the feed and the sitemap."""
    if not value:
        return
    from dossier.yamlio import load_schema

    rule = load_schema("dossier.schema.json")["properties"]["base_url"]["pattern"]
    if not re.search(rule, value):
        raise ValueError(f"--base-url '{safe_text(value)}' is not an http(s) address (such as "
                         "https://example.org/dossier/)")


def parser(prog: str) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                        help="the dossier's folder (default: the one the current folder is in)")
    common.add_argument("--out", type=Path, default=argparse.SUPPRESS,
                        help="output folder (default: ROOT/site)")
    common.add_argument("--strict", action="store_true", default=argparse.SUPPRESS,
                        help="treat warnings as errors")
    common.add_argument("--profile", action="store_true", default=argparse.SUPPRESS,
                        help="show where the build's time went (the 25 costliest calls)")
    common.add_argument("--base-url", default=argparse.SUPPRESS,
                        help="where the site is published (overrides base_url in "
                        "content/dossier.yaml)")
    top = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0],
                                  parents=[common])
    sub = top.add_subparsers(dest="command")
    init = sub.add_parser("init", help="start a new dossier in FOLDER (new or empty)")
    init.add_argument("folder", type=Path)
    init.add_argument("--title", default="", help="the dossier's title (default: from FOLDER)")
    add = sub.add_parser("add", parents=[common],
                         help="copy a saved page (.html) or text (.txt) into seeds/, and write "
                         "its content/sources/<id>.yaml from the page's own metadata")
    add.add_argument("file", type=Path)
    add.add_argument("--id", dest="sid", default="", help="the source's id (default: from the "
                     "page's address or headline)")
    add.add_argument("--url", default="", help="the address the page was saved from (default: "
                     "the page's own canonical address)")
    add.add_argument("--retrieved", default="", help="when the page was saved, YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM (default: the file's modification time, marked as such)")
    add.add_argument("--collector", default="", help="who saved the page (optional)")
    sub.add_parser("build", parents=[common], help="build the site (the default)")
    clean = sub.add_parser("clean", parents=[common], help="print the article text of a seed")
    clean.add_argument("file", type=Path)
    clean.add_argument("--explain", action="store_true",
                       help="also print the headline and every removed line with its rule")
    check = sub.add_parser("check", parents=[common],
                           help="lint the annotations (writes nothing unless --fix)")
    check.add_argument("--fix", action="store_true", help="add a mention for every "
                       "unannotated occurrence of a registered name (see --dry-run)")
    check.add_argument("--dry-run", action="store_true",
                       help="with --fix: print the changes as a diff, write nothing")
    check.add_argument("--stubs", action="store_true", help="with --fix: add a registry entry "
                       "for every entity id the mentions use that is not registered")
    check.add_argument("--kind", default=None,
                       help="with --stubs: the kind of the new entries (else asked for each)")
    serve_cmd = sub.add_parser("serve", parents=[common],
                               help="build, serve the site, rebuild and reload on every change")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=port_number, default=8000,
                           help="port (default 8000)")
    serve_cmd.add_argument("--allow-edit", action="store_true",
                           help="keep annotating in the browser on when --host is not loopback "
                           "(anyone who can reach the address can then change content/)")
    return top


def find_dossier(args: argparse.Namespace) -> Path:
    """The dossier a command works on: --root, else the one the current folder is in."""
    if hasattr(args, "root"):
        return check_root(args.root)
    return find_root(Path.cwd())


def main(argv: list[str] | None = None, prog: str = "dossier") -> int:
    cli = parser(prog)
    args = cli.parse_args(argv)
    if args.command == "init":
        from dossier.scaffold import init_command

        return init_command(args.folder, args.title, prog)
    try:
        root: Path | None = find_dossier(args)
    except NotADossier as exc:
        if args.command != "clean" or hasattr(args, "root"):
            cli.error(safe_text(str(exc)))
        root = None  # clean works on any file, with the tool's default rules
    args.strict = getattr(args, "strict", False)
    args.out = getattr(args, "out", None)
    args.base_url = getattr(args, "base_url", "")
    problems = Problems()
    if args.command == "clean":
        lines = clean_command(root, args.file, args.explain, problems)
        if lines is None:
            report(problems, False, root or Path.cwd())
            return 1
        sys.stdout.write("".join(line + "\n" for line in lines))
        return 0
    assert root is not None
    if args.command == "check" and args.fix:
        return fix_command(root, args)
    if args.command == "check":
        if args.dry_run or args.stubs or args.kind:
            cli.error("--dry-run, --stubs and --kind go with --fix")
        return check_command(root, problems, args.strict)
    if args.command == "add":
        from dossier.add import add_command

        return add_command(root, args, problems, lambda: report(problems, False, root))
    try:
        out = check_output(args.out or root / "site", root)
        check_base_url(args.base_url)
    except (OutputRefused, ValueError) as exc:
        print(f"{cli.prog}: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return serve_command(root, out, args)
    return build_command(root, out, args, problems)


def serve_command(root: Path, out: Path, args: argparse.Namespace) -> int:
    """`dossier serve`: build, serve, rebuild on every change (dossier/serve.py)."""
    from dossier.annotate import Annotator
    from dossier.build import build, release, settle
    from dossier.serve import serve

    annotator = Annotator(root)
    seen: list[set[str] | None] = [None]  # the files changed since the last build
    code = serve(root, out, lambda p: build(root, out, p, args.strict, args.base_url,
                                            keep=annotator.keep, preview=True,
                                            changed=seen[0]),
                 lambda p: report(p, args.strict, root), args.host, args.port,
                 annotator=annotator, allow_edit=args.allow_edit,
                 saw=lambda paths: seen.__setitem__(0, paths),
                 published=lambda: release(root, out))
    settle(root, out)  # the open data of the last rebuild, written after its pages
    return code


def build_command(root: Path, out: Path, args: argparse.Namespace, problems: Problems) -> int:
    """`dossier build`: the last build's summary again if nothing changed since (found before
    the pipeline is imported), else a build."""
    from dossier.unchanged import last_result

    options = (args.strict, args.base_url)
    result = last_result(root, out, options, problems)
    if result is None:
        from dossier.build import build

        def run() -> dict[str, int] | None:
            return build(root, out, problems, *options)

        result = profiled(run) if getattr(args, "profile", False) else run()
    report(problems, args.strict, root)
    if result is None:
        print(f"Build failed; {out} was left as it was.", file=sys.stderr)
        return 1
    print(summary(result, out))
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM: the build stops as on Ctrl-C, its staging folders removed on the way out."""


def _stop(signum: int, _frame: object) -> None:
    raise Terminated


def run(prog: str = "dossier") -> None:
    """The command line's entry point (the `dossier` command; `python build.py`)."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        sys.exit(main(prog=prog))
    except BrokenPipeError:  # output piped into a reader that stopped (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt as stopped:
        print("Stopped; the site was left as it was.", file=sys.stderr)
        sys.exit(143 if isinstance(stopped, Terminated) else 130)
