"""A CPython extension module written in Go: what is asked for, and what a target makes of it.

:class:`ExtensionModule` is the request: the module's import name, and either the oldest
CPython an abi3 build serves (``Py_LIMITED_API``) or ``None`` for a version-specific build.
:func:`prepare` resolves it for one target into a :class:`PythonBuild`: the headers (see
:mod:`crossgo.extmod.headers`), the link model, the file name and the wheel tags.

===========  ======================  =====================================  ===============
target       abi3 file               version-specific file                  Python symbols
===========  ======================  =====================================  ===============
Linux        ``x.abi3.so``           ``x.cpython-311-<multiarch>.so``       left undefined
macOS        ``x.abi3.so``           ``x.cpython-311-darwin.so``            dynamic lookup
Windows      ``x.pyd``               refused (free-threaded: below)         python3.dll
===========  ======================  =====================================  ===============

A free-threaded module (``free_threaded``, PEP 703) is version-specific, for the ``cp3XYt``
ABI of the CPython whose headers build it (3.13 or newer): ``x.cpython-313t-<multiarch>.so``,
tag ``cp313-cp313t``; on Windows ``x.cp313t-win_amd64.pyd``, importing ``python313t.dll``
through an import library crossgo makes from the headers' declarations
(:mod:`crossgo.extmod.pythondll`). abi3 has no free-threaded variant before ``abi3t``
(PEP 803, CPython 3.15), so the two are not combined.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crossgo.cache import CacheDir
from crossgo.errors import UsageError
from crossgo.extmod import ABI3T, DEFAULT_ABI3, FREE_THREADED_SINCE
from crossgo.extmod.headers import (
    PythonHeaders,
    abi3_headers,
    free_threaded_headers,
    interpreter_include,
    versioned,
)
from crossgo.targets import Target, host_target

__all__ = [
    "DEFAULT_ABI3",
    "ExtensionModule",
    "PythonBuild",
    "module_filename",
    "parse_abi3",
    "prepare",
]

_ABI3 = re.compile(r"^(?:cp)?3\.?(\d+)$")
_HEADERS_MAP = "/crossgo-python-include"  # what the header directory's path becomes in the build


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionModule:
    """A CPython extension module to build from a Go main package.

    ``name`` is the dotted import name (``gohash._speedups``): Python imports the module by
    calling ``PyInit_<last part>``, which the package must export. ``abi3`` is the oldest
    CPython 3 the module serves (``"3.9"``; ``cp39`` also works), or None for a module built
    for one CPython version only, with that version's headers. ``python_include`` is the
    CPython include directory to compile against (default: the running CPython's).
    ``free_threaded`` builds for the free-threaded CPython of those headers' version (abi3
    must be None); ``gil_used`` is the reason the module does not declare
    ``Py_MOD_GIL_NOT_USED``, which the build otherwise requires of a free-threaded module.
    """

    name: str
    abi3: str | None = DEFAULT_ABI3
    python_include: Path | None = None
    free_threaded: bool = False
    gil_used: str | None = None

    def __post_init__(self) -> None:
        if not all(part.isidentifier() for part in self.name.split(".")):
            msg = f"{self.name!r} is not a Python module name (dotted identifiers, e.g. pkg._go)."
            raise UsageError(msg)
        if self.abi3 is not None:
            parse_abi3(self.abi3)
        if self.free_threaded and self.abi3 is not None:
            msg = (
                f"{self.name} asks for abi3 {self.abi3} and a free-threaded build: the stable "
                "ABI (abi3) has no free-threaded variant (CPython refuses Py_LIMITED_API with "
                f"Py_GIL_DISABLED) before {ABI3T}, which crossgo does not make yet. Build the "
                "free-threaded module version-specific (abi3 = false, --abi3 no), and keep "
                "abi3 for the wheels of the default (GIL) CPython."
            )
            raise UsageError(msg)
        if self.gil_used is not None and not self.gil_used.strip():
            msg = f"{self.name}: gil-used must say why the module needs the GIL, not be empty."
            raise UsageError(msg)

    @property
    def short_name(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def init_function(self) -> str:
        return f"PyInit_{self.short_name}"


def parse_abi3(text: str) -> tuple[int, int]:
    """``"3.9"`` or ``"cp39"`` -> (3, 9); the stable ABI starts at 3.2."""
    match = _ABI3.match(text.strip().lower())
    if match is None or int(match[1]) < 2:
        msg = f"abi3 {text!r} is not a CPython version with a stable ABI: use 3.X, e.g. 3.9."
        raise UsageError(msg)
    return 3, int(match[1])


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonBuild:
    """An extension module resolved for one target: what the build and its checks need."""

    module: ExtensionModule
    target: Target
    headers: PythonHeaders
    filename: str
    minimum: tuple[int, int] | None  # the abi3 minimum; None for version-specific
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...]

    @property
    def header_filename(self) -> str:
        """The cgo header ``go build -o <file>`` writes: the file's last suffix as ``.h``."""
        return f"{self.filename.rsplit('.', 1)[0]}.h"

    @property
    def free_threaded(self) -> bool:
        return self.module.free_threaded

    @property
    def python_tag(self) -> str:
        major, minor = self.minimum or self.headers.version
        return f"cp{major}{minor}"

    @property
    def abi_tag(self) -> str:
        """``abi3``, ``cp313`` or, free-threaded, ``cp313t`` (``abi3t`` is not made yet)."""
        if self.minimum:
            return "abi3"
        return f"{self.python_tag}t" if self.free_threaded else self.python_tag

    def as_json(self) -> dict[str, object]:
        return {
            "module": self.module.name,
            "file": self.filename,
            "abi3": ".".join(map(str, self.minimum)) if self.minimum else None,
            "python_headers": ".".join(map(str, self.headers.version)),
            "pyconfig": self.headers.pyconfig,
            "tag": f"{self.python_tag}-{self.abi_tag}",
            "free_threaded": self.free_threaded,
        }


