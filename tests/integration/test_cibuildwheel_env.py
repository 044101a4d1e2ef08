"""The backend under the environment cibuildwheel gives a build on macOS and Windows runners.

Those runners cannot be had here, so each test replays the variables cibuildwheel 4 sets
for the build (its source, commit 8832cf6: ``cibuildwheel/platforms/macos.py`` lines
343-381 and ``cibuildwheel/platforms/windows.py`` lines 190-237, which also writes the
``DIST_EXTRA_CONFIG`` file below) and runs pip's wheel build, as cibuildwheel's pip
frontend does, through crossgo's real backend. Then the repair tool cibuildwheel runs on
that platform reads the wheel: ``delocate-wheel --require-archs`` (macOS) and
``delvewheel repair`` (Windows). delocate runs ``otool`` and ``lipo``, which macOS has;
here they are LLVM's (``llvm-otool``, ``llvm-lipo``; a shim drops otool's ``-m``, which
only matters for archive members).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crossgo.binary import read_slices
from tests.conftest import REPO
from tests.support import pinned

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "gohash"
MACOS_ARM64_ON_X86_64 = {
    "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp312-macosx_arm64",
    "MACOSX_DEPLOYMENT_TARGET": "11.0",
    "_PYTHON_HOST_PLATFORM": "macosx-11.0-arm64",
    "ARCHFLAGS": "-arch arm64",
}
MACOS_UNIVERSAL2 = {
    "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp312-macosx_universal2",
    "MACOSX_DEPLOYMENT_TARGET": "10.13",
    "_PYTHON_HOST_PLATFORM": "macosx-10.9-universal2",
    "ARCHFLAGS": "-arch arm64 -arch x86_64",
}


def windows_arm64(directory: Path) -> dict[str, str]:
    config = directory / "extra-setup.cfg"
    config.write_text(
        "[build]\nplat_name=win-arm64\n[build_ext]\nlibrary_dirs=C:\\Python312\\libs\n"
        "plat_name=win-arm64\n[bdist_wheel]\nplat_name=win-arm64\n"
    )
    return {
        "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp312-win_arm64",
        "DIST_EXTRA_CONFIG": str(config),
        "VSCMD_ARG_TGT_ARCH": "arm64",
        "SETUPTOOLS_EXT_SUFFIX": ".cp312-win_arm64.pyd",
        "SETUPTOOLS_USE_DISTUTILS": "local",
        "CARGO_BUILD_TARGET": "aarch64-pc-windows-msvc",
    }


def pip_wheel(cli_env: dict[str, str], runner: dict[str, str], out: Path) -> tuple[Path, str]:
    """`pip wheel` as cibuildwheel's pip frontend runs it; the wheel and pip's output."""
    env = {**cli_env, "CIBUILDWHEEL": "1", **runner}
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "wheel", str(EXAMPLE), f"--wheel-dir={out}",
            "--no-deps", "--no-build-isolation", "-v",
        ],
        env=env, capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    return wheel, done.stdout + done.stderr


def library_in(wheel: Path, name: str, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        return Path(archive.extract(f"gohash/{name}", into))


@pytest.fixture(scope="session")
def apple_tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PATH with otool and lipo as delocate calls them, from Debian's llvm."""
    tools = tmp_path_factory.mktemp("apple-tools")
    llvm = {name: sorted(Path("/usr/bin").glob(f"llvm-{name}*")) for name in ("otool", "lipo")}
    assert all(llvm.values()), (
        "llvm (llvm-otool, llvm-lipo) is installed by .ci/install-system-deps.sh"
    )
    otool = tools / "otool"
    otool.write_text(
        "#!/bin/sh\n# llvm-otool has no -m (archive member syntax), which dylibs never need\n"
        f'for a do shift; [ "$a" = -m ] || set -- "$@" "$a"; done\nexec {llvm["otool"][0]} "$@"\n'
    )
    otool.chmod(0o755)
    (tools / "lipo").symlink_to(llvm["lipo"][0])
    return {"PATH": f"{tools}:{Path(sys.executable).parent}:/usr/bin:/bin"}


def delocate(apple_tools: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], env=apple_tools, capture_output=True, text=True, check=False
    )


