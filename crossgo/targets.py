"""Target platforms: what crossgo knows about each one, read from ``toolchains/targets.toml``.

A :class:`Target` is named by its conda subdir (``linux-aarch64``) and carries every
projection the rest of crossgo needs: Go's GOOS/GOARCH, the conda-forge compiler, the zig
target, the Debian cross gcc, the library file name and the wheel platform tag.
Users may type any alias (``linux/arm64``, ``aarch64-linux-gnu``, a wheel tag, ``native``);
:func:`get_target` resolves it once, at the edge.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import platform
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from packaging.version import Version

from crossgo.errors import UsageError, closest

__all__ = [
    "CondaCompiler",
    "GoOS",
    "Target",
    "all_targets",
    "get_target",
    "host_target",
    "macos_floor",
    "single_targets",
]

GoOS = Literal["linux", "darwin", "windows"]

# In a wheel the data is packaged next to the code; in a source checkout it is read
# from the repository's toolchains/ directory, its one true home.
_DATA_CANDIDATES = (
    Path(__file__).parent / "_data" / "targets.toml",
    Path(__file__).parent.parent / "toolchains" / "targets.toml",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CondaCompiler:
    """conda-forge's C compiler for a subdir: the packages and the executables they install."""

    c_compiler: str  # gcc_linux-aarch64
    cxx_compiler: str
    cc: str  # aarch64-conda-linux-gnu-cc, what the activation exports as $CC
    cxx: str
    triplet: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One platform crossgo can build for, or a composite of several (``slices``)."""

    name: str
    goos: GoOS
    goarch: str
    machine: str
    library_prefix: str
    library_suffix: str
    wheel_platform_template: str
    glibc: tuple[int, int] | None = None
    zig_min_glibc: tuple[int, int] | None = None
    conda: CondaCompiler | None = None
    zig_target: str | None = None
    debian_cross_prefix: str | None = None
    debian_package: str | None = None
    aliases: tuple[str, ...] = ()
    slices: tuple[str, ...] = ()  # a universal2 target: the targets merged into it

    @property
    def go_platform(self) -> str:
        return f"{self.goos}/{self.goarch}"

    @property
    def is_composite(self) -> bool:
        return bool(self.slices)

    def slice_targets(self) -> tuple[Target, ...]:
        """The single-platform targets a composite merges (itself for a single one)."""
        return tuple(get_target(name) for name in self.slices) if self.slices else (self,)

    def macos_floor(self, go_version: str | None) -> str:
        """The oldest macOS a library for this target can run on, with Go ``go_version``."""
        floors = (macos_floor(go_version, arm64=s.goarch == "arm64") for s in self.slice_targets())
        return max(floors, key=Version)

    def library_filename(self, name: str) -> str:
        return f"{self.library_prefix}{name}{self.library_suffix}"

    def header_filename(self, name: str) -> str:
        return f"{self.library_prefix}{name}.h"

    def wheel_platform(self, go_version: str | None = None) -> str:
        """The platform tag; for macOS the floor comes from the Go release (the latest if None)."""
        macos = self.macos_floor(go_version)
        glibc = "_".join(map(str, self.glibc)) if self.glibc else ""
        return self.wheel_platform_template.format(macos=macos.replace(".", "_"), glibc=glibc)

    def with_glibc(self, version: str) -> Target:
        """This target with another glibc baseline ("2.28"); only Linux targets have one."""
        if self.glibc is None:
            msg = f"--glibc applies to Linux targets, not {self.name}"
            raise UsageError(msg)
        parsed = _parse_glibc(version)
        if parsed is None or parsed < self.glibc:
            msg = f"--glibc {version} is below {self.name}'s baseline {_dotted(self.glibc)}"
            raise UsageError(msg)
        return dataclasses.replace(self, glibc=parsed)

    @property
    def zig_glibc(self) -> tuple[int, int] | None:
        """The glibc zig links against for this target: the baseline, or the oldest glibc zig
        has for the platform if that is newer (the build is still checked against the
        baseline); None off Linux."""
        if self.glibc is None:
            return None
        return max(self.glibc, self.zig_min_glibc or (0, 0))

    def zig_triple(self, *, macos: str | None = None) -> str | None:
        """zig's -target, pinned to the glibc baseline (or the oldest glibc zig has for the
        platform; the build is still checked against the baseline) or the macOS target."""
        if self.zig_target is None:
            return None
        if self.zig_glibc is not None:
            return f"{self.zig_target}.{_dotted(self.zig_glibc)}"
        if self.goos == "darwin":
            return f"{self.zig_target}.{macos or self.macos_floor(None)}"
        return self.zig_target

    def as_json(self, go_version: str | None = None) -> dict[str, object]:
        return {
            "name": self.name,
            "goos": self.goos,
            "goarch": self.goarch,
            "wheel_platform": self.wheel_platform(go_version),
            "library_prefix": self.library_prefix,
            "library_suffix": self.library_suffix,
            "conda_c_compiler": self.conda.c_compiler if self.conda else None,
            "conda_cc": self.conda.cc if self.conda else None,
            "zig_target": self.zig_triple(macos=self.macos_floor(go_version)),
            "debian_cross_prefix": self.debian_cross_prefix,
            "glibc": _dotted(self.glibc) if self.glibc else None,
            "aliases": list(self.aliases),
            "slices": list(self.slices),
        }


@dataclass(frozen=True, slots=True)
class _Refusal:
    patterns: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class _Registry:
    targets: Mapping[str, Target]
    index: Mapping[str, str]  # every lower-cased name or alias -> target name
    macos_floors: tuple[tuple[Version, str], ...]
    refused: tuple[_Refusal, ...]


def _parse_glibc(value: object) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)[._](\d+)", str(value)) if value is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def _target_from_table(name: str, table: Mapping[str, Any]) -> Target:
    conda = table.get("conda")
    return Target(
        name=name,
        goos=cast("GoOS", table["goos"]),
        goarch=table["goarch"],
        machine=table["machine"],
        library_prefix=table["library_prefix"],
        library_suffix=table["library_suffix"],
        wheel_platform_template=table["wheel_platform"],
        glibc=_parse_glibc(table.get("glibc")),
        zig_min_glibc=_parse_glibc(table.get("zig_min_glibc")),
        conda=CondaCompiler(**conda) if conda else None,
        zig_target=table.get("zig_target"),
        debian_cross_prefix=table.get("debian_cross_prefix"),
        debian_package=table.get("debian_package"),
        aliases=tuple(table.get("aliases", ())),
        slices=tuple(table.get("slices", ())),
    )


def _data_file() -> Path:
    for candidate in _DATA_CANDIDATES:
        if candidate.is_file():
            return candidate
    msg = "crossgo's target table (targets.toml) is missing: reinstall crossgo"
    raise FileNotFoundError(msg)


@functools.cache
def _registry() -> _Registry:
    data = tomllib.loads(_data_file().read_text(encoding="utf-8"))
    targets = {name: _target_from_table(name, t) for name, t in data["targets"].items()}
    index: dict[str, str] = {}
    for target in targets.values():
        for key in (target.name, target.go_platform, *target.aliases):
            index[key.lower()] = target.name
    floors = tuple(sorted((Version(f["go"]), f["macos"]) for f in data["macos_floor"]))
    refused = tuple(
        _Refusal(tuple(entry["match"]), entry["reason"]) for entry in data["refused"].values()
    )
    return _Registry(targets=targets, index=index, macos_floors=floors, refused=refused)


def all_targets() -> tuple[Target, ...]:
    """Every target, composites (universal2) included."""
    return tuple(_registry().targets.values())


def single_targets() -> tuple[Target, ...]:
    """Every single-platform target: what ``all`` means, since a composite repeats its slices."""
    return tuple(target for target in all_targets() if not target.is_composite)


def macos_floor(go_version: str | None, *, arm64: bool = False) -> str:
    """The oldest macOS a Go release supports ("12.0"); the newest known floor if unknown."""
    floors = _registry().macos_floors
    floor = floors[-1][1]
    if go_version is not None:
        wanted = Version(_release(go_version))
        eligible = [macos for go, macos in floors if go <= wanted]
        floor = eligible[-1] if eligible else floors[0][1]
    if arm64 and Version(floor) < Version("11.0"):
        return "11.0"
    return floor


def _release(go_version: str) -> str:
    """'go1.26.8' or '1.27rc1' -> the numeric release '1.26.8' / '1.27'."""
    match = re.match(r"(?:go)?(\d+(?:\.\d+)*)", go_version)
    if match is None:
        msg = f"not a Go version: {go_version!r}"
        raise ValueError(msg)
    return match.group(1)


_WHEEL_TAG = re.compile(r"^(manylinux|macosx)_\d+_\d+_(\w+)$")
_HOST_MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
_HOST_OS: Mapping[str, GoOS] = {"linux": "linux", "darwin": "darwin", "win32": "windows"}


def host_target() -> Target:
    """The target this machine itself is."""
    goos = _HOST_OS.get(sys.platform)
    machine = _HOST_MACHINES.get(platform.machine().lower(), platform.machine().lower())
    for target in single_targets():
        if target.goos == goos and target.machine == machine:
            return target
    msg = f"this machine ({sys.platform}, {platform.machine()}) is not a platform crossgo knows"
    raise UsageError(msg)


def _from_wheel_tag(name: str) -> str | None:
    """Any manylinux_X_Y_<arch> or macosx_X_Y_<arch> names the platform of that family."""
    match = _WHEEL_TAG.match(name)
    if match is None:
        return None
    family, arch = match.groups()
    for target in all_targets():
        template = target.wheel_platform_template
        if template.startswith(family) and template.endswith(f"_{arch}"):
            return target.name
    return None


def get_target(name: str) -> Target:
    """Resolve a target name or alias; unknown names get the closest known ones."""
    key = name.strip().lower()
    if key == "native":
        return host_target()
    registry = _registry()
    for refusal in registry.refused:
        if any(fnmatch.fnmatchcase(key, pattern) for pattern in refusal.patterns):
            msg = f"crossgo cannot build for {name}: {refusal.reason}"
            raise UsageError(msg)
    found = registry.index.get(key) or _from_wheel_tag(key)
    if found is not None:
        return registry.targets[found]
    suggestions = closest(key, registry.index)
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    names = ", ".join(registry.targets)
    msg = f"unknown target {name!r}.{hint} Known targets: {names} (see `crossgo targets`)."
    raise UsageError(msg)