def module_filename(
    name: str, target: Target, version: tuple[int, int] | None, *, free_threaded: bool = False
) -> str:
    """The file CPython imports ``name`` from: ``version`` None means abi3. The names are
    CPython's own ``EXTENSION_SUFFIXES`` (``t`` marks the free-threaded ABI)."""
    short = name.rpartition(".")[2]
    if version is None:
        return f"{short}.pyd" if target.goos == "windows" else f"{short}.abi3.so"
    abi = f"{version[0]}{version[1]}{'t' if free_threaded else ''}"
    if target.goos == "windows":
        return f"{short}.cp{abi}-{target.wheel_platform()}.pyd"
    platform = "darwin" if target.goos == "darwin" else target.debian_cross_prefix
    return f"{short}.cpython-{abi}-{platform}.so"


def _link_flags(
    target: Target, cache: CacheDir, env: Mapping[str, str], headers: PythonHeaders | None
) -> tuple[str, ...]:
    """How the module finds CPython's symbols: left undefined for the interpreter on Linux,
    looked up dynamically on macOS, imported from python3.dll (abi3) or, free-threaded, from
    python3XYt.dll (``headers`` given) on Windows."""
    if target.goos == "darwin":
        return ("-Wl,-undefined,dynamic_lookup",)
    if target.goos != "windows":
        return ()
    if headers is None:
        from crossgo.extmod.python3dll import python3_import_library  # noqa: PLC0415

        return (f"-L{python3_import_library(target, cache, env)}", "-lpython3")
    from crossgo.extmod.pythondll import versioned_import_library  # noqa: PLC0415

    directory, library = versioned_import_library(headers, target, cache, env)
    return (f"-L{directory}", f"-l{library}")


def _default_include(module: ExtensionModule, target: Target, *, abi3: bool) -> Path:
    if module.python_include is not None:
        return module.python_include
    if sys.implementation.name != "cpython":
        msg = (
            f"crossgo runs on {sys.implementation.name}, whose headers are not CPython's: "
            "set python-include to a CPython include directory."
        )
        raise UsageError(msg)
    if not abi3 and not module.free_threaded and target.name != host_target().name:
        msg = (
            f"the version-specific module {module.name} (abi3 off) for {target.name} needs "
            f"that platform's CPython headers, and this CPython's are for {host_target().name}: "
            "set python-include (--python-include, CROSSGO_PYTHON_INCLUDE) to the target "
            "CPython's include directory (for Debian: unpack libpython3.X-dev:<arch> and give "
            "its usr/include/python3.X), or build abi3, which needs no target headers."
        )
        raise UsageError(msg)
    return interpreter_include()


def prepare(
    module: ExtensionModule, target: Target, cache: CacheDir, env: Mapping[str, str]
) -> PythonBuild:
    """Resolve ``module`` for ``target``: headers in the cache, flags, the file name."""
    minimum: tuple[int, int] | None = None
    if module.free_threaded:
        include = _default_include(module, target, abi3=False)
        own = module.python_include is not None or target.name == host_target().name
        headers = free_threaded_headers(include, target, cache, FREE_THREADED_SINCE, own=own)
        # Also on the command line: Windows CPythons' own pyconfig.h does not define it
        # (python/cpython#111650).
        defines: tuple[str, ...] = ("-DPy_GIL_DISABLED=1",)
    elif module.abi3 is not None:
        minimum = parse_abi3(module.abi3)
        include = _default_include(module, target, abi3=True)
        headers = abi3_headers(include, minimum, cache)
        defines = (f"-DPy_LIMITED_API=0x{minimum[0]:02X}{minimum[1]:02X}0000",)
    else:
        if target.goos == "windows":
            msg = (
                f"the version-specific module {module.name} cannot be built for {target.name}: "
                "it would link against pythonXY.dll, whose exports crossgo cannot know without "
                "that DLL. Build it abi3 (it then imports python3.dll only)."
            )
            raise UsageError(msg)
        headers = versioned(_default_include(module, target, abi3=False), target, cache)
        defines = ()
    include = headers.include
    version = None if minimum else headers.version
    return PythonBuild(
        module=module,
        target=target,
        headers=headers,
        filename=module_filename(module.name, target, version, free_threaded=module.free_threaded),
        minimum=minimum,
        cflags=(f"-I{include}", *defines, f"-ffile-prefix-map={include}={_HEADERS_MAP}"),
        ldflags=_link_flags(target, cache, env, headers if module.free_threaded else None),
    )
