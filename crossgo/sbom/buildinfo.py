"""Go's build info, read from a built library: what ``go version -m`` prints, without Go.

The Go linker writes a blob headed ``\\xff Go buildinf:`` near the start of the data: in its
own section (ELF ``.go.buildinfo``, Mach-O ``__go_buildinfo``) or in the first writable data
section (PE). Since Go 1.18 the blob holds two length-prefixed strings after its 32-byte
header: Go's version and the module info (``path``, ``mod``, ``dep``, ``=>`` and ``build``
lines, framed by 16-byte sentinels). Stripping (``-s -w``) removes symbols and DWARF, not the
blob. This follows Go's own reader (``debug/buildinfo``) and ``runtime/debug.ParseBuildInfo``;
reading it here keeps ``crossgo sbom`` working on a machine without Go.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from crossgo.errors import UsageError

__all__ = ["BuildInfo", "Module", "parse_modinfo", "read_buildinfo"]

_MAGIC = b"\xff Go buildinf:"
_ALIGN = 16
_HEADER = 32
_WINDOW = 64 * 1024  # Go reads this much from the start of the data, and so do we
_FLAG_INLINE = 2  # the strings follow the header (Go 1.18 and later)
_MachOHeader: TypeAlias = Any  # macholib.MachO.MachOHeader: macholib ships no types


@dataclass(frozen=True, slots=True, kw_only=True)
class Module:
    """One ``mod``/``dep`` line, with its ``=>`` replacement if any."""

    path: str
    version: str
    sum: str = ""  # "h1:..."; empty for the main module, vendored and local modules
    replace: Module | None = None

    @property
    def effective(self) -> Module:
        """What was compiled: the replacement when there is one."""
        return self.replace or self

    @property
    def is_local(self) -> bool:
        """A replacement by a directory (``=> ./dep``): no version, no module cache."""
        return self.path.startswith(("./", "../", "/")) or self.path in {".", ".."}


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildInfo:
    """The build info of one Go binary (one slice of a universal library)."""

    go_version: str  # "go1.22.5"
    path: str  # the main package's import path
    main: Module | None
    deps: tuple[Module, ...]
    settings: tuple[tuple[str, str], ...]

    def setting(self, key: str) -> str | None:
        return next((value for name, value in self.settings if name == key), None)

    @property
    def go_release(self) -> str:
        """``1.22.5`` from ``go1.22.5`` (and from ``go1.22.5 X:boringcrypto``)."""
        return self.go_version.split()[0].removeprefix("go")


def read_buildinfo(path: Path) -> tuple[BuildInfo, ...]:
    """The build info of ``path``: one per slice (a universal Mach-O has two).

    A file that is not ELF, Mach-O or PE, or has no Go build info, is a UsageError.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        msg = f"cannot read {path} ({error.strerror or error})."
        raise UsageError(msg) from error
    return tuple(_decode(path, data, start, end) for start, end in _data_starts(path, data))


