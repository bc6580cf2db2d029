"""Evidence integrity: each seed's SHA-256 digest, checked against the one its capture records.

A capture (content/sources/<id>.yaml, `capture:`) records how the seed was preserved: its
digest, when and how it was saved, by whom, and copies in web archives. Every build and every
`check` compares the digest of the seed as it is now with the recorded one: a seed changed by
one byte is an error, so that what the site shows is what was saved. The site publishes every
seed's digest in data/SHA256SUMS, the format `sha256sum -c` reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .models import Problems, Source, SourceMeta, Where


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(meta: SourceMeta, actual: str, problems: Problems) -> None:
    """An error when the seed's digest is not the recorded one."""
    recorded = meta.capture.sha256
    if not recorded or recorded == actual:
        return
    problems.error(Where(meta.seed), f"the seed no longer matches the digest recorded in "
                   f"{meta.where.path} (capture.sha256): recorded {recorded}, now {actual}. "
                   f"Restore the saved original (git checkout -- {meta.seed}, or your own "
                   "copy); only if the change is deliberate, record a new capture: set "
                   f"capture.sha256 to {actual} and say what changed in capture.method")


def unrecorded(sources: Iterable[Source], problems: Problems) -> None:
    """A warning for each seed whose digest is not recorded (`check --strict`)."""
    for src in sources:
        if not src.meta.capture.sha256:
            problems.warn(Where(src.meta.seed), f"no digest recorded for this seed: add "
                          f"`capture: {{sha256: {src.sha256}}}` (its digest now) to "
                          f"content/sources/{src.id}.yaml, so that every build checks that "
                          "the seed stays as it was saved")


def sums(sources: Iterable[Source]) -> bytes:
    """data/SHA256SUMS: '<digest>  seeds/<file>' per seed, as sha256sum writes it."""
    return "".join(f"{s.sha256}  {s.meta.seed}\n"
                   for s in sorted(sources, key=lambda s: s.meta.seed)).encode("utf-8")
