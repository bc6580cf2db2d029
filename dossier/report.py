"""Problems as people read them: in the terminal (every command) and in the live preview."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dossier.models import Problems
from dossier.yamlio import line_text


def problem_text(problems: Problems, root: Path, strict: bool = False) -> str:
    """Every problem, each followed by the offending line of its file, then how many errors
    and warnings there were ('' when there are none)."""
    if not problems.items:
        return ""
    lines = []
    for p in problems.items:
        if p.where.line and not p.line_text:
            p = replace(p, line_text=line_text(root / p.where.path, p.where.line))
        lines.append(p.format())
    e, w = len(problems.errors), len(problems.warnings)
    lines.append(f"{e} error(s), {w} warning(s)"
                 + (" (--strict: warnings count as errors)" if strict and w else ""))
    return "\n".join(lines)
