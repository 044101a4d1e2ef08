"""What a macOS link needs beyond the C compiler: Apple's system libraries.

Go's runtime and standard library link ``libresolv``, ``CoreFoundation`` and ``Security``
on macOS. zig bundles ``libSystem`` but not those, and there is no Apple SDK on a Linux
machine, so crossgo gives the linker stubs generated from the Go toolchain's own sources
(:mod:`crossgo.macos_stubs`). The stub tree is cached per Go release and architecture;
the lookup here is cached too, so a warm build does not rescan GOROOT.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal, cast

from crossgo import macos_stubs
from crossgo.cache import CacheDir
from crossgo.golang import GoInstall
from crossgo.targets import Target
from crossgo.toolchain.base import Toolchain

__all__ = ["with_system_library_stubs"]


def _stub_ldflags(go: GoInstall, goarch: str, cache: CacheDir) -> tuple[str, ...]:
    key = {
        "probe": "macos-stubs",
        "goroot": str(go.goroot),
        "version": go.version,
        "goarch": goarch,
        "format": macos_stubs.STUB_FORMAT,
    }
    cached = cache.read_probe(key)
    if cached is not None and Path(str(cached["root"])).is_dir():
        return tuple(str(flag) for flag in cast("list[object]", cached["ldflags"]))
    stubs = macos_stubs.ensure_stubs(
        go.goroot, go.version, cast("Literal['arm64', 'amd64']", goarch), cache.root
    )
    cache.write_probe(key, {"root": str(stubs.root), "ldflags": list(stubs.ldflags)})
    return stubs.ldflags


def with_system_library_stubs(
    toolchain: Toolchain, target: Target, go: GoInstall, cache: CacheDir
) -> Toolchain:
    """A zig toolchain for macOS, plus link stubs for the system libraries Go uses."""
    if target.goos != "darwin" or toolchain.kind != "zig":
        return toolchain
    ldflags = _stub_ldflags(go, target.goarch, cache)
    return dataclasses.replace(
        toolchain,
        ldflags=(*toolchain.ldflags, *ldflags),
        origin=f"{toolchain.origin}; Apple system libraries from link stubs generated from "
        f"go{go.version}'s sources (no SDK needed)",
    )
