"""What a macOS link needs beyond the C compiler: Apple's system libraries and headers.

Go's runtime and standard library link ``libresolv``, ``CoreFoundation`` and ``Security``
on macOS. zig bundles ``libSystem`` but not those, and a Linux machine has no Apple SDK.

* With an SDK (``--macos-sdk``, else ``SDKROOT``, else conda's ``CONDA_BUILD_SYSROOT``)
  zig is pointed at its frameworks and libraries.
* Without one, crossgo gives the linker stubs generated from the Go toolchain's own sources
  (:mod:`crossgo.macos_stubs`), cached per Go release and architecture; the lookup is
  cached too, so a warm build does not rescan GOROOT. That covers Go's own needs, not C
  code that includes Apple headers: such a package gets a clear error naming the settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, cast

from crossgo.cache import CacheDir
from crossgo.errors import ToolchainError, UsageError
from crossgo.golang import GoInstall, GoPackage, c_sources
from crossgo.targets import Target
from crossgo.toolchain.base import Toolchain

__all__ = ["MacSDK", "find_sdk", "with_system_libraries"]


@dataclasses.dataclass(frozen=True, slots=True)
class MacSDK:
    path: Path
    source: str  # "--macos-sdk", "SDKROOT" or "CONDA_BUILD_SYSROOT"


def find_sdk(option: Path | None, env: Mapping[str, str]) -> MacSDK | None:
    """The Apple SDK to use, if any; a named SDK that does not exist is an error."""
    candidates = [("--macos-sdk", str(option) if option else "")]
    candidates += [(name, env.get(name, "")) for name in ("SDKROOT", "CONDA_BUILD_SYSROOT")]
    for source, value in candidates:
        if value:
            if not Path(value).is_dir():
                msg = f"{source}={value} is not a directory; point it at a MacOSX*.sdk."
                raise UsageError(msg)
            return MacSDK(Path(value), source)
    return None


def _stub_ldflags(go: GoInstall, goarch: str, cache: CacheDir) -> tuple[str, ...]:
    from crossgo import macos_stubs  # noqa: PLC0415 - only macOS builds need it

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


def _require_no_apple_headers(package: GoPackage, target: Target) -> None:
    from crossgo import macos_stubs  # noqa: PLC0415 - only macOS builds need it

    frameworks = macos_stubs.apple_framework_includes(c_sources(package.directory))
    if frameworks:
        msg = (
            f"{package.directory} includes Apple framework headers "
            f"({', '.join(f'<{name}/...>' for name in frameworks)}), which only an Apple SDK "
            f"has. To build it for {target.name}, point --macos-sdk, SDKROOT or "
            "CONDA_BUILD_SYSROOT at a MacOSX*.sdk directory. (Go's own use of system "
            "libraries needs no SDK.)"
        )
        raise ToolchainError(msg)


def with_system_libraries(
    toolchain: Toolchain,
    target: Target,
    *,
    go: GoInstall,
    package: GoPackage | None,
    cache: CacheDir,
    sdk: MacSDK | None,
) -> Toolchain:
    """A zig toolchain for macOS, plus the SDK's or stubbed system libraries."""
    if target.goos != "darwin" or toolchain.kind != "zig":
        return toolchain
    if sdk is not None:
        frameworks = f"-F{sdk.path / 'System' / 'Library' / 'Frameworks'}"
        return dataclasses.replace(
            toolchain,
            cppflags=(*toolchain.cppflags, frameworks),
            ldflags=(*toolchain.ldflags, frameworks, f"-L{sdk.path / 'usr' / 'lib'}"),
            origin=f"{toolchain.origin}; Apple SDK {sdk.path} (from {sdk.source})",
        )
    if package is not None:
        _require_no_apple_headers(package, target)
    return dataclasses.replace(
        toolchain,
        ldflags=(*toolchain.ldflags, *_stub_ldflags(go, target.goarch, cache)),
        origin=f"{toolchain.origin}; no Apple SDK: system libraries from link stubs "
        f"generated from go{go.version}'s sources",
    )
