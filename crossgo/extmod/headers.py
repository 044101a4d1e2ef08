"""The CPython headers an extension module is compiled against, for its target.

Every build gets a header directory of its own in crossgo's cache, named by its content: a
copy of a CPython include directory (the one holding ``Python.h``) with the right
``pyconfig.h`` for the target in it. ``Python.h`` includes ``"pyconfig.h"`` with quotes, so
the compiler takes the one next to it before any ``-I`` directory: replacing the file is the
only reliable way to choose it.

* **abi3** (``Py_LIMITED_API``): the headers of a CPython at least as new as the abi3
  minimum (by default the one running crossgo) and crossgo's own ``pyconfig.h``
  (``crossgo/extmod/pyconfig.h``). CPython's ``pyconfig.h`` describes the machine CPython was
  built for; the limited API reads only type sizes and the platform from it, and crossgo's
  takes those from the compiler, which knows the target.
* **version-specific** (``cp3X-cp3X``): the target's own headers, ``pyconfig.h`` included.
  The running CPython's serve its own platform; for another platform they must be given
  (``python-include``). Debian's multiarch ``pyconfig.h``, which only includes
  ``<triplet>/python3.X/pyconfig.h``, is replaced by that file for the target's triplet.
* **free-threaded** (``cp3XYt``): the headers of a CPython 3.13 or newer, GIL or free-threaded
  (they are the same files but ``pyconfig.h``), with the headers' own ``pyconfig.h`` when it
  is a free-threaded build's for the target, else crossgo's with ``Py_GIL_DISABLED`` defined:
  the full API reads no more from ``pyconfig.h`` than crossgo's gives (sizes, platform,
  threads), and the layout probe in the tests checks it against CPython's own.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
import shutil
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from crossgo.cache import CacheDir
from crossgo.errors import OutputError, UsageError
from crossgo.targets import Target

__all__ = [
    "PythonHeaders",
    "abi3_headers",
    "free_threaded_headers",
    "interpreter_include",
    "python_version",
    "versioned",
]

_VERSION = re.compile(r"^#define\s+PY_(MAJOR|MINOR)_VERSION\s+(\d+)", re.MULTILINE)
_MULTIARCH = re.compile(r"#\s*include\s*<([\w.-]+)/python(\d+\.\d+\w*)/pyconfig\.h>")
_DEFINED = re.compile(r"^#\s*define\s+(\w+)(?:[ \t]+(.*?))?\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonHeaders:
    """A header directory ready for ``-I``, and the CPython version its headers are from."""

    include: Path
    version: tuple[int, int]
    source: Path  # the include directory they were copied from
    pyconfig: str  # "crossgo" or the pyconfig.h that was used


def interpreter_include() -> Path:
    """The include directory of the CPython running crossgo."""
    return Path(sysconfig.get_paths()["include"])


def python_version(include: Path) -> tuple[int, int]:
    """The CPython version of an include directory, from its ``patchlevel.h``."""
    patchlevel = include / "patchlevel.h"
    if not (include / "Python.h").is_file() or not patchlevel.is_file():
        msg = (
            f"{include} holds no CPython headers (Python.h and patchlevel.h): give the "
            "directory that holds Python.h, e.g. /usr/include/python3.11."
        )
        raise UsageError(msg)
    found = dict(_VERSION.findall(patchlevel.read_text(encoding="utf-8", errors="replace")))
    if set(found) != {"MAJOR", "MINOR"}:
        msg = f"{patchlevel} does not say which CPython it is (PY_MAJOR_VERSION, PY_MINOR_VERSION)."
        raise UsageError(msg)
    return int(found["MAJOR"]), int(found["MINOR"])


def _crossgo_pyconfig() -> str:
    return (importlib.resources.files("crossgo.extmod") / "pyconfig.h").read_text(encoding="utf-8")


def abi3_headers(include: Path, minimum: tuple[int, int], cache: CacheDir) -> PythonHeaders:
    """``include``'s headers with crossgo's ``pyconfig.h``, for ``Py_LIMITED_API``."""
    version = python_version(include)
    if version < minimum:
        wanted, have = ".".join(map(str, minimum)), ".".join(map(str, version))
        msg = (
            f"abi3 {wanted} needs the headers of CPython {wanted} or newer, but {include} holds "
            f"{have}'s: run crossgo with a newer Python, point python-include at newer headers, "
            f"or lower the abi3 minimum to {have}."
        )
        raise UsageError(msg)
    directory = _assemble(include, _crossgo_pyconfig(), cache)
    return PythonHeaders(include=directory, version=version, source=include, pyconfig="crossgo")


def free_threaded_headers(
    include: Path, target: Target, cache: CacheDir, since: tuple[int, int], *, own: bool
) -> PythonHeaders:
    """``include``'s headers with a free-threaded ``pyconfig.h`` for ``target``: their own
    when ``own`` (they are the target's: given, or the running CPython's for its platform)
    and it is a free-threaded build's, else crossgo's."""
    version = python_version(include)
    if version < since:
        have, wanted = ".".join(map(str, version)), ".".join(map(str, since))
        msg = (
            f"a free-threaded module needs the headers of CPython {wanted} or newer (the "
            f"first with a free-threaded build, PEP 703), but {include} holds {have}'s: run "
            f"crossgo with CPython {wanted} or newer (its GIL or its free-threaded build: "
            "crossgo supplies the free-threaded pyconfig.h), or set python-include "
            "(--python-include, CROSSGO_PYTHON_INCLUDE) to such a CPython's include directory."
        )
        raise UsageError(msg)
    found = _own_free_threaded(include, target) if own else None
    if found is not None:
        directory = _assemble(include, found.read_text(encoding="utf-8"), cache)
        return PythonHeaders(
            include=directory, version=version, source=include, pyconfig=str(found)
        )
    text = f"#define Py_GIL_DISABLED 1\n{_crossgo_pyconfig()}"
    directory = _assemble(include, text, cache)
    return PythonHeaders(
        include=directory, version=version, source=include, pyconfig="crossgo-free-threaded"
    )


def _own_free_threaded(include: Path, target: Target) -> Path | None:
    """The include directory's pyconfig.h if it is a free-threaded build's for ``target``."""
    try:
        path = _resolve_pyconfig(include, target)
        text = path.read_text(encoding="utf-8", errors="replace")
        _check_pyconfig(text, path, target, free_threaded=True)
    except UsageError:
        return None
    return path


def versioned(include: Path, target: Target, cache: CacheDir) -> PythonHeaders:
    """``include``'s headers with its own ``pyconfig.h``, checked against ``target``."""
    version = python_version(include)
    pyconfig_path = _resolve_pyconfig(include, target)
    text = pyconfig_path.read_text(encoding="utf-8", errors="replace")
    _check_pyconfig(text, pyconfig_path, target, free_threaded=False)
    directory = _assemble(include, text, cache)
    return PythonHeaders(
        include=directory, version=version, source=include, pyconfig=str(pyconfig_path)
    )


