"""Checks a built library must pass before crossgo puts it at the output path.

Each check is a pure function of the binary's headers (:class:`~crossgo.binary.BinaryInfo`)
and what the target promises: the right format and CPU, every ``//export`` function
exported, glibc and macOS versions within the wheel tag's, no absolute paths in rpaths
or install names (a library must not point into the machine that built it), and, when the
build asked for stripping, no debug information or symbol table left by the toolchain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import Version

from crossgo.targets import Target

if TYPE_CHECKING:  # the reader (and its parsing libraries) load only when a build checks
    from crossgo.binary import BinaryInfo

__all__ = ["Check", "exports_from_header", "run_checks"]

_FORMAT = {"linux": "elf", "darwin": "macho", "windows": "pe"}
_RELATIVE_ROOTS = ("$ORIGIN", "@loader_path", "@rpath", "@executable_path")
_HEADER_EXPORT = re.compile(
    r"^extern\s+(?:__declspec\(dllexport\)\s+)?[^;(]*?\b(\w+)\s*\(", re.MULTILINE
)
_END_OF_PROLOGUE = "End of boilerplate cgo prologue."


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def exports_from_header(header_text: str) -> tuple[str, ...]:
    """The functions cgo exported, read from the header ``go build`` wrote for them."""
    _, _, body = header_text.partition(_END_OF_PROLOGUE)
    return tuple(_HEADER_EXPORT.findall(body))


def _format_and_machine(info: BinaryInfo, target: Target) -> Check:
    want = (_FORMAT[target.goos], target.machine)
    ok = (info.format, info.machine) == want
    return Check("platform", ok, f"{info.format} {info.machine}, want {want[0]} {want[1]}")


def _exports(info: BinaryInfo, wanted: Iterable[str]) -> Check:
    missing = sorted(set(wanted) - info.exports)
    detail = f"missing {', '.join(missing)}" if missing else f"{len(set(wanted))} exported"
    return Check("exports", not missing, detail)


def _glibc(info: BinaryInfo, target: Target) -> Check:
    assert target.glibc is not None
    limit = ".".join(map(str, target.glibc))
    if info.glibc_max is None:
        return Check("glibc", True, f"no versioned glibc symbols (limit {limit})")
    found = ".".join(map(str, info.glibc_max))
    return Check(
        "glibc", info.glibc_max <= target.glibc, f"needs GLIBC_{found}, tag allows {limit}"
    )


def _minos(info: BinaryInfo, macos: str) -> Check:
    if info.macos_minos is None:
        return Check("minos", False, "no LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX")
    found = ".".join(map(str, info.macos_minos))
    return Check("minos", Version(found) <= Version(macos), f"minos {found}, tag allows {macos}")


def _paths(info: BinaryInfo, target: Target) -> Check:
    bad = [path for path in info.rpaths if not path.startswith(_RELATIVE_ROOTS)]
    if target.goos == "darwin" and info.soname and not info.soname.startswith("@rpath/"):
        bad.append(f"install name {info.soname}")
    if target.goos == "linux" and info.soname and "/" in info.soname:
        bad.append(f"soname {info.soname}")
    detail = (
        f"absolute: {', '.join(bad)}" if bad else f"rpaths {list(info.rpaths)}, name {info.soname}"
    )
    return Check("paths", not bad, detail)


def _name(info: BinaryInfo, target: Target, filename: str) -> Check:
    """The library answers to its own file name: SONAME on Linux, @rpath/<file> on macOS."""
    want = {"linux": filename, "darwin": f"@rpath/{filename}"}.get(target.goos)
    return Check("name", info.soname == want, f"{info.soname}, want {want}")


def _stripped(info: BinaryInfo) -> Check:
    """A library built to be stripped carries no debug information: a toolchain that ignores
    the request (zig let a later -g undo -s) fails the build instead of shipping it."""
    if info.debug:
        return Check("stripped", False, f"still has {', '.join(info.debug)}")
    return Check("stripped", True, "no debug information or symbol table")


def run_checks(
    info: BinaryInfo,
    target: Target,
    *,
    exports: Iterable[str],
    filename: str,
    macos_version: str | None = None,
    strip: bool = False,
) -> tuple[Check, ...]:
    checks = [_format_and_machine(info, target), _exports(info, exports), _paths(info, target)]
    if strip:
        checks.append(_stripped(info))
    if target.goos != "windows":
        checks.append(_name(info, target, filename))
    if target.glibc is not None:
        checks.append(_glibc(info, target))
    if target.goos == "darwin":
        checks.append(_minos(info, macos_version or "99.0"))
    return tuple(checks)
