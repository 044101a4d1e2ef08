"""Every entry of crossgo.hints, triggered by the real failure it describes.

Where crossgo itself refuses the situation before Go runs (its compiler probe rejects a host
gcc for aarch64), the test runs ``go build`` directly with crossgo's own environment and
only the compiler swapped, and feeds the real output to :func:`hint_for`. Everywhere else
the failure comes from ``crossgo build``: the hint must be the last line of its stderr, and
be the one the output above it gives.

Each test records the hint it saw and the text that matched (:data:`PRODUCED`); the last
test of the module compares that record with the whole table, so a hint that no real failure
produced fails the run. docs/build.md's table of hints lists the texts recorded here.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import ziglang  # type: ignore[import-untyped]

import crossgo
from crossgo.hints import HINTS, hint_for, match_hint
from tests.conftest import EXAMPLE_GO, PACKAGES, run_crossgo
from tests.support import goproxy
from tests.support.emulation import WindowsRunner
from tests.support.mounts import fill, tmpfs

pytestmark = pytest.mark.slow

# hint id -> the texts that matched it, in real failures of the tests above the last one.
PRODUCED: dict[str, set[str]] = {}


def assert_hint(output: str, hint_id: str, target: str) -> str:
    """The hint ``output`` gives is ``hint_id``; recorded as produced. Returns its text."""
    found = match_hint(output)
    assert found is not None, output
    hint, match = found
    assert hint.id == hint_id, output
    text = hint_for(output, target)
    assert text is not None
    PRODUCED.setdefault(hint.id, set()).add(match.group(0))
    return text


def assert_crossgo_hint(stderr: str, hint_id: str, target: str) -> str:
    """crossgo's stderr ends with ``hint: ...``, the hint that the output above it gives."""
    output, marker, line = stderr.rstrip("\n").rpartition("\nhint: ")
    assert marker, stderr
    text = assert_hint(output, hint_id, target)
    assert line == text, stderr
    return text


def crossgo_env_with(
    target: str, base_env: Mapping[str, str], crossgo_cache: Path, **changes: str
) -> tuple[str, dict[str, str]]:
    """The go binary and the exact environment `crossgo build` would use, then ``changes``."""
    request = crossgo.BuildRequest(
        package_dir=EXAMPLE_GO, target=target, toolchain="zig", cache_dir=crossgo_cache
    )
    plan = crossgo.plan(request, env=base_env)
    return str(plan.go.go), {**plan.env.apply(base_env), **changes}


