"""The machine's own compilers: ``cc`` for the native target, Debian-style cross gccs
(``aarch64-linux-gnu-gcc``, ``powerpc64le-linux-gnu-gcc``, ``x86_64-w64-mingw32-gcc``) for
the others."""

from __future__ import annotations

import shutil

from crossgo.targets import host_target
from crossgo.toolchain.base import Miss, Toolchain, ToolchainQuery

__all__ = ["find"]


def _first_on_path(names: tuple[str, ...], path: str) -> str | None:
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def find(query: ToolchainQuery) -> Toolchain | Miss:
    target, path = query.target, query.env.get("PATH", "")
    prefix = target.debian_cross_prefix
    names: tuple[str, ...] = (f"{prefix}-gcc",) if prefix else ()
    cxx_names: tuple[str, ...] = (f"{prefix}-g++",) if prefix else ()
    if target == host_target():
        names, cxx_names = ("cc", "gcc", "clang", *names), ("c++", "g++", "clang++", *cxx_names)
    cc = _first_on_path(names, path)
    if cc is None:
        if target.debian_package:
            fix = f"`apt-get install {target.debian_package}`"
        else:
            fix = "no Debian cross compiler exists for it"
        return Miss("system", f"no {' or '.join(names) or 'system compiler'} on PATH ({fix})")
    return Toolchain(
        kind="system",
        cc=cc,
        cxx=_first_on_path(cxx_names, path),
        origin=f"system compiler {cc}",
    )
