"""Owning the ``.crossgo-*`` staging directories builds create inside an output directory.

A build works in a temporary ``.crossgo-*`` directory next to its output and removes it when
it ends. Only a build killed outright (SIGKILL, a power cut) leaves one behind. So that those
do not pile up, each build records its owner (host and pid) in its staging directory, and the
next build into the same output directory removes the leftovers whose owner is gone:

* owned by a process of this host that no longer runs: removed once older than
  :data:`MIN_AGE` (two minutes; the margin covers a pid namespace we cannot see into);
* no owner recorded (killed before it wrote one, or made by an older crossgo), or owned by
  another host (a shared network directory): removed once older than :data:`STALE_AFTER`.

A directory whose owner still runs on this host is never touched, so concurrent builds into
one output directory are safe.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "MIN_AGE",
    "OWNER_FILE",
    "PREFIX",
    "STALE_AFTER",
    "Owner",
    "claim_staging",
    "is_stale",
    "parse_owner",
    "sweep_stale_staging",
]

PREFIX: Final = ".crossgo-"
OWNER_FILE: Final = ".crossgo-owner.json"
MIN_AGE: Final = 2 * 60.0  # seconds
STALE_AFTER: Final = 30 * 60.0  # seconds; longer than any sane build


@dataclass(frozen=True, slots=True, kw_only=True)
class Owner:
    host: str
    pid: int


def claim_staging(staging: Path) -> None:
    """Record this process as the owner; a failure only means a later sweep waits longer."""
    owner = {"host": socket.gethostname(), "pid": os.getpid()}
    with contextlib.suppress(OSError):
        (staging / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")


def parse_owner(text: str) -> Owner | None:
    try:
        data = json.loads(text)
        return Owner(host=str(data["host"]), pid=int(data["pid"]))
    except (ValueError, KeyError, TypeError):
        return None


def is_stale(owner: Owner | None, age: float, *, host: str, alive: Callable[[int], bool]) -> bool:
    """Whether a staging directory may be removed (pure: the caller probes)."""
    if age <= MIN_AGE:
        return False
    if owner is not None and owner.host == host:
        return not alive(owner.pid)
    return age > STALE_AFTER


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else (EPERM)
    return True


def _read_owner(directory: Path) -> Owner | None:
    try:
        return parse_owner((directory / OWNER_FILE).read_text(encoding="utf-8"))
    except OSError:
        return None


def sweep_stale_staging(output_dir: Path, *, keep: Path | None = None) -> list[Path]:
    """Remove the stale staging directories in ``output_dir``; return what was removed."""
    host, now, removed = socket.gethostname(), time.time(), []
    try:
        candidates = [p for p in output_dir.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return []
    for candidate in candidates:
        if candidate == keep or candidate.is_symlink() or not candidate.is_dir():
            continue
        try:
            age = now - candidate.stat().st_mtime
        except OSError:
            continue
        if is_stale(_read_owner(candidate), age, host=host, alive=_alive):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed
