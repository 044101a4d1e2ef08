"""Universal (fat) Mach-O files: two thin libraries, one file, as ``lipo -create`` makes it.

A fat file is a big-endian header (magic ``0xcafebabe`` and the slice count), one
``fat_arch`` record per slice (CPU type, subtype, offset, size, alignment as a power of
two) and the thin files themselves, each at an offset aligned to its alignment. Nothing
inside a slice changes, so each slice keeps its load commands and its ad-hoc signature.
Slices are ordered by CPU type and aligned to 16 KiB (arm64's page size, which also
satisfies x86_64's 4 KiB), so the same slices always give the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FatSlice", "merge", "split"]

_FAT_MAGIC = 0xCAFEBABE
_THIN_MAGIC_64 = 0xFEEDFACF  # little-endian mach_header_64, as Apple's CPUs write it
_ALIGN = 14  # 2**14 = 16 KiB
_HEADER = struct.Struct(">II")
_ARCH = struct.Struct(">IIIII")
_CPU_SUBTYPE_MASK = 0xFF000000  # capability bits, which fat_arch records do not carry


@dataclass(frozen=True, slots=True)
class FatSlice:
    cputype: int
    cpusubtype: int
    offset: int
    size: int
    align: int


def _cpu(thin: bytes) -> tuple[int, int]:
    magic, cputype, cpusubtype = struct.unpack_from("<III", thin)
    if magic != _THIN_MAGIC_64:
        msg = f"not a 64-bit little-endian Mach-O file (magic {magic:#x})"
        raise ValueError(msg)
    return cputype, cpusubtype & ~_CPU_SUBTYPE_MASK


def _aligned(offset: int) -> int:
    step = 1 << _ALIGN
    return (offset + step - 1) // step * step


def merge(thin_files: Sequence[bytes]) -> bytes:
    """One fat file holding ``thin_files`` (one per CPU type)."""
    slices = sorted(((_cpu(data), data) for data in thin_files), key=lambda item: item[0])
    cputypes = [cpu[0] for cpu, _ in slices]
    if len(set(cputypes)) != len(cputypes):
        msg = "two slices have the same CPU type"
        raise ValueError(msg)
    offset = _aligned(_HEADER.size + _ARCH.size * len(slices))
    records, body = [], bytearray()
    for (cputype, cpusubtype), data in slices:
        records.append(_ARCH.pack(cputype, cpusubtype, offset, len(data), _ALIGN))
        body += bytes(offset - _HEADER.size - _ARCH.size * len(slices) - len(body)) + data
        offset = _aligned(offset + len(data))
    return _HEADER.pack(_FAT_MAGIC, len(slices)) + b"".join(records) + bytes(body)


def split(fat: bytes) -> list[tuple[FatSlice, bytes]]:
    """The slices of a fat file, with their bytes (the inverse of :func:`merge`)."""
    magic, count = _HEADER.unpack_from(fat)
    if magic != _FAT_MAGIC:
        msg = f"not a fat Mach-O file (magic {magic:#x})"
        raise ValueError(msg)
    result = []
    for index in range(count):
        fields = _ARCH.unpack_from(fat, _HEADER.size + index * _ARCH.size)
        entry = FatSlice(*fields)
        if entry.offset + entry.size > len(fat):
            msg = f"slice {index} lies past the end of the file"
            raise ValueError(msg)
        result.append((entry, fat[entry.offset : entry.offset + entry.size]))
    return result
