"""Which target the environment asks for, when the caller names none.

Build systems say what they are building for in environment variables, and never in Go's
terms (GOOS/GOARCH). :func:`detect_target` reads them, first match wins:

1. a conda-build or rattler-build script (``CONDA_BUILD=1``): ``target_platform``;
2. macOS, as cibuildwheel sets it (``platforms/macos.py``): ``_PYTHON_HOST_PLATFORM``
   (``macosx-11.0-arm64``, ``macosx-10.9-universal2``) and ``ARCHFLAGS`` (``-arch arm64``,
   ``-arch arm64 -arch x86_64``); they must agree when both are set;
3. Windows, as cibuildwheel sets it for ARM64 (``platforms/windows.py``):
   ``VSCMD_ARG_TGT_ARCH`` (``x64``, ``arm64``) and the ``plat_name`` of the
   ``DIST_EXTRA_CONFIG`` file (``win-amd64``, ``win-arm64``); they must agree too;
4. Linux: ``AUDITWHEEL_PLAT``, which the manylinux images set (``manylinux_2_28_x86_64``,
   ``manylinux2014_aarch64``): the architecture, and the newest glibc the wheel may need.

:func:`choose_target` puts an explicit target first (with a note when the environment
disagrees), then the environment's, then this machine. Unknown or contradictory values are
a :class:`~crossgo.errors.UsageError` that names the variable. Pure: the environment comes
in as a mapping; the only file read is the one ``DIST_EXTRA_CONFIG`` names.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from crossgo.errors import UsageError
from crossgo.targets import Target, get_target, host_target, single_targets

__all__ = ["TargetChoice", "choose_target", "detect_target"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetChoice:
    """A target, where it came from, and what the caller should know about it."""

    target: Target
    source: str  # "--target", "target_platform=linux-aarch64", "this machine", ...
    notes: tuple[str, ...] = ()
    glibc_limit: tuple[int, int] | None = None  # the newest glibc a manylinux policy allows


def _known_targets() -> str:
    return ", ".join(target.name for target in single_targets())


def _named(variable: str, value: str, target: str) -> Target:
    """``get_target(target)``, with an error that names the variable that asked for it."""
    try:
        return get_target(target)
    except UsageError as error:
        raise UsageError(f"{variable}={value}: {error}") from None


# --- conda ----------------------------------------------------------------------------


def _conda(env: Mapping[str, str]) -> TargetChoice | None:
    if env.get("CONDA_BUILD") != "1" or not env.get("target_platform"):
        return None
    platform = env["target_platform"]
    target = _named("target_platform", platform, platform)
    if target.name != platform:  # an alias, but conda only ever writes subdir names
        msg = f"target_platform={platform} is not a conda subdir; crossgo knows {_known_targets()}"
        raise UsageError(msg)
    return TargetChoice(target=target, source=f"target_platform={platform} (conda build)")


# --- macOS ----------------------------------------------------------------------------

_HOST_PLATFORM = re.compile(r"^macosx-(\d+(?:\.\d+)*)-(\w+)$")
_MACOS_ARCHES: Final = {"arm64": "osx-arm64", "x86_64": "osx-64", "universal2": "osx-universal2"}


def _from_archflags(value: str) -> str:
    arches = frozenset(re.findall(r"-arch\s+(\S+)", value))
    if arches == {"arm64", "x86_64"}:
        return "osx-universal2"
    if len(arches) == 1 and (arch := next(iter(arches))) in _MACOS_ARCHES:
        return _MACOS_ARCHES[arch]
    msg = f"ARCHFLAGS={value!r} names no macOS architecture crossgo builds for (arm64, x86_64)"
    raise UsageError(msg)


def _from_host_platform(value: str) -> str:
    match = _HOST_PLATFORM.match(value)
    if match is None or match[2] not in _MACOS_ARCHES:
        msg = (
            f"_PYTHON_HOST_PLATFORM={value!r} is not macosx-<version>-<arch> with an arch "
            f"crossgo builds for ({', '.join(_MACOS_ARCHES)})"
        )
        raise UsageError(msg)
    return _MACOS_ARCHES[match[2]]


def _macos(env: Mapping[str, str]) -> TargetChoice | None:
    host_platform = env.get("_PYTHON_HOST_PLATFORM", "")
    if not host_platform.startswith("macosx"):
        return None
    found = {"_PYTHON_HOST_PLATFORM": _from_host_platform(host_platform)}
    if env.get("ARCHFLAGS", "").strip():
        found["ARCHFLAGS"] = _from_archflags(env["ARCHFLAGS"])
    return _agreeing(found, env)


# --- Windows --------------------------------------------------------------------------

_VSCMD_ARCHES: Final = {"x64": "win-64", "arm64": "win-arm64"}
_PLAT_NAMES: Final = {"win-amd64": "win-64", "win-arm64": "win-arm64"}


def _plat_name(path: str) -> str | None:
    """``plat_name`` from a distutils config file ([build], else [bdist_wheel])."""
    parser = configparser.ConfigParser()
    try:
        parser.read_string(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return None
    for section in ("build", "build_ext", "bdist_wheel"):
        if parser.has_option(section, "plat_name"):
            return parser.get(section, "plat_name").strip()
    return None


def _windows(env: Mapping[str, str]) -> TargetChoice | None:
    found: dict[str, str] = {}
    if arch := env.get("VSCMD_ARG_TGT_ARCH", "").strip().lower():
        if arch not in _VSCMD_ARCHES:
            msg = (
                f"VSCMD_ARG_TGT_ARCH={arch} is not an architecture crossgo builds for (x64, arm64)"
            )
            raise UsageError(msg)
        found["VSCMD_ARG_TGT_ARCH"] = _VSCMD_ARCHES[arch]
    if (config := env.get("DIST_EXTRA_CONFIG")) and (plat := _plat_name(config)):
        if plat not in _PLAT_NAMES:
            msg = (
                f"DIST_EXTRA_CONFIG ({config}) says plat_name={plat}, which crossgo does not "
                "build for (win-amd64, win-arm64)"
            )
            raise UsageError(msg)
        found[f"DIST_EXTRA_CONFIG plat_name={plat}"] = _PLAT_NAMES[plat]
    return _agreeing(found, env) if found else None


# --- Linux ----------------------------------------------------------------------------

_POLICY = re.compile(r"^(manylinux|musllinux)_(\d+)_(\d+)_(\w+)$")
_LEGACY_POLICIES: Final = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def _linux(env: Mapping[str, str]) -> TargetChoice | None:
    value = env.get("AUDITWHEEL_PLAT", "").strip()
    if not value:
        return None
    legacy, _, arch = value.partition("_")
    if legacy in _LEGACY_POLICIES:
        family, glibc = "manylinux", _LEGACY_POLICIES[legacy]
    elif match := _POLICY.match(value):
        family, glibc, arch = match[1], (int(match[2]), int(match[3])), match[4]
    else:
        msg = f"AUDITWHEEL_PLAT={value} is not a manylinux or musllinux platform tag"
        raise UsageError(msg)
    wanted = value if family == "musllinux" else f"manylinux_2_17_{arch}"
    target = _named("AUDITWHEEL_PLAT", value, wanted)
    baseline = target.glibc or glibc
    if glibc < baseline:
        msg = (
            f"AUDITWHEEL_PLAT={value} allows glibc {glibc[0]}.{glibc[1]}, older than "
            f"crossgo's oldest baseline {baseline[0]}.{baseline[1]} (Go needs it): build in a "
            "manylinux2014 or newer image"
        )
        raise UsageError(msg)
    return TargetChoice(target=target, source=f"AUDITWHEEL_PLAT={value}", glibc_limit=glibc)


# --- putting it together --------------------------------------------------------------


def _agreeing(found: Mapping[str, str], env: Mapping[str, str]) -> TargetChoice:
    names = set(found.values())
    if len(names) > 1:
        said = ", ".join(f"{variable} means {name}" for variable, name in found.items())
        msg = f"the environment contradicts itself: {said}. Make them agree, or pass a target."
        raise UsageError(msg)
    source = " and ".join(_shown(variable, env) for variable in found)
    return TargetChoice(target=get_target(names.pop()), source=source)


def _shown(variable: str, env: Mapping[str, str]) -> str:
    return f"{variable}={env[variable]}" if variable in env else variable


_DETECTORS: Final[tuple[Callable[[Mapping[str, str]], TargetChoice | None], ...]] = (
    _conda,
    _macos,
    _windows,
    _linux,
)


def detect_target(env: Mapping[str, str]) -> TargetChoice | None:
    """The target the environment names, or None when it names none."""
    for detector in _DETECTORS:
        if (choice := detector(env)) is not None:
            return choice
    return None


def choose_target(
    requested: str | Target, env: Mapping[str, str], *, source: str = "--target"
) -> TargetChoice:
    """An explicit target (``source`` says where it was given), else the environment's
    (``requested`` is ``auto``), else this machine's."""
    if isinstance(requested, Target) or requested.strip().lower() != "auto":
        target = requested if isinstance(requested, Target) else get_target(requested)
        return TargetChoice(target=target, source=source, notes=_disagreement(target, env))
    detected = detect_target(env)
    if detected is not None:
        return detected
    return TargetChoice(target=host_target(), source="this machine")


def _disagreement(target: Target, env: Mapping[str, str]) -> tuple[str, ...]:
    try:
        detected = detect_target(env)
    except UsageError as error:
        return (f"the environment's target is unclear ({error}); building for {target.name}",)
    if detected is None or detected.target.name == target.name:
        return ()
    return (
        f"the environment says {detected.target.name} ({detected.source}), but "
        f"{target.name} was asked for and wins",
    )
