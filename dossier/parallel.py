"""Use every core for work that splits by item: each worker process runs the same function on a
share of the items, and the results come back in the items' order.

Small jobs run in this process (starting workers costs more than it saves). Workers are forked
when this process has no other thread (cheap: they inherit everything); otherwise, as in the
live preview, they start from a clean interpreter ('forkserver'), since forking a process with
threads can deadlock.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 200
"""Fewer items than this are done in this process."""

_job: tuple[Callable[..., Any], tuple[Any, ...]] | None = None


def workers() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start(fn: Callable[..., Any], shared: tuple[Any, ...]) -> None:
    global _job
    _job = (fn, shared)


def _run(chunk: Sequence[Any]) -> list[Any]:
    assert _job is not None
    fn, shared = _job
    return [fn(item, *shared) for item in chunk]


def map_items(fn: Callable[..., R], items: Sequence[T], shared: tuple[Any, ...] = (),
              done: Callable[[int], None] | None = None, fork: bool = False) -> Iterator[R]:
    """fn(item, *shared) for each item, in order, spread over the cores. `fn` must be a module-
    level function; `shared` is handed to each worker once; done(n) is called as n finish.
    fork: `shared` cannot be pickled, so workers must be forked (or the work done here)."""
    n = workers()
    alone = threading.active_count() == 1
    if n < 2 or len(items) < MIN_ITEMS or (fork and not alone):
        for item in items:
            yield fn(item, *shared)
            if done:
                done(1)
        return
    method = "fork" if alone else "forkserver"
    size = max(1, min(64, len(items) // (n * 8)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # Forked workers share this process's memory until they write to it; the collector
    # writes to every object it visits, so what exists now is frozen out of its reach.
    frozen = gc.get_freeze_count()
    gc.freeze()
    try:
        with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context(method),
                                 initializer=_start, initargs=(fn, shared)) as pool:
            for results in pool.map(_run, chunks):
                yield from results
                if done:
                    done(len(results))
    finally:
        if not frozen:  # what the build froze itself stays frozen (see build._build)
            gc.unfreeze()
