"""A setting as the caller spells it, for messages that tell a person what to change.

The same choice (use zig, raise the glibc baseline, stop stripping) is a flag on the command
line, a config setting or ``CROSSGO_*`` variable under pip, an environment variable under
setuptools, and an argument of ``crossgo_add_library()`` in CMake. A hint that names a flag
the caller does not have is no help, so every message that names a setting asks this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

__all__ = ["Frontend", "option"]

#: Who runs the build: ``cli`` (``crossgo build``), ``config`` (wheels: ``pip wheel``, ``python
#: -m build``, ``crossgo wheel``, all of which take ``-C key=value``), ``setuptools`` (the
#: ``build_golang`` drop-in), ``cmake`` (``crossgo_add_library``).
Frontend = Literal["cli", "config", "setuptools", "cmake"]

_SPELLINGS: Final[Mapping[str, Mapping[Frontend, str]]] = {
    "toolchain": {
        "cli": "--toolchain {value}",
        "config": "-C toolchain={value} (or CROSSGO_TOOLCHAIN={value}, or toolchain = "
        '"{value}" in [tool.crossgo])',
        "setuptools": "CROSSGO_TOOLCHAIN={value}",
        "cmake": "TOOLCHAIN {value} in crossgo_add_library()",
    },
    "glibc": {
        "cli": "--glibc {value}",
        "config": '-C glibc={value} (or glibc = "{value}" in [tool.crossgo])',
        "setuptools": "CROSSGO_GLIBC={value}",
        "cmake": "GLIBC {value} in crossgo_add_library()",
    },
    "no-strip": {
        "cli": "build without --strip",
        "config": "-C strip=false (or strip = false in [tool.crossgo])",
        "setuptools": "build_golang={{'root': ..., 'strip': False}}",
        "cmake": "drop STRIP from crossgo_add_library()",
    },
    "gil-used": {
        "cli": '--gil-used "{value}"',
        "config": 'gil-used = "{value}" in the module\'s [[tool.crossgo.extension-modules]] table',
        "setuptools": "build_golang={{'root': ..., 'gil_used': '{value}'}}",
        "cmake": 'gil-used = "{value}"',  # crossgo_add_library() builds no extension modules
    },
    "cc": {
        "cli": "--cc COMPILER (or CROSSGO_CC)",
        "config": "CROSSGO_CC=COMPILER",
        "setuptools": "CROSSGO_CC=COMPILER",
        "cmake": "TOOLCHAIN cmake in crossgo_add_library()",
    },
}


def option(frontend: Frontend, name: str, value: str = "") -> str:
    """``name`` (a key of the table above) set to ``value``, in ``frontend``'s spelling."""
    return _SPELLINGS[name][frontend].format(value=value)
