"""A package importing net, crypto/x509, crypto/tls, net/http and os/user, built by crossgo.

macOS builds use no Apple SDK: crossgo gives the linker stubs generated from the Go
toolchain's own sources. The Mach-O is proven by parsing it; the same package is run for
linux-aarch64 under qemu and win-64 under wine. Assertion messages name the Go version
whose sources made the stubs, so a Go release that needs a new symbol shows up here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import crossgo
from crossgo import macos_stubs
from crossgo.binary import read_binary
from tests.conftest import PACKAGES, BuildFn
from tests.support import pinned
from tests.support.emulation import AArch64Python, WindowsRunner

pytestmark = pytest.mark.slow

MACNET = PACKAGES / "macnet"
SYSTEM_PATHS = ("/usr/lib/", "/System/Library/Frameworks/")
EXPECTED_LIBRARIES = {
    "/usr/lib/libSystem.B.dylib",
    "/usr/lib/libresolv.9.dylib",
    "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation",
    "/System/Library/Frameworks/Security.framework/Versions/A/Security",
}

APPLE_HEADER_GO = """package main

/*
#cgo darwin LDFLAGS: -framework CoreFoundation
#include <CoreFoundation/CoreFoundation.h>
static long long release_nothing(void) { CFRelease(0); return 42; }
*/
import "C"

//export Answer
func Answer() C.longlong { return C.release_nothing() }

func main() {}
"""


@pytest.mark.parametrize(("target", "machine"), [("osx-arm64", "aarch64"), ("osx-64", "x86_64")])
def test_macos_without_sdk(
    build_in: BuildFn, base_env: dict[str, str], target: str, machine: str
) -> None:
    env = {k: v for k, v in base_env.items() if k not in ("SDKROOT", "CONDA_BUILD_SYSROOT")}
    result = build_in(target, package_dir=MACNET, env=env, toolchain="zig")
    go = f"go{result.go_version}"
    info = read_binary(result.library)
    assert (info.format, info.machine) == ("macho", machine)
    assert set(info.needed) == EXPECTED_LIBRARIES, f"{go}: {info.needed}"
    unbound = [symbol for symbol, library in info.macos_undefined if library is None]
    assert unbound == [], f"{go}: symbols bound to no library: {unbound}"
    outside = {lib for _, lib in info.macos_undefined if not str(lib).startswith(SYSTEM_PATHS)}
    assert outside == set(), f"{go}: {outside}"
    bound_to = {library for _, library in info.macos_undefined}
    assert {"/usr/lib/libresolv.9.dylib"} <= bound_to, f"{go}: libresolv symbols not bound"
    assert {"Ping", "Answer"} <= info.exports
    assert (result.go_version, info.macos_minos) == (pinned.GO, pinned.MACOS_FLOOR)
    assert info.soname == "@rpath/libmacnet.dylib"
    assert "link stubs generated from" in result.toolchain.origin


def test_same_package_runs_on_linux_aarch64(
    build_in: BuildFn, aarch64_python: AArch64Python
) -> None:
    result = build_in("linux-aarch64", package_dir=MACNET, toolchain="zig")
    run = aarch64_python.run(
        f"import ctypes; lib = ctypes.CDLL({str(result.library)!r}); "
        "lib.Answer.restype = ctypes.c_longlong; print(lib.Answer())"
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "42"


def test_same_package_runs_on_win_64(build_in: BuildFn, windows_runner: WindowsRunner) -> None:
    result = build_in("win-64", package_dir=MACNET, toolchain="zig")
    assert windows_runner.call(result.library, "Answer") == 42


@pytest.fixture
def apple_header_package(tmp_path: Path) -> Path:
    package = tmp_path / "cfuser"
    package.mkdir()
    (package / "go.mod").write_text("module example.com/cfuser\n\ngo 1.22\n")
    (package / "main.go").write_text(APPLE_HEADER_GO)
    return package


def test_apple_headers_without_sdk_get_a_clear_error(
    build_in: BuildFn, base_env: dict[str, str], apple_header_package: Path
) -> None:
    env = {k: v for k, v in base_env.items() if k not in ("SDKROOT", "CONDA_BUILD_SYSROOT")}
    with pytest.raises(crossgo.ToolchainError) as caught:
        build_in("osx-arm64", package_dir=apple_header_package, env=env)
    message = str(caught.value)
    assert "<CoreFoundation/...>" in message
    assert all(name in message for name in ("--macos-sdk", "SDKROOT", "CONDA_BUILD_SYSROOT"))


def sdk_shaped_directory(root: Path, stubs: Path) -> Path:
    """An SDK-shaped tree (frameworks with headers and .tbd files, usr/lib). No Apple SDK
    can be had here, so this proves the SDK plumbing, not compatibility with Apple's."""
    sdk = root / "MacOSX.sdk"
    frameworks = sdk / "System" / "Library" / "Frameworks"
    shutil.copytree(stubs / "Frameworks", frameworks)
    shutil.copytree(stubs / "lib", sdk / "usr" / "lib")
    headers = frameworks / "CoreFoundation.framework" / "Headers"
    headers.mkdir()
    (headers / "CoreFoundation.h").write_text(
        "typedef const void *CFTypeRef;\nvoid CFRelease(CFTypeRef cf);\n"
    )
    return sdk


def test_an_sdk_is_used_and_explained(
    build_in: BuildFn, base_env: dict[str, str], apple_header_package: Path, tmp_path: Path
) -> None:
    first = build_in("osx-arm64", package_dir=MACNET, toolchain="zig")
    stubs = macos_stubs.ensure_stubs(
        Path(
            crossgo.plan(
                crossgo.BuildRequest(package_dir=MACNET, target="osx-arm64"), base_env
            ).go.goroot
        ),
        first.go_version,
        "arm64",
        tmp_path / "stub-cache",
    ).root
    sdk = sdk_shaped_directory(tmp_path, stubs)
    env = {**base_env, "SDKROOT": str(sdk)}
    request = crossgo.BuildRequest(
        package_dir=apple_header_package, target="osx-arm64", output_dir=tmp_path / "out"
    )
    explained = "\n".join(crossgo.plan(request, env).explain())
    assert f"Apple SDK {sdk} (from SDKROOT)" in explained
    result = build_in("osx-arm64", package_dir=apple_header_package, env=env)
    info = read_binary(result.library)
    assert (
        "CFRelease",
        "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation",
    ) in info.macos_undefined
