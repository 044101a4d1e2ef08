"""Wheel tags that tell the truth about the libraries inside.

The tag is ``py3-none-<platform>``: the libraries are plain C ABI, loaded with ctypes, so one
wheel serves every Python 3. The platform comes from the target and, where the binary
records it, from the binary:

* Linux: ``manylinux_<glibc>_<arch>`` with the target's glibc baseline (2.17, or raised);
* macOS: ``macosx_<X>_<Y>_<arch>`` with the ``minos`` the Mach-O records, at least the Go
  release's floor. pip only matches ``macosx_<N>_0`` from macOS 11 on, so a minos of 12.3
  becomes ``macosx_13_0``: the oldest tag that is both true and installable;
* Windows: ``win_amd64``.

:func:`check_platform` then reads the tag back, independently, and checks every library
against it: binary format, CPU, and the glibc or macOS version the tag allows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from packaging.tags import Tag

from crossgo.binary import BinaryInfo
from crossgo.checks import Check
from crossgo.errors import ArtifactCheckError
from crossgo.targets import Target

__all__ = ["check_platform", "glibc_of", "macos_tag_version", "platform_tag", "wheel_tag"]

_ARCHES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
_ARCHES |= {"ppc64le": "ppc64le", "i686": "i386", "armv7l": "arm"}
_UNIVERSAL = {"universal2": frozenset({"x86_64", "aarch64"})}
_WINDOWS = {"win_amd64": "x86_64", "win_arm64": "aarch64", "win32": "i386"}
_VERSIONED = re.compile(r"^(manylinux|macosx)_(\d+)_(\d+)_(\w+)$")
_MODERN_MACOS = 11  # from here on, only X.0 appears in the tags pip accepts


def wheel_tag(platform: str, interpreter: str = "py3", abi: str = "none") -> str:
    """``py3-none-<platform>``; extension modules make it ``cp39-abi3-...`` or ``cp311-cp311-...``
    (:func:`crossgo.extmod.wheel.python_tags`)."""
    return str(Tag(interpreter, abi, platform))


def glibc_of(platform: str) -> tuple[int, int] | None:
    """The glibc a manylinux platform tag needs, or None for any other tag."""
    match = _VERSIONED.match(platform)
    if match is None or match[1] != "manylinux":
        return None
    return int(match[2]), int(match[3])


def macos_tag_version(minos: tuple[int, int]) -> tuple[int, int]:
    major, minor = minos
    if major >= _MODERN_MACOS and minor:
        return major + 1, 0
    return major, minor


def platform_tag(target: Target, go_version: str, binaries: Sequence[BinaryInfo]) -> str:
    """The platform tag for libraries built for ``target`` with Go ``go_version``."""
    if target.goos != "darwin":
        return target.wheel_platform(go_version)
    floor = target.macos_floor(go_version)
    major, minor = (int(part) for part in floor.split(".")[:2])
    recorded = [info.macos_minos for info in binaries if info.macos_minos is not None]
    version = macos_tag_version(max([(major, minor), *recorded]))
    return target.wheel_platform_template.format(macos=f"{version[0]}_{version[1]}", glibc="")


def check_platform(platform: str, binaries: Sequence[BinaryInfo]) -> tuple[Check, ...]:
    """Check each library (each slice of a universal one) against what ``platform``
    promises; raise if any check fails."""
    checks = tuple(check for info in binaries for check in _checks(platform, info))
    checks += _universal_slices(platform, binaries)
    failed = [check for check in checks if not check.ok]
    if failed:
        details = "; ".join(f"{check.name}: {check.detail}" for check in failed)
        msg = f"the wheel tag {platform} does not fit its libraries: {details}."
        raise ArtifactCheckError(msg)
    return checks


def _checks(platform: str, info: BinaryInfo) -> list[Check]:
    name = info.path.name
    if platform in _WINDOWS:
        return [_machine(name, info, "pe", frozenset({_WINDOWS[platform]}))]
    match = _VERSIONED.match(platform)
    if match is None:
        return [Check("tag", False, f"{name}: crossgo cannot check the platform {platform}")]
    family, major, minor, arch = match[1], int(match[2]), int(match[3]), match[4]
    machines = _UNIVERSAL.get(arch) or frozenset({_ARCHES.get(arch, arch)})
    if family == "manylinux":
        return [_machine(name, info, "elf", machines), _glibc(name, info, (major, minor))]
    return [_machine(name, info, "macho", machines), _minos(name, info, (major, minor))]


def _machine(name: str, info: BinaryInfo, binary_format: str, machines: frozenset[str]) -> Check:
    ok = info.format == binary_format and info.machine in machines
    said = " or ".join(sorted(machines))
    detail = f"{name}: {info.format} {info.machine}, tag says {binary_format} {said}"
    return Check("tag-platform", ok, detail)


def _universal_slices(platform: str, binaries: Sequence[BinaryInfo]) -> tuple[Check, ...]:
    """A universal tag promises every architecture in every library."""
    match = _VERSIONED.match(platform)
    wanted = _UNIVERSAL.get(match[4]) if match else None
    if wanted is None:
        return ()
    checks = []
    for path in dict.fromkeys(info.path for info in binaries):
        found = frozenset(info.machine for info in binaries if info.path == path)
        detail = f"{path.name}: slices {', '.join(sorted(found))}"
        checks.append(Check("tag-slices", found == wanted, detail))
    return tuple(checks)


def _glibc(name: str, info: BinaryInfo, allowed: tuple[int, int]) -> Check:
    needed = info.glibc_max or (0, 0)
    detail = f"{name}: needs glibc {_dotted(needed)}, tag allows {_dotted(allowed)}"
    return Check("tag-glibc", needed <= allowed, detail)


def _minos(name: str, info: BinaryInfo, allowed: tuple[int, int]) -> Check:
    if info.macos_minos is None:
        return Check("tag-minos", False, f"{name}: records no minimum macOS version")
    detail = f"{name}: minos {_dotted(info.macos_minos)}, tag allows {_dotted(allowed)}"
    return Check("tag-minos", info.macos_minos <= allowed, detail)


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
