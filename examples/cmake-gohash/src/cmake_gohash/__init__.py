"""cmake-gohash: a C extension that calls a Go library, both built by CMake through
scikit-build-core, the Go part by crossgo."""

from __future__ import annotations

from cmake_gohash._core import add, go_version, sha256_hex

__all__ = ["add", "go_version", "sha256_hex"]
