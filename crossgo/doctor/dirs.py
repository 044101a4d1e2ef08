"""Can a directory take a build's output: writable, with enough free space and inodes?

Thresholds (documented in docs/doctor.md):

* WARN below :data:`WARN_BYTES` (1 GiB) free or :data:`WARN_INODES` (20,000) free inodes:
  one cold build of Go's standard library for a target takes about 100 MB and thousands of
  files in GOCACHE;
* FAIL (crossgo's own cache only, as a build would fail) when it is not writable, or below
  :data:`FAIL_BYTES` (100 MiB) or :data:`FAIL_INODES` (2,000).

A directory that does not exist yet is judged by its nearest existing parent, where Go
would create it. Filesystems that do not count inodes (f_files == 0) skip that test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from crossgo.clean import human_size
from crossgo.doctor.report import Finding, failed, passed, warned

__all__ = [
    "FAIL_BYTES",
    "FAIL_INODES",
    "WARN_BYTES",
    "WARN_INODES",
    "DirState",
    "judge",
    "probe",
]

WARN_BYTES: Final = 1 << 30
WARN_INODES: Final = 20_000
FAIL_BYTES: Final = 100 << 20
FAIL_INODES: Final = 2_000


@dataclass(frozen=True, slots=True, kw_only=True)
class DirState:
    path: Path
    existing: Path  # the path itself, or its nearest existing parent
    writable: bool
    free_bytes: int | None  # None: unknown (statvfs unavailable)
    free_inodes: int | None  # None: unknown, or the filesystem does not count inodes


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def probe(path: Path) -> DirState:
    existing = _nearest_existing(path)
    writable = existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)
    free_bytes = free_inodes = None
    if hasattr(os, "statvfs"):
        try:
            info = os.statvfs(existing)
        except OSError:
            pass
        else:
            free_bytes = info.f_bavail * info.f_frsize
            free_inodes = info.f_favail if info.f_files else None
    return DirState(
        path=path,
        existing=existing,
        writable=writable,
        free_bytes=free_bytes,
        free_inodes=free_inodes,
    )


def _shortage(state: DirState, min_bytes: int, min_inodes: int) -> str | None:
    if state.free_bytes is not None and state.free_bytes < min_bytes:
        return f"only {human_size(state.free_bytes)} free (want {human_size(min_bytes)})"
    if state.free_inodes is not None and state.free_inodes < min_inodes:
        return f"only {state.free_inodes:,} free inodes (want {min_inodes:,})"
    return None


def _space(state: DirState) -> str:
    parts = []
    if state.free_bytes is not None:
        parts.append(f"{human_size(state.free_bytes)} free")
    if state.free_inodes is not None:
        parts.append(f"{state.free_inodes:,} inodes free")
    return ", ".join(parts) or "free space unknown"


def judge(
    check_id: str, label: str, state: DirState, *, crossgo_needs_it: bool, move: str
) -> Finding:
    """PASS / WARN / FAIL for one directory. A directory crossgo builds do not use (the
    user's own GOCACHE, say) can only WARN. ``move`` says how to put it elsewhere."""
    fail = failed if crossgo_needs_it else warned
    where = f"{label} {state.path}"
    if not state.writable:
        return fail(
            check_id,
            f"{where} is not writable ({state.existing} refuses writes)",
            f"make {state.existing} writable, or {move}",
        )
    if crossgo_needs_it and (short := _shortage(state, FAIL_BYTES, FAIL_INODES)):
        fix = f"free space there (`crossgo clean`), or {move}"
        return failed(check_id, f"{where}: {short}", fix)
    if short := _shortage(state, WARN_BYTES, WARN_INODES):
        return warned(check_id, f"{where}: {short}", f"free space there, or {move}")
    return passed(check_id, f"{where} is writable; {_space(state)}")
