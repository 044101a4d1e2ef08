"""The target table and its aliases."""

from __future__ import annotations

import pytest

from crossgo.errors import UsageError
from crossgo.targets import all_targets, get_target, host_target, macos_floor


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


def test_six_targets_with_their_projections() -> None:
    table = {t.name: t for t in all_targets()}
    assert set(table) == {
        "linux-64",
        "linux-aarch64",
        "linux-ppc64le",
        "osx-64",
        "osx-arm64",
        "win-64",
    }
    assert table["linux-64"].conda_cc == "x86_64-conda-linux-gnu-cc"
    assert table["osx-arm64"].conda_cc == "arm64-apple-darwin20.0.0-clang"
    assert table["win-64"].conda_c_compiler == "gcc_win-64"
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
