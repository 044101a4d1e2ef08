"""gogreet: a second crossgo project, its library in gogreet/_native/."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

_SUFFIX = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")
_lib = ctypes.CDLL(str(Path(__file__).parent / "_native" / f"libgreet{_SUFFIX}"))
_lib.Shout.argtypes = [ctypes.c_char_p]
_lib.Shout.restype = ctypes.c_longlong


def shout_length(text: str) -> int:
    return int(_lib.Shout(text.encode()))
