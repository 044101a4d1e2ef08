"""Read what crossgo's post-build checks need to know about a built shared library.

One entry point, :func:`read_binary`, for the three formats crossgo produces: ELF
(``.so``), Mach-O (``.dylib``) and PE (``.dll``). It reports the CPU, the exported
symbols, the libraries the binary loads and how it finds them, the glibc and macOS
floors it needs, and which dylib each undefined Mach-O symbol is bound to. Reading
only: :mod:`crossgo.reproducible` is the module that rewrites binaries.

The parsing libraries (pyelftools, macholib, pefile) are imported inside the reader
that needs them, on purpose, so that importing this module (and starting the CLI)
stays cheap; hence the ``noqa: PLC0415`` on those imports.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

from crossgo.errors import ArtifactCheckError

if TYPE_CHECKING:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerDefSection, GNUVerNeedSection
    from elftools.elf.sections import Section, Symbol, SymbolTableSection

__all__ = [
    "BinaryFormatError",
    "BinaryInfo",
    "Format",
    "glibc_provided",
    "read_binary",
    "read_slices",
]

Format = Literal["elf", "macho", "pe"]

# macholib and pefile ship no types; these aliases say which of their objects is meant.
_MachOFile: TypeAlias = Any  # macholib.MachO.MachO
_MachOHeader: TypeAlias = Any  # macholib.MachO.MachOHeader, one architecture's slice
_MachOCommandBody: TypeAlias = Any  # e.g. macholib.mach_o.dylib_command
_MachOCommand: TypeAlias = tuple[Any, _MachOCommandBody, Any]  # (load_command, body, data)
_PEFile: TypeAlias = Any  # pefile.PE


class BinaryFormatError(ArtifactCheckError, ValueError):
    """The file is not a shared library crossgo can read: unknown, truncated or fat.

    A ``ValueError`` as the reader's contract promises; also an
    ``ArtifactCheckError`` so the CLI reports an unreadable build output as a
    failed check rather than a crash.
    """


@dataclass(frozen=True, slots=True, kw_only=True)
class BinaryInfo:
    """What one shared library says about itself; format-specific fields are empty elsewhere.

    ``machine`` is "x86_64", "aarch64", "ppc64le", "i386" or "arm", else
    ``unknown:<raw>`` with the format's own value (ELF: pyelftools' ``EM_*`` name;
    Mach-O cputype and PE Machine in hex). ``exports`` are the symbols another
    module can bind to: ELF ``.dynsym`` entries that are defined, global/weak/unique,
    default/protected visibility and of function or data type; Mach-O external,
    non-private-extern defined symbols; PE named exports. Mach-O names lose the one
    leading underscore the C compiler added. ``needed`` on Mach-O lists every
    dylib-loading command (plain, weak, re-export, lazy, upward) in load order, the
    list two-level-namespace ordinals index. ``imports`` are the symbols the binary takes
    from elsewhere, each with the library it names for it: the DLL on PE (import and
    delay-import tables; ``#<n>`` for an import by ordinal); the dylib on Mach-O (as
    ``macos_undefined``); None on ELF, whose undefined ``.dynsym`` symbols are found by the
    loader's search through everything loaded, not in a named library. ``debug`` names the
    debug information and symbol tables a stripped library must not carry: ELF ``.debug_*``
    sections and ``.symtab``; Mach-O ``__DWARF`` sections and STABS entries; PE ``.debug_*``
    sections (DWARF from GNU tools), the COFF symbol table and debug-directory entries.
    """

    path: Path
    format: Format
    machine: str
    exports: frozenset[str]
    needed: tuple[str, ...]
    soname: str | None = None
    rpaths: tuple[str, ...] = ()
    glibc_max: tuple[int, int] | None = None
    macos_minos: tuple[int, int] | None = None
    macos_undefined: tuple[tuple[str, str | None], ...] = ()
    pe_timestamp: int | None = None
    imports: tuple[tuple[str, str | None], ...] = ()
    debug: tuple[str, ...] = ()


def read_binary(path: Path) -> BinaryInfo:
    """Read ``path``, an ELF, Mach-O (thin, or fat with one slice) or PE shared library.

    Raises :class:`BinaryFormatError` if the file is of no known format, is
    truncated or corrupt, or is a universal Mach-O holding more than one architecture.
    """
    slices = read_slices(path)
    _require_one_slice(path, len(slices))
    return slices[0]


def read_slices(path: Path) -> tuple[BinaryInfo, ...]:
    """Like :func:`read_binary`, but a universal Mach-O gives one entry per architecture."""
    head = _read_head(path)
    binary_format = _detect_format(path, head)
    try:
        if binary_format == "macho":
            return _read_macho_slices(path)
        return (_READERS[binary_format](path),)
    except BinaryFormatError:
        raise
    except (*_PARSER_ERRORS, *_library_errors(binary_format)) as error:
        label = _FORMAT_LABELS[binary_format]
        raise BinaryFormatError(f"{path}: corrupt or truncated {label} file: {error}") from error


# ---------------------------------------------------------------------------
# Format detection and shared helpers

_FORMAT_LABELS: dict[Format, str] = {"elf": "ELF", "macho": "Mach-O", "pe": "PE"}
_ELF_MAGIC = b"\x7fELF"
_PE_MAGIC = b"MZ"
_MACHO_MAGICS = frozenset(
    bytes.fromhex(magic) for magic in ("feedface", "cefaedfe", "feedfacf", "cffaedfe")
)
_FAT_MAGICS = frozenset(bytes.fromhex(magic) for magic in ("cafebabe", "cafebabf"))
# Java class files share the fat magic; their next word (class file version) is >= 45,
# while real universal binaries hold a handful of slices (file(1) uses the same test).
_MAX_FAT_ARCHS = 30

# What the parsing libraries let escape on malformed input, besides their own classes.
_PARSER_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
)


def _read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        head = stream.read(8)
    if len(head) < 8:
        raise BinaryFormatError(f"{path}: {len(head)} bytes, too short to be a shared library")
    return head


def _detect_format(path: Path, head: bytes) -> Format:
    magic = head[:4]
    if magic == _ELF_MAGIC:
        return "elf"
    if magic in _MACHO_MAGICS:
        return "macho"
    slice_count = int.from_bytes(head[4:8], "big")
    if magic in _FAT_MAGICS and 0 < slice_count <= _MAX_FAT_ARCHS:
        return "macho"
    if head[:2] == _PE_MAGIC:
        return "pe"
    raise BinaryFormatError(f"{path}: not an ELF, Mach-O or PE file (starts with {magic.hex()})")


def _require_one_slice(path: Path, slice_count: int) -> None:
    if slice_count > 1:
        raise BinaryFormatError(
            f"{path}: universal Mach-O with {slice_count} architectures; "
            "check one architecture at a time (lipo -thin)"
        )


def _library_errors(binary_format: Format) -> tuple[type[Exception], ...]:
    """The parsing library's own exception classes (imported only once it is in use)."""
    if binary_format == "elf":
        from elftools.common.exceptions import ELFError  # noqa: PLC0415

        return (ELFError,)
    if binary_format == "pe":
        import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

        return (pefile.PEFormatError,)
    # macholib raises ValueError and struct.error, and OSError when a header points
    # outside the file (its file view refuses the seek).
    return (OSError,)


