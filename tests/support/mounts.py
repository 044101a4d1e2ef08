"""Filesystems a test makes for itself: a small tmpfs (to fill up) and a read-only view of a
directory. Both need root (the tests run as root in CI); without it, the caller is told
which fallback to use or skips, so that the documented figures say what was really tried."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["read_only", "tmpfs"]


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
        pytest.skip("cannot mount a tmpfs here (needs root); the ENOSPC test needs one")
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
    pytest.skip("neither a read-only bind mount nor chattr +i works here")
