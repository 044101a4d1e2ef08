"""Which files of a source tree go into a wheel or an sdist.

One walk for both, in sorted order, that leaves out what is never source: hidden files and
directories (``.git``, ``.venv``, ``.DS_Store``), ``__pycache__`` and compiled Python.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["walk"]

_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


def _kept(name: str) -> bool:
    return not name.startswith(".") and name not in _SKIPPED_DIRS


def walk(root: Path, *, skip_dirs: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """Every source file under ``root``, sorted, not descending into ``skip_dirs``."""
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(d for d in dirs if _kept(d) and here / d not in skip_dirs)
        for name in sorted(files):
            if _kept(name) and Path(name).suffix not in _SKIPPED_SUFFIXES:
                yield here / name
