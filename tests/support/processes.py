"""Waiting for a child process to reach a point, by what it shows, never by a fixed delay.

A test that interrupts a build or a Go call must know the child got there first: otherwise
an early signal passes without testing anything. The child says so on its output, or the
kernel does (/proc: the thread sleeps in a system call).
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

__all__ = ["read_until", "wait_until_blocked"]


def read_until(process: subprocess.Popen[str], needle: str, *, timeout: float) -> str:
    """The child's stderr up to and including the first line holding ``needle``. The test
    fails if the child ends first, or (killed then) if ``timeout`` seconds pass."""
    assert process.stderr is not None
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    seen: list[str] = []
    try:
        for line in process.stderr:
            seen.append(line)
            if needle in line:
                return "".join(seen)
    finally:
        watchdog.cancel()
    pytest.fail(f"the child ended without writing {needle!r}:\n{''.join(seen)}")


def _state(pid: int) -> str:
    """The main thread's scheduler state: R running, S sleeping in the kernel, ..."""
    stat = Path(f"/proc/{pid}/task/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]  # the name in (...) may hold spaces


def wait_until_blocked(pid: int, *, timeout: float) -> None:
    """Return once the process's main thread sleeps in a system call (state S). Call it
    after the child said it is about to make the blocking call it is tested in."""
    deadline = time.monotonic() + timeout
    while _state(pid) != "S":
        if time.monotonic() > deadline:
            pytest.fail(f"process {pid} never blocked within {timeout} s")
        time.sleep(0.001)  # a poll interval, not a guess at how long the child needs
