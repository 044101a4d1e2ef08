"""Every entry of crossgo.hints, triggered by the real failure it describes.

Where crossgo itself refuses the situation before Go runs (its compiler probe rejects a host
gcc for aarch64), the test runs ``go build`` directly with crossgo's own environment and
only the compiler swapped, and feeds the real output to :func:`hint_for`. Everywhere else
the failure comes from ``crossgo build`` and the hint must be on its stderr.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

import crossgo
from crossgo.hints import HINTS, hint_for, match_hint
from tests.conftest import EXAMPLE_GO, PACKAGES, run_crossgo
from tests.integration.test_extension_modules import HINTS_PROVEN_HERE as PROVEN_FOR_MODULES
from tests.integration.test_hardening import HINTS_PROVEN_HERE as PROVEN_FOR_HARDENING
from tests.support import goproxy
from tests.support.emulation import WindowsRunner

pytestmark = pytest.mark.slow


def assert_hint(output: str, hint_id: str, target: str) -> str:
    found = match_hint(output)
    assert found is not None, output
    assert found[0].id == hint_id, output
    hint = hint_for(output, target)
    assert hint is not None
    return hint


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
    assert "hint: timeGetTime comes from a Windows DLL" in done.stderr
    assert "-lwinmm" in done.stderr.split("hint:", 1)[1]


def test_compiler_built_for_a_newer_glibc(
    base_env: dict[str, str], crossgo_cache: Path, test_cache: Path, tmp_path: Path
) -> None:
    """A compiler binary linked against glibc 2.38 on this glibc 2.36 machine."""
    ziglang = pytest.importorskip("ziglang")
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
    assert "hint: the linker does not implement --export-dynamic-symbol" in done.stderr


def test_macos_linker_arg_for_gnu_ld(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = run_crossgo(
        "build", "--target", "linux-64", "--toolchain", "system",
        "--ldflags=-Wl,-install_name,@rpath/libgohash.dylib", "-o", str(tmp_path / "out"),
        str(EXAMPLE_GO), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "unrecognised option: -install_name" in done.stderr  # GNU ld's spelling
    assert "hint: the linker does not know -install_name" in done.stderr


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
    assert "hint: a module needs Go >= 1.99" in done.stderr
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
    assert "hint: go.sum is damaged" in done.stderr


def test_missing_go_sum_entry(module_with_sum: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    package, env = module_with_sum
    (package / "go.sum").unlink()
    done = run_crossgo(
        "build", "-t", "linux-64", "-o", str(tmp_path / "out"), str(package), env=env
    )
    assert done.returncode == 1, done.stderr
    assert "missing go.sum entry" in done.stderr
    assert "hint: go.sum lacks a module's checksum" in done.stderr


def test_every_hint_is_proven() -> None:
    here = {
        "foreign-assembler",
        "foreign-compiler-flag",
        "windows-import-library",
        "glibc-too-new",
        "unsupported-linker-arg",
        "foreign-linker-arg",
        "bcryptprimitives",
        "no-c-compiler",
        "go-too-old",
        "malformed-go-sum",
        "missing-go-sum",
    }
    elsewhere = PROVEN_FOR_HARDENING | PROVEN_FOR_MODULES
    assert here | elsewhere == {hint.id for hint in HINTS}
    assert not here & elsewhere
