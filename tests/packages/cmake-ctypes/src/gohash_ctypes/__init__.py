"""A Go library, loaded with ctypes."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

_SUFFIX = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")
_lib = ctypes.CDLL(str(Path(__file__).with_name(f"libgohash{_SUFFIX}")))
_lib.Add.argtypes = [ctypes.c_longlong, ctypes.c_longlong]
_lib.Add.restype = ctypes.c_longlong
_lib.GoArch.restype = ctypes.c_int


def add(a: int, b: int) -> int:
    return int(_lib.Add(a, b))


def go_arch() -> str:
    return {1: "amd64", 2: "arm64"}.get(int(_lib.GoArch()), "other")
