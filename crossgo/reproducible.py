"""Make a Windows DLL's bytes depend only on what was built, not on when or where.

Built with ``-trimpath -buildvcs=false -ldflags=-buildid=``, Go's c-shared ELF and
Mach-O libraries are already byte-identical from any directory and GOCACHE. PE/COFF
DLLs are not, because the linkers write values into fields that nothing reads when
the DLL is loaded. Two builds of the same package compared with ``cmp -l`` (Go 1.27):

* zig cc (lld): the COFF header TimeDateStamp, the TimeDateStamp of each debug
  directory entry (CodeView, and REPRO, which has no payload) and the GUID of the
  CodeView RSDS record. lld hashes them from the link, which Go runs in a fresh
  /tmp/go-link-* directory, so they change on every build; plain C links get the
  clock (or SOURCE_DATE_EPOCH) as stamps and a GUID that depends on the output path.
* x86_64-w64-mingw32-gcc (GNU ld): the COFF header and export directory
  TimeDateStamp, set to the link time (or SOURCE_DATE_EPOCH), and with them the
  optional-header CheckSum. Go passes ``--no-insert-timestamp`` to GNU ld, so its
  DLLs have 0 there and are identical already, but carry a CheckSum that does not
  match the file.

:func:`normalize_pe` rewrites these fields, and leaves everything else alone.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from crossgo import _atomic
from crossgo.binary import BinaryFormatError

__all__ = ["normalize_pe"]

_PEFile: TypeAlias = Any  # pefile.PE, which ships no types
_PEStructure: TypeAlias = Any  # pefile.Structure
_PEDebugEntry: TypeAlias = Any  # pefile.DebugData: .struct, and .entry for CodeView

_MAX_TIMESTAMP = 0xFFFFFFFF
_SECURITY_DIRECTORY = 4  # IMAGE_DIRECTORY_ENTRY_SECURITY: where Authenticode lives
_CODEVIEW_PDB70 = "CV_INFO_PDB70"  # pefile's name for an RSDS record
_GUID_SIZE = 16


@dataclass(frozen=True, slots=True)
class _VolatileFields:
    """File offsets of the fields two links of the same inputs can disagree on."""

    coff_timestamp: int
    # Export and debug directory stamps, written only where the linker set one.
    other_timestamps: tuple[int, ...]
    # (offset, length) of CodeView GUIDs, identifiers meant to be unique per link.
    identifiers: tuple[tuple[int, int], ...]
    checksum: int
    has_checksum: bool

    def spans(self) -> list[tuple[int, int]]:
        """(offset, length) of every field this module rewrites."""
        stamps = (self.coff_timestamp, *self.other_timestamps, self.checksum)
        return [(offset, 4) for offset in stamps] + list(self.identifiers)


def normalize_pe(path: Path, timestamp: int) -> bool:
    """Rewrite the DLL at ``path`` in place so equal inputs give equal bytes.

    Sets the COFF header TimeDateStamp, and every non-zero export or debug directory
    TimeDateStamp, to ``timestamp`` (seconds since 1970, e.g. SOURCE_DATE_EPOCH);
    replaces CodeView GUIDs with ones derived from the file's own content (the age
    is left alone: lld and GNU ld always write 1); recomputes the CheckSum if the
    linker wrote one. The new file replaces the old atomically. Returns whether
    anything changed.

    Raises :class:`~crossgo.binary.BinaryFormatError` if the file is not a PE image
    or is Authenticode-signed (rewriting would silently void the signature).
    """
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise ValueError(f"PE timestamps are unsigned 32-bit; {timestamp} is out of range")
    original = path.read_bytes()
    normalized = _normalized_image(original, _volatile_fields(path, original), timestamp)
    if normalized == original:
        return False
    _atomic.write_bytes(path, normalized)  # never half a DLL; the mode stays
    return True


def _volatile_fields(path: Path, image: bytes) -> _VolatileFields:
    pe = _parse_pe(path, image)
    _refuse_signed(path, pe)
    fields = _VolatileFields(
        coff_timestamp=pe.FILE_HEADER.get_field_absolute_offset("TimeDateStamp"),
        other_timestamps=_directory_timestamps(pe),
        identifiers=_debug_identifiers(pe),
        checksum=pe.OPTIONAL_HEADER.get_field_absolute_offset("CheckSum"),
        has_checksum=pe.OPTIONAL_HEADER.CheckSum != 0,
    )
    # A corrupt header could point anywhere; writing there would grow or garble the file.
    if any(offset < 0 or offset + length > len(image) for offset, length in fields.spans()):
        raise BinaryFormatError(f"{path}: a PE header points outside the file; not rewriting it")
    return fields


def _parse_pe(path: Path, image: bytes) -> _PEFile:
    # Imported here, not at the top: the CLI should not pay for pefile unless it is used.
    import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    try:
        pe = pefile.PE(data=image, fast_load=True)
        directories = ("IMAGE_DIRECTORY_ENTRY_EXPORT", "IMAGE_DIRECTORY_ENTRY_DEBUG")
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY[d] for d in directories])
    except pefile.PEFormatError as error:
        raise BinaryFormatError(f"{path}: not a PE image: {error}") from error
    return pe


def _refuse_signed(path: Path, pe: _PEFile) -> None:
    directories = pe.OPTIONAL_HEADER.DATA_DIRECTORY  # NumberOfRvaAndSizes entries, maybe fewer
    if len(directories) > _SECURITY_DIRECTORY and directories[_SECURITY_DIRECTORY].Size:
        raise BinaryFormatError(
            f"{path} is Authenticode-signed; normalise it before signing, not after"
        )


def _directory_timestamps(pe: _PEFile) -> tuple[int, ...]:
    """Offsets of the non-zero TimeDateStamps outside the COFF header."""
    return tuple(
        structure.get_field_absolute_offset("TimeDateStamp")
        for structure in _stamped_structures(pe)
        if structure.TimeDateStamp
    )


def _stamped_structures(pe: _PEFile) -> list[_PEStructure]:
    export_directory = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    exports = [export_directory.struct] if export_directory is not None else []
    return exports + [entry.struct for entry in _debug_entries(pe)]


def _debug_identifiers(pe: _PEFile) -> tuple[tuple[int, int], ...]:
    """(offset, length) of each CodeView RSDS record's GUID."""
    return tuple(
        (entry.entry.get_field_absolute_offset("Signature_Data1"), _GUID_SIZE)
        for entry in _debug_entries(pe)
        if entry.entry is not None and entry.entry.name == _CODEVIEW_PDB70
    )


def _debug_entries(pe: _PEFile) -> list[_PEDebugEntry]:
    return list(getattr(pe, "DIRECTORY_ENTRY_DEBUG", []))


def _normalized_image(image: bytes, fields: _VolatileFields, timestamp: int) -> bytes:
    patched = bytearray(image)
    for offset in (fields.coff_timestamp, *fields.other_timestamps):
        patched[offset : offset + 4] = struct.pack("<I", timestamp)
    for offset, length in (*fields.identifiers, (fields.checksum, 4)):
        patched[offset : offset + length] = bytes(length)
    # Equal images with the identifiers blanked get equal identifiers; different ones don't.
    longest = max((length for _, length in fields.identifiers), default=0)
    digest = hashlib.shake_256(patched).digest(longest)
    for offset, length in fields.identifiers:
        patched[offset : offset + length] = digest[:length]
    if fields.has_checksum:
        patched[fields.checksum : fields.checksum + 4] = struct.pack("<I", _checksum(patched))
    return bytes(patched)


def _checksum(image: bytearray) -> int:
    import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    return int(pefile.PE(data=bytes(image), fast_load=True).generate_checksum())
