"""Stale staging directories: who owns one, and when a later build may remove it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crossgo.staging import (
    MIN_AGE,
    OWNER_FILE,
    STALE_AFTER,
    Owner,
    claim_staging,
    is_stale,
    parse_owner,
    sweep_stale_staging,
)

HOST = "builder"


def dead() -> int:
    """The pid of a process that has exited (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


@pytest.mark.parametrize(
    ("owner", "age", "alive", "stale"),
    [
        (Owner(host=HOST, pid=1), MIN_AGE + 1, False, True),  # owner gone
        (Owner(host=HOST, pid=1), MIN_AGE + 1, True, False),  # owner still building
        (Owner(host=HOST, pid=1), MIN_AGE - 1, False, False),  # too young to judge
        (Owner(host="other", pid=1), MIN_AGE + 1, False, False),  # cannot see its processes
        (Owner(host="other", pid=1), STALE_AFTER + 1, True, True),
        (None, STALE_AFTER - 1, False, False),
        (None, STALE_AFTER + 1, False, True),
    ],
)
def test_is_stale(owner: Owner | None, age: float, alive: bool, stale: bool) -> None:
    assert is_stale(owner, age, host=HOST, alive=lambda _: alive) is stale


def test_owner_file_round_trip(tmp_path: Path) -> None:
    claim_staging(tmp_path)
    owner = parse_owner((tmp_path / OWNER_FILE).read_text())
    assert owner == Owner(host=socket.gethostname(), pid=os.getpid())
    assert parse_owner("{not json") is None and parse_owner('{"host": "h"}') is None


def staging(parent: Path, name: str, *, pid: int | None, age: float) -> Path:
    directory = parent / f".crossgo-{name}"
    directory.mkdir()
    (directory / "libx.so").write_bytes(b"partial")
    if pid is not None:
        owner = {"host": socket.gethostname(), "pid": pid}
        (directory / OWNER_FILE).write_text(json.dumps(owner))
    then = time.time() - age
    os.utime(directory, (then, then))
    return directory


def test_sweep_removes_only_leftovers(tmp_path: Path) -> None:
    old = MIN_AGE + 60
    gone = staging(tmp_path, "gone", pid=dead(), age=old)
    live = staging(tmp_path, "live", pid=os.getpid(), age=old)
    young = staging(tmp_path, "young", pid=dead(), age=1)
    unowned = staging(tmp_path, "unowned", pid=None, age=old)
    ancient = staging(tmp_path, "ancient", pid=None, age=STALE_AFTER + 60)
    mine = staging(tmp_path, "mine", pid=dead(), age=old)
    (tmp_path / "libx.so").write_bytes(b"a finished library")
    (tmp_path / ".crossgo-file").write_text("not a directory")
    removed = sweep_stale_staging(tmp_path, keep=mine)
    assert sorted(removed) == sorted([gone, ancient])
    assert all(path.exists() for path in (live, young, unowned, mine))
    assert (tmp_path / "libx.so").exists() and (tmp_path / ".crossgo-file").exists()


def test_sweep_of_a_missing_directory(tmp_path: Path) -> None:
    assert sweep_stale_staging(tmp_path / "nothing") == []
