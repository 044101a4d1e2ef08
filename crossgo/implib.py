"""Import libraries for Windows DLLs: what C and C++ code links against to call a Go DLL.

A ``.def`` file names the DLL and lists its exports; a dlltool turns it into an import
library in the short import format that MSVC's ``link.exe``, lld and GNU ld all read. The
dlltool is, first found: zig's (``zig dlltool``, from the ziglang wheel or PATH), then
``llvm-dlltool``, then binutils' for the target (``x86_64-w64-mingw32-dlltool``, which
conda-forge's m2w64 toolchain and Debian's mingw-w64 install). The library is named after
the DLL, ``libgohash.dll`` -> ``libgohash.lib``, as conda-forge's ``Library/lib`` holds them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from crossgo import _run
from crossgo.errors import ToolchainError
from crossgo.targets import Target
from crossgo.toolchain import zig

__all__ = ["def_file", "find_dlltool", "import_library_name", "write_import_library"]

# dlltool's -m names, per GOARCH (llvm-dlltool and binutils agree on these).
_MACHINES = {"amd64": "i386:x86-64", "arm64": "arm64", "386": "i386"}


def import_library_name(dll_name: str) -> str:
    return f"{Path(dll_name).stem}.lib"


def def_file(dll_name: str, exports: Sequence[str], data: Sequence[str] = ()) -> str:
    """The module-definition file for a DLL, its exported functions and its exported data
    (``DATA``: only ``__imp_<name>`` is defined for those, never a call thunk) (pure)."""
    entries = [(name, "") for name in exports] + [(name, " DATA") for name in data]
    lines = [f"LIBRARY {dll_name}", "EXPORTS", *(f"    {n}{kind}" for n, kind in sorted(entries))]
    return "\n".join(lines) + "\n"


def find_dlltool(target: Target, env: Mapping[str, str]) -> list[str] | None:
    """The dlltool command to run for ``target``, or None when none is installed."""
    path = env.get("PATH", "")
    found = zig.find_executable(path)
    if found is not None:
        return [str(found[0]), "dlltool"]
    names = ["llvm-dlltool"]
    if target.debian_cross_prefix:
        names.append(f"{target.debian_cross_prefix}-dlltool")
    if target.conda is not None:
        names.append(f"{target.conda.triplet}-dlltool")
    for name in names:
        if command := shutil.which(name, path=path):
            return [command]
    return None


def write_import_library(
    dll_name: str,
    exports: Sequence[str],
    output: Path,
    target: Target,
    env: Mapping[str, str],
    *,
    data: Sequence[str] = (),
) -> None:
    """Write the import library for ``dll_name`` to ``output``; ``data`` are exported
    variables rather than functions."""
    dlltool = find_dlltool(target, env)
    if dlltool is None:
        msg = (
            f'an import library for {dll_name} needs a dlltool: `pip install "crossgo[zig]"`, '
            "or install llvm (llvm-dlltool) or binutils-mingw-w64."
        )
        raise ToolchainError(msg)
    with tempfile.TemporaryDirectory(prefix="crossgo-implib-") as work:
        definition = Path(work) / f"{Path(dll_name).stem}.def"
        definition.write_text(def_file(dll_name, exports, data), encoding="utf-8")
        argv = [*dlltool, "-m", _MACHINES[target.goarch], "-d", str(definition)]
        argv += ["-D", dll_name, "-l", str(output)]
        try:
            _run.capture(argv, env=env, cwd=Path(work), timeout=300)
        except _run.CommandFailed as error:
            msg = f"making the import library {output.name} failed: {error}"
            raise ToolchainError(msg) from error
