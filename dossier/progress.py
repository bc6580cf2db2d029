"""A progress bar for long builds: on a terminal only, quiet in CI and in pipes."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts steps of one stage and redraws a bar at most ten times a second."""

    MIN_STEPS = 200
    """Stages shorter than this show no bar (a small dossier builds in a blink)."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label, self.total, self.done = label, total, 0
        self.on = total >= self.MIN_STEPS and self.stream.isatty()
        self._drawn = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.on and (time.monotonic() - self._drawn > 0.1 or self.done >= self.total):
            width = 30
            filled = width * self.done // max(1, self.total)
            self.stream.write(f"\r{self.label:<22} [{'#' * filled}{'.' * (width - filled)}] "
                              f"{self.done}/{self.total}")
            self.stream.flush()
            self._drawn = time.monotonic()

    def close(self) -> None:
        if self.on:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()
