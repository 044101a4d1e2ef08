"""Which target the environment names: conda builds, cibuildwheel on each OS, manylinux images.

The cibuildwheel values are the ones its source sets (cibuildwheel 4.2.0, commit 8832cf6):
``cibuildwheel/platforms/macos.py`` lines 370-381 (``_PYTHON_HOST_PLATFORM``, ``ARCHFLAGS``)
and ``cibuildwheel/platforms/windows.py`` lines 190-237 (``DIST_EXTRA_CONFIG``,
``VSCMD_ARG_TGT_ARCH``). Linux images set ``AUDITWHEEL_PLAT`` in their environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossgo.detect import choose_target, detect_target
from crossgo.errors import UsageError
from crossgo.targets import host_target

MACOS_ARM64 = {"_PYTHON_HOST_PLATFORM": "macosx-11.0-arm64", "ARCHFLAGS": "-arch arm64"}
MACOS_UNIVERSAL2 = {
    "_PYTHON_HOST_PLATFORM": "macosx-10.9-universal2",
    "ARCHFLAGS": "-arch arm64 -arch x86_64",
}
MACOS_X86_64 = {"_PYTHON_HOST_PLATFORM": "macosx-10.9-x86_64", "ARCHFLAGS": "-arch x86_64"}


def windows_arm64(tmp_path: Path) -> dict[str, str]:
    """What setup_setuptools_cross_compile sets on an x64 runner for an ARM64 build."""
    config = tmp_path / "extra-setup.cfg"
    config.write_text(
        "[build]\nplat_name=win-arm64\n[build_ext]\nlibrary_dirs=C:\\libs\nplat_name=win-arm64\n"
        "[bdist_wheel]\nplat_name=win-arm64\n"
    )
    return {
        "DIST_EXTRA_CONFIG": str(config),
        "VSCMD_ARG_TGT_ARCH": "arm64",
        "SETUPTOOLS_EXT_SUFFIX": ".cp312-win_arm64.pyd",
        "SETUPTOOLS_USE_DISTUTILS": "local",
        "CARGO_BUILD_TARGET": "aarch64-pc-windows-msvc",
    }


@pytest.mark.parametrize(
    ("env", "target"),
    [
        (MACOS_ARM64, "osx-arm64"),
        (MACOS_UNIVERSAL2, "osx-universal2"),
        (MACOS_X86_64, "osx-64"),
        ({"AUDITWHEEL_PLAT": "manylinux_2_28_x86_64"}, "linux-64"),
        ({"AUDITWHEEL_PLAT": "manylinux2014_aarch64"}, "linux-aarch64"),
        ({"AUDITWHEEL_PLAT": "manylinux_2_17_ppc64le"}, "linux-ppc64le"),
        ({"CONDA_BUILD": "1", "target_platform": "linux-aarch64"}, "linux-aarch64"),
        ({"CONDA_BUILD": "1", "target_platform": "win-64"}, "win-64"),
        ({"VSCMD_ARG_TGT_ARCH": "x64"}, "win-64"),
    ],
)
def test_environment_names_the_target(env: dict[str, str], target: str) -> None:
    found = detect_target(env)
    assert found is not None
    assert found.target.name == target


def test_cibuildwheel_windows_arm64(tmp_path: Path) -> None:
    found = detect_target(windows_arm64(tmp_path))
    assert found is not None
    assert found.target.name == "win-arm64"
    assert "VSCMD_ARG_TGT_ARCH=arm64" in found.source
    assert "plat_name=win-arm64" in found.source


def test_manylinux_policy_sets_the_glibc_limit() -> None:
    found = detect_target({"AUDITWHEEL_PLAT": "manylinux_2_28_aarch64"})
    assert found is not None
    assert found.glibc_limit == (2, 28)
    legacy = detect_target({"AUDITWHEEL_PLAT": "manylinux2014_x86_64"})
    assert legacy is not None
    assert legacy.glibc_limit == (2, 17)


def test_a_plain_environment_names_nothing() -> None:
    assert detect_target({"PATH": "/usr/bin", "HOME": "/root"}) is None
    assert choose_target("auto", {}).target == host_target()
    assert choose_target("auto", {}).source == "this machine"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"_PYTHON_HOST_PLATFORM": "macosx-11.0-arm64", "ARCHFLAGS": "-arch x86_64"},
            r"_PYTHON_HOST_PLATFORM means osx-arm64, ARCHFLAGS means osx-64",
        ),
        ({"_PYTHON_HOST_PLATFORM": "macosx-11.0-ppc"}, r"_PYTHON_HOST_PLATFORM='macosx-11.0-ppc'"),
        (
            {"_PYTHON_HOST_PLATFORM": "macosx-11.0-arm64", "ARCHFLAGS": "-arch i386"},
            r"ARCHFLAGS='-arch i386'",
        ),
        ({"VSCMD_ARG_TGT_ARCH": "x86"}, r"VSCMD_ARG_TGT_ARCH=x86 .*\(x64, arm64\)"),
        ({"AUDITWHEEL_PLAT": "manylinux_2_28_s390x"}, r"AUDITWHEEL_PLAT=manylinux_2_28_s390x: "),
        ({"AUDITWHEEL_PLAT": "manylinux2010_x86_64"}, r"allows glibc 2.12, older than .* 2.17"),
        ({"AUDITWHEEL_PLAT": "linux_x86_64"}, r"not a manylinux or musllinux platform tag"),
        ({"CONDA_BUILD": "1", "target_platform": "linux-armv7l"}, r"target_platform=linux-armv7l"),
        (
            {"CONDA_BUILD": "1", "target_platform": "emscripten-wasm32"},
            r"target_platform=emscripten-wasm32: unknown target .* Known targets: linux-64",
        ),
    ],
)
def test_unknown_or_contradictory_values_name_the_variable(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        detect_target(env)


def test_windows_variables_that_disagree(tmp_path: Path) -> None:
    env = windows_arm64(tmp_path) | {"VSCMD_ARG_TGT_ARCH": "x64"}
    with pytest.raises(UsageError, match=r"VSCMD_ARG_TGT_ARCH means win-64, .* means win-arm64"):
        detect_target(env)


def test_musllinux_stops_at_once_with_the_reason() -> None:
    with pytest.raises(UsageError, match=r"AUDITWHEEL_PLAT=musllinux_1_2_x86_64: .*#54805"):
        detect_target({"AUDITWHEEL_PLAT": "musllinux_1_2_x86_64"})


def test_explicit_target_wins_with_a_note() -> None:
    choice = choose_target("linux-64", MACOS_ARM64, source="-C target")
    assert choice.target.name == "linux-64"
    assert choice.source == "-C target"
    assert choice.notes == (
        "the environment says osx-arm64 (_PYTHON_HOST_PLATFORM=macosx-11.0-arm64 and "
        "ARCHFLAGS=-arch arm64), but linux-64 was asked for and wins",
    )
    agreeing = choose_target("osx-arm64", MACOS_ARM64)
    assert agreeing.notes == ()


def test_explicit_target_survives_a_broken_environment() -> None:
    choice = choose_target("linux-64", {"AUDITWHEEL_PLAT": "musllinux_1_2_x86_64"})
    assert choice.target.name == "linux-64"
    assert "unclear" in choice.notes[0]


def test_conda_build_comes_first() -> None:
    env = {
        "CONDA_BUILD": "1",
        "target_platform": "osx-arm64",
        "AUDITWHEEL_PLAT": "manylinux2014_x86_64",
    }
    found = detect_target(env)
    assert found is not None
    assert found.target.name == "osx-arm64"
    assert found.source == "target_platform=osx-arm64 (conda build)"
