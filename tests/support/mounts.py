"""Filesystems a test makes for itself: a small tmpfs (to fill up) and a read-only view of a
directory. Both need CAP_SYS_ADMIN (mount), which root has; the read-only view falls back to
``chattr +i`` (CAP_LINUX_IMMUTABLE). Tests that use them carry the ``cap_sys_admin`` marker,
so ``-m "not cap_sys_admin"`` leaves them out where nobody is root. Without the capability
they skip, saying so; CI runs as root, where such a skip fails the run
(tests/support/skip_policy.py)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["fill", "read_only", "tmpfs"]


def _run(*argv: str) -> bool:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    return done.returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False, timeout=60)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. "8m") mounted at ``path``; skips if mounting is refused."""
    path.mkdir(parents=True, exist_ok=True)
    if not shutil.which("mount") or not _run("mount", "-t", "tmpfs", "-o", f"size={size}",
                                             "tmpfs", str(path)):  # fmt: skip
        pytest.skip(
            "cannot mount a tmpfs: needs CAP_SYS_ADMIN (run as root, or -m 'not cap_sys_admin')"
        )
    try:
        yield path
    finally:
        _umount(path)


@contextmanager
def read_only(path: Path) -> Iterator[str]:
    """Make the directory ``path`` unwritable even for root; yields how it was done: a
    read-only bind mount, else ``chattr +i``."""
    path.mkdir(parents=True, exist_ok=True)
    if _run("mount", "--bind", str(path), str(path)):
        if _run("mount", "-o", "remount,bind,ro", str(path)):
            try:
                yield "read-only bind mount"
            finally:
                _umount(path)
            return
        _umount(path)
    if shutil.which("chattr") and _run("chattr", "+i", str(path)):
        try:
            yield "chattr +i"
        finally:
            _run("chattr", "-i", str(path))
        return
    pytest.skip(
        "neither a read-only bind mount (CAP_SYS_ADMIN) nor chattr +i (CAP_LINUX_IMMUTABLE) "
        "works here: run as root, or -m 'not cap_sys_admin'"
    )


def fill(disk: Path) -> None:
    """Fill the filesystem of ``disk`` (a small tmpfs) to its last byte."""
    with (disk / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
        while filler.write(bytes(65536)):
            pass
    assert shutil.disk_usage(disk).free == 0, shutil.disk_usage(disk)
