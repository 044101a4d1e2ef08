"""The loader such projects write by hand: the library sits next to this file."""

import ctypes
import sys
from pathlib import Path

_NAMES = {"win32": "libhandloader.dll", "darwin": "libhandloader.dylib"}
_library = ctypes.CDLL(str(Path(__file__).with_name(_NAMES.get(sys.platform, "libhandloader.so"))))
_library.Add.argtypes = (ctypes.c_longlong, ctypes.c_longlong)
_library.Add.restype = ctypes.c_longlong


def add(a: int, b: int) -> int:
    return int(_library.Add(a, b))