def test_arm64_on_an_x86_64_mac_runner(
    cli_env: dict[str, str], tmp_path: Path, apple_tools: dict[str, str]
) -> None:
    wheel, output = pip_wheel(cli_env, MACOS_ARM64_ON_X86_64, tmp_path / "dist")
    assert (
        "building for osx-arm64 (_PYTHON_HOST_PLATFORM=macosx-11.0-arm64 and ARCHFLAGS=" in output
    )
    assert wheel.name == f"gohash-0.1.0-py3-none-{pinned.MACOS_TAG}_arm64.whl"
    (info,) = read_slices(library_in(wheel, "libgohash.dylib", tmp_path / "x"))
    assert (info.machine, info.macos_minos) == ("aarch64", pinned.MACOS_FLOOR)
    listed = delocate(apple_tools, "delocate.cmd.delocate_listdeps", "--all", str(wheel))
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) == {
        "/usr/lib/libSystem.B.dylib",
        "/usr/lib/libresolv.9.dylib",
    }
    fixed = delocate(
        apple_tools, "delocate.cmd.delocate_wheel", "--require-archs", "arm64",
        "-w", str(tmp_path / "repaired"), str(wheel),
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    assert (tmp_path / "repaired" / wheel.name).is_file()


def test_universal2_is_one_fat_dylib_with_both_slices(
    cli_env: dict[str, str], tmp_path: Path, apple_tools: dict[str, str]
) -> None:
    wheel, output = pip_wheel(cli_env, MACOS_UNIVERSAL2, tmp_path / "dist")
    assert "building for osx-universal2" in output
    assert wheel.name == f"gohash-0.1.0-py3-none-{pinned.MACOS_TAG}_universal2.whl"
    library = library_in(wheel, "libgohash.dylib", tmp_path / "x")
    slices = read_slices(library)
    assert sorted(info.machine for info in slices) == ["aarch64", "x86_64"]
    for info in slices:
        assert info.macos_minos == pinned.MACOS_FLOOR
        assert info.soname == "@rpath/libgohash.dylib"
        assert {"Add", "Sha256Hex"} <= info.exports
    archs = subprocess.run(
        ["lipo", "-archs", str(library)],
        env=apple_tools,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(archs.stdout.split()) == ["arm64", "x86_64"]
    fixed = delocate(
        apple_tools, "delocate.cmd.delocate_wheel", "--require-archs", "universal2",
        "-w", str(tmp_path / "repaired"), str(wheel),
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr


def test_arm64_on_an_x64_windows_runner(cli_env: dict[str, str], tmp_path: Path) -> None:
    wheel, output = pip_wheel(cli_env, windows_arm64(tmp_path), tmp_path / "dist")
    assert "building for win-arm64 (VSCMD_ARG_TGT_ARCH=arm64 and DIST_EXTRA_CONFIG" in output
    assert wheel.name == "gohash-0.1.0-py3-none-win_arm64.whl"
    (info,) = read_slices(library_in(wheel, "libgohash.dll", tmp_path / "x"))
    assert info.format == "pe" and info.machine == "aarch64"
    assert {"Add", "Sha256Hex", "GoVersion"} <= info.exports
    repaired = subprocess.run(
        [
            sys.executable, "-m", "delvewheel", "repair",
            "-w", str(tmp_path / "repaired"), str(wheel),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "no external dependencies are needed" in repaired.stdout
    assert (tmp_path / "repaired" / wheel.name).is_file()


def test_an_explicit_target_beats_the_runner_with_a_note(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "CROSSGO_TARGET": "linux-64"}
    wheel, output = pip_wheel(env, MACOS_ARM64_ON_X86_64, tmp_path / "dist")
    assert (
        "the environment says osx-arm64" in output and "linux-64 was asked for and wins" in output
    )
    assert wheel.name.endswith("manylinux_2_17_x86_64.whl")


def test_a_musllinux_identifier_stops_before_compiling(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "CIBUILDWHEEL": "1", "AUDITWHEEL_PLAT": "musllinux_1_2_x86_64"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(EXAMPLE), f"--wheel-dir={tmp_path}",
         "--no-deps", "--no-build-isolation"],
        env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode != 0
    text = done.stdout + done.stderr
    assert "AUDITWHEEL_PLAT=musllinux_1_2_x86_64" in text and 'skip = "*-musllinux_*"' in text
    assert "go build" not in text
    assert list(tmp_path.glob("*.whl")) == []
