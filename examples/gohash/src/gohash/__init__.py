"""gohash: SHA-256 and friends from a Go library, loaded through ctypes.

The library is plain C ABI, so one wheel serves every Python 3 version (py3-none-<platform>).
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

__all__ = ["add", "fib", "go_version", "sha256_hex"]

_SUFFIX = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")
_lib = ctypes.CDLL(str(Path(__file__).with_name(f"libgohash{_SUFFIX}")))

_lib.Add.argtypes = [ctypes.c_longlong, ctypes.c_longlong]
_lib.Add.restype = ctypes.c_longlong
_lib.Fib.argtypes = [ctypes.c_int]
_lib.Fib.restype = ctypes.c_longlong
_lib.Sha256Hex.argtypes = [ctypes.c_char_p, ctypes.c_int]
_lib.Sha256Hex.restype = ctypes.c_void_p
_lib.GoVersion.argtypes = []
_lib.GoVersion.restype = ctypes.c_void_p
_lib.FreeString.argtypes = [ctypes.c_void_p]
_lib.FreeString.restype = None


def _take_string(pointer: int | None) -> str:
    try:
        return ctypes.string_at(pointer).decode() if pointer else ""
    finally:
        _lib.FreeString(pointer)


def add(a: int, b: int) -> int:
    return int(_lib.Add(a, b))


def fib(n: int) -> int:
    return int(_lib.Fib(n))


def sha256_hex(data: bytes) -> str:
    return _take_string(_lib.Sha256Hex(data, len(data)))


def go_version() -> str:
    return _take_string(_lib.GoVersion())
