"""crossgo's CMake package, and what CMake's cross-compilation state means to crossgo.

The CMake files beside this module (``crossgoConfig.cmake``, ``CrossgoAddLibrary.cmake``) are
what ``find_package(crossgo CONFIG)`` loads. CMake finds them through
``python -m crossgo --cmake-dir`` or scikit-build-core's ``cmake.prefix`` entry point, which
names this package. At configure time ``crossgo_add_library()`` runs ``crossgo cmake-target``,
and that command calls the two functions here:

* :func:`target_for`: the one mapping from CMake's variables (``CMAKE_SYSTEM_NAME``,
  ``CMAKE_SYSTEM_PROCESSOR``, ``CMAKE_OSX_ARCHITECTURES``, ``CMAKE_C_COMPILER_TARGET``) to a
  crossgo target. Pure.
* :func:`plan_library`: plans the build the way ``crossgo build`` will run it (Go, the C
  compiler and its probe, the file names), so a wrong compiler fails at configure time with
  ``crossgo build``'s own error. With CMake's compiler on Linux, the glibc baseline defaults
  to the glibc that compiler's headers declare (:func:`parse_glibc_macros`).
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from crossgo import _run
from crossgo.build import BuildRequest, plan
from crossgo.errors import ToolchainError, UsageError
from crossgo.targets import GoOS, Target, get_target, single_targets
from crossgo.toolchain import Preference

__all__ = [
    "CMAKE_DIR",
    "CMakeLibrary",
    "CMakeState",
    "parse_glibc_macros",
    "plan_library",
    "target_for",
]

CMAKE_DIR: Final = Path(__file__).resolve().parent

# CMAKE_SYSTEM_NAME (lower-cased) -> GOOS, and back for messages.
_SYSTEM_NAMES: Final[Mapping[GoOS, str]] = {
    "linux": "Linux",
    "darwin": "Darwin",
    "windows": "Windows",
}
_SYSTEMS: Final[Mapping[str, GoOS]] = {name.lower(): goos for goos, name in _SYSTEM_NAMES.items()}
# CMAKE_SYSTEM_PROCESSOR, CMAKE_OSX_ARCHITECTURES items and compiler-triple CPUs (lower-cased)
# -> the machine names of toolchains/targets.toml.
_MACHINES: Final[Mapping[str, str]] = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "aarch64": "aarch64",
    "arm64": "aarch64",
    "ppc64le": "ppc64le",
    "powerpc64le": "ppc64le",
}
# Words of a compiler triple (x86_64-w64-mingw32, arm64-apple-macos11) -> GOOS; first match.
_TRIPLE_SYSTEMS: Final[tuple[tuple[str, GoOS], ...]] = (
    ("linux", "linux"),
    ("darwin", "darwin"),
    ("macos", "darwin"),
    ("apple", "darwin"),
    ("windows", "windows"),
    ("mingw", "windows"),
    ("w64", "windows"),
)
# Words of a triple that name a platform crossgo has no target for, whatever else it says
# (aarch64-linux-android, arm64-apple-ios14).
_OTHER_SYSTEMS: Final = ("android", "ios", "tvos", "watchos", "xros", "visionos")
_UNIVERSAL2: Final = frozenset({"x86_64", "aarch64"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CMakeState:
    """CMake's variables that say which platform a build is for ("" when unset)."""

    system_name: str = ""
    system_processor: str = ""
    osx_architectures: tuple[str, ...] = ()
    compiler_target: str = ""

    @classmethod
    def parse(
        cls,
        *,
        system_name: str,
        system_processor: str,
        osx_architectures: str,
        compiler_target: str,
    ) -> CMakeState:
        """From the strings CMake has; ``osx_architectures`` is a CMake list (``;``) or ``,``."""
        archs = tuple(a for a in re.split(r"[;,\s]+", osx_architectures) if a)
        return cls(
            system_name=system_name.strip(),
            system_processor=system_processor.strip(),
            osx_architectures=archs,
            compiler_target=compiler_target.strip(),
        )

    def describe(self) -> str:
        values = {
            "CMAKE_SYSTEM_NAME": self.system_name,
            "CMAKE_SYSTEM_PROCESSOR": self.system_processor,
            "CMAKE_OSX_ARCHITECTURES": ";".join(self.osx_architectures),
            "CMAKE_C_COMPILER_TARGET": self.compiler_target,
        }
        return ", ".join(f"{k}={v}" if v else f"{k} unset" for k, v in values.items())


