"""Running build tools from tests: a failure shows the tool's own output."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest


def run_or_fail(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> None:
    result = subprocess.run(
        list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
