"""Platform tags from the target and the binary, and the check that reads them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossgo.binary import BinaryInfo, Format
from crossgo.errors import ArtifactCheckError
from crossgo.targets import get_target
from crossgo.wheel.tags import check_platform, macos_tag_version, platform_tag, wheel_tag


def binary(
    binary_format: Format,
    machine: str,
    *,
    glibc: tuple[int, int] | None = None,
    minos: tuple[int, int] | None = None,
) -> BinaryInfo:
    return BinaryInfo(
        path=Path("libdemo"),
        format=binary_format,
        machine=machine,
        exports=frozenset({"Add"}),
        needed=(),
        glibc_max=glibc,
        macos_minos=minos,
    )


@pytest.mark.parametrize(
    ("target", "info", "tag"),
    [
        ("linux-64", binary("elf", "x86_64", glibc=(2, 3)), "manylinux_2_17_x86_64"),
        ("linux-aarch64", binary("elf", "aarch64", glibc=(2, 17)), "manylinux_2_17_aarch64"),
        ("linux-ppc64le", binary("elf", "ppc64le"), "manylinux_2_17_ppc64le"),
        ("win-64", binary("pe", "x86_64"), "win_amd64"),
        ("osx-arm64", binary("macho", "aarch64", minos=(13, 0)), "macosx_13_0_arm64"),
        ("osx-64", binary("macho", "x86_64", minos=(13, 0)), "macosx_13_0_x86_64"),
    ],
)
def test_tags_for_every_target(target: str, info: BinaryInfo, tag: str) -> None:
    assert platform_tag(get_target(target), "1.27.3", [info]) == tag
    assert check_platform(tag, [info])
    assert wheel_tag(tag) == f"py3-none-{tag}"


def test_a_raised_glibc_baseline_is_the_tag() -> None:
    target = get_target("linux-64").with_glibc("2.28")
    info = binary("elf", "x86_64", glibc=(2, 28))
    assert platform_tag(target, "1.27.3", [info]) == "manylinux_2_28_x86_64"


def test_macos_tag_is_the_recorded_minos_and_at_least_gos_floor() -> None:
    target = get_target("osx-arm64")
    recorded = binary("macho", "aarch64", minos=(14, 0))
    assert platform_tag(target, "1.27.3", [recorded]) == "macosx_14_0_arm64"
    below_floor = binary("macho", "aarch64", minos=(11, 0))
    assert platform_tag(target, "1.27.3", [below_floor]) == "macosx_13_0_arm64"  # Go 1.27: 13
    assert platform_tag(target, "1.26.8", [below_floor]) == "macosx_12_0_arm64"  # Go 1.26: 12
    several = [below_floor, binary("macho", "aarch64", minos=(15, 0))]
    assert platform_tag(target, "1.27.3", several) == "macosx_15_0_arm64"


@pytest.mark.parametrize(
    ("minos", "tag"), [((12, 0), (12, 0)), ((12, 3), (13, 0)), ((10, 15), (10, 15))]
)
def test_macos_minor_versions_round_up_to_what_pip_accepts(
    minos: tuple[int, int], tag: tuple[int, int]
) -> None:
    assert macos_tag_version(minos) == tag


@pytest.mark.parametrize(
    ("tag", "info", "message"),
    [
        ("manylinux_2_17_x86_64", binary("elf", "aarch64"), r"elf aarch64, tag says elf x86_64"),
        ("manylinux_2_17_x86_64", binary("elf", "x86_64", glibc=(2, 34)), r"glibc 2\.34.*2\.17"),
        ("macosx_13_0_arm64", binary("macho", "aarch64", minos=(14, 0)), r"minos 14\.0.*13\.0"),
        ("macosx_13_0_arm64", binary("macho", "aarch64"), r"records no minimum macOS"),
        ("win_amd64", binary("elf", "x86_64"), r"elf x86_64, tag says pe x86_64"),
        ("musllinux_1_2_x86_64", binary("elf", "x86_64"), r"cannot check the platform"),
    ],
)
def test_a_binary_that_does_not_fit_its_tag_is_refused(
    tag: str, info: BinaryInfo, message: str
) -> None:
    with pytest.raises(ArtifactCheckError, match=rf"wheel tag {tag} does not fit.*{message}"):
        check_platform(tag, [info])
