"""Where dyld binds each imported symbol of a Mach-O image, read from its binding info.

The symbol table's library ordinals are advisory; dyld binds by the image's binding
information: the bind, weak-bind and lazy-bind opcode streams of ``LC_DYLD_INFO(_ONLY)``
(what zig and older ld64 write), or the import table of ``LC_DYLD_CHAINED_FIXUPS`` (newer
ld64). Each names a library ordinal per symbol: 1 and up index the dylib load commands, and
the special ordinals are 0 (this image), -1 (the main executable) and -2 (flat lookup: the
first loaded image that defines it, which is what ``-undefined dynamic_lookup`` asks for).
A CPython extension module must bind its Python symbols with -2: the interpreter defines
them, and no dylib is named for them.

:func:`bind_ordinals` reads a thin 64-bit little-endian Mach-O (what crossgo builds; the
slices of a universal library are checked before they are merged). Pure Python.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

__all__ = ["FLAT_LOOKUP", "bind_ordinals", "parse_bind_opcodes", "parse_chained_imports"]

FLAT_LOOKUP = -2
MAIN_EXECUTABLE = -1

_MH_MAGIC_64 = 0xFEEDFACF
_LC_DYLD_INFO = 0x22
_LC_DYLD_INFO_ONLY = 0x80000022
_LC_DYLD_CHAINED_FIXUPS = 0x80000034

_DONE = 0x00
_SET_DYLIB_ORDINAL_IMM = 0x10
_SET_DYLIB_ORDINAL_ULEB = 0x20
_SET_DYLIB_SPECIAL_IMM = 0x30
_SET_SYMBOL = 0x40
_SET_TYPE_IMM = 0x50
_SET_ADDEND_SLEB = 0x60
_SET_SEGMENT_AND_OFFSET_ULEB = 0x70
_ADD_ADDR_ULEB = 0x80
_DO_BIND = 0x90
_DO_BIND_ADD_ADDR_ULEB = 0xA0
_DO_BIND_ADD_ADDR_IMM_SCALED = 0xB0
_DO_BIND_ULEB_TIMES_SKIPPING_ULEB = 0xC0
_THREADED = 0xD0
_BINDS = {_DO_BIND, _DO_BIND_ADD_ADDR_ULEB, _DO_BIND_ADD_ADDR_IMM_SCALED}
_ONE_ULEB = {_SET_DYLIB_ORDINAL_ULEB, _SET_ADDEND_SLEB, _SET_SEGMENT_AND_OFFSET_ULEB}
_ONE_ULEB |= {_ADD_ADDR_ULEB, _DO_BIND_ADD_ADDR_ULEB}


class DyldInfoError(ValueError):
    """The binding information cannot be read."""


def _uleb(data: bytes, at: int) -> int:
    """The position after the (S)LEB128 number starting at ``at`` (its value is not needed)."""
    while at < len(data) and data[at] & 0x80:
        at += 1
    if at >= len(data):
        raise DyldInfoError("a LEB128 number runs past the end of the opcodes")
    return at + 1


def _uleb_value(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if at >= len(data):
            raise DyldInfoError("a LEB128 number runs past the end of the opcodes")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at


def parse_bind_opcodes(data: bytes) -> Iterator[tuple[str, int]]:
    """(symbol, library ordinal) for each bind in a bind, weak-bind or lazy-bind stream."""
    ordinal, symbol, at = 0, "", 0
    while at < len(data):
        opcode, immediate = data[at] & 0xF0, data[at] & 0x0F
        at += 1
        if opcode == _SET_DYLIB_ORDINAL_IMM:
            ordinal = immediate
        elif opcode == _SET_DYLIB_ORDINAL_ULEB:
            ordinal, at = _uleb_value(data, at)
        elif opcode == _SET_DYLIB_SPECIAL_IMM:
            ordinal = immediate - 16 if immediate else 0  # sign-extended: 0xF -> -1, 0xE -> -2
        elif opcode == _SET_SYMBOL:
            end = data.find(b"\0", at)
            if end < 0:
                raise DyldInfoError("a symbol name runs past the end of the opcodes")
            symbol, at = data[at:end].decode("utf-8", "surrogateescape"), end + 1
        elif opcode in _BINDS:
            yield symbol, ordinal
            if opcode == _DO_BIND_ADD_ADDR_ULEB:
                at = _uleb(data, at)
        elif opcode == _DO_BIND_ULEB_TIMES_SKIPPING_ULEB:
            yield symbol, ordinal
            at = _uleb(data, _uleb(data, at))
        elif opcode in _ONE_ULEB:
            at = _uleb(data, at)
        elif opcode == _THREADED:
            raise DyldInfoError("threaded binds (arm64e) are not read")
        elif opcode not in {_DONE, _SET_TYPE_IMM}:
            raise DyldInfoError(f"unknown bind opcode {opcode:#x}")


def parse_chained_imports(data: bytes) -> Iterator[tuple[str, int]]:
    """(symbol, library ordinal) for each import of an LC_DYLD_CHAINED_FIXUPS payload."""
    if len(data) < 28:
        raise DyldInfoError("the chained fixups header is truncated")
    _, _, imports_at, symbols_at, count, imports_format, _ = struct.unpack_from("<7I", data)
    sizes = {1: 4, 2: 8, 3: 16}
    if imports_format not in sizes:
        raise DyldInfoError(f"unknown chained imports format {imports_format}")
    for index in range(count):
        at = imports_at + index * sizes[imports_format]
        if imports_format == 3:
            raw = struct.unpack_from("<Q", data, at)[0]
            ordinal, name_at = _signed(raw & 0xFFFF, 16), raw >> 32
        else:
            raw = struct.unpack_from("<I", data, at)[0]
            ordinal, name_at = _signed(raw & 0xFF, 8), raw >> 9
        end = data.find(b"\0", symbols_at + name_at)
        yield data[symbols_at + name_at : end].decode("utf-8", "surrogateescape"), ordinal


def _signed(value: int, bits: int) -> int:
    """Library ordinals above 0xF0 (0xFFF0) are the special, negative ones."""
    return value - (1 << bits) if value >= (1 << bits) - 15 else value


def bind_ordinals(path: Path) -> dict[str, int]:
    """Every symbol the image binds, without its leading underscore, and its ordinal."""
    image = path.read_bytes()
    if len(image) < 32 or struct.unpack_from("<I", image)[0] != _MH_MAGIC_64:
        raise DyldInfoError(f"{path} is not a thin 64-bit little-endian Mach-O file")
    count = struct.unpack_from("<I", image, 16)[0]
    found: dict[str, int] = {}
    at = 32
    for _ in range(count):
        command, size = struct.unpack_from("<II", image, at)
        if command in {_LC_DYLD_INFO, _LC_DYLD_INFO_ONLY}:
            fields = struct.unpack_from("<10I", image, at + 8)
            for offset, length in (fields[2:4], fields[4:6], fields[6:8]):
                found.update(parse_bind_opcodes(image[offset : offset + length]))
        elif command == _LC_DYLD_CHAINED_FIXUPS:
            offset, length = struct.unpack_from("<II", image, at + 8)
            found.update(parse_chained_imports(image[offset : offset + length]))
        at += size
    return {name.removeprefix("_"): ordinal for name, ordinal in found.items()}
