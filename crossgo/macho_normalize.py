"""Make a Mach-O library's bytes depend only on what was built, and keep its signature valid.

Two builds of the same package with zig 0.17 (Go 1.27) differ in two places:

* the indirect symbol table entries of ``__la_symbol_ptr``: zig writes them shifted past
  the ``__got`` entries they overlap and leaves the last few unwritten, so they hold
  whatever memory held (seen: five entries, text from the Go runtime in one build,
  numbers in the next). Each lazy pointer belongs to the stub of the same index, so
  :func:`normalize_macho` writes the stubs' entries there, as ld64 lays them out;
* the LC_UUID, which zig hashes from what it links. Go rewrites the UUID from its build ID,
  but crossgo builds with an empty build ID (for the other platforms' sake), so
  :func:`normalize_macho` derives it from the rest of the file, as Go's linker marks its
  own (a version-3 UUID).

Then the ad-hoc code signature's hashes of the pages that changed are recomputed. Only a
thin, 64-bit, little-endian file is accepted; a universal library is normalised slice by
slice, before the slices are merged.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from crossgo import _atomic
from crossgo.binary import BinaryFormatError

__all__ = ["normalize_macho"]

_MH_MAGIC_64 = 0xFEEDFACF
_LC_SEGMENT_64 = 0x19
_LC_UUID = 0x1B
_LC_CODE_SIGNATURE = 0x1D
_LC_DYSYMTAB = 0xB
_S_LAZY_SYMBOL_POINTERS = 0x7
_S_SYMBOL_STUBS = 0x8
_SECTION_64 = struct.Struct("<16s16sQQIIIIIIII")
_SUPERBLOB = 0xFADE0CC0
_CODE_DIRECTORY = 0xFADE0C02
_HASHES = {1: hashlib.sha1, 2: hashlib.sha256}  # CS_HASHTYPE_SHA1, CS_HASHTYPE_SHA256


@dataclass(frozen=True, slots=True)
class _Layout:
    uuid: int | None  # offset of the UUID bytes
    signature: tuple[int, int] | None  # (offset, size) of the code signature
    indirect: int | None  # offset of the indirect symbol table
    stubs: tuple[int, int] | None  # (first indirect index, count) of __stubs
    lazy: tuple[int, int] | None  # the same for __la_symbol_ptr


def _sections(image: bytes, command: int) -> dict[int, tuple[int, int]]:
    """Section type -> (first indirect index, count) for one LC_SEGMENT_64."""
    count = struct.unpack_from("<I", image, command + 64)[0]
    found = {}
    for index in range(count):
        fields = _SECTION_64.unpack_from(image, command + 72 + index * _SECTION_64.size)
        size, flags, first, stub_size = fields[3], fields[8], fields[9], fields[10]
        kind = flags & 0xFF
        if kind == _S_SYMBOL_STUBS and stub_size:
            found[kind] = (first, size // stub_size)
        elif kind == _S_LAZY_SYMBOL_POINTERS:
            found[kind] = (first, size // 8)
    return found


def _layout(image: bytes) -> _Layout:
    magic, _, _, _, ncmds, _, _, _ = struct.unpack_from("<8I", image)
    if magic != _MH_MAGIC_64:
        raise BinaryFormatError(f"not a thin 64-bit little-endian Mach-O file ({magic:#x})")
    uuid = signature = indirect = None
    sections: dict[int, tuple[int, int]] = {}
    offset = 32
    for _ in range(ncmds):
        command, size = struct.unpack_from("<2I", image, offset)
        if command == _LC_UUID:
            uuid = offset + 8
        elif command == _LC_CODE_SIGNATURE:
            signature = struct.unpack_from("<2I", image, offset + 8)
        elif command == _LC_DYSYMTAB:
            indirect = struct.unpack_from("<I", image, offset + 56)[0]
        elif command == _LC_SEGMENT_64:
            sections |= _sections(image, offset)
        offset += size
    return _Layout(
        uuid=uuid,
        signature=signature,
        indirect=indirect or None,
        stubs=sections.get(_S_SYMBOL_STUBS),
        lazy=sections.get(_S_LAZY_SYMBOL_POINTERS),
    )


def _mirror_lazy_pointers(image: bytearray, layout: _Layout) -> range | None:
    """Give each lazy pointer its stub's indirect symbol; return the bytes written."""
    if layout.indirect is None or layout.stubs is None or layout.lazy is None:
        return None
    (stubs, count), (lazy, lazy_count) = layout.stubs, layout.lazy
    if count != lazy_count:
        return None  # not the one-pointer-per-stub layout: leave it alone
    source = layout.indirect + 4 * stubs
    target = layout.indirect + 4 * lazy
    image[target : target + 4 * count] = image[source : source + 4 * count]
    return range(target, target + 4 * count)


def _uuid_from(digest: bytes) -> bytes:
    uuid = bytearray(digest[:16])
    uuid[6] = (uuid[6] & 0x0F) | 0x30  # version 3, as Go's linker marks it
    uuid[8] = (uuid[8] & 0x3F) | 0x80  # variant 1
    return bytes(uuid)


def _code_directories(image: bytes, signature: tuple[int, int]) -> list[int]:
    start, _ = signature
    magic, _, count = struct.unpack_from(">3I", image, start)
    if magic != _SUPERBLOB:
        raise BinaryFormatError(f"the code signature is not a SuperBlob ({magic:#x})")
    found = []
    for index in range(count):
        _, offset = struct.unpack_from(">2I", image, start + 12 + index * 8)
        if struct.unpack_from(">I", image, start + offset)[0] == _CODE_DIRECTORY:
            found.append(start + offset)
    return found


def _rehash(image: bytearray, directory: int, changed: range) -> None:
    """Recompute the page hashes of ``directory`` that cover the ``changed`` bytes."""
    hash_offset, _, _, code_slots, code_limit = struct.unpack_from(">IIIII", image, directory + 16)
    hash_size, hash_type, _, page_log = struct.unpack_from(">BBBB", image, directory + 36)
    page = 1 << page_log
    algorithm = _HASHES.get(hash_type)
    if algorithm is None:
        raise BinaryFormatError(f"unknown code signature hash type {hash_type}")
    for slot in range(changed.start // page, min(code_slots, (changed.stop - 1) // page + 1)):
        data = image[slot * page : min((slot + 1) * page, code_limit)]
        at = directory + hash_offset + slot * hash_size
        image[at : at + hash_size] = algorithm(data).digest()[:hash_size]


def normalize_macho(path: Path) -> bool:
    """Rewrite ``path`` in place (see the module docstring); return whether it changed."""
    original = path.read_bytes()
    layout = _layout(original)
    image = bytearray(original)
    changed = [_mirror_lazy_pointers(image, layout)]
    if layout.uuid is not None:
        at = layout.uuid
        image[at : at + 16] = bytes(16)
        end = layout.signature[0] if layout.signature else len(image)
        image[at : at + 16] = _uuid_from(hashlib.sha256(image[:end]).digest())
        changed.append(range(at, at + 16))
    if layout.signature:
        for directory in _code_directories(original, layout.signature):
            for span in changed:
                if span:
                    _rehash(image, directory, span)
    if image == original:
        return False
    _atomic.write_bytes(path, bytes(image))  # never half a dylib; the mode stays
    return True
