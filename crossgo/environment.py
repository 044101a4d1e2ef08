"""The build environment, computed as a plain mapping by pure functions.

``crossgo env`` prints exactly what ``crossgo build`` runs ``go build`` with: both call
:func:`compute`. Nothing here runs a program or reads ``os.environ``; the caller's
environment comes in as an argument, and what crossgo drops or overrides from it is
reported as :class:`EnvNote` values.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from packaging.version import Version

from crossgo.cache import CacheDir
from crossgo.errors import UsageError
from crossgo.golang import GoInstall, GoPackage, parse_version
from crossgo.targets import Target
from crossgo.toolchain import Toolchain

if TYPE_CHECKING:
    from crossgo.extmod.module import PythonBuild

__all__ = ["BuildEnv", "BuildSpec", "EnvNote", "compute", "rpath_flags"]

# Settings meant for the machine a conda environment was activated for; a cross build
# must never inherit them (conda's patched Go would even read them as cgo flags).
_HOST_ONLY = (
    "CFLAGS",
    "CPPFLAGS",
    "CXXFLAGS",
    "LDFLAGS",
    "FFLAGS",
    "DEBUG_CFLAGS",
    "DEBUG_CPPFLAGS",
    "DEBUG_CXXFLAGS",
)
# Per-architecture Go settings; each only applies to its own GOARCH.
ARCH_LEVELS: Final = {
    "GOAMD64": "amd64",
    "GOARM64": "arm64",
    "GOPPC64": "ppc64le",
    "GOARM": "arm",
    "GO386": "386",
    "GOMIPS": "mips",
    "GOMIPS64": "mips64",
    "GORISCV64": "riscv64",
}
# The caches a build writes to (a sandboxed Bazel action may only write where it is told).
CACHE_VARIABLES: Final = ("GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN", "ZIG_GLOBAL_CACHE_DIR")
_REPRODUCIBLE_GOFLAGS = ("-trimpath", "-buildvcs=false", "-ldflags=-buildid=")
# A stripped build compiles and links without -g: zig's linker lets a later -g undo the -s
# Go passes it, so -g must not reach the link at all.
_DEBUG_CGO_FLAGS = ("-O2", "-g")
_STRIPPED_CGO_FLAGS = ("-O2",)
# Last on a stripped build's link line, after the caller's flags, so nothing can undo it.
_STRIP_LDFLAGS = ("-s",)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildSpec:
    """What to build: the package, for which target, into where, with which extras.

    Without a package (``crossgo env`` outside one) there is no library name either, and
    what only the package decides (its SONAME or install name) is left out.
    """

    package: GoPackage | None
    target: Target
    output_dir: Path
    library_name: str | None
    prefix: Path | None = None
    strip: bool = False
    extra_cflags: tuple[str, ...] = ()
    extra_ldflags: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    overlay: Path | None = None  # `go build -overlay` file: bindings' helpers (crossgo.bindings)
    python: PythonBuild | None = None  # a CPython extension module (crossgo.extmod)

    @property
    def library_filename(self) -> str:
        if self.python is not None:
            return self.python.filename
        return self.target.library_filename(self._name())

    @property
    def header_filename(self) -> str:
        if self.python is not None:
            return self.python.header_filename
        return self.target.header_filename(self._name())

    def _name(self) -> str:
        if self.library_name is None:
            msg = "no Go package was given, so there is no library to name"
            raise UsageError(msg)
        return self.library_name


@dataclass(frozen=True, slots=True)
class EnvNote:
    """One thing crossgo changed in the caller's environment, and why."""

    variable: str
    action: Literal["dropped", "overridden", "kept"]
    reason: str

    def __str__(self) -> str:
        return f"{self.variable}: {self.action} ({self.reason})"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildEnv:
    """The variables a build sets, the caller's variables it removes, and the notes."""

    variables: Mapping[str, str]
    unset: tuple[str, ...]
    notes: tuple[EnvNote, ...]
    go_args: tuple[str, ...]  # `go build` arguments after the program name

    def apply(self, base: Mapping[str, str]) -> dict[str, str]:
        merged = {key: value for key, value in base.items() if key not in self.unset}
        merged.update(self.variables)
        return merged


def macos_deployment_target(target: Target, go: GoInstall, env: Mapping[str, str]) -> str:
    """Go's floor for this release, raised (never lowered) by MACOSX_DEPLOYMENT_TARGET."""
    floor = target.macos_floor(go.version)
    asked = env.get("MACOSX_DEPLOYMENT_TARGET")
    if asked and parse_version(asked) > Version(floor):
        return asked
    return floor


