"""read_binary on shared libraries that real compilers build while the tests run.

Nothing is checked in and nothing is mocked: each case compiles a small C library,
linked against a small C dependency, with the named compiler and linker flags, and
then compares the fields of BinaryInfo with what those flags asked for. A case is
skipped only when its compiler is not installed.
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from crossgo.binary import BinaryFormatError, BinaryInfo, read_binary
from tests.support.commands import run_or_fail

DEPENDENCY_SOURCE = r"""
#if defined(_WIN32)
#define API __declspec(dllexport)
#else
#define API __attribute__((visibility("default")))
#endif
API int crossgo_dep_value(void) { return 1; }
"""

LIBRARY_SOURCE = r"""
#if defined(_WIN32)
#define API __declspec(dllexport)
#define HIDDEN
#else
#define _GNU_SOURCE
#define API __attribute__((visibility("default")))
#define HIDDEN __attribute__((visibility("hidden")))
#endif
#include <stdio.h>
#include <stdlib.h>

extern int crossgo_dep_value(void);

API int crossgo_answer = 42;
HIDDEN int crossgo_hidden(void) { return 7; }
static int crossgo_static(int x) { return x * crossgo_hidden(); }
API int crossgo_add(int a, int b) { return crossgo_static(a) + b + crossgo_dep_value(); }
API int crossgo_hello(const char *name) { return printf("hello %s\n", name); }
API void *crossgo_grow(void *p, size_t n) {
#if defined(__linux__)
    return reallocarray(p, n, 16); /* reallocarray@GLIBC_2.26 */
#else
    free(p);
    return malloc(n * 16);
#endif
}
"""

# Built without a C library (-nostdlib), so any CPU zig knows links in milliseconds.
PROBE_SOURCE = r"""
#if defined(_WIN32)
__declspec(dllexport) int crossgo_probe(void) { return 42; }
/* -nostdlib drops the C runtime, which is what defines a DLL's entry point. */
int __stdcall DllMainCRTStartup(void *module, unsigned reason, void *reserved) { return 1; }
#else
int crossgo_probe(void) { return 42; }
#endif
"""

EXPORTS = frozenset({"crossgo_add", "crossgo_answer", "crossgo_grow", "crossgo_hello"})
LIBSYSTEM = "/usr/lib/libSystem.B.dylib"
PE_EPOCH = 1_234_567_890  # SOURCE_DATE_EPOCH for PE links: GNU ld and lld both honour it


@dataclass(frozen=True)
class Compiler:
    """A C compiler as the tests run it, and how to install it when it is missing."""

    label: str
    argv: tuple[str, ...]
    install: str

    @property
    def is_zig(self) -> bool:
        return self.argv[1:3] == ("-m", "ziglang")

    def require(self) -> None:
        found = (
            importlib.util.find_spec("ziglang") is not None
            if self.is_zig
            else shutil.which(self.argv[0]) is not None
        )
        if not found:
            pytest.skip(f"{self.label} is not installed: {self.install}")


def gnu(program: str, package: str) -> Compiler:
    return Compiler(program, (program,), f"apt-get install {package}")


def zig(target: str) -> Compiler:
    argv = (sys.executable, "-m", "ziglang", "cc", "-target", target)
    return Compiler(
        f"zig cc -target {target}", argv, "pip install ziglang (not packaged by Debian)"
    )


GCC = gnu("x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu")  # named, so the test holds on any host
AARCH64_GCC = gnu("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
PPC64LE_GCC = gnu("powerpc64le-linux-gnu-gcc", "gcc-powerpc64le-linux-gnu")
MINGW_GCC = gnu("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
ZIG_WINDOWS = zig("x86_64-windows-gnu")
ZIG_MACOS_ARM64 = zig("aarch64-macos.12.0")
ZIG_MACOS_X86_64 = zig("x86_64-macos.11.0")


class Workshop:
    """Builds each test library once per session, each in a directory of its own.

    Compilers run in ``env``, the session's: zig's cache is then the test cache's, kept
    with everything else the suite builds once (zig's Windows C runtime takes minutes).
    """

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self._root = root
        self._env = dict(env)
        self._built: dict[tuple[object, ...], Path] = {}

    def _once(self, key: tuple[object, ...], build: Callable[[Path], Path]) -> Path:
        if key not in self._built:
            directory = self._root / f"build{len(self._built)}"
            directory.mkdir()
            (directory / "dep.c").write_text(DEPENDENCY_SOURCE, encoding="utf-8")
            (directory / "lib.c").write_text(LIBRARY_SOURCE, encoding="utf-8")
            (directory / "probe.c").write_text(PROBE_SOURCE, encoding="utf-8")
            self._built[key] = build(directory)
        return self._built[key]

    def linux(self, cc: Compiler, *link_flags: str) -> Path:
        """libcrossgo.so: soname libcrossgo.so.1, run path $ORIGIN/../lib:$ORIGIN."""
        cc.require()

        def build(d: Path) -> Path:
            common = (*cc.argv, "-shared", "-fPIC", "-fvisibility=hidden")
            run_or_fail(
                [*common, "-Wl,-soname,libcrossgodep.so", "-o", "libcrossgodep.so", "dep.c"],
                d,
                self._env,
            )
            rpaths = ("-Wl,-rpath,$ORIGIN/../lib", "-Wl,-rpath,$ORIGIN")
            soname = "-Wl,-soname,libcrossgo.so.1"
            output = ("-o", "libcrossgo.so", "lib.c", "-L.", "-lcrossgodep")
            run_or_fail([*common, soname, *rpaths, *link_flags, *output], d, self._env)
            return d / "libcrossgo.so"

        return self._once(("linux", cc, link_flags), build)

    def macos(self, cc: Compiler) -> Path:
        """libcrossgo.dylib: install name @rpath/..., rpaths @loader_path/../lib, @loader_path."""
        cc.require()

        def build(d: Path) -> Path:
            common = (*cc.argv, "-shared", "-fvisibility=hidden")
            dep_name = "-Wl,-install_name,@rpath/libcrossgodep.dylib"
            run_or_fail([*common, dep_name, "-o", "libcrossgodep.dylib", "dep.c"], d, self._env)
            name = "-Wl,-install_name,@rpath/libcrossgo.dylib"
            rpaths = ("-Wl,-rpath,@loader_path/../lib", "-Wl,-rpath,@loader_path")
            output = ("-o", "libcrossgo.dylib", "lib.c", "-L.", "-lcrossgodep")
            run_or_fail([*common, name, *rpaths, *output], d, self._env)
            return d / "libcrossgo.dylib"

        return self._once(("macos", cc), build)

    def windows(self, cc: Compiler) -> Path:
        """crossgo.dll, importing crossgodep.dll through its import library."""
        cc.require()

        def build(d: Path) -> Path:
            env = {**self._env, "SOURCE_DATE_EPOCH": str(PE_EPOCH)}
            implib = "-Wl,--out-implib,libcrossgodep.dll.a"
            run_or_fail([*cc.argv, "-shared", "-o", "crossgodep.dll", "dep.c", implib], d, env)
            output = ("-o", "crossgo.dll", "lib.c", "-L.", "-lcrossgodep")
            run_or_fail([*cc.argv, "-shared", *output], d, env)
            return d / "crossgo.dll"

        return self._once(("windows", cc), build)

    def probe(self, cc: Compiler) -> Path:
        """A C-library-free one-function library, to see the CPU named."""
        cc.require()

        def build(d: Path) -> Path:
            run_or_fail(
                [*cc.argv, "-shared", "-nostdlib", "-o", "libprobe", "probe.c"], d, self._env
            )
            return d / "libprobe"

        return self._once(("probe", cc), build)


@pytest.fixture(scope="session")
def workshop(tmp_path_factory: pytest.TempPathFactory, base_env: dict[str, str]) -> Workshop:
    return Workshop(tmp_path_factory.mktemp("crossgo-binary"), base_env)


# ---------------------------------------------------------------------------
# ELF


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cc", "machine"),
    [(GCC, "x86_64"), (AARCH64_GCC, "aarch64"), (PPC64LE_GCC, "ppc64le")],
    ids=["x86_64", "aarch64", "ppc64le"],
)
def test_elf_library_reports_what_was_linked(
    workshop: Workshop, cc: Compiler, machine: str
) -> None:
    library = workshop.linux(cc)
    info = read_binary(library)

    # Undefined symbols bind by the loader's search, to no named library.
    assert {("crossgo_dep_value", None), ("printf", None), ("reallocarray", None)} <= set(
        info.imports
    )
    assert replace(info, imports=()) == BinaryInfo(
        path=library,
        format="elf",
        machine=machine,
        exports=EXPORTS,  # not crossgo_hidden, not crossgo_static, not the imports
        needed=("libcrossgodep.so", "libc.so.6"),
        soname="libcrossgo.so.1",
        rpaths=("$ORIGIN/../lib", "$ORIGIN"),  # one DT_RUNPATH, split on ':'
        glibc_max=(2, 26),  # reallocarray; printf and the rest are older
        debug=(".symtab",),  # linked without -s: the symbol table stays
    )


@pytest.mark.slow
def test_elf_dt_rpath_is_read_like_dt_runpath(workshop: Workshop) -> None:
    library = workshop.linux(GCC, "-Wl,--disable-new-dtags")  # DT_RPATH, not DT_RUNPATH

    assert read_binary(library).rpaths == ("$ORIGIN/../lib", "$ORIGIN")


# ---------------------------------------------------------------------------
# Mach-O


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cc", "machine", "minos"),
    [(ZIG_MACOS_ARM64, "aarch64", (12, 0)), (ZIG_MACOS_X86_64, "x86_64", (11, 0))],
    ids=["arm64", "x86_64"],
)
def test_macho_library_reports_what_was_linked(
    workshop: Workshop, cc: Compiler, machine: str, minos: tuple[int, int]
) -> None:
    library = workshop.macos(cc)

    info = read_binary(library)

    # zig's linker also exports __mh_dylib_header and ___dso_handle, as ld64 does.
    assert {name for name in info.exports if name.startswith("crossgo")} == EXPORTS
    assert set(info.needed) == {LIBSYSTEM, "@rpath/libcrossgodep.dylib"}
    # Every other field is fully determined by the flags the library was linked with.
    assert info.imports == info.macos_undefined
    # Built with -g: zig's linker leaves a STABS debug map pointing at the objects' DWARF.
    (debug_map,) = info.debug
    assert debug_map.endswith(" STABS debug-map entries")
    assert int(debug_map.split()[0]) > 1000
    stripped = replace(info, exports=EXPORTS, needed=(), macos_undefined=(), imports=(), debug=())
    assert stripped == BinaryInfo(
        path=library,
        format="macho",
        machine=machine,
        exports=EXPORTS,
        needed=(),
        soname="@rpath/libcrossgo.dylib",
        rpaths=("@loader_path/../lib", "@loader_path"),
        macos_minos=minos,
    )


@pytest.mark.slow
@pytest.mark.parametrize("cc", [ZIG_MACOS_ARM64, ZIG_MACOS_X86_64], ids=["arm64", "x86_64"])
def test_macho_undefined_symbols_are_bound_to_their_dylibs(
    workshop: Workshop, cc: Compiler
) -> None:
    info = read_binary(workshop.macos(cc))
    bindings = dict(info.macos_undefined)

    # Two dylibs are loaded, so a wrong ordinal would send one of these to the other.
    assert bindings["printf"] == LIBSYSTEM
    assert bindings["malloc"] == LIBSYSTEM
    assert bindings["free"] == LIBSYSTEM
    assert bindings["crossgo_dep_value"] == "@rpath/libcrossgodep.dylib"
    assert "_printf" not in bindings  # the C underscore is stripped
    assert set(bindings.values()) <= set(info.needed)


# ---------------------------------------------------------------------------
# PE


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cc", "runtime_dlls"),
    [
        (MINGW_GCC, {"msvcrt.dll"}),
        (ZIG_WINDOWS, {"api-ms-win-crt-stdio-l1-1-0.dll", "api-ms-win-crt-heap-l1-1-0.dll"}),
    ],
    ids=["mingw-gcc", "zig"],
)
def test_pe_library_reports_what_was_linked(
    workshop: Workshop, cc: Compiler, runtime_dlls: set[str]
) -> None:
    library = workshop.windows(cc)

    info = read_binary(library)

    # The C runtime DLLs differ by toolchain (msvcrt for mingw-w64, the UCRT for zig).
    assert {"crossgodep.dll", "KERNEL32.dll", *runtime_dlls} <= set(info.needed)
    assert len(set(info.needed)) == len(info.needed)
    assert ("crossgo_dep_value", "crossgodep.dll") in info.imports
    assert {dll for _, dll in info.imports} == set(info.needed)
    # Linked with -g: GNU ld keeps DWARF sections and the COFF symbols; zig's lld points at a
    # PDB through a CodeView entry instead.
    assert set(info.debug) >= (
        {".debug_info", ".debug_line", "COFF symbol table"}
        if cc is MINGW_GCC
        else {"debug directory: IMAGE_DEBUG_TYPE_CODEVIEW"}
    )
    assert replace(info, needed=(), imports=(), debug=()) == BinaryInfo(
        path=library,
        format="pe",
        machine="x86_64",
        exports=EXPORTS,
        needed=(),
        pe_timestamp=PE_EPOCH,
    )


# ---------------------------------------------------------------------------
# CPU names


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "binary_format", "machine"),
    [
        ("x86-linux-musl", "elf", "i386"),
        ("arm-linux-musleabihf", "elf", "arm"),
        ("powerpc64-linux-musl", "elf", "unknown:EM_PPC64"),  # big-endian is not ppc64le
        ("riscv64-linux-musl", "elf", "unknown:EM_RISCV"),
        ("aarch64-windows-gnu", "pe", "aarch64"),
        ("x86-windows-gnu", "pe", "i386"),
    ],
)
def test_machine_names(workshop: Workshop, target: str, binary_format: str, machine: str) -> None:
    info = read_binary(workshop.probe(zig(target)))

    assert (info.format, info.machine) == (binary_format, machine)
    assert info.exports == {"crossgo_probe"}


# ---------------------------------------------------------------------------
# Universal Mach-O


def lipo(tmp_path: Path, *slices: Path) -> Path:
    program = shutil.which("llvm-lipo") or shutil.which("llvm-lipo-14")
    if program is None:
        pytest.skip("llvm-lipo is not installed: apt-get install llvm")
    output = tmp_path / "universal.dylib"
    run_or_fail([program, "-create", *map(str, slices), "-output", str(output)], tmp_path)
    return output


@pytest.mark.slow
def test_universal_macho_with_one_slice_is_read(workshop: Workshop, tmp_path: Path) -> None:
    thin = workshop.macos(ZIG_MACOS_ARM64)
    universal = lipo(tmp_path, thin)

    assert read_binary(universal) == replace(read_binary(thin), path=universal)


@pytest.mark.slow
def test_universal_macho_with_two_slices_is_refused(workshop: Workshop, tmp_path: Path) -> None:
    arm64, x86_64 = workshop.macos(ZIG_MACOS_ARM64), workshop.macos(ZIG_MACOS_X86_64)
    universal = lipo(tmp_path, arm64, x86_64)

    with pytest.raises(BinaryFormatError, match="universal Mach-O with 2 architectures"):
        read_binary(universal)


# ---------------------------------------------------------------------------
# Files that are not (whole) shared libraries


@pytest.mark.slow
@pytest.mark.parametrize(
    "build",
    [
        lambda w: w.linux(GCC),
        lambda w: w.linux(AARCH64_GCC),
        lambda w: w.macos(ZIG_MACOS_ARM64),
        lambda w: w.windows(MINGW_GCC),
        lambda w: w.windows(ZIG_WINDOWS),
    ],
    ids=["elf-x86_64", "elf-aarch64", "macho", "pe-mingw", "pe-zig"],
)
@pytest.mark.parametrize(
    "kept",
    # 600 bytes off the end is more than a PE's alignment padding (at most 511 bytes).
    [lambda size: 200, lambda size: size // 2, lambda size: size - 600],
    ids=["headers", "half", "tail"],
)
def test_truncated_library_is_refused(
    workshop: Workshop,
    tmp_path: Path,
    build: Callable[[Workshop], Path],
    kept: Callable[[int], int],
) -> None:
    whole = build(workshop).read_bytes()
    truncated = tmp_path / "truncated"
    truncated.write_bytes(whole[: kept(len(whole))])

    with pytest.raises(BinaryFormatError, match=r"truncated"):
        read_binary(truncated)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "too short"),
        (b"\x7fEL", "too short"),
        (b"#!/bin/sh\necho this is not a library\n", "not an ELF, Mach-O or PE file"),
        (bytes(range(256)) * 4, "not an ELF, Mach-O or PE file"),
        # A Java class file: the fat Mach-O magic, then a class file version, not a count.
        (bytes.fromhex("cafebabe") + struct.pack(">HH", 0, 61) + bytes(64), "not an ELF"),
        (b"MZ" + bytes(1000), "corrupt or truncated PE"),
        (b"\x7fELF\x02\x01\x01" + bytes(9) + b"\xff" * 200, "corrupt or truncated ELF"),
        (bytes.fromhex("cffaedfe") + b"\xff" * 200, "corrupt or truncated Mach-O"),
    ],
    ids=["empty", "short", "script", "noise", "java-class", "mz-only", "elf-noise", "macho-noise"],
)
def test_garbage_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    garbage = tmp_path / "garbage"
    garbage.write_bytes(content)

    with pytest.raises(BinaryFormatError, match=message) as raised:
        read_binary(garbage)

    assert isinstance(raised.value, ValueError)
    assert str(garbage) in str(raised.value)
