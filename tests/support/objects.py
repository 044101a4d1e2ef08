"""The data a compiled probe object holds: its ``.data`` section, ELF or COFF."""

from __future__ import annotations

from pathlib import Path

from elftools.elf.elffile import ELFFile

__all__ = ["read_object_data"]


def read_object_data(obj: Path) -> bytes:
    """The ``.data`` section of an ELF or COFF object file (a probe has no other data)."""
    image = obj.read_bytes()
    if image[:4] == b"\x7fELF":
        with obj.open("rb") as stream:
            section = ELFFile(stream).get_section_by_name(".data")
            assert section is not None, f"{obj} has no .data section"
            return bytes(section.data())
    return _coff_data(image)


def _coff_data(image: bytes) -> bytes:
    count = int.from_bytes(image[2:4], "little")
    optional = int.from_bytes(image[16:18], "little")
    for index in range(count):
        header = image[20 + optional + 40 * index : 20 + optional + 40 * (index + 1)]
        if header[:8].rstrip(b"\0") == b".data":
            size, at = (int.from_bytes(header[i : i + 4], "little") for i in (16, 20))
            return image[at : at + size]
    raise AssertionError("no .data section")