def _require_complete(path: Path, binary_format: Format, described_end: int) -> None:
    """Refuse a file shorter than its headers say: the libraries read past EOF silently."""
    size = path.stat().st_size
    if described_end > size:
        raise BinaryFormatError(
            f"{path}: truncated {_FORMAT_LABELS[binary_format]} file: its headers describe "
            f"{described_end} bytes but it has {size}"
        )


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _unknown_machine(raw: int | str) -> str:
    return f"unknown:{raw:#x}" if isinstance(raw, int) else f"unknown:{raw}"


# ---------------------------------------------------------------------------
# ELF (pyelftools)

_ELF_MACHINES = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64", "EM_386": "i386", "EM_ARM": "arm"}
_ELF_STRING_TAGS = frozenset({"DT_NEEDED", "DT_SONAME", "DT_RPATH", "DT_RUNPATH"})
# pyelftools spells STB_GNU_UNIQUE as STB_LOOS and STT_GNU_IFUNC as STT_LOOS.
_ELF_EXPORTED_BINDINGS = frozenset({"STB_GLOBAL", "STB_WEAK", "STB_LOOS"})
_ELF_EXPORTED_TYPES = frozenset({"STT_FUNC", "STT_OBJECT", "STT_LOOS", "STT_TLS", "STT_COMMON"})
_ELF_EXPORTED_VISIBILITIES = frozenset({"STV_DEFAULT", "STV_PROTECTED"})
_GLIBC_VERSION = re.compile(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?")


def _read_elf(path: Path) -> BinaryInfo:
    from elftools.elf.elffile import ELFFile  # noqa: PLC0415

    with path.open("rb") as stream:
        elf = ELFFile(stream)
        _require_complete(path, "elf", _elf_described_end(elf))
        strings = _elf_dynamic_strings(elf)
        search_paths = (value for tag, value in strings if tag in {"DT_RUNPATH", "DT_RPATH"})
        return BinaryInfo(
            path=path,
            format="elf",
            machine=_elf_machine(elf.header["e_machine"], little_endian=elf.little_endian),
            exports=_elf_exports(elf),
            needed=tuple(value for tag, value in strings if tag == "DT_NEEDED"),
            soname=next((value for tag, value in strings if tag == "DT_SONAME"), None),
            rpaths=tuple(entry for value in search_paths for entry in value.split(":") if entry),
            glibc_max=_glibc_max(_elf_required_versions(elf)),
            imports=tuple((name, None) for name in _elf_undefined(elf)),
            debug=tuple(
                section.name
                for section in elf.iter_sections()
                if _is_debug_section(section.name) or section.name == ".symtab"
            ),
        )


def _is_debug_section(name: str) -> bool:
    """DWARF, plain or compressed (``.zdebug_``), in ELF or PE (GNU tools' long names)."""
    return name.startswith((".debug_", ".zdebug_"))


def _elf_machine(e_machine: str | int, *, little_endian: bool) -> str:
    if e_machine == "EM_PPC64" and little_endian:
        return "ppc64le"
    return _ELF_MACHINES.get(str(e_machine)) or _unknown_machine(e_machine)


def _elf_described_end(elf: ELFFile) -> int:
    header = elf.header
    ends = [
        header["e_shoff"] + elf.num_sections() * header["e_shentsize"],
        header["e_phoff"] + elf.num_segments() * header["e_phentsize"],
    ]
    ends += [s["sh_offset"] + s["sh_size"] for s in elf.iter_sections() if _elf_has_bytes(s)]
    ends += [segment["p_offset"] + segment["p_filesz"] for segment in elf.iter_segments()]
    return int(max(ends))


def _elf_has_bytes(section: Section) -> bool:
    return section["sh_type"] != "SHT_NOBITS"  # .bss-like sections occupy no file space


def _elf_dynamic_strings(elf: ELFFile) -> list[tuple[str, str]]:
    """(tag, string) for the string-valued dynamic tags, in file order."""
    for section in elf.iter_sections(type="SHT_DYNAMIC"):
        return [
            # pyelftools attaches each string as an attribute named after its tag.
            (tag.entry.d_tag, str(getattr(tag, tag.entry.d_tag[3:].lower())))
            for tag in cast("DynamicSection", section).iter_tags()
            if tag.entry.d_tag in _ELF_STRING_TAGS
        ]
    return []


def _elf_exports(elf: ELFFile) -> frozenset[str]:
    return frozenset(
        symbol.name
        for section in elf.iter_sections(type="SHT_DYNSYM")
        for symbol in cast("SymbolTableSection", section).iter_symbols()
        if _elf_is_export(symbol)
    )


def _elf_is_export(symbol: Symbol) -> bool:
    return bool(
        symbol.name
        and symbol["st_shndx"] != "SHN_UNDEF"
        and symbol["st_info"]["bind"] in _ELF_EXPORTED_BINDINGS
        and symbol["st_info"]["type"] in _ELF_EXPORTED_TYPES
        and symbol["st_other"]["visibility"] in _ELF_EXPORTED_VISIBILITIES
    )


def _elf_undefined(elf: ELFFile) -> list[str]:
    """The named global or weak symbols .dynsym leaves for other modules to define."""
    return sorted(
        {
            symbol.name
            for section in elf.iter_sections(type="SHT_DYNSYM")
            for symbol in cast("SymbolTableSection", section).iter_symbols()
            if symbol.name
            and symbol["st_shndx"] == "SHN_UNDEF"
            and symbol["st_info"]["bind"] in _ELF_EXPORTED_BINDINGS
        }
    )


def _elf_required_versions(elf: ELFFile) -> list[str]:
    """Every version name in .gnu.version_r (GLIBC_2.17, GCC_3.0, ...)."""
    return [
        auxiliary.name
        for section in elf.iter_sections(type="SHT_GNU_verneed")
        for _library, auxiliaries in cast("GNUVerNeedSection", section).iter_versions()
        for auxiliary in auxiliaries
    ]


def glibc_provided(path: Path) -> tuple[int, int] | None:
    """The newest GLIBC_x.y version a C library (libc.so.6) defines: the glibc a compiler
    that links against it can need at most; None if ``path`` defines no GLIBC version."""
    from elftools.common.exceptions import ELFError  # noqa: PLC0415
    from elftools.elf.elffile import ELFFile  # noqa: PLC0415

    try:
        with path.open("rb") as stream:
            elf = ELFFile(stream)
            names = [
                auxiliary.name
                for section in elf.iter_sections(type="SHT_GNU_verdef")
                for _definition, auxiliaries in cast("GNUVerDefSection", section).iter_versions()
                for auxiliary in auxiliaries
            ]
    except (OSError, ELFError):
        return None
    return _glibc_max(names)


def _glibc_max(version_names: Iterable[str]) -> tuple[int, int] | None:
    """Highest GLIBC_x.y[.z] as (x, y); GLIBC_PRIVATE and the like carry no number."""
    matches = (_GLIBC_VERSION.fullmatch(name) for name in version_names)
    return max(((int(match[1]), int(match[2])) for match in matches if match), default=None)


# ---------------------------------------------------------------------------
# Mach-O (macholib)

# Values from <mach-o/loader.h> and <mach-o/nlist.h>, named here so that importing
# this module does not import macholib.
_LC_SEGMENT = 0x1
_LC_SEGMENT_64 = 0x19
_LC_ID_DYLIB = 0xD
_LC_RPATH = 0x8000001C
_LC_BUILD_VERSION = 0x32
_LC_VERSION_MIN_MACOSX = 0x24
# Every command that loads a dylib counts towards two-level-namespace library ordinals.
_LC_DYLIB_LOADS = frozenset(
    {
        0xC,  # LC_LOAD_DYLIB
        0x80000018,  # LC_LOAD_WEAK_DYLIB
        0x8000001F,  # LC_REEXPORT_DYLIB
        0x20,  # LC_LAZY_LOAD_DYLIB
        0x80000023,  # LC_LOAD_UPWARD_DYLIB
    }
)
_PLATFORM_MACOS = 1
_MH_TWOLEVEL = 0x80
_N_STAB = 0xE0
_N_PEXT = 0x10
_N_TYPE = 0x0E
_N_EXT = 0x01
_N_UNDF = 0x0
_MAX_LIBRARY_ORDINAL = 0xFD  # above it: dynamic lookup (0xFE), the main executable (0xFF)
_MACHO_MACHINES = {0x01000007: "x86_64", 0x0100000C: "aarch64", 7: "i386", 12: "arm"}


@dataclass(frozen=True, slots=True)
class _MachOSymbol:
    """One nlist entry, reduced from macholib's untyped structure to what is used."""

    name: str
    n_type: int
    n_desc: int
    n_value: int


def _read_macho_slices(path: Path) -> tuple[BinaryInfo, ...]:
    from macholib.MachO import MachO  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    # Commands newer than macholib are kept as raw bytes rather than refused.
    macho = MachO(os.fspath(path), allow_unknown_load_commands=True)
    return tuple(_read_macho_header(path, macho, header) for header in macho.headers)


def _read_macho_header(path: Path, macho: _MachOFile, header: _MachOHeader) -> BinaryInfo:
    _require_complete(path, "macho", header.offset + _macho_segments_end(header.commands))
    dylibs = _macho_command_paths(header.commands, _LC_DYLIB_LOADS)
    symbols = _macho_symbols(macho, header)
    cputype = int(header.header.cputype)
    undefined = _macho_bindings(symbols, dylibs, header.header.flags & _MH_TWOLEVEL)
    return BinaryInfo(
        path=path,
        format="macho",
        machine=_MACHO_MACHINES.get(cputype) or _unknown_machine(cputype),
        exports=frozenset(s.name.removeprefix("_") for s in symbols if _macho_is_export(s)),
        needed=dylibs,
        soname=next(iter(_macho_command_paths(header.commands, {_LC_ID_DYLIB})), None),
        rpaths=_macho_command_paths(header.commands, {_LC_RPATH}),
        macos_minos=_macos_minos(header.commands),
        macos_undefined=undefined,
        imports=undefined,
        debug=_macho_dwarf(header.commands) + _macho_debug_map(symbols),
    )


def _macho_debug_map(symbols: Sequence[_MachOSymbol]) -> tuple[str, ...]:
    """STABS entries: the debug map that points a debugger at the object files' DWARF."""
    count = sum(1 for symbol in symbols if symbol.n_type & _N_STAB)
    return (f"{count} STABS debug-map entries",) if count else ()


def _macho_dwarf(commands: Sequence[_MachOCommand]) -> tuple[str, ...]:
    """The sections of a ``__DWARF`` segment: debug information left in the dylib."""
    return tuple(
        "__DWARF," + _text(section.sectname.rstrip(b"\0"))
        for load, body, sections in commands
        if load.cmd in {_LC_SEGMENT, _LC_SEGMENT_64} and body.segname.rstrip(b"\0") == b"__DWARF"
        for section in sections
    )


def _macho_segments_end(commands: Sequence[_MachOCommand]) -> int:
    segments = [body for load, body, _ in commands if load.cmd in {_LC_SEGMENT, _LC_SEGMENT_64}]
    return max((int(segment.fileoff + segment.filesize) for segment in segments), default=0)


def _macho_command_paths(
    commands: Sequence[_MachOCommand], kinds: Iterable[int]
) -> tuple[str, ...]:
    """The path each dylib or rpath command of the given kinds carries, in load order."""
    from macholib.MachO import lc_str_value  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    wanted = frozenset(kinds)
    return tuple(
        _text(lc_str_value(_macho_path_offset(command[1]), command).split(b"\0", 1)[0])
        for command in commands
        if command[0].cmd in wanted
    )


def _macho_path_offset(body: _MachOCommandBody) -> int:
    # dylib commands call their lc_str ``name``, LC_RPATH calls it ``path``.
    return int(body.path if hasattr(body, "path") else body.name)


def _macos_minos(commands: Sequence[_MachOCommand]) -> tuple[int, int] | None:
    for load, body, _ in commands:
        if load.cmd == _LC_BUILD_VERSION and body.platform == _PLATFORM_MACOS:
            return _macho_version(int(body.minos))
        if load.cmd == _LC_VERSION_MIN_MACOSX:
            return _macho_version(int(body.version))
    return None


def _macho_version(packed: int) -> tuple[int, int]:
    """X.Y.Z packed as xxxx.yy.zz -> (X, Y)."""
    return packed >> 16, (packed >> 8) & 0xFF


def _macho_symbols(macho: _MachOFile, header: _MachOHeader) -> tuple[_MachOSymbol, ...]:
    from macholib.SymbolTable import SymbolTable  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    if header.getSymbolTableCommand() is None:
        return ()
    # macholib names unnamed entries "" (str) and named ones with bytes.
    return tuple(
        _MachOSymbol(_text(name) if name else "", int(nl.n_type), int(nl.n_desc), int(nl.n_value))
        for nl, name in SymbolTable(macho, header).nlists
    )


def _macho_is_export(symbol: _MachOSymbol) -> bool:
    kind = symbol.n_type
    return bool(kind & _N_EXT and not kind & (_N_STAB | _N_PEXT) and kind & _N_TYPE != _N_UNDF)


def _macho_is_import(symbol: _MachOSymbol) -> bool:
    kind = symbol.n_type
    undefined = bool(kind & _N_EXT and not kind & _N_STAB and kind & _N_TYPE == _N_UNDF)
    return undefined and symbol.n_value == 0  # with a value it is a common definition


def _macho_bindings(
    symbols: Iterable[_MachOSymbol], dylibs: Sequence[str], two_level: int
) -> tuple[tuple[str, str | None], ...]:
    return tuple(
        (symbol.name.removeprefix("_"), _macho_bound_dylib(symbol, dylibs) if two_level else None)
        for symbol in symbols
        if _macho_is_import(symbol)
    )


def _macho_bound_dylib(symbol: _MachOSymbol, dylibs: Sequence[str]) -> str | None:
    """The dylib the symbol's library ordinal names; None for self/dynamic/executable."""
    ordinal = (symbol.n_desc >> 8) & 0xFF
    if 1 <= ordinal <= min(len(dylibs), _MAX_LIBRARY_ORDINAL):
        return dylibs[ordinal - 1]
    return None


# ---------------------------------------------------------------------------
# PE (pefile)

_PE_MACHINES = {0x8664: "x86_64", 0xAA64: "aarch64", 0x14C: "i386", 0x1C0: "arm", 0x1C4: "arm"}
_PE_DIRECTORIES = ("EXPORT", "IMPORT", "DELAY_IMPORT", "DEBUG")
_PE_SECURITY_DIRECTORY = 4  # IMAGE_DIRECTORY_ENTRY_SECURITY
# Debug-directory entries that are debug information (a PDB reference, symbols). Others are
# not: lld's REPRO entry says the timestamp is a content hash, POGO and the like are hints.
_PE_DEBUG_INFO = frozenset(
    f"IMAGE_DEBUG_TYPE_{name}"
    for name in ("COFF", "CODEVIEW", "FPO", "MISC", "EMBEDDED_PORTABLE_PDB", "PDBCHECKSUM")
)
_COFF_SYMBOL_SIZE = 18
_COFF_STRINGS_SIZE_FIELD = 4  # None from pefile: the size itself lies past the end


def _read_pe(path: Path) -> BinaryInfo:
    import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    with pefile.PE(os.fspath(path), fast_load=True) as pe:  # fast: headers only, for now
        _require_complete(path, "pe", _pe_described_end(pe))
        indexes = [pefile.DIRECTORY_ENTRY[f"IMAGE_DIRECTORY_ENTRY_{d}"] for d in _PE_DIRECTORIES]
        pe.parse_data_directories(directories=indexes)
        machine = int(pe.FILE_HEADER.Machine)
        return BinaryInfo(
            path=path,
            format="pe",
            machine=_PE_MACHINES.get(machine) or _unknown_machine(machine),
            exports=_pe_exports(pe),
            needed=_pe_imported_dlls(pe),
            pe_timestamp=int(pe.FILE_HEADER.TimeDateStamp),
            imports=_pe_imports(pe),
            debug=_pe_debug(pe),
        )


def _pe_section_name(pe: _PEFile, raw: bytes) -> str:
    """A section's name; GNU tools write longer ones as ``/<offset>`` into the COFF string
    table."""
    name = _text(raw)
    header = pe.FILE_HEADER
    if not (name.startswith("/") and name[1:].isdigit() and header.PointerToSymbolTable):
        return name
    strings = int(header.PointerToSymbolTable + header.NumberOfSymbols * _COFF_SYMBOL_SIZE)
    start = strings + int(name[1:])
    data = pe.__data__[start : start + 256]
    return _text(bytes(data).split(b"\0", 1)[0])


def _pe_debug(pe: _PEFile) -> tuple[str, ...]:
    import pefile  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    sections = [_pe_section_name(pe, section.Name.rstrip(b"\0")) for section in pe.sections]
    found = [name for name in sections if _is_debug_section(name)]
    if pe.FILE_HEADER.PointerToSymbolTable and pe.FILE_HEADER.NumberOfSymbols:
        found.append("COFF symbol table")
    for entry in getattr(pe, "DIRECTORY_ENTRY_DEBUG", ()):
        kind = pefile.DEBUG_TYPE.get(int(entry.struct.Type), str(entry.struct.Type))
        if kind in _PE_DEBUG_INFO:
            found.append(f"debug directory: {kind}")
    return tuple(found)


def _pe_described_end(pe: _PEFile) -> int:
    ends = [int(s.PointerToRawData + s.SizeOfRawData) for s in pe.sections if s.SizeOfRawData]
    # The certificate table's "VirtualAddress" is a file offset; it sits past the sections.
    certificates = pe.OPTIONAL_HEADER.DATA_DIRECTORY[_PE_SECURITY_DIRECTORY]
    if certificates.Size:
        ends.append(int(certificates.VirtualAddress + certificates.Size))
    return max([*ends, _pe_coff_tables_end(pe)])


def _pe_coff_tables_end(pe: _PEFile) -> int:
    """End of the COFF symbol and string tables that GNU ld and lld append, or 0."""
    header = pe.FILE_HEADER
    if not header.PointerToSymbolTable:
        return 0
    strings_at = int(header.PointerToSymbolTable + header.NumberOfSymbols * _COFF_SYMBOL_SIZE)
    strings_size = pe.get_dword_from_offset(strings_at)  # counts its own 4 bytes
    return strings_at + (_COFF_STRINGS_SIZE_FIELD if strings_size is None else int(strings_size))


def _pe_exports(pe: _PEFile) -> frozenset[str]:
    export_directory = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    if export_directory is None:
        return frozenset()
    return frozenset(_text(symbol.name) for symbol in export_directory.symbols if symbol.name)


def _pe_imported_dlls(pe: _PEFile) -> tuple[str, ...]:
    """Import-table DLLs, then delay-loaded ones (needed at run time too, only later)."""
    entries = [
        *getattr(pe, "DIRECTORY_ENTRY_IMPORT", []),
        *getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", []),
    ]
    return tuple(_text(entry.dll) for entry in entries)


def _pe_imports(pe: _PEFile) -> tuple[tuple[str, str | None], ...]:
    """(symbol, DLL) for every import, by name or as ``#<ordinal>``, delay-loaded ones too."""
    entries = [
        *getattr(pe, "DIRECTORY_ENTRY_IMPORT", []),
        *getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", []),
    ]
    return tuple(
        (_text(item.name) if item.name else f"#{item.ordinal}", _text(entry.dll))
        for entry in entries
        for item in entry.imports
    )


_READERS: dict[Format, Callable[[Path], BinaryInfo]] = {
    "elf": _read_elf,
    "pe": _read_pe,
}
