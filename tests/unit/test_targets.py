"""The target table and its aliases."""

from __future__ import annotations

import pytest

from crossgo.errors import UsageError
from crossgo.targets import all_targets, get_target, host_target, macos_floor, single_targets


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("linux-aarch64", "linux-aarch64"),
        ("linux/arm64", "linux-aarch64"),
        ("linux_aarch64", "linux-aarch64"),
        ("aarch64-linux-gnu", "linux-aarch64"),
        ("manylinux_2_17_aarch64", "linux-aarch64"),
        ("manylinux_2_28_aarch64", "linux-aarch64"),
        ("x86_64-w64-mingw32", "win-64"),
        ("win_amd64", "win-64"),
        ("windows/amd64", "win-64"),
        ("arm64-apple-darwin", "osx-arm64"),
        ("macosx_11_0_arm64", "osx-arm64"),
        ("darwin/amd64", "osx-64"),
        ("powerpc64le-linux-gnu", "linux-ppc64le"),
        ("LINUX-64", "linux-64"),
        ("windows/arm64", "win-arm64"),
        ("win_arm64", "win-arm64"),
        ("aarch64-w64-mingw32", "win-arm64"),
        ("universal2", "osx-universal2"),
        ("macosx_11_0_universal2", "osx-universal2"),
    ],
)
def test_aliases(alias: str, name: str) -> None:
    assert get_target(alias).name == name


def test_native_is_this_machine() -> None:
    assert get_target("native") == host_target() == get_target("linux-64")


def test_unknown_target_suggests_close_names() -> None:
    with pytest.raises(UsageError, match=r"Did you mean .*linux-arm64") as caught:
        get_target("linux-arm65")
    assert "linux-aarch64" in str(caught.value)


@pytest.mark.parametrize(
    "name",
    ["musllinux_1_2_x86_64", "musllinux_1_1_aarch64", "x86_64-linux-musl", "aarch64-linux-musl"],
)
def test_musl_is_refused_with_the_reason(name: str) -> None:
    with pytest.raises(UsageError, match=r"golang/go#54805.*skip = \"\*-musllinux_\*\""):
        get_target(name)


def test_targets_with_their_projections() -> None:
    table = {t.name: t for t in all_targets()}
    assert set(table) == {
        "linux-64",
        "linux-aarch64",
        "linux-ppc64le",
        "osx-64",
        "osx-arm64",
        "osx-universal2",
        "win-64",
        "win-arm64",
    }
    assert {t.name for t in single_targets()} == set(table) - {"osx-universal2"}
    conda = {name: target.conda for name, target in table.items()}
    assert conda["linux-64"] is not None
    assert conda["linux-64"].cc == "x86_64-conda-linux-gnu-cc"
    assert conda["osx-arm64"] is not None
    assert conda["osx-arm64"].cc == "arm64-apple-darwin20.0.0-clang"
    assert conda["win-64"] is not None
    assert conda["win-64"].c_compiler == "gcc_win-64"
    assert conda["win-arm64"] is None  # conda-forge's win-arm64 compilers are MSVC
    assert table["win-arm64"].zig_triple() == "aarch64-windows-gnu"
    assert table["win-arm64"].wheel_platform() == "win_arm64"
    assert table["linux-aarch64"].zig_triple() == "aarch64-linux-gnu.2.17"
    assert table["osx-arm64"].zig_triple(macos="12.0") == "aarch64-macos.12.0"
    assert table["win-64"].library_filename("x") == "libx.dll"
    assert table["linux-aarch64"].wheel_platform() == "manylinux_2_17_aarch64"


@pytest.mark.parametrize(
    ("go", "arm64", "floor"),
    [
        ("1.20.3", False, "10.13"),
        ("1.20.3", True, "11.0"),
        ("1.21.0", False, "10.15"),
        ("1.24.1", True, "11.0"),
        ("1.26.8", True, "12.0"),
        ("go1.27.3", False, "13.0"),
        ("1.27rc1", True, "13.0"),
        ("1.30", True, "13.0"),
    ],
)
def test_macos_floor_follows_go_release(go: str, arm64: bool, floor: str) -> None:
    assert macos_floor(go, arm64=arm64) == floor


def test_macos_wheel_tag_uses_go_floor() -> None:
    assert get_target("osx-arm64").wheel_platform("1.26.8") == "macosx_12_0_arm64"
    assert get_target("osx-64").wheel_platform("1.27.3") == "macosx_13_0_x86_64"


def test_universal2_is_two_slices_with_the_higher_floor() -> None:
    universal = get_target("osx-universal2")
    assert universal.is_composite
    assert [s.name for s in universal.slice_targets()] == ["osx-64", "osx-arm64"]
    assert universal.zig_triple() is None  # each slice has its own
    assert universal.macos_floor("1.20.3") == "11.0"  # arm64's floor beats x86_64's 10.13
    assert universal.wheel_platform("1.26.8") == "macosx_12_0_universal2"