def _data_starts(path: Path, data: bytes) -> list[tuple[int, int]]:
    """(file offset, end) of where each slice's build info blob must be."""
    head = data[:4]
    if head == b"\x7fELF":
        return [_elf_start(path)]
    if head[:2] == b"MZ":
        return [_pe_start(path)]
    if head in {b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf"}:
        return _macho_starts(path)
    msg = (
        f"{path} is not a shared library crossgo can read (ELF, Mach-O or PE): "
        "give a Go c-shared library or a wheel."
    )
    raise UsageError(msg)


def _not_readable(path: Path, error: Exception) -> UsageError:
    return UsageError(f"{path} could not be read as a shared library: {error}.")


def _elf_start(path: Path) -> tuple[int, int]:
    from elftools.common.exceptions import ELFError  # noqa: PLC0415 - lazy, as crossgo.binary
    from elftools.elf.elffile import ELFFile  # noqa: PLC0415

    try:
        with path.open("rb") as stream:
            elf = ELFFile(stream)
            section = elf.get_section_by_name(".go.buildinfo")
            if section is not None:
                return section["sh_offset"], section["sh_offset"] + section["sh_size"]
            for segment in elf.iter_segments():
                flags = segment["p_flags"]
                if segment["p_type"] == "PT_LOAD" and flags & 0x3 == 0x2:  # PF_W, not PF_X
                    return segment["p_offset"], segment["p_offset"] + segment["p_filesz"]
    except (ELFError, OSError, ValueError) as error:
        raise _not_readable(path, error) from error
    return 0, 0


def _pe_start(path: Path) -> tuple[int, int]:
    import pefile  # noqa: PLC0415

    wanted = 0x40 | 0x40000000 | 0x80000000  # initialised data, readable, writable
    try:
        pe = pefile.PE(str(path), fast_load=True)
    except pefile.PEFormatError as error:
        raise _not_readable(path, error) from error
    try:
        for section in pe.sections:
            flags = section.Characteristics & ~0x600000  # minus IMAGE_SCN_ALIGN_32BYTES
            if section.VirtualAddress and section.Misc_VirtualSize and flags == wanted:
                start = section.PointerToRawData
                return start, start + section.SizeOfRawData
    finally:
        pe.close()
    return 0, 0


def _macho_starts(path: Path) -> list[tuple[int, int]]:
    from macholib.MachO import MachO  # noqa: PLC0415

    try:
        macho = MachO(str(path))
    except (ValueError, OSError, KeyError) as error:
        raise _not_readable(path, error) from error
    return [_macho_header_start(header) for header in macho.headers]


def _macho_header_start(header: _MachOHeader) -> tuple[int, int]:
    from macholib.mach_o import LC_SEGMENT, LC_SEGMENT_64  # noqa: PLC0415

    base = header.offset  # a fat file's slice starts here; offsets inside are relative
    segments = [
        (command, sections)
        for load, command, sections in header.commands
        if load.cmd in {LC_SEGMENT, LC_SEGMENT_64}
    ]
    for _command, sections in segments:
        for section in sections:
            if _name(section.sectname) == "__go_buildinfo":
                return base + section.offset, base + section.offset + section.size
    for command, _sections in segments:
        if command.vmaddr and command.filesize and command.initprot == 3 == command.maxprot:
            return base + command.fileoff, base + command.fileoff + command.filesize
    return 0, 0


def _name(raw: bytes | str) -> str:
    return (raw.decode("latin-1") if isinstance(raw, bytes) else raw).rstrip("\0")


def _decode(path: Path, data: bytes, start: int, end: int) -> BuildInfo:
    window = data[start : min(end, start + _WINDOW)] if end > start else b""
    index = _find_blob(window)
    if index is None:
        msg = (
            f"{path} has no Go build info: it is not a Go library, or its build info was "
            "removed. `crossgo sbom` reads libraries built by Go 1.18 or later."
        )
        raise UsageError(msg)
    blob = window[index:]
    if not blob[15] & _FLAG_INLINE:
        msg = f"{path} was built by a Go older than 1.18, whose build info crossgo cannot read."
        raise UsageError(msg)
    version, rest = _varint_string(blob[_HEADER:])
    modinfo, _ = _varint_string(rest)
    if not version:
        msg = f"{path} has a damaged Go build info blob (no Go version)."
        raise UsageError(msg)
    # Strip the 16-byte binary sentinels around the module info, as debug/buildinfo does.
    framed = len(modinfo) >= 33 and modinfo[-17:-16] == b"\n"
    text = modinfo[16:-16].decode("utf-8", "replace") if framed else ""
    return parse_modinfo(version.decode("utf-8", "replace"), text)


def _find_blob(window: bytes) -> int | None:
    index = window.find(_MAGIC)
    while index >= 0:
        if index % _ALIGN == 0 and len(window) - index >= _HEADER:
            return index
        index = window.find(_MAGIC, index + 1)
    return None


def _varint_string(data: bytes) -> tuple[bytes, bytes]:
    length, shift, used = 0, 0, 0
    for used, byte in enumerate(data[:10], start=1):  # noqa: B007 - `used` is read after
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    else:
        return b"", b""
    if length > len(data) - used:
        return b"", b""
    return data[used : used + length], data[used + length :]


# --- the module info text (runtime/debug.ParseBuildInfo) --------------------------------


def parse_modinfo(go_version: str, text: str) -> BuildInfo:
    """Parse the module info lines Go embeds (``go version -m`` prints them indented)."""
    path, main = "", None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    for line in text.splitlines():
        word, _, rest = line.partition("\t")
        fields = rest.split("\t")
        if word == "path":
            path = rest
        elif word == "mod":
            main = _module(fields)
        elif word == "dep":
            deps.append(_module(fields))
        elif word == "=>" and (deps or main):
            replaced = _module(fields)
            if deps:
                deps[-1] = _with_replace(deps[-1], replaced)
            elif main is not None:
                main = _with_replace(main, replaced)
        elif word == "build":
            settings.append(_setting(rest))
    return BuildInfo(
        go_version=go_version,
        path=path,
        main=main,
        deps=tuple(deps),
        settings=tuple(settings),
    )


def _module(fields: Sequence[str]) -> Module:
    padded = [*fields, "", "", ""]
    return Module(path=padded[0], version=padded[1], sum=padded[2])


def _with_replace(module: Module, replace: Module) -> Module:
    return Module(path=module.path, version=module.version, sum=module.sum, replace=replace)


def _setting(text: str) -> tuple[str, str]:
    """``key=value``, either side Go-quoted when it holds spaces, quotes or ``=``."""
    if text.startswith('"'):
        end = _quoted_end(text)
        key, rest = _unquote(text[: end + 1]), text[end + 1 :]
        return key, _value(rest.removeprefix("="))
    key, _, value = text.partition("=")
    return key, _value(value)


def _value(text: str) -> str:
    return _unquote(text) if text.startswith('"') else text


def _quoted_end(text: str) -> int:
    index = 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    return len(text) - 1


def _unquote(text: str) -> str:
    """Go's strconv.Quote output is a valid Python string literal (\\x, \\u, \\U, \\t...)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text