def _resolve_pyconfig(include: Path, target: Target) -> Path:
    """The include directory's pyconfig.h, or, for Debian's multiarch one, the target's."""
    pyconfig = include / "pyconfig.h"
    if not pyconfig.is_file():
        msg = f"{include} has no pyconfig.h: give a complete CPython include directory."
        raise UsageError(msg)
    text = pyconfig.read_text(encoding="utf-8", errors="replace")
    choices = dict(_MULTIARCH.findall(text))
    if not choices:
        return pyconfig
    triplet = target.debian_cross_prefix if target.goos == "linux" else None
    candidate = include.parent / str(triplet) / include.name / "pyconfig.h"
    if triplet not in choices or not candidate.is_file():
        msg = (
            f"{pyconfig} is Debian's multiarch pyconfig.h, and the one for {target.name} "
            f"({triplet or 'no Debian triplet'}) is not at {candidate}: unpack the target's "
            "libpython3.X-dev package into the same root."
        )
        raise UsageError(msg)
    return candidate


def _defines(text: str) -> dict[str, str]:
    return {name: value or "" for name, value in _DEFINED.findall(text)}


def _check_pyconfig(text: str, path: Path, target: Target, *, free_threaded: bool) -> None:
    defines = _defines(text)
    if free_threaded and "Py_GIL_DISABLED" not in defines:
        msg = f"{path} is not from a free-threaded CPython (no Py_GIL_DISABLED)."
        raise UsageError(msg)
    if not free_threaded and "Py_GIL_DISABLED" in defines:
        msg = (
            f"{path} is from a free-threaded CPython (Py_GIL_DISABLED): build the module with "
            "free-threaded = true (--free-threaded), or give a default (GIL) CPython's headers."
        )
        raise UsageError(msg)
    refused = [name for name in ("Py_DEBUG", "Py_TRACE_REFS") if name in defines]
    if refused:
        msg = (
            f"{path} is from a CPython built with {', '.join(refused)}: crossgo builds modules "
            "for release CPythons only."
        )
        raise UsageError(msg)
    want_long = "4" if target.goos == "windows" else "8"
    sizes = (defines.get("SIZEOF_VOID_P"), defines.get("SIZEOF_LONG"))
    # x87 only on x86; on macOS pymacconfig.h sorts it out per slice of a universal CPython.
    x87 = "HAVE_GCC_ASM_FOR_X87" in defines
    x87_mismatch = x87 and target.machine != "x86_64" and target.goos == "linux"
    # What only one OS's configure finds: epoll on Linux, kqueue on macOS (and the BSDs).
    other_os = ("HAVE_EPOLL" if target.goos == "darwin" else "HAVE_KQUEUE") in defines
    if sizes != ("8", want_long) or x87_mismatch or other_os:
        msg = (
            f"{path} is not {target.name}'s (pointer and long sizes {sizes}, x87 {x87}, "
            f"another OS's {other_os}): give that platform's CPython headers."
        )
        raise UsageError(msg)


def _assemble(include: Path, pyconfig: str, cache: CacheDir) -> Path:
    """Copy ``include`` without its pyconfig.h, add ``pyconfig``; return the copy's path."""
    files = sorted(
        path
        for path in include.rglob("*")
        if path.is_file() and path.relative_to(include).as_posix() != "pyconfig.h"
    )
    digest = hashlib.sha256(pyconfig.encode())
    for path in files:
        digest.update(f"\0{path.relative_to(include).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    final = cache.root / "python-headers" / digest.hexdigest()[:24]
    if (final / "pyconfig.h").is_file():
        return final
    try:
        cache.ensure(final.parent)
        staging = Path(tempfile.mkdtemp(prefix=".headers-", dir=final.parent))
        for path in files:
            destination = staging / path.relative_to(include)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
        (staging / "pyconfig.h").write_text(pyconfig, encoding="utf-8")
        try:
            staging.rename(final)
        except OSError:  # another build published the same content first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        msg = f"cannot write CPython headers into crossgo's cache {cache.root}: {error}"
        raise OutputError(msg) from error
    return final
