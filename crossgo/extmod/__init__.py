"""CPython extension modules written in Go (see :mod:`crossgo.extmod.module`).

This file stays light: :mod:`crossgo.settings` reads the default below without importing
the builder.
"""

from __future__ import annotations

import sysconfig
from typing import Final

__all__ = ["DEFAULT_ABI3", "FREE_THREADED_SINCE", "running_free_threaded"]

#: The abi3 minimum when none is named: the oldest CPython the module then serves.
DEFAULT_ABI3: Final = "3.9"

#: The first CPython with a free-threaded build (PEP 703): ``--disable-gil``, ``Py_GIL_DISABLED``.
FREE_THREADED_SINCE: Final = (3, 13)


def running_free_threaded() -> bool:
    """Whether the CPython running crossgo is a free-threaded build (``Py_GIL_DISABLED``)."""
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
