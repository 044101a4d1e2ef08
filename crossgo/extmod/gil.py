"""Does a free-threaded module say it runs without the GIL? Read from the built binary.

A free-threaded CPython (3.13 on) re-enables the GIL, with a ``RuntimeWarning``, when it
imports a module that does not declare ``Py_MOD_GIL_NOT_USED``. A module declares it one
of two ways:

* multi-phase init: a ``{Py_mod_gil, Py_MOD_GIL_NOT_USED}`` entry in its ``PyModuleDef_Slot``
  array. The entry holds no pointer (``Py_MOD_GIL_NOT_USED`` is ``(void *)1``), so its bytes
  are in the file as written in every format: ``Py_mod_gil`` as a 4-byte int, 4 bytes of
  padding, then 1 as an 8-byte word. The array ends with ``{0, NULL}`` and holds only known
  slot numbers (up to ``_Py_mod_LAST_SLOT``): both are required of the bytes found, so that a
  stray pair of words elsewhere does not count;
* single-phase init: a call of ``PyUnstable_Module_SetGIL`` in ``PyInit_<name>``, seen as that
  imported symbol.

The slot numbers are read from the headers the module was built with (``moduleobject.h``).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

__all__ = ["SET_GIL", "SlotNumbers", "declares_gil_not_used", "slot_numbers"]

SET_GIL = "PyUnstable_Module_SetGIL"
_SLOT = struct.Struct("<iIQ")  # PyModuleDef_Slot on a 64-bit little-endian target
_NOT_USED = 1  # Py_MOD_GIL_NOT_USED
_MAX_SLOTS = 32
_DEFINE = re.compile(r"#\s*define\s+(Py_mod_gil|_Py_mod_LAST_SLOT)\s+(\d+)")

SlotNumbers = tuple[int, int]  # (Py_mod_gil, _Py_mod_LAST_SLOT)


def slot_numbers(include: Path) -> SlotNumbers | None:
    """``Py_mod_gil`` and the last slot number, from ``moduleobject.h``; None before 3.13."""
    header = include / "moduleobject.h"
    text = header.read_text(encoding="utf-8", errors="replace") if header.is_file() else ""
    found = {name: int(value) for name, value in _DEFINE.findall(text)}
    if set(found) != {"Py_mod_gil", "_Py_mod_LAST_SLOT"}:
        return None
    return found["Py_mod_gil"], found["_Py_mod_LAST_SLOT"]


def declares_gil_not_used(image: bytes, numbers: SlotNumbers) -> bool:
    """Whether ``image`` holds a slot array with ``{Py_mod_gil, Py_MOD_GIL_NOT_USED}`` (pure)."""
    gil, last = numbers
    entry = _SLOT.pack(gil, 0, _NOT_USED)
    at = image.find(entry)
    while at != -1:
        if at % 8 == 0 and _array_around(image, at, last):
            return True
        at = image.find(entry, at + 1)
    return False


def _array_around(image: bytes, at: int, last: int) -> bool:
    """The entry at ``at`` is followed by known slots and the ``{0, NULL}`` end."""
    position = at + _SLOT.size
    for _ in range(_MAX_SLOTS):
        if position + _SLOT.size > len(image):
            return False
        slot, padding, value = _SLOT.unpack_from(image, position)
        if slot == 0:
            return bool(padding == 0 and value == 0)
        if not 1 <= slot <= last or padding:
            return False
        position += _SLOT.size
    return False
