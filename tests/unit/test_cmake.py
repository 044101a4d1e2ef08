"""What CMake's variables mean to crossgo, and the CMake package's own facts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import crossgo
from crossgo import cli
from crossgo.cmake import CMAKE_DIR, CMakeState, parse_glibc_macros, plan_library, target_for
from crossgo.errors import ToolchainError, UsageError
from crossgo.targets import get_target


def _state(name: str, processor: str = "", archs: str = "", compiler: str = "") -> CMakeState:
    return CMakeState.parse(
        system_name=name,
        system_processor=processor,
        osx_architectures=archs,
        compiler_target=compiler,
    )


@pytest.mark.parametrize(
    ("name", "processor", "archs", "compiler", "target"),
    [
        ("Linux", "x86_64", "", "", "linux-64"),
        ("Linux", "AMD64", "", "", "linux-64"),
        ("Linux", "aarch64", "", "", "linux-aarch64"),
        ("Linux", "arm64", "", "", "linux-aarch64"),
        ("Linux", "ppc64le", "", "", "linux-ppc64le"),
        ("Linux", "aarch64", "", "aarch64-linux-gnu", "linux-aarch64"),
        ("Linux", "", "", "aarch64-linux-gnu.2.17", "linux-aarch64"),  # zig's triple
        ("Linux", "", "", "x86_64-conda-linux-gnu", "linux-64"),
        ("Linux", "", "", "powerpc64le-linux-gnu", "linux-ppc64le"),
        ("Darwin", "arm64", "", "", "osx-arm64"),
        ("Darwin", "x86_64", "", "", "osx-64"),
        ("Darwin", "x86_64", "arm64", "", "osx-arm64"),  # the architectures win
        ("Darwin", "arm64", "x86_64;arm64", "", "osx-universal2"),
        ("Darwin", "arm64", "arm64,x86_64", "", "osx-universal2"),
        ("Darwin", "arm64", "", "arm64-apple-macos11", "osx-arm64"),
        ("Darwin", "", "", "x86_64-apple-darwin13.4.0", "osx-64"),
        ("Windows", "AMD64", "", "", "win-64"),
        ("Windows", "ARM64", "", "", "win-arm64"),
        ("Windows", "x86_64", "", "x86_64-w64-mingw32", "win-64"),
        ("Windows", "", "", "aarch64-w64-mingw32", "win-arm64"),
        ("", "", "", "x86_64-windows-gnu", "win-64"),  # only the compiler says
    ],
)
def test_cmake_state_maps_to_a_target(
    name: str, processor: str, archs: str, compiler: str, target: str
) -> None:
    found, source = target_for(_state(name, processor, archs, compiler))
    assert found.name == target
    assert "CMAKE_SYSTEM_NAME" in source and "CMAKE_C_COMPILER_TARGET" in source


@pytest.mark.parametrize(
    ("name", "processor", "archs", "compiler", "why"),
    [
        ("FreeBSD", "amd64", "", "", "crossgo builds for Linux, Darwin, Windows, not FreeBSD"),
        ("Linux", "riscv64", "", "", "crossgo has no target for Linux riscv64"),
        ("Linux", "i686", "", "", "crossgo has no target for Linux i686"),
        ("Linux", "", "", "", "The processor is unset"),
        ("Darwin", "arm64", "arm64;arm64e", "", "no target for Darwin aarch64 and arm64e"),
        ("Linux", "x86_64", "", "aarch64-linux-gnu", "CMAKE_C_COMPILER_TARGET disagrees"),
        ("Windows", "AMD64", "", "x86_64-linux-gnu", "CMAKE_C_COMPILER_TARGET disagrees"),
        ("Linux", "", "", "sparc64-sun-solaris", "cannot read the compiler target"),
        ("Linux", "aarch64", "", "aarch64-linux-android", "no target for aarch64-linux-android"),
        ("", "", "", "arm64-apple-ios14", "no target for arm64-apple-ios14"),
        ("Windows", "", "", "i686-w64-mingw32", "no target for i686-w64-mingw32"),
        ("iOS", "arm64", "", "", "not iOS"),
        ("", "", "", "", "CMAKE_SYSTEM_NAME is unset"),
    ],
)
def test_a_state_that_maps_to_no_target_names_cmakes_variables_and_crossgos_targets(
    name: str, processor: str, archs: str, compiler: str, why: str
) -> None:
    with pytest.raises(UsageError) as caught:
        target_for(_state(name, processor, archs, compiler))
    message = str(caught.value)
    assert why in message
    for variable in ("CMAKE_SYSTEM_NAME", "CMAKE_SYSTEM_PROCESSOR", "CMAKE_OSX_ARCHITECTURES"):
        assert variable in message
    assert "CMAKE_C_COMPILER_TARGET" in message
    for target in ("linux-64 (Linux x86_64)", "linux-aarch64 (Linux aarch64)", "osx-universal2"):
        assert target in message
    assert "crossgo_add_library(... TARGET <target>)" in message


def test_a_musl_compiler_target_gets_crossgos_refusal() -> None:
    with pytest.raises(UsageError, match=r"CMAKE_C_COMPILER_TARGET=aarch64-linux-musl: .*54805"):
        target_for(_state("Linux", "aarch64", "", "aarch64-linux-musl"))


def test_state_parses_cmake_lists_and_says_what_is_unset() -> None:
    state = _state(" Darwin ", "x86_64", "arm64;x86_64", "")
    assert state.osx_architectures == ("arm64", "x86_64")
    assert state.describe() == (
        "CMAKE_SYSTEM_NAME=Darwin, CMAKE_SYSTEM_PROCESSOR=x86_64, "
        "CMAKE_OSX_ARCHITECTURES=arm64;x86_64, CMAKE_C_COMPILER_TARGET unset"
    )


GCC_MACROS = """#define __GLIBC_PREREQ(maj,min) ((__GLIBC__ << 16) + __GLIBC_MINOR__ >= ...)
#define __GLIBC__ 2
#define _FEATURES_H 1
#define __GLIBC_MINOR__ 36
"""


def test_glibc_macros_parse() -> None:
    assert parse_glibc_macros(GCC_MACROS) == (2, 36)
    assert parse_glibc_macros("#define __GLIBC__ 2\n#define __GLIBC_MINOR__ 17\n") == (2, 17)
    assert parse_glibc_macros("#define __APPLE__ 1\n") is None  # not a glibc compiler


def test_universal2_with_one_compiler_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"slice by slice.*TOOLCHAIN zig"):
        plan_library(
            target=get_target("osx-universal2"),
            source="test",
            package_dir=tmp_path,
            env={},
            cc="/usr/bin/clang",
        )


@pytest.mark.skipif(sys.platform == "darwin", reason="a Mac's own compiler has its SDK")
def test_cmakes_compiler_for_macos_without_an_sdk_is_refused_with_the_way_out(
    tmp_path: Path,
) -> None:
    with pytest.raises(ToolchainError, match=r"no Apple SDK.*CMAKE_OSX_SYSROOT.*TOOLCHAIN zig"):
        plan_library(
            target=get_target("osx-arm64"), source="test", package_dir=tmp_path, env={},
            cc="/usr/bin/clang",
        )  # fmt: skip


def test_the_package_files_and_their_version() -> None:
    assert {p.name for p in CMAKE_DIR.iterdir()} >= {
        "crossgoConfig.cmake",
        "crossgoConfigVersion.cmake",
        "CrossgoAddLibrary.cmake",
    }
    text = (CMAKE_DIR / "crossgoConfigVersion.cmake").read_text(encoding="utf-8")
    assert re.search(r'set\(PACKAGE_VERSION "([^"]+)"\)', text)[1] == crossgo.__version__  # type: ignore[index]


def test_cmake_dir_flag_prints_it_and_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--cmake-dir"])
    assert exited.value.code == 0
    assert Path(capsys.readouterr().out.strip()) == CMAKE_DIR


def test_cmake_target_command(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cmake-target", "--system-name=Linux", "--system-processor=aarch64"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "linux-aarch64\n"
    assert cli.main([*argv, "--target", "win_amd64", "--json"]) == 0
    assert capsys.readouterr().out == '{"target": "win-64", "source": "TARGET"}\n'
    assert cli.main(["cmake-target", "--system-name=Linux", "--system-processor=riscv64"]) == 2
    assert "CMAKE_SYSTEM_PROCESSOR=riscv64" in capsys.readouterr().err
