"""What extension modules add to a wheel: their files, and the Python and ABI tags.

A wheel with extension modules says which CPython it serves, truthfully:

* only abi3 modules: ``cp3X-abi3-<platform>``, X the highest abi3 minimum among them (one
  wheel for that CPython and every later one);
* any version-specific module: ``cp3X-cp3X-<platform>`` for the CPython whose headers built
  it. abi3 modules may sit beside it if their minimum is not above it; version-specific
  modules for two CPythons cannot share a wheel;
* free-threaded modules: ``cp3X-cp3Xt-<platform>``. Only free-threaded modules for one CPython
  share such a wheel: a free-threaded CPython would load an abi3 or a GIL module beside them
  and turn the GIL back on.

Without extension modules the wheel stays ``py3-none-<platform>`` (ctypes libraries only).
Each module ``pkg.x`` is the directory ``pkg/x/``: its loader (:mod:`crossgo.extmod.loader`)
and its binary.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crossgo.errors import UsageError
from crossgo.extmod.loader import LOADER_FILE, module_directory, render_loader
from crossgo.extmod.module import PythonBuild

if TYPE_CHECKING:  # crossgo.wheel imports this module: no import of it at load time
    from crossgo.wheel.archive import Entry

__all__ = ["module_entries", "python_tags"]


def python_tags(builds: Sequence[PythonBuild]) -> tuple[str, str]:
    """(interpreter, abi) tags for a wheel holding these modules."""
    if not builds:
        return "py3", "none"
    threaded = [build for build in builds if build.free_threaded]
    if threaded:
        return _free_threaded_tags(builds, threaded)
    versioned = {build.headers.version for build in builds if build.minimum is None}
    if len(versioned) > 1:
        found = ", ".join(f"{major}.{minor}" for major, minor in sorted(versioned))
        msg = f"version-specific modules for CPython {found} cannot share one wheel."
        raise UsageError(msg)
    minima = [build.minimum for build in builds if build.minimum is not None]
    if versioned:
        (version,) = versioned
        above = [build.module.name for build in builds if build.minimum and build.minimum > version]
        if above:
            msg = (
                f"{', '.join(above)} need CPython above {version[0]}.{version[1]} (abi3), but "
                f"the wheel's version-specific modules are for {version[0]}.{version[1]}."
            )
            raise UsageError(msg)
        tag = f"cp{version[0]}{version[1]}"
        return tag, tag
    major, minor = max(minima)
    return f"cp{major}{minor}", "abi3"


def _free_threaded_tags(
    builds: Sequence[PythonBuild], threaded: Sequence[PythonBuild]
) -> tuple[str, str]:
    others = [build.module.name for build in builds if not build.free_threaded]
    if others:
        msg = (
            f"{', '.join(others)} (GIL or abi3) cannot share a wheel with the free-threaded "
            f"{', '.join(build.module.name for build in threaded)}: build every extension "
            "module free-threaded, or make two wheels."
        )
        raise UsageError(msg)
    tags = {(build.python_tag, build.abi_tag) for build in threaded}
    if len(tags) > 1:
        found = ", ".join(f"{py}-{abi}" for py, abi in sorted(tags))
        msg = f"free-threaded modules for {found} cannot share one wheel."
        raise UsageError(msg)
    (tag,) = tags
    return tag


def module_entries(build: PythonBuild, binary: Path) -> list[Entry]:
    """``pkg/x/__init__.py`` (the loader) and ``pkg/x/<binary>``."""
    from crossgo.wheel.archive import Entry  # noqa: PLC0415 - see the TYPE_CHECKING import

    directory = module_directory(build.module.name)
    return [
        Entry((directory / LOADER_FILE).as_posix(), render_loader(build.module.name).encode()),
        Entry((directory / binary.name).as_posix(), binary.read_bytes(), executable=True),
    ]
