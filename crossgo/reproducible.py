"""Make a Windows DLL's bytes depend only on what was built, not on when or where.

Built with ``-trimpath -buildvcs=false -ldflags=-buildid=``, Go's c-shared ELF and
Mach-O libraries are already byte-identical from any directory and GOCACHE. PE/COFF
DLLs are not, because the linkers write values into fields that nothing reads when
the DLL is loaded. Two builds of the same package compared with ``cmp -l`` (Go 1.27):

* zig cc (lld): the COFF header TimeDateStamp, the TimeDateStamp of each debug
  directory entry (CodeView and REPRO) and the GUID of the CodeView RSDS record.
  lld derives them from the link's temporary paths, so they change every build.
* x86_64-w64-mingw32-gcc (GNU ld): the COFF header and export directory
  TimeDateStamp, set to the link time, and with them the optional-header CheckSum.
  Go passes ``--no-insert-timestamp`` to GNU ld, so its DLLs have these at 0; they
  do carry a CheckSum that does not match the file.

:func:`normalize_pe` rewrites exactly these fields, and leaves everything else alone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from crossgo.binary import BinaryFormatError

__all__ = ["normalize_pe"]

_PEFile: TypeAlias = Any  # pefile.PE, which ships no types
_PEStructure: TypeAlias = Any  # pefile.Structure
_PEDebugEntry: TypeAlias = Any  # pefile.DebugData: .struct, and .entry for CodeView

_MAX_TIMESTAMP = 0xFFFFFFFF
_DEBUG_TYPE_REPRO = 16  # its payload: a 4-byte length, then a hash of the image
_REPRO_HASH_OFFSET = 4
_GUID_SIZE = 16


@dataclass(frozen=True, slots=True)
class _VolatileFields:
    """File offsets of the fields two links of the same inputs can disagree on."""

    coff_timestamp: int
    # Export and debug directory stamps, written only where the linker set one.
    other_timestamps: tuple[int, ...]
    # (offset, length) of CodeView GUIDs and REPRO hashes: identifiers meant to be unique.
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
    replaces CodeView GUIDs and REPRO hashes with ones derived from the file's own
    content; recomputes the CheckSum if the linker wrote one. The new file replaces
    the old atomically. Returns whether anything changed.

    Raises :class:`~crossgo.binary.BinaryFormatError` if the file is not a PE image
    or is Authenticode-signed (rewriting would silently void the signature).
    """
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise ValueError(f"PE timestamps are unsigned 32-bit; {timestamp} is out of range")
    original = path.read_bytes()
    normalized = _normalized_image(original, _volatile_fields(path, original), timestamp)
    if normalized == original:
        return False
    _replace_atomically(path, normalized)
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
    import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415 (CLI start-up)

    try:
        pe = pefile.PE(data=image, fast_load=True)
        directories = ("IMAGE_DIRECTORY_ENTRY_EXPORT", "IMAGE_DIRECTORY_ENTRY_DEBUG")
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY[d] for d in directories])
    except pefile.PEFormatError as error:
        raise BinaryFormatError(f"{path}: not a PE image: {error}") from error
    return pe


def _refuse_signed(path: Path, pe: _PEFile) -> None:
    import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    directories = pe.OPTIONAL_HEADER.DATA_DIRECTORY  # NumberOfRvaAndSizes entries, maybe fewer
    security = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]
    if security < len(directories) and directories[security].Size:
        raise BinaryFormatError(
            f"{path} is Authenticode-signed; normalise it before signing, not after"
        )


def _directory_timestamps(pe: _PEFile) -> tuple[int, ...]:
    """Offsets of the non-zero TimeDateStamps outside the COFF header."""
    stamped: list[tuple[_PEStructure, str]] = [(s, "TimeDateStamp") for s in _stamped(pe)]
    # A CodeView NB10 record's Signature is a link timestamp too.
    stamped += [(d.entry, "Signature") for d in _debug_entries(pe) if _is_codeview(d, "NB10")]
    return tuple(s.get_field_absolute_offset(name) for s, name in stamped if getattr(s, name))


def _stamped(pe: _PEFile) -> list[_PEStructure]:
    export_directory = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    exports = [export_directory.struct] if export_directory is not None else []
    return exports + [entry.struct for entry in _debug_entries(pe)]


def _debug_identifiers(pe: _PEFile) -> tuple[tuple[int, int], ...]:
    guids = [
        (entry.entry.get_field_absolute_offset("Signature_Data1"), _GUID_SIZE)
        for entry in _debug_entries(pe)
        if _is_codeview(entry, "RSDS")
    ]
    repro_hashes = [
        (debug.PointerToRawData + _REPRO_HASH_OFFSET, debug.SizeOfData - _REPRO_HASH_OFFSET)
        for debug in (entry.struct for entry in _debug_entries(pe))
        if debug.Type == _DEBUG_TYPE_REPRO
        and debug.PointerToRawData  # 0: the entry only marks the build as deterministic
        and debug.SizeOfData > _REPRO_HASH_OFFSET
    ]
    return tuple(guids + repro_hashes)


def _debug_entries(pe: _PEFile) -> list[_PEDebugEntry]:
    return list(getattr(pe, "DIRECTORY_ENTRY_DEBUG", []))


def _is_codeview(debug_entry: _PEDebugEntry, signature: str) -> bool:
    record = debug_entry.entry
    return bool(record is not None and getattr(record, "CvSignature", None) == signature.encode())


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


def _replace_atomically(path: Path, data: bytes) -> None:
    """Write a sibling temporary file, then rename it over ``path``: never half a DLL."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        shutil.copymode(path, temporary)  # mkstemp created it 0600
        temporary.replace(path)  # os.replace: atomic within one directory
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
