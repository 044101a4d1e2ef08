"""Real builds of the example for every target, each proven where it can run.

linux-64 is loaded by this CPython; linux-aarch64 by an aarch64 CPython under qemu-user;
win-64 by a Windows harness under wine; osx-* and linux-ppc64le by reading the binary.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
from pathlib import Path

import pytest

import crossgo
from crossgo.binary import read_binary
from crossgo.errors import ArtifactCheckError
from tests.conftest import EXAMPLE_GO, BuildFn
from tests.support import pinned
from tests.support.emulation import AArch64Python, WindowsRunner

pytestmark = pytest.mark.slow

EXPORTS = {"Add", "Fib", "Sha256Hex", "GoVersion", "FreeString"}
HELLO_SHA = hashlib.sha256(b"hello").hexdigest()

AARCH64_PROGRAM = """
import ctypes, json, sys
lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else {path!r})
lib.Add.restype = ctypes.c_longlong
lib.Add.argtypes = [ctypes.c_longlong, ctypes.c_longlong]
lib.Fib.restype = ctypes.c_longlong
lib.Sha256Hex.restype = ctypes.c_void_p
lib.Sha256Hex.argtypes = [ctypes.c_char_p, ctypes.c_int]
digest = ctypes.string_at(lib.Sha256Hex(b"hello", 5)).decode()
import platform
print(json.dumps({{"add": lib.Add(40, 2), "fib": lib.Fib(10), "sha": digest,
                  "machine": platform.machine()}}))
"""


def test_linux_64_loads_and_runs_in_this_python(build_in: BuildFn) -> None:
    result = build_in("linux-64", toolchain="zig")
    lib = ctypes.CDLL(str(result.library))
    lib.Add.restype = ctypes.c_longlong
    lib.Add.argtypes = [ctypes.c_longlong, ctypes.c_longlong]
    lib.Sha256Hex.restype = ctypes.c_void_p
    lib.Sha256Hex.argtypes = [ctypes.c_char_p, ctypes.c_int]
    assert lib.Add(40, 2) == 42
    assert ctypes.string_at(lib.Sha256Hex(b"hello", 5)).decode() == HELLO_SHA
    info = read_binary(result.library)
    assert info.soname == "libgohash.so"
    assert info.glibc_max is not None and info.glibc_max <= (2, 17)
    assert info.exports >= EXPORTS
    assert result.header.read_text().count("extern") >= len(EXPORTS)


@pytest.mark.parametrize(("toolchain", "glibc"), [("zig", None), ("system", "2.36")])
def test_linux_aarch64_runs_under_qemu(
    build_in: BuildFn, aarch64_python: AArch64Python, toolchain: str, glibc: str | None
) -> None:
    # Debian 12's cross gcc links against its own glibc 2.36: the baseline must be raised.
    result = build_in("linux-aarch64", toolchain=toolchain, glibc=glibc)
    assert result.toolchain.kind == toolchain
    assert (
        result.target.wheel_platform() == f"manylinux_{(glibc or '2.17').replace('.', '_')}_aarch64"
    )
    run = aarch64_python.run(AARCH64_PROGRAM.format(path=str(result.library)))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"add": 42, "fib": 55, "sha": HELLO_SHA, "machine": "aarch64"}
    assert read_binary(result.library).glibc_max <= result.target.glibc  # type: ignore[operator]


def test_newer_glibc_than_the_tag_is_refused(build_in: BuildFn, tmp_path: Path) -> None:
    out = tmp_path / "refused"
    with pytest.raises(ArtifactCheckError, match=r"needs GLIBC_2\.3\d, tag allows 2\.17.*--glibc"):
        build_in("linux-aarch64", toolchain="system", output_dir=out)
    assert not out.exists()  # nothing half-written, no staging left, not even the directory


@pytest.mark.parametrize("toolchain", ["zig", "system"])
def test_win_64_runs_under_wine(
    build_in: BuildFn, windows_runner: WindowsRunner, toolchain: str
) -> None:
    result = build_in("win-64", toolchain=toolchain)
    assert result.library.name == "libgohash.dll"
    assert windows_runner.call(result.library, "Add", 40, 2) == 42
    assert windows_runner.call(result.library, "Fib", 10) == 55
    info = read_binary(result.library)
    assert (info.format, info.machine) == ("pe", "x86_64")
    assert info.exports >= EXPORTS


@pytest.mark.parametrize(("target", "machine"), [("osx-arm64", "aarch64"), ("osx-64", "x86_64")])
def test_macos_dylib_is_correct_on_paper(build_in: BuildFn, target: str, machine: str) -> None:
    result = build_in(target, toolchain="zig")
    info = read_binary(result.library)
    assert result.go_version == pinned.GO
    assert (info.format, info.machine) == ("macho", machine)
    assert info.macos_minos == pinned.MACOS_FLOOR
    assert info.soname == "@rpath/libgohash.dylib"
    assert info.exports >= EXPORTS
    assert all(not path.startswith("/") for path in info.rpaths)
    assert "/usr/lib/libSystem.B.dylib" in info.needed


def test_builds_use_the_pinned_go_and_zig(base_env: dict[str, str], crossgo_cache: Path) -> None:
    """The tests' expected values are the pinned releases' (tests/support/pinned.py)."""
    request = crossgo.BuildRequest(
        package_dir=EXAMPLE_GO, target="linux-aarch64", toolchain="zig", cache_dir=crossgo_cache
    )
    plan = crossgo.plan(request, env=base_env)
    assert (plan.go.version, plan.toolchain.version) == (pinned.GO, pinned.ZIG)


def test_linux_ppc64le_is_correct_on_paper(build_in: BuildFn) -> None:
    result = build_in("linux-ppc64le", toolchain="zig")
    info = read_binary(result.library)
    assert (info.format, info.machine) == ("elf", "ppc64le")
    assert info.glibc_max is not None and info.glibc_max <= (2, 17)
    assert info.exports >= EXPORTS
    assert {check.name for check in result.checks} >= {"platform", "exports", "glibc", "paths"}


def test_polluted_environment_does_not_leak(
    build_in: BuildFn, base_env: dict[str, str], aarch64_python: AArch64Python
) -> None:
    """A shell left with a host conda activation, a stale Go target and cgo turned off."""
    polluted = {
        **base_env,
        "CC": "x86_64-conda-linux-gnu-cc",
        "CXX": "x86_64-conda-linux-gnu-c++",
        "CFLAGS": "-march=nocona -mtune=haswell",
        "CPPFLAGS": "-D_FORTIFY_SOURCE=2 -isystem /nonexistent/include",
        "LDFLAGS": "-Wl,-rpath,/nonexistent/lib -L/nonexistent/lib",
        "GOOS": "darwin",
        "GOARCH": "amd64",
        "GOAMD64": "v3",
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=vendor -buildmode=pie",
    }
    result = build_in("linux-aarch64", env=polluted, toolchain="zig")
    info = read_binary(result.library)
    assert (info.machine, info.rpaths) == ("aarch64", ())
    run = aarch64_python.run(AARCH64_PROGRAM.format(path=str(result.library)))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["add"] == 42


def test_a_wrong_soname_is_caught(build_in: BuildFn, tmp_path: Path) -> None:
    # GNU ld reads -headerpad_max_install_names as `-h eaderpad_max_install_names`.
    with pytest.raises(ArtifactCheckError, match=r"name: eaderpad_max_install_names, want"):
        build_in(
            "linux-64",
            toolchain="system",
            glibc="2.36",
            output_dir=tmp_path / "o",
            extra_ldflags=("-Wl,-headerpad_max_install_names",),
        )