def failing_go_build(go: str, env: Mapping[str, str], tmp_path: Path) -> str:
    done = subprocess.run(
        [go, "build", "-buildmode=c-shared", "-o", str(tmp_path / "lib.so"), "."],
        cwd=EXAMPLE_GO,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode != 0, "the build was meant to fail"
    return done.stdout + done.stderr


def test_host_gcc_for_aarch64_fails_in_gcc_arm64_s(
    base_env: dict[str, str], crossgo_cache: Path, tmp_path: Path
) -> None:
    go, env = crossgo_env_with("linux-aarch64", base_env, crossgo_cache, CC="gcc")
    output = failing_go_build(go, env, tmp_path)
    assert "gcc_arm64.S" in output and "Error: no such instruction" in output
    assert "another CPU than linux-aarch64" in assert_hint(
        output, "foreign-assembler", "linux-aarch64"
    )


def test_aarch64_gcc_for_amd64_rejects_m64(
    base_env: dict[str, str], crossgo_cache: Path, tmp_path: Path
) -> None:
    cross_gcc = shutil.which("aarch64-linux-gnu-gcc")
    assert cross_gcc, "installed by .ci/install-system-deps.sh"
    go, env = crossgo_env_with("linux-64", base_env, crossgo_cache, CC=cross_gcc)
    output = failing_go_build(go, env, tmp_path)
    assert "unrecognized command-line option '-m64'" in output
    assert_hint(output, "foreign-compiler-flag", "linux-64")


@pytest.mark.parametrize("toolchain", ["system", "zig"])
def test_missing_windows_import_library(
    cli_env: dict[str, str], tmp_path: Path, toolchain: str
) -> None:
    done = run_crossgo(
        "build", "--target", "win-64", "--toolchain", toolchain, "-o", str(tmp_path / "out"),
        str(PACKAGES / "winimport"), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "timeGetTime" in done.stderr and "undefined" in done.stderr
    hint = assert_crossgo_hint(done.stderr, "windows-import-library", "win-64")
    assert hint.startswith("timeGetTime comes from a Windows DLL") and "-lwinmm" in hint


def test_compiler_built_for_a_newer_glibc(
    base_env: dict[str, str], crossgo_cache: Path, test_cache: Path, tmp_path: Path
) -> None:
    """A compiler binary linked against glibc 2.38 on this glibc 2.36 machine."""
    zig = Path(ziglang.__file__).parent / "zig"
    source = tmp_path / "newcc.c"
    source.write_text(  # strlcpy is new in glibc 2.38
        '#include <string.h>\nint main(void) { char b[4]; strlcpy(b, "cc", 4); return 0; }\n'
    )
    newcc = tmp_path / "newcc"
    subprocess.run(
        [str(zig), "cc", "-target", "x86_64-linux-gnu.2.38", "-o", str(newcc), str(source)],
        env={**base_env, "ZIG_GLOBAL_CACHE_DIR": str(test_cache / "zig")},
        check=True,
        timeout=300,
    )
    ran = subprocess.run([str(newcc)], capture_output=True, text=True, check=False)
    if ran.returncode == 0:
        pytest.skip("this machine's glibc is 2.38 or newer; the failure cannot happen here")
    go, env = crossgo_env_with("linux-64", base_env, crossgo_cache, CC=str(newcc))
    output = failing_go_build(go, env, tmp_path)
    assert "version `GLIBC_2.38' not found" in output
    hint = assert_hint(output, "glibc-too-new", "linux-64")
    assert hint.startswith(f"{newcc} needs glibc 2.38")


def test_linker_arg_zig_does_not_implement(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = run_crossgo(
        "build", "--target", "linux-aarch64", "--toolchain", "zig",
        "--ldflags=-Wl,--export-dynamic-symbol=Add", "-o", str(tmp_path / "out"),
        str(EXAMPLE_GO), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "unsupported linker arg: --export-dynamic-symbol" in done.stderr
    hint = assert_crossgo_hint(done.stderr, "unsupported-linker-arg", "linux-aarch64")
    assert hint.startswith("the linker does not implement --export-dynamic-symbol")


@pytest.mark.parametrize(
    ("flags", "said", "arg"),
    [
        ("-Wl,-install_name,@rpath/libgohash.dylib", "unrecognised option: -install_name",
         "-install_name"),
        ("-Wl,-pagezero_size,0x1000", "unrecognized option '-pagezero_size'", "-pagezero_size"),
        ("-Wl,-dead_strip", "unable to disambiguate: -dead_strip", "-dead_strip"),
    ],
    ids=["unrecognised", "unrecognized", "disambiguate"],
)  # fmt: skip
def test_macos_linker_arg_for_gnu_ld(
    cli_env: dict[str, str], tmp_path: Path, flags: str, said: str, arg: str
) -> None:
    """GNU ld's three ways of refusing a macOS linker flag."""
    done = run_crossgo(
        "build", "--target", "linux-64", "--toolchain", "system", f"--ldflags={flags}",
        "-o", str(tmp_path / "out"), str(EXAMPLE_GO), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert said in done.stderr
    hint = assert_crossgo_hint(done.stderr, "foreign-linker-arg", "linux-64")
    assert hint.startswith(f"the linker does not know {arg},")


def test_go_program_under_wine_without_processprng(
    windows_runner: WindowsRunner, base_env: dict[str, str], crossgo_cache: Path, tmp_path: Path
) -> None:
    """Go >= 1.22 needs bcryptprimitives.dll; the test prefix carries a shim for it, which
    WINEDLLOVERRIDES disables here, as a Wine 8 prefix without the shim would be."""
    (tmp_path / "go.mod").write_text("module example.com/hello\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text('package main\n\nfunc main() { println("hello") }\n')
    go, env = crossgo_env_with("win-64", base_env, crossgo_cache, CGO_ENABLED="0")
    subprocess.run(
        [go, "build", "-o", "hello.exe", "."], cwd=tmp_path, env=env, check=True, timeout=600
    )
    overrides = windows_runner.env["WINEDLLOVERRIDES"] + ";bcryptprimitives=d"
    ran = windows_runner.wine64(
        str(tmp_path / "hello.exe"), env={"WINEDLLOVERRIDES": overrides}, timeout=300
    )
    output = ran.stdout + ran.stderr
    assert "fatal error: bcryptprimitives.dll not found" in output
    assert "ProcessPrng" in assert_hint(output, "bcryptprimitives", "win-64")


@pytest.mark.parametrize(
    ("changes", "compiler"),
    [({"CC": "crossgo-no-such-cc"}, "crossgo-no-such-cc"), ({}, "gcc")],
    ids=["named-compiler-missing", "no-gcc-on-path"],
)
def test_c_compiler_not_found(
    base_env: dict[str, str],
    crossgo_cache: Path,
    tmp_path: Path,
    changes: dict[str, str],
    compiler: str,
) -> None:
    go, env = crossgo_env_with("linux-64", base_env, crossgo_cache, **changes)
    if not changes:  # no CC at all, and a PATH with nothing but Go: cgo looks for gcc
        env.pop("CC")
        env["PATH"] = str(Path(go).parent)
    output = failing_go_build(go, env, tmp_path)
    assert f'cgo: C compiler "{compiler}" not found' in output
    assert f"cannot run the C compiler {compiler}" in assert_hint(output, "no-c-compiler", "x")


def test_dependency_needs_a_newer_go(cli_env: dict[str, str], tmp_path: Path) -> None:
    """go.mod's own go line passes crossgo's check; a dependency's does not pass Go's."""
    done = run_crossgo(
        "build", "--target", "linux-64", "-o", str(tmp_path / "out"),
        str(PACKAGES / "newgodep"), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "requires go >= 1.99" in done.stderr
    hint = assert_crossgo_hint(done.stderr, "go-too-old", "linux-64")
    assert hint.startswith("a module needs Go >= 1.99")
    assert not (tmp_path / "out" / "libnewgodep.so").exists()


@pytest.fixture
def module_with_sum(
    tmp_path: Path, base_env: dict[str, str], crossgo_cache: Path
) -> tuple[Path, dict[str, str]]:
    return goproxy.package_with_sum(tmp_path, base_env, crossgo_cache)


def test_malformed_go_sum(module_with_sum: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    package, env = module_with_sum
    (package / "go.sum").write_text("this is not a go.sum line\n")
    done = run_crossgo(
        "build", "-t", "linux-64", "-o", str(tmp_path / "out"), str(package), env=env
    )
    assert done.returncode == 1, done.stderr
    assert "malformed go.sum" in done.stderr
    assert assert_crossgo_hint(done.stderr, "malformed-go-sum", "linux-64").startswith(
        "go.sum is damaged"
    )


def test_missing_go_sum_entry(module_with_sum: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    package, env = module_with_sum
    (package / "go.sum").unlink()
    done = run_crossgo(
        "build", "-t", "linux-64", "-o", str(tmp_path / "out"), str(package), env=env
    )
    assert done.returncode == 1, done.stderr
    assert "missing go.sum entry" in done.stderr
    assert assert_crossgo_hint(done.stderr, "missing-go-sum", "linux-64").startswith(
        "go.sum lacks a module's checksum"
    )


def test_corrupted_go_sum(module_with_sum: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    package, env = module_with_sum
    go_sum = package / "go.sum"
    first, rest = go_sum.read_text().split("\n", 1)
    module, version, digest = first.split()
    flipped = digest[:-5] + ("A" if digest[-5] != "A" else "B") + digest[-4:]
    go_sum.write_text(f"{module} {version} {flipped}\n{rest}")
    out = tmp_path / "out"
    done = run_crossgo("build", "-t", "linux-64", "-o", str(out), str(package), env=env)
    assert done.returncode == 1, done.stderr
    assert "checksum mismatch" in done.stderr and "SECURITY ERROR" in done.stderr
    assert assert_crossgo_hint(done.stderr, "checksum-mismatch", "linux-64").startswith(
        "a module's content does not match go.sum"
    )
    assert not out.exists() or list(out.iterdir()) == []


def test_missing_module_with_goproxy_off(
    tmp_path: Path, base_env: dict[str, str], crossgo_cache: Path
) -> None:
    package = goproxy.consumer(tmp_path / "consumer", module="example.com/crossgo-missing")
    env = {
        **base_env,
        "CROSSGO_CACHE_DIR": str(crossgo_cache),
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
    }
    out = tmp_path / "out"
    start = time.perf_counter()
    done = run_crossgo("build", "-t", "linux-64", "-o", str(out), str(package), env=env)
    elapsed = time.perf_counter() - start
    assert done.returncode == 1, done.stderr
    assert "module lookup disabled by GOPROXY=off" in done.stderr
    assert assert_crossgo_hint(done.stderr, "proxy-off", "linux-64").startswith(
        "a required module is not in the module cache"
    )
    assert not out.exists() or list(out.iterdir()) == []
    print(f"\nGOPROXY=off, missing module: failed in {elapsed:.2f} s")


@pytest.mark.parametrize(("toolchain", "said"), [
    ("zig", "undefined symbol: PyUnicode_FromKindAndData"),  # lld
    ("system", "undefined reference to `PyUnicode_FromKindAndData'"),  # mingw's GNU ld
])  # fmt: skip
def test_a_function_python3_dll_lacks_fails_the_windows_link(
    cli_env: dict[str, str], tmp_path: Path, toolchain: str, said: str
) -> None:
    done = run_crossgo(
        "build", "-t", "win-64", "--toolchain", toolchain, "--extension-module", "nonstable",
        "-o", str(tmp_path), str(PACKAGES / "pyext-nonstable"), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert said in done.stderr
    assert assert_crossgo_hint(done.stderr, "python3-dll", "win-64").startswith(
        "PyUnicode_FromKindAndData is a CPython symbol that python3.dll does not export"
    )


@pytest.mark.cap_sys_admin
def test_output_disk_fills_up_during_the_build(
    tmp_path: Path, base_env: dict[str, str], crossgo_cache: Path
) -> None:
    """Go's own lower-case wording: its write of the library fails."""
    env = {**base_env, "CROSSGO_CACHE_DIR": str(crossgo_cache)}
    with tmpfs(tmp_path / "disk", "1m") as disk:  # the library is ~3 MB
        done = run_crossgo("build", "-t", "linux-64", "-o", str(disk), str(EXAMPLE_GO), env=env)
        left = sorted(path.name for path in disk.iterdir())
    assert done.returncode == 1, done.stderr
    assert "no space left on device" in done.stderr
    assert assert_crossgo_hint(done.stderr, "no-space", "linux-64").startswith("a disk is full")
    assert left == []  # no library, no header, no staging directory


@pytest.mark.cap_sys_admin
def test_linker_output_on_a_full_disk(tmp_path: Path, cli_env: dict[str, str]) -> None:
    """The C tools' capitalised wording (strerror): GNU ld writes its output, named by a
    second -o (the last one wins), to a disk that is already full."""
    with tmpfs(tmp_path / "disk", "1m") as disk:
        fill(disk)
        done = run_crossgo(
            "build", "-t", "linux-64", "--toolchain", "system", "--glibc", "2.36",
            f"--ldflags=-Wl,-o,{disk / 'lib.so'}", "-o", str(tmp_path / "out"),
            str(EXAMPLE_GO), env=cli_env,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "ld: final link failed: No space left on device" in done.stderr
    assert assert_crossgo_hint(done.stderr, "no-space", "linux-64").startswith("a disk is full")


def test_every_hint_was_produced_by_a_real_failure_above() -> None:
    """Runs last: every hint in the table was matched in a real failure's output by a test
    above (run the whole module; a -k selection leaves hints unproven)."""
    for hint_id, texts in sorted(PRODUCED.items()):
        print(f"{hint_id}: {sorted(texts)}")
    missing = sorted({hint.id for hint in HINTS} - PRODUCED.keys())
    assert not missing, f"no real failure above produced these hints: {missing}"
