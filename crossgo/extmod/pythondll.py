"""The import library for a version-specific Windows CPython DLL (``python313t.dll``).

A free-threaded module has no stable ABI to keep to: on Windows it imports the full API from
the DLL of its own CPython, ``python3XYt.dll``. That DLL exports exactly what CPython's
headers declare ``PyAPI_FUNC`` and ``PyAPI_DATA`` (both are ``__declspec(dllexport)`` while
CPython itself is built), so crossgo reads those declarations from the headers the module is
compiled against, public and internal, and writes the import library from them with a
dlltool (:mod:`crossgo.implib`), as for ``python3.dll``. A declaration CPython leaves out on
Windows (``#ifdef HAVE_FORK``) is listed too: the library may promise a little more than the
DLL has, never less, and the module uses only what its code calls. Not proven against a real
``python313t.dll`` (none is reachable here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from crossgo.cache import CacheDir
from crossgo.extmod.headers import PythonHeaders
from crossgo.extmod.python3dll import cached_import_library
from crossgo.targets import Target

__all__ = ["declared_exports", "dll_name", "versioned_import_library"]

_DECLARED = re.compile(r"\bPyAPI_(FUNC|DATA)\s*\((?:[^()]|\([^()]*\))*\)([^;{]*?)(?:\(|;|\[)")
_NAME = re.compile(r"(\w+)\s*$")
_DEFINE = re.compile(r"^\s*#\s*define\b.*$", re.MULTILINE)


def dll_name(version: tuple[int, int], *, free_threaded: bool) -> str:
    """``python313t.dll``: the DLL a version-specific module of that CPython imports."""
    return f"python{version[0]}{version[1]}{'t' if free_threaded else ''}.dll"


def declared_exports(text: str) -> tuple[set[str], set[str]]:
    """(functions, data) declared ``PyAPI_FUNC`` / ``PyAPI_DATA`` in header text (pure)."""
    functions: set[str] = set()
    data: set[str] = set()
    for match in _DECLARED.finditer(_DEFINE.sub("", text)):
        name = _NAME.search(match[2])
        # CPython's namespace only: pthread_stubs.h declares POSIX's functions for WASI.
        if name is not None and name[1].startswith(("Py", "_Py", "PY_")):
            (functions if match[1] == "FUNC" else data).add(name[1])
    return functions, data - functions


def versioned_import_library(
    headers: PythonHeaders, target: Target, cache: CacheDir, env: Mapping[str, str]
) -> tuple[Path, str]:
    """(directory, library name for ``-l``) of the import library for the headers' DLL."""
    dll = dll_name(headers.version, free_threaded=True)
    functions: set[str] = set()
    data: set[str] = set()
    for header in sorted(headers.include.rglob("*.h")):
        found = declared_exports(header.read_text(encoding="utf-8", errors="replace"))
        functions |= found[0]
        data |= found[1]
    exports = sorted(functions), sorted(data - functions)
    directory = cached_import_library(dll, *exports, target=target, cache=cache, env=env)
    return directory, dll.removesuffix(".dll")
