"""Proving that a C compiler emits code for the target before Go is let near it.

A host gcc offered for aarch64 would otherwise fail deep inside cgo with
``unrecognized command-line option '-m64'`` or, worse, succeed and put an x86_64 library in
an aarch64 slot. The probe links a one-function shared library and reads its header.
Results are cached by the compiler's identity, so it costs one link per compiler, ever.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from crossgo import _run
from crossgo.cache import CacheDir, file_identity
from crossgo.errors import ToolchainError
from crossgo.targets import Target
from crossgo.toolchain.base import Toolchain

__all__ = ["glibc_above_baseline", "linked_glibc", "verify"]

_SOURCE = "int crossgo_probe(void) { return 42; }\n"
_FORMATS = {"linux": "elf", "darwin": "macho", "windows": "pe"}


def _link_probe(toolchain: Toolchain, target: Target, env: Mapping[str, str]) -> dict[str, object]:
    from crossgo.binary import BinaryFormatError, read_binary  # noqa: PLC0415 - cache misses only

    with tempfile.TemporaryDirectory(prefix="crossgo-probe-") as tmp:
        source, output = Path(tmp) / "probe.c", Path(tmp) / f"probe{target.library_suffix}"
        source.write_text(_SOURCE, encoding="utf-8")
        argv = [
            toolchain.cc,
            *toolchain.cppflags,
            *toolchain.cflags,
            "-shared",
            "-o",
            str(output),
            str(source),
            *toolchain.ldflags,
        ]
        try:
            _run.capture(argv, env={**env, **toolchain.env}, timeout=300)
        except _run.CommandFailed as error:
            msg = (
                f"The C compiler {toolchain.cc} ({toolchain.origin}) cannot build a shared "
                f"library for {target.name}:\n{error.output.strip()}"
            )
            raise ToolchainError(msg) from error
        try:
            info = read_binary(output)
        except BinaryFormatError as error:
            msg = f"The C compiler {toolchain.cc} wrote something unreadable: {error}"
            raise ToolchainError(msg) from error
        return {"format": info.format, "machine": info.machine}


def verify(toolchain: Toolchain, target: Target, cache: CacheDir, env: Mapping[str, str]) -> None:
    """Raise ToolchainError unless ``toolchain`` builds shared libraries for ``target``."""
    key = {
        "probe": "cc-target",
        "target": target.name,
        "flags": [*toolchain.cppflags, *toolchain.cflags, *toolchain.ldflags],
        "version": toolchain.version,
        **file_identity(Path(toolchain.cc)),
    }
    cached = cache.remember(key, lambda: _link_probe(toolchain, target, env))
    if (cached["format"], cached["machine"]) != (_FORMATS[target.goos], target.machine):
        raise ToolchainError(_wrong_target_message(toolchain, target, cached))


def _wrong_target_message(toolchain: Toolchain, target: Target, found: Mapping[str, object]) -> str:
    fixes = ['zig (`pip install "crossgo[zig]"`)']
    if target.conda is not None:
        fixes.append(f"conda's {target.conda.c_compiler}")
    if target.debian_package:
        fixes.insert(
            0, f"{target.debian_cross_prefix}-gcc (`apt-get install {target.debian_package}`)"
        )
    return (
        f"The C compiler {toolchain.cc} ({toolchain.origin}) builds {found['machine']} "
        f"{found['format']} code, but {target.name} needs {target.machine} "
        f"{_FORMATS[target.goos]}. Refusing to build a library for the wrong platform. "
        f"Use a compiler for {target.name}: {', or '.join(fixes)}; or pass --cc."
    )


def linked_glibc(
    toolchain: Toolchain, target: Target, cache: CacheDir, env: Mapping[str, str]
) -> tuple[int, int] | None:
    """The newest glibc a library linked by ``toolchain`` for ``target`` may need: zig's
    pinned version, else that of the libc.so.6 the compiler links against (its sysroot's, or
    this machine's for a host compiler). None for non-Linux targets, or when it cannot tell."""
    if target.glibc is None:
        return None
    if toolchain.kind == "zig":
        return target.zig_glibc
    key = {"probe": "cc-libc", "target": target.name, **file_identity(Path(toolchain.cc))}
    found = cache.remember(key, lambda: {"glibc": _libc_version(toolchain, env)})["glibc"]
    if not isinstance(found, list) or len(found) != 2:
        return None
    return int(found[0]), int(found[1])


def glibc_above_baseline(
    toolchain: Toolchain, target: Target, cache: CacheDir, env: Mapping[str, str]
) -> tuple[int, int] | None:
    """The glibc ``toolchain`` links against, when it is newer than ``target``'s baseline:
    a wheel built with it cannot say manylinux_2_17 (docs/wheels.md, the toolchain rule)."""
    linked = linked_glibc(toolchain, target, cache, env)
    if linked is None or target.glibc is None or linked <= target.glibc:
        return None
    return linked


def _libc_version(toolchain: Toolchain, env: Mapping[str, str]) -> list[int] | None:
    from crossgo.binary import glibc_provided  # noqa: PLC0415 - cache misses only

    argv = [toolchain.cc, *toolchain.cflags, "-print-file-name=libc.so.6"]
    try:
        answer = _run.capture(argv, env={**env, **toolchain.env}, timeout=60).strip()
    except _run.CommandFailed:
        return None
    path = Path(answer)
    if not path.is_absolute() or not path.is_file():
        return None  # the compiler does not know its libc (a bare name comes back)
    version = glibc_provided(path)
    return list(version) if version else None