def rpath_flags(spec: BuildSpec) -> tuple[str, ...]:
    """An rpath from the library to the prefix's lib dir, only when the library lies inside
    the prefix; a path into a build, cache or temp directory is never recorded."""
    if spec.prefix is None or spec.target.goos == "windows":
        return ()
    prefix, output = spec.prefix.resolve(), spec.output_dir.resolve()
    if not output.is_relative_to(prefix):
        return ()
    relative = os.path.relpath(prefix / "lib", output)
    origin = "$ORIGIN" if spec.target.goos == "linux" else "@loader_path"
    return (f"-Wl,-rpath,{origin}" if relative == "." else f"-Wl,-rpath,{origin}/{relative}",)


def _naming_flags(spec: BuildSpec) -> tuple[str, ...]:
    """SONAME on Linux; on macOS an @rpath install name and room to edit it later."""
    if spec.library_name is None:
        return ()
    if spec.target.goos == "linux":
        return (f"-Wl,-soname,{spec.library_filename}",)
    if spec.target.goos == "darwin":
        return (
            f"-Wl,-install_name,@rpath/{spec.library_filename}",
            "-Wl,-headerpad_max_install_names",
        )
    return ()


def _prefix_flags(spec: BuildSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(CPPFLAGS, LDFLAGS) for a host prefix; conda's Windows layout keeps them in Library/."""
    if spec.prefix is None:
        return (), ()
    root = spec.prefix / "Library" if spec.target.goos == "windows" else spec.prefix
    return (f"-I{root / 'include'}",), (f"-L{root / 'lib'}",)


def go_quote(command: str) -> str:
    """A word as Go reads it: Go splits CC, CXX and the CGO_*FLAGS into words, honouring
    '...' and "..." with no escapes inside, so a path with spaces or one kind of quote must
    be quoted with the other kind to stay one word."""
    if not any(char.isspace() or char in "'\"" for char in command):
        return command
    return f'"{command}"' if "'" in command else f"'{command}'"


def _join(*parts: Iterable[str]) -> str:
    """Flags as one CGO_*FLAGS value, quoted the way Go splits it (not the way a shell does:
    a shell's '"'"' is three words to Go)."""
    return " ".join(go_quote(flag) for part in parts for flag in part)


def _clean_goflags(raw: str, package: GoPackage | None) -> tuple[list[str], list[EnvNote]]:
    kept: list[str] = []
    notes: list[EnvNote] = []
    for flag in raw.split():
        if flag.startswith("-buildmode"):
            notes.append(
                EnvNote("GOFLAGS", "overridden", f"{flag}: c-shared is what crossgo builds")
            )
        elif flag.startswith("-ldflags"):
            notes.append(EnvNote("GOFLAGS", "overridden", f"{flag}: use --ldflags"))
        elif flag == "-mod=vendor" and package is not None and not package.has_vendor:
            notes.append(EnvNote("GOFLAGS", "dropped", "-mod=vendor without vendor/modules.txt"))
        elif flag not in _REPRODUCIBLE_GOFLAGS:
            kept.append(flag)
    return kept, notes


def _caller_notes(target: Target, caller: Mapping[str, str]) -> tuple[list[str], list[EnvNote]]:
    """The caller's variables to remove, and notes for the surprising overrides."""
    unset = [name for name in _HOST_ONLY if name in caller]
    notes = [EnvNote(name, "dropped", "host compiler flags never reach cgo") for name in unset]
    for name, arch in ARCH_LEVELS.items():
        if name in caller and arch != target.goarch:
            unset.append(name)
            notes.append(EnvNote(name, "dropped", f"applies to GOARCH={arch}, not {target.goarch}"))
    expected = {"GOOS": target.goos, "GOARCH": target.goarch, "CGO_ENABLED": "1"}
    for name, value in expected.items():
        if caller.get(name, value) != value:
            notes.append(EnvNote(name, "overridden", f"was {caller[name]!r}, target needs {value}"))
    if "CXX" in caller:
        unset.append("CXX")
    return unset, notes


def compute(
    spec: BuildSpec, toolchain: Toolchain, go: GoInstall, cache: CacheDir, caller: Mapping[str, str]
) -> BuildEnv:
    """Everything ``go build -buildmode=c-shared`` needs for ``spec``, as variables."""
    target = spec.target
    unset, notes = _caller_notes(target, caller)
    goflags, goflag_notes = _clean_goflags(caller.get("GOFLAGS", ""), spec.package)
    prefix_cpp, prefix_ld = _prefix_flags(spec)
    macos: tuple[str, ...] = ()
    variables: dict[str, str] = {}
    if target.goos == "darwin":
        deployment = macos_deployment_target(target, go, caller)
        variables["MACOSX_DEPLOYMENT_TARGET"] = deployment
        if toolchain.kind != "zig":  # zig takes it from the -target triple
            macos = (f"-mmacosx-version-min={deployment}",)
    file_map = _file_prefix_maps(spec, toolchain, cache, caller)
    defaults = _STRIPPED_CGO_FLAGS if spec.strip else _DEBUG_CGO_FLAGS
    python_cflags = spec.python.cflags if spec.python else ()
    python_ldflags = spec.python.ldflags if spec.python else ()
    variables |= {
        "CGO_ENABLED": "1",
        "GOOS": target.goos,
        "GOARCH": target.goarch,
        "GOROOT": str(go.goroot),
        "PATH": os.pathsep.join([str(go.goroot / "bin"), caller.get("PATH", "")]),
        "GOTOOLCHAIN": "local",
        "GOFLAGS": " ".join([*_REPRODUCIBLE_GOFLAGS, *goflags]),
        "GOPATH": str(cache.gopath),
        "GOMODCACHE": str(cache.gomodcache),
        "GOCACHE": str(cache.gocache),
        "GOBIN": str(cache.gobin),
        "CC": go_quote(toolchain.cc),
        "CGO_CFLAGS": _join(
            defaults,
            macos,
            toolchain.cflags,
            file_map,
            python_cflags,
            spec.extra_cflags,
            shlex.split(caller.get("CGO_CFLAGS", "")),
        ),
        "CGO_CPPFLAGS": _join(
            toolchain.cppflags, prefix_cpp, shlex.split(caller.get("CGO_CPPFLAGS", ""))
        ),
        "CGO_CXXFLAGS": _join(
            defaults, macos, file_map, shlex.split(caller.get("CGO_CXXFLAGS", ""))
        ),
        "CGO_LDFLAGS": _join(
            defaults,
            macos,
            toolchain.ldflags,
            prefix_ld,
            rpath_flags(spec),
            _naming_flags(spec),
            python_ldflags,
            spec.extra_ldflags,
            shlex.split(caller.get("CGO_LDFLAGS", "")),
            _STRIP_LDFLAGS if spec.strip else (),
        ),
        **toolchain.env,
    }
    if toolchain.cxx:
        variables["CXX"] = go_quote(toolchain.cxx)
    return BuildEnv(
        variables=variables,
        unset=tuple(name for name in unset if name not in variables),
        notes=tuple(notes + goflag_notes + _kept_notes(caller)),
        go_args=go_build_args(spec),
    )


def _file_prefix_maps(
    spec: BuildSpec, toolchain: Toolchain, cache: CacheDir, caller: Mapping[str, str]
) -> tuple[str, ...]:
    """Map every machine-specific directory C code may record (debug information, __FILE__)
    to a fixed name, so that the bytes do not depend on where things live: the toolchain's
    own directories (zig's libc headers), crossgo's cache, the host prefix, and a conda
    build's build prefix and work directory. Go's -trimpath does the same for Go's files, and
    an extension module maps its CPython headers itself."""
    roots: dict[str, str] = {
        "/crossgo-cache": str(cache.root),
        "/crossgo-prefix": str(spec.prefix) if spec.prefix else "",
    }
    if caller.get("CONDA_BUILD") == "1":
        roots |= {
            "/crossgo-build-prefix": caller.get("BUILD_PREFIX", ""),
            "/crossgo-src": caller.get("SRC_DIR", ""),
        }
    # Last, so they win where they lie inside another (zig's home is in the cache):
    # gcc and clang both apply the last matching map.
    roots |= toolchain.source_roots
    return tuple(f"-ffile-prefix-map={path}={name}" for name, path in roots.items() if path)


def _kept_notes(caller: Mapping[str, str]) -> list[EnvNote]:
    return [
        EnvNote(name, "kept", "appended after crossgo's flags")
        for name in ("CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS")
        if caller.get(name)
    ]


def go_build_args(spec: BuildSpec) -> tuple[str, ...]:
    """``go build`` arguments, but for ``-o OUTPUT PKG``: the builder writes to a temporary
    path first so that nothing half-written ever sits at the output path."""
    args = ["build", "-buildmode=c-shared"]
    if spec.strip:
        # A command-line -ldflags replaces GOFLAGS' one, so repeat -buildid= here.
        args.append("-ldflags=-buildid= -s -w")
    if spec.tags:
        args.append(f"-tags={','.join(spec.tags)}")
    if spec.overlay is not None:
        args.append(f"-overlay={spec.overlay}")
    return tuple(args)