def _mapping_error(state: CMakeState, why: str) -> UsageError:
    known = "; ".join(f"{t.name} ({_SYSTEM_NAMES[t.goos]} {t.machine})" for t in single_targets())
    return UsageError(
        f"CMake's target platform maps to no crossgo target: {state.describe()}. {why} "
        f"crossgo's targets: {known}; osx-universal2 (Darwin, CMAKE_OSX_ARCHITECTURES "
        "arm64;x86_64). Set CMAKE_SYSTEM_NAME and CMAKE_SYSTEM_PROCESSOR in the toolchain "
        "file, or name the target: crossgo_add_library(... TARGET <target>)."
    )


def _from_system(state: CMakeState) -> tuple[GoOS, frozenset[str]] | None:
    """(GOOS, machines) from CMAKE_SYSTEM_NAME and the processor or OSX architectures."""
    if not state.system_name:
        return None
    goos = _SYSTEMS.get(state.system_name.lower())
    if goos is None:
        why = f"crossgo builds for {', '.join(_SYSTEM_NAMES.values())}, not {state.system_name}."
        raise _mapping_error(state, why)
    cpus = state.osx_architectures if goos == "darwin" and state.osx_architectures else ()
    cpus = cpus or ((state.system_processor,) if state.system_processor else ())
    machines = frozenset(_MACHINES.get(cpu.lower(), cpu.lower()) for cpu in cpus)
    return goos, machines


def _from_compiler_target(state: CMakeState) -> tuple[GoOS, str] | None:
    """(GOOS, machine) from a compiler triple; a musl triple gets crossgo's refusal."""
    triple = state.compiler_target.lower()
    if not triple:
        return None
    if "musl" in triple:
        try:
            get_target(triple)  # raises: crossgo refuses musl, with the reason
        except UsageError as error:
            raise UsageError(f"CMAKE_C_COMPILER_TARGET={state.compiler_target}: {error}") from None
        raise _mapping_error(state, "crossgo refuses musl (see `crossgo targets`).")
    cpu, *words = triple.split("-")
    goos = next((g for word, g in _TRIPLE_SYSTEMS if any(w.startswith(word) for w in words)), None)
    if goos is None:
        raise _mapping_error(state, f"crossgo cannot read the compiler target {triple!r}.")
    if cpu not in _MACHINES or any(w.startswith(_OTHER_SYSTEMS) for w in words):
        raise _mapping_error(state, f"crossgo has no target for {triple}.")
    return goos, _MACHINES[cpu]


def _target(goos: GoOS, machines: frozenset[str], state: CMakeState) -> Target:
    if goos == "darwin" and machines == _UNIVERSAL2:
        return get_target("osx-universal2")
    for target in single_targets():
        if len(machines) == 1 and (target.goos, target.machine) == (goos, next(iter(machines))):
            return target
    if not machines:
        raise _mapping_error(state, "The processor is unset.")
    what = f"{_SYSTEM_NAMES[goos]} {' and '.join(sorted(machines))}"
    raise _mapping_error(state, f"crossgo has no target for {what}.")


def target_for(state: CMakeState) -> tuple[Target, str]:
    """The crossgo target CMake's state describes, and the variables that said so.

    ``CMAKE_OSX_ARCHITECTURES`` wins over the processor on Darwin. The compiler target fills
    in what the system variables leave unset, and must agree with them otherwise.
    """
    system, compiler = _from_system(state), _from_compiler_target(state)
    goos, machines = system if system is not None else (None, frozenset[str]())
    if compiler is not None:
        if goos not in (None, compiler[0]) or (machines and compiler[1] not in machines):
            raise _mapping_error(state, "CMAKE_C_COMPILER_TARGET disagrees with the others.")
        goos, machines = compiler[0], machines or frozenset({compiler[1]})
    if goos is None:
        raise _mapping_error(state, "CMAKE_SYSTEM_NAME is unset.")
    return _target(goos, machines, state), state.describe()


# --- configure time: the build crossgo_add_library() will run --------------------------------

_GLIBC_MACRO: Final = re.compile(r"^#define (__GLIBC__|__GLIBC_MINOR__) (\d+)\s*$", re.MULTILINE)


def parse_glibc_macros(text: str) -> tuple[int, int] | None:
    """(major, minor) from a compiler's ``-E -dM`` output of ``#include <features.h>``."""
    found = dict(_GLIBC_MACRO.findall(text))
    if "__GLIBC__" not in found or "__GLIBC_MINOR__" not in found:
        return None
    return int(found["__GLIBC__"]), int(found["__GLIBC_MINOR__"])


