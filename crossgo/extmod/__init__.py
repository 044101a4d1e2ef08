"""CPython extension modules written in Go (see :mod:`crossgo.extmod.module`).

This file stays light: :mod:`crossgo.settings` reads the default below without importing
the builder.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DEFAULT_ABI3"]

#: The abi3 minimum when none is named: the oldest CPython the module then serves.
DEFAULT_ABI3: Final = "3.9"
