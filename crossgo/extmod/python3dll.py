"""The import library for ``python3.dll``, made without a Windows SDK or a Windows CPython.

On Windows an abi3 module links against ``python3.dll``, the DLL that exports exactly the
stable ABI (CPython generates it, ``PC/python3dll.c``, from ``Misc/stable_abi.toml``). Its
headers declare every function and object ``__declspec(dllimport)``, so the module refers to
``__imp_PyLong_FromLong`` and the like. crossgo writes the ``.def`` file that lists the same
symbols (data marked ``DATA``: only ``__imp_<name>`` exists for those) and turns it into an
import library with a dlltool (:mod:`crossgo.implib`). The library lives in crossgo's cache,
named by its content and the CPU.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from crossgo.cache import CacheDir
from crossgo.errors import OutputError
from crossgo.extmod.stable_abi import stable_abi
from crossgo.implib import def_file, write_import_library
from crossgo.targets import Target

__all__ = [
    "PYTHON3_DLL",
    "cached_import_library",
    "python3_definitions",
    "python3_import_library",
]

PYTHON3_DLL = "python3.dll"


def python3_definitions() -> tuple[list[str], list[str]]:
    """(functions, data) that python3.dll exports: the stable ABI as Windows has it."""
    symbols = [symbol for symbol in stable_abi().values() if symbol.on("windows")]
    functions = sorted(symbol.name for symbol in symbols if symbol.kind == "function")
    return functions, sorted(symbol.name for symbol in symbols if symbol.kind == "data")


def python3_import_library(target: Target, cache: CacheDir, env: Mapping[str, str]) -> Path:
    """The directory holding ``python3.lib`` for ``target``'s CPU (made once, then reused)."""
    functions, data = python3_definitions()
    return cached_import_library(PYTHON3_DLL, functions, data, target=target, cache=cache, env=env)


def cached_import_library(
    dll: str,
    functions: list[str],
    data: list[str],
    *,
    target: Target,
    cache: CacheDir,
    env: Mapping[str, str],
) -> Path:
    """The directory holding ``<dll stem>.lib`` for these exports and ``target``'s CPU, in
    crossgo's cache, named by its content: made once (in a staging directory), then reused."""
    text = def_file(dll, functions, data)
    digest = hashlib.sha256(f"{target.goarch}\0{text}".encode()).hexdigest()[:24]
    directory = cache.root / "python-dll" / f"{target.goarch}-{digest}"
    library = directory / f"{dll.removesuffix('.dll')}.lib"
    if library.is_file():
        return directory
    try:
        cache.ensure(directory)
        staging = Path(tempfile.mkdtemp(prefix=".pythondll-", dir=directory))
        try:
            write_import_library(dll, functions, staging / library.name, target, env, data=data)
            (staging / library.name).replace(library)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        msg = f"cannot write {library.name} into crossgo's cache {cache.root}: {error}"
        raise OutputError(msg) from error
    return directory
