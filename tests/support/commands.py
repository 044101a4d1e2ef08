"""Running build tools from tests: a failure shows the tool's own output."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest


def run_or_fail(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> None:
    result = subprocess.run(
        list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")


def auditwheel_show(wheel: Path) -> tuple[tuple[int, int], str, str]:
    """``auditwheel show``'s verdict: the oldest manylinux (major, minor) and the arch it
    finds the wheel consistent with, and its whole report on one line (it wraps its lines)."""
    done = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    found = re.search(
        r'consistent with the following platform tag: "manylinux_(\d+)_(\d+)_(\w+)"', text
    )
    assert found is not None, text
    return (int(found[1]), int(found[2])), found[3], text
