"""A stable home for the ``ziglang`` wheel's zig in crossgo's cache.

zig keys its global cache (the C runtimes it compiles for each target: glibc stubs, mingw's
CRT, libSystem stubs) by the path of its own ``lib`` directory. pip's build isolation
installs ziglang into a new temporary environment for every build, so without this each
isolated build would compile mingw's CRT again (about two minutes), and the libraries'
debug information would name the temporary path. crossgo therefore runs the wheel's zig
from ``<cache>/toolchains/zig-<version>-<digest>/``: the same bytes (hard links where the
file system allows, else a copy) at a path that depends only on the wheel's content.

The home is made once per zig release, in a staging directory renamed into place, so
concurrent builds never see half of one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from crossgo.cache import CacheDir, file_identity
from crossgo.errors import OutputError

__all__ = ["stable_zig", "zig_home"]

# What zig needs to run: the executable and its lib directory (headers, CRT sources, std).
_PARTS = ("lib", "LICENSE")


def _record_digest(package: Path) -> str:
    """The wheel's content identity: its RECORD lists every file of the package with its
    sha256. Lines for files outside the package are left out: the console script pip writes
    names the environment's Python, so its hash differs in every environment."""
    records = sorted(package.parent.glob("ziglang-*.dist-info/RECORD"))
    hasher = hashlib.sha256()
    for record in records:
        for line in sorted(record.read_text(encoding="utf-8").splitlines()):
            if line.startswith(f"{package.name}/"):
                hasher.update(line.encode() + b"\n")
    if not records:  # not installed from a wheel: fall back to the executable itself
        hasher.update(str(file_identity(package / "zig")).encode())
    return hasher.hexdigest()[:16]


def _link_or_copy(source: str, destination: str) -> str:
    try:
        os.link(source, destination)
    except OSError:  # another file system, or links not allowed: copy
        shutil.copy2(source, destination)
    return destination


def _populate(package: Path, exe_name: str, staging: Path) -> None:
    _link_or_copy(str(package / exe_name), str(staging / exe_name))
    for part in _PARTS:
        source = package / part
        if source.is_dir():
            shutil.copytree(source, staging / part, copy_function=_link_or_copy, symlinks=True)
        elif source.is_file():
            _link_or_copy(str(source), str(staging / part))


def _install(package: Path, exe_name: str, home: Path) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.", dir=home.parent))
    try:
        _populate(package, exe_name, staging)
        try:
            staging.rename(home)
        except OSError:
            if not (home / exe_name).is_file():
                raise
            # A concurrent build placed the same zig first: use that one.
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def zig_home(zig: Path, version: str, cache: CacheDir) -> Path:
    """Where the wheel's ``zig`` lives in ``cache`` (pure but for reading RECORD)."""
    return cache.toolchains / f"zig-{version}-{_record_digest(zig.parent)}"


def stable_zig(zig: Path, home: Path) -> Path:
    """The wheel's ``zig`` at ``home``; placed there on first use."""
    exe = home / zig.name
    if exe.is_file():
        return exe
    try:
        _install(zig.parent, zig.name, home)
    except OSError as error:
        msg = (
            f"crossgo cannot place zig in its cache at {home} ({error.strerror or error}). "
            "Point CROSSGO_CACHE_DIR (or --cache-dir) at a writable directory."
        )
        raise OutputError(msg) from error
    return exe
