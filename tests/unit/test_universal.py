"""Fat Mach-O files: merged, split, and read back slice by slice."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from crossgo import universal
from crossgo.binary import BinaryFormatError, read_binary, read_slices

X86_64 = (0x01000007, 3)
ARM64 = (0x0100000C, 0)


def thin(cpu: tuple[int, int], body: bytes) -> bytes:
    return struct.pack("<III", 0xFEEDFACF, cpu[0], cpu[1]) + body


def test_merge_orders_aligns_and_splits_back() -> None:
    arm = thin(ARM64, b"arm" * 5000)
    x86 = thin((X86_64[0], X86_64[1] | 0x80000000), b"x86" * 100)  # LIB64 bit set
    fat = universal.merge([arm, x86])
    magic, count = struct.unpack_from(">II", fat)
    assert (magic, count) == (0xCAFEBABE, 2)
    slices = universal.split(fat)
    assert [entry.cputype for entry, _ in slices] == [X86_64[0], ARM64[0]]  # by CPU type
    assert slices[0][0].cpusubtype == 3  # capability bits are not part of fat_arch
    assert all(entry.offset % (1 << 14) == 0 for entry, _ in slices)
    assert [data for _, data in slices] == [
        thin((X86_64[0], X86_64[1] | 0x80000000), b"x86" * 100),
        arm,
    ]
    assert universal.merge([x86, arm]) == fat  # the same slices give the same bytes


def test_merge_refuses_what_is_not_thin_mach_o() -> None:
    with pytest.raises(ValueError, match="not a 64-bit little-endian Mach-O"):
        universal.merge([b"\x7fELF" + bytes(16)])
    with pytest.raises(ValueError, match="same CPU type"):
        universal.merge([thin(ARM64, b"a"), thin(ARM64, b"b")])


def test_fat_macho_reads_as_slices(tmp_path: Path) -> None:
    # The smallest real Mach-O headers: no load commands.
    def header(cpu: tuple[int, int]) -> bytes:
        return struct.pack("<IIIIIIII", 0xFEEDFACF, cpu[0], cpu[1], 6, 0, 0, 0, 0)

    fat = tmp_path / "libx.dylib"
    fat.write_bytes(universal.merge([header(ARM64), header(X86_64)]))
    assert [info.machine for info in read_slices(fat)] == ["x86_64", "aarch64"]
    with pytest.raises(BinaryFormatError, match="universal Mach-O with 2 architectures"):
        read_binary(fat)
