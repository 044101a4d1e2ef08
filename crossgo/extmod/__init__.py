"""CPython extension modules written in Go (see :mod:`crossgo.extmod.module`).

This file stays light: :mod:`crossgo.settings` reads the default below without importing
the builder.
"""

from __future__ import annotations

import sysconfig
from collections.abc import Mapping
from typing import Final

__all__ = [
    "ABI3T",
    "DEFAULT_ABI3",
    "FREE_THREADED_SINCE",
    "free_threaded_default",
    "running_free_threaded",
]

#: The abi3 minimum when none is named: the oldest CPython the module then serves.
DEFAULT_ABI3: Final = "3.9"

#: The first CPython with a free-threaded build (PEP 703): ``--disable-gil``, ``Py_GIL_DISABLED``.
FREE_THREADED_SINCE: Final = (3, 13)

#: The stable ABI for free-threaded builds (PEP 803): its tag and first CPython. crossgo does
#: not make it yet; refusals of abi3 with free-threaded name it from here.
ABI3T: Final = "abi3t (PEP 803, from CPython 3.15)"


def running_free_threaded() -> bool:
    """Whether the CPython running crossgo is a free-threaded build (``Py_GIL_DISABLED``)."""
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def free_threaded_default(environ: Mapping[str, str]) -> bool:
    """Whether a build is free-threaded when nothing says: as cibuildwheel's identifier says
    (``cp314t-manylinux_x86_64``; its interpreter part ends in ``t``), else as the running
    CPython is (cibuildwheel, pip and build run the build in the target's interpreter)."""
    identifier = environ.get("CIBUILDWHEEL_BUILD_IDENTIFIER", "")
    interpreter = identifier.split("-", 1)[0].split("_", 1)[0]
    if interpreter.startswith("cp") and interpreter[2:].rstrip("t").isdigit():
        return interpreter.endswith("t")
    return running_free_threaded()