def compiler_glibc(cc: str, env: Mapping[str, str]) -> tuple[int, int] | None:
    """The glibc ``cc``'s headers declare (what it links against); None if not glibc."""
    with tempfile.TemporaryDirectory(prefix="crossgo-glibc-") as tmp:
        source = Path(tmp, "glibc.c")
        source.write_text("#include <features.h>\n", encoding="utf-8")
        try:
            text = _run.capture([cc, "-E", "-dM", source.name], env=env, cwd=Path(tmp), timeout=120)
        except _run.CommandFailed:
            return None  # not a glibc compiler: the probe in plan() says what is wrong
    return parse_glibc_macros(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class CMakeLibrary:
    """What crossgo_add_library() learns at configure time, as ``crossgo cmake-target --json``
    prints it: the target, the files the build writes, and the arguments it runs with."""

    target: Target
    source: str  # which CMake variables (or TARGET) named the target
    name: str  # the library's name: lib<name>.so
    library: str  # lib<name>.so / .dylib / .dll
    header: str
    import_library: str | None  # lib<name>.lib, Windows only
    cc: str | None  # the C compiler cgo gets; None: crossgo chooses (toolchain)
    toolchain: str  # the kind crossgo resolved: explicit, conda, zig, system
    glibc: str | None  # the glibc baseline to build with, when above the target's own
    go_version: str

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target.name,
            "goos": self.target.goos,
            "source": self.source,
            "name": self.name,
            "library": self.library,
            "header": self.header,
            "import_library": self.import_library,
            "cc": self.cc,
            "toolchain": self.toolchain,
            "glibc": self.glibc,
            "go_version": self.go_version,
        }


def _baseline(target: Target, cc: str | None, env: Mapping[str, str]) -> str | None:
    """With CMake's compiler on Linux: the glibc its headers declare, when above the target's."""
    if cc is None or target.glibc is None:
        return None
    found = compiler_glibc(cc, env)
    return f"{found[0]}.{found[1]}" if found is not None and found > target.glibc else None


def _refuse_cmake_compiler(
    target: Target, cc: str | None, env: Mapping[str, str], macos_sdk: Path | None
) -> None:
    """What CMake's one compiler cannot do for cgo, said before anything runs."""
    if cc is None:
        return
    if target.is_composite:
        msg = (
            f"{target.name} is built slice by slice, each with its own C compiler, and CMake "
            "has one: use crossgo_add_library(... TOOLCHAIN zig), or build one slice per "
            "CMake build."
        )
        raise UsageError(msg)
    has_sdk = macos_sdk or env.get("SDKROOT") or env.get("CONDA_BUILD_SYSROOT")
    if target.goos == "darwin" and sys.platform != "darwin" and not has_sdk:
        msg = (
            f"CMake's C compiler ({cc}) cannot link a library for {target.name} here: Go links "
            "macOS system libraries (libresolv; CoreFoundation and Security for net and "
            "crypto/x509), and this machine has no Apple SDK. Set CMAKE_OSX_SYSROOT (or "
            "SDKROOT) to a MacOSX*.sdk, or use crossgo_add_library(... TOOLCHAIN zig): "
            "crossgo's zig links against stubs it makes for those libraries."
        )
        raise ToolchainError(msg)


def plan_library(
    *,
    target: Target,
    source: str,
    package_dir: Path,
    env: Mapping[str, str],
    name: str | None = None,
    cc: str | None = None,
    toolchain: Preference = "auto",
    glibc: str | None = None,
    macos_sdk: Path | None = None,
) -> CMakeLibrary:
    """Plan what ``crossgo build`` will do: Go, the compiler's probe (ToolchainError, exit 3,
    for a compiler that builds for another platform) and the names of the files."""
    _refuse_cmake_compiler(target, cc, env, macos_sdk)
    glibc = glibc or _baseline(target, cc, env)
    request = BuildRequest(
        package_dir=package_dir, target=target, library_name=name, cc=cc, toolchain=toolchain,
        glibc=glibc, macos_sdk=macos_sdk, import_library=True,
    )  # fmt: skip
    build_plan = plan(request, env)
    spec = build_plan.spec
    windows = target.goos == "windows"
    return CMakeLibrary(
        target=target,
        source=source,
        name=spec.library_name or "",
        library=spec.library_filename,
        header=spec.header_filename,
        import_library=f"{Path(spec.library_filename).stem}.lib" if windows else None,
        cc=cc,
        toolchain=build_plan.toolchain.kind,
        glibc=glibc,
        go_version=build_plan.go.version,
    )
