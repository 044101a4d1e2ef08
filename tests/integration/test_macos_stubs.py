"""Real c-shared builds for darwin/arm64 and darwin/amd64 with zig and crossgo's macOS stubs.

tests/packages/macnet imports net, crypto/x509, crypto/tls, net/http and os/user, so Go
asks the linker for ``-lresolv -framework CoreFoundation -framework Security``.  With the
stubs from :func:`crossgo.macos_stubs.ensure_stubs` the link succeeds and the Mach-O is
checked with macholib (and llvm-objdump's bind tables when it is installed); without
them zig fails.  A package including an Apple framework header is detected by
:func:`crossgo.macos_stubs.needs_sdk_headers` and fails to compile without an SDK.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from macholib import mach_o
from macholib.MachO import MachO
from macholib.SymbolTable import SymbolTable

from crossgo import macos_stubs as ms
from tests.support.gotools import GoToolchain, find_zig, first_go

pytestmark = pytest.mark.slow

PACKAGE = Path(__file__).resolve().parent.parent / "packages" / "macnet"

CF = "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation"
SEC = "/System/Library/Frameworks/Security.framework/Versions/A/Security"
RESOLV = "/usr/lib/libresolv.9.dylib"
LIBSYSTEM = "/usr/lib/libSystem.B.dylib"
EXPECTED_DYLIBS = {CF, SEC, RESOLV, LIBSYSTEM}

ZIG_TARGET = {"arm64": "aarch64-macos.12.0", "amd64": "x86_64-macos.12.0"}
CPU_TYPE_NAME = {"arm64": "ARM64", "amd64": "x86_64"}  # macholib.mach_o.CPU_TYPE_NAMES
PLATFORM_MACOS = 1
SELF_LIBRARY_ORDINAL = 0  # 0xFE / 0xFF would be executable / flat (dynamic) lookup


# --------------------------------------------------------------------------
# Toolchains
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tools:
    zig: Path
    go: GoToolchain


@pytest.fixture(scope="module")
def tools() -> Tools:
    """zig and Go, or a skip naming what to install; a Go that cannot run fails."""
    zig = find_zig()
    if zig is None:
        pytest.skip("needs zig: pip install ziglang (crossgo[dev])")
    return Tools(zig, first_go())


# Settings of the calling shell that would change what is built or how.
_CLEARED_ENV = frozenset(
    {"GOROOT", "GOOS", "GOARCH", "GOFLAGS", "GOEXPERIMENT", "CC", "CXX", "CGO_CFLAGS",
     "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS", "SDKROOT", "MACOSX_DEPLOYMENT_TARGET"}
)  # fmt: skip


@dataclass(frozen=True)
class BuildOutcome:
    returncode: int
    output: str
    library: Path


def go_build_darwin(
    package: Path,
    goarch: str,
    out_dir: Path,
    *,
    ldflags: Sequence[str],
    zig_cache: Path,
    tools: Tools,
) -> BuildOutcome:
    """``go build -buildmode=c-shared`` for darwin/*goarch* with ``zig cc`` as CC.

    It builds a copy of the package: this bare zig wrapper (unlike crossgo's) lets zig write
    ./-.o into the directory Go probes the compiler from."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / "src" / package.name
    shutil.copytree(package, source, dirs_exist_ok=True)
    cc = out_dir / f"zigcc-{goarch}"
    cc.write_text(f'#!/bin/sh\nexec "{tools.zig}" cc -target {ZIG_TARGET[goarch]} "$@"\n')
    cc.chmod(0o755)
    library = out_dir / f"lib{package.name}-{goarch}.dylib"
    env: Mapping[str, str] = {
        **{k: v for k, v in os.environ.items() if k not in _CLEARED_ENV},
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "",
        "GOWORK": "off",
        "CGO_ENABLED": "1",
        "GOOS": "darwin",
        "GOARCH": goarch,
        "CC": str(cc),
        "CGO_LDFLAGS": " ".join(f"'{flag}'" for flag in ldflags),
        "ZIG_GLOBAL_CACHE_DIR": str(zig_cache),
    }
    proc = subprocess.run(
        [tools.go.go, "build", "-buildmode=c-shared", "-trimpath", "-o", str(library), "."],
        cwd=source,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    return BuildOutcome(proc.returncode, proc.stdout + proc.stderr, library)


@pytest.fixture(scope="module")
def zig_cache(test_cache: Path) -> Path:
    return test_cache / "zig"


@pytest.fixture(scope="module")
def stub_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stub-cache")


@pytest.fixture(scope="module", params=["arm64", "amd64"])
def built(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stub_cache: Path,
    zig_cache: Path,
    tools: Tools,
) -> tuple[str, BuildOutcome, ms.MacStubs]:
    goarch: str = request.param
    go = tools.go
    stubs = ms.ensure_stubs(go.goroot, go.version, goarch, stub_cache)  # type: ignore[arg-type]
    outcome = go_build_darwin(
        PACKAGE,
        goarch,
        tmp_path_factory.mktemp(f"macnet-{goarch}"),
        ldflags=stubs.ldflags,
        zig_cache=zig_cache,
        tools=tools,
    )
    assert outcome.returncode == 0, f"{go.version} darwin/{goarch} build failed:\n{outcome.output}"
    return goarch, outcome, stubs


# --------------------------------------------------------------------------
# Mach-O reading
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MachOFacts:
    cputype: int
    filetype: int
    flags: int
    dylibs: tuple[str, ...]  # LC_LOAD_DYLIB, in ordinal order
    compat: Mapping[str, str]
    minos: str
    platform: int
    undefined: Mapping[str, int]  # symbol -> library ordinal
    exported: frozenset[str]


def _version(value: int) -> str:
    return f"{value >> 16}.{(value >> 8) & 0xFF}.{value & 0xFF}"


def read_macho(path: Path) -> MachOFacts:
    macho = MachO(str(path))
    assert len(macho.headers) == 1, "expected a thin Mach-O"
    header = macho.headers[0]
    dylibs: list[str] = []
    compat: dict[str, str] = {}
    minos, platform = "", -1
    for load, cmd, data in header.commands:
        if load.cmd in (mach_o.LC_LOAD_DYLIB, mach_o.LC_LOAD_WEAK_DYLIB, mach_o.LC_REEXPORT_DYLIB):
            name = data.rstrip(b"\0").decode()
            dylibs.append(name)
            compat[name] = str(cmd.compatibility_version)
        elif load.cmd == mach_o.LC_BUILD_VERSION:
            minos, platform = _version(int(cmd.minos)), int(cmd.platform)
    table = SymbolTable(macho, header)
    undefined = {name.decode(): (int(sym.n_desc) >> 8) & 0xFF for sym, name in table.undefsyms}
    exported = frozenset(name.decode() for _sym, name in table.extdefsyms)
    return MachOFacts(
        cputype=int(header.header.cputype),
        filetype=int(header.header.filetype),
        flags=int(header.header.flags),
        dylibs=tuple(dylibs),
        compat=compat,
        minos=minos,
        platform=platform,
        undefined=undefined,
        exported=exported,
    )


def is_system_path(path: str) -> bool:
    return (path.startswith("/usr/lib/") and path.endswith(".dylib")) or path.startswith(
        "/System/Library/Frameworks/"
    )


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_load_commands_are_exactly_system_libraries(
    built: tuple[str, BuildOutcome, ms.MacStubs],
) -> None:
    goarch, outcome, _stubs = built
    facts = read_macho(outcome.library)
    assert facts.filetype == mach_o.MH_DYLIB
    assert mach_o.CPU_TYPE_NAMES.get(facts.cputype) == CPU_TYPE_NAME[goarch]
    assert facts.flags & mach_o.MH_TWOLEVEL, "must use two-level namespace binding"
    assert all(is_system_path(p) for p in facts.dylibs), facts.dylibs
    assert set(facts.dylibs) == EXPECTED_DYLIBS
    assert len(facts.dylibs) == len(EXPECTED_DYLIBS), f"duplicate load commands: {facts.dylibs}"
    # The compatibility versions recorded are those of the real libraries, never higher.
    assert facts.compat[CF] == "150.0.0"
    assert facts.compat[SEC] == facts.compat[RESOLV] == facts.compat[LIBSYSTEM] == "1.0.0"


def test_minos_is_the_zig_target(built: tuple[str, BuildOutcome, ms.MacStubs]) -> None:
    _goarch, outcome, _stubs = built
    facts = read_macho(outcome.library)
    assert facts.platform == PLATFORM_MACOS
    assert facts.minos == "12.0.0"


def test_every_undefined_symbol_binds_to_a_system_library(
    built: tuple[str, BuildOutcome, ms.MacStubs],
) -> None:
    goarch, outcome, _stubs = built
    facts = read_macho(outcome.library)
    assert facts.undefined, "a Go c-shared library imports from libSystem"
    for symbol, ordinal in facts.undefined.items():
        assert SELF_LIBRARY_ORDINAL < ordinal <= len(facts.dylibs), (
            f"{symbol} is not bound to a load command (ordinal {ordinal:#x}: flat / dynamic "
            "lookup or self)"
        )
    source = {symbol: facts.dylibs[ordinal - 1] for symbol, ordinal in facts.undefined.items()}
    # Each stubbed library supplies what Go's sources say it does.
    assert source["_SecTrustEvaluateWithError"] == SEC
    assert source["_CFRelease"] == CF
    assert source["_res_9_nsearch"] == RESOLV
    assert source["_getaddrinfo"] == LIBSYSTEM
    used = set(source.values())
    assert used == EXPECTED_DYLIBS, f"darwin/{goarch}: libraries with no binding: {used}"


def test_bind_tables_name_only_system_libraries(
    built: tuple[str, BuildOutcome, ms.MacStubs],
) -> None:
    objdump = shutil.which("llvm-objdump")
    if objdump is None:
        pytest.skip("llvm-objdump not installed")
    _goarch, outcome, _stubs = built
    lib = str(outcome.library)
    binds = subprocess.run(
        [objdump, "--macho", "--bind", "--lazy-bind", lib],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "flat-namespace" not in binds
    rows = [line.split() for line in binds.splitlines() if line.startswith("__")]
    assert rows, binds
    # bind rows: segment section address type addend dylib symbol; lazy: ... address dylib symbol
    dylibs = {row[-2] for row in rows}
    assert dylibs <= {"libSystem", "libresolv", "CoreFoundation", "Security"}, dylibs
    assert {"libresolv", "CoreFoundation", "Security"} <= dylibs, dylibs


def test_ping_is_exported(built: tuple[str, BuildOutcome, ms.MacStubs]) -> None:
    _goarch, outcome, _stubs = built
    facts = read_macho(outcome.library)
    assert "_Ping" in facts.exported
    objdump = shutil.which("llvm-objdump")
    if objdump is not None:
        trie = subprocess.run(
            [objdump, "--macho", "--exports-trie", str(outcome.library)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert re.search(r"\s_Ping$", trie, re.MULTILINE), trie


def test_stub_tree_is_the_documented_layout(
    built: tuple[str, BuildOutcome, ms.MacStubs], tools: Tools
) -> None:
    goarch, _outcome, stubs = built
    assert stubs.root.name == f"{tools.go.version}-{goarch}"
    assert stubs.ldflags == (f"-L{stubs.root / 'lib'}", f"-F{stubs.root / 'Frameworks'}")
    assert (stubs.root / "lib" / "libresolv.tbd").is_file()
    assert not (stubs.root / "lib" / "libSystem.tbd").exists()
    for name in ("CoreFoundation", "Security"):
        tbd = stubs.root / "Frameworks" / f"{name}.framework" / f"{name}.tbd"
        assert f"{'arm64' if goarch == 'arm64' else 'x86_64'}-macos" in tbd.read_text()


def test_zig_libsystem_exports_every_libsystem_symbol_go_imports(tools: Tools) -> None:
    """Why libSystem is not stubbed: zig's own libSystem.tbd already covers Go's imports."""
    candidates = list(tools.zig.parent.glob("lib/libc/darwin/libSystem.tbd")) + list(
        tools.zig.resolve().parent.glob("lib/libc/darwin/libSystem.tbd")
    )
    assert candidates, f"zig's bundled libSystem.tbd not found beside {tools.zig}"
    exported = set(re.findall(r"[A-Za-z0-9_$.]+", candidates[0].read_text()))
    for goarch in ("arm64", "amd64"):
        needed = ms.scan_goroot(tools.go.goroot, goarch).libraries[LIBSYSTEM]
        missing = sorted(s for s in needed if f"_{s}" not in exported)
        assert not missing, (
            f"{tools.go.version} darwin/{goarch} needs a libSystem stub for {missing}"
        )


def test_without_stubs_zig_cannot_find_the_frameworks(
    tmp_path: Path, zig_cache: Path, tools: Tools
) -> None:
    outcome = go_build_darwin(
        PACKAGE, "arm64", tmp_path, ldflags=(), zig_cache=zig_cache, tools=tools
    )
    assert outcome.returncode != 0
    assert 'unable to find system framework "CoreFoundation"' in outcome.output, outcome.output
    assert 'unable to find system framework "Security"' in outcome.output
    assert 'unable to find dynamic system library "resolv"' in outcome.output
    assert not outcome.library.exists()


CF_INCLUDE_GO = """\
package main

/*
#include <CoreFoundation/CoreFoundation.h>

static double cf_version(void) { return kCFCoreFoundationVersionNumber; }
*/
import "C"

//export CFVersion
func CFVersion() C.double { return C.cf_version() }

func main() {}
"""


def test_apple_header_package_is_detected_and_fails_without_sdk(
    tmp_path: Path, stub_cache: Path, zig_cache: Path, tools: Tools
) -> None:
    package = tmp_path / "cfinclude"
    package.mkdir()
    (package / "go.mod").write_text("module example.com/cfinclude\n\ngo 1.22\n")
    (package / "main.go").write_text(CF_INCLUDE_GO)

    sources = [p.read_text() for p in sorted(package.glob("*.go"))]
    assert ms.needs_sdk_headers(sources)
    assert ms.apple_framework_includes(sources) == ("CoreFoundation",)
    assert not ms.needs_sdk_headers(p.read_text() for p in PACKAGE.glob("*.go"))

    # The stubs make linking possible, never compiling against Apple headers.
    stubs = ms.ensure_stubs(tools.go.goroot, tools.go.version, "arm64", stub_cache)
    outcome = go_build_darwin(
        package, "arm64", tmp_path / "out", ldflags=stubs.ldflags, zig_cache=zig_cache, tools=tools
    )
    assert outcome.returncode != 0
    assert "'CoreFoundation/CoreFoundation.h' file not found" in outcome.output, outcome.output
