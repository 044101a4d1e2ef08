"""``crossgo conda install`` and the backend in a build script's environment, and bad input.

The environment is the one rattler-build gives a build script (see
../shared/reference/platform-lab.md): CONDA_BUILD=1, PREFIX, BUILD_PREFIX, SRC_DIR (also
HOME), target_platform, build_platform, CONDA_BUILD_CROSS_COMPILATION. Real builds through
rattler-build itself are in test_conda_build.py; these cover what a recipe author gets wrong.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crossgo.binary import read_binary
from tests.conftest import EXAMPLE_GO, REPO, run_crossgo
from tests.support import pinned

pytestmark = pytest.mark.slow


def build_script_env(
    cli_env: dict[str, str], root: Path, target: str, **extra: str
) -> dict[str, str]:
    work = root / "work"
    for directory in (work, root / "build_env", root / "host_env_placehold"):
        directory.mkdir(parents=True, exist_ok=True)
    return {
        **{k: v for k, v in cli_env.items() if k not in {"CC", "CFLAGS", "LDFLAGS", "CPPFLAGS"}},
        "CONDA_BUILD": "1",
        "PREFIX": str(root / "host_env_placehold"),
        "BUILD_PREFIX": str(root / "build_env"),
        "SRC_DIR": str(work),
        "HOME": str(work),
        "target_platform": target,
        "build_platform": "linux-64",
        "CONDA_BUILD_CROSS_COMPILATION": "0" if target == "linux-64" else "1",
        **extra,
    }


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_outside_a_conda_build_it_says_what_it_needs(cli_env: dict[str, str]) -> None:
    done = run_crossgo("conda", "install", str(EXAMPLE_GO), env=cli_env)
    assert done.returncode == 2
    assert "runs in a conda-build or rattler-build build script" in done.stderr
    assert "CONDA_BUILD, PREFIX, target_platform" in done.stderr


@pytest.mark.parametrize("platform", ["linux-armv7l", "emscripten-wasm32"])
def test_an_unsupported_target_platform_names_the_supported_ones(
    cli_env: dict[str, str], tmp_path: Path, platform: str
) -> None:
    env = build_script_env(cli_env, tmp_path, platform)
    done = run_crossgo("conda", "install", str(EXAMPLE_GO), env=env)
    assert done.returncode == 2
    assert f"target_platform={platform}" in done.stderr
    assert "linux-64" in done.stderr and "win-64" in done.stderr
    assert files_under(tmp_path / "host_env_placehold") == []


def test_a_compiler_for_another_platform_is_refused(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = build_script_env(cli_env, tmp_path, "linux-aarch64", CC="gcc")
    done = run_crossgo("conda", "install", str(EXAMPLE_GO), env=env)
    assert done.returncode == 3, done.stderr
    assert "builds x86_64 elf code, but linux-aarch64 needs aarch64 elf" in done.stderr
    assert files_under(tmp_path / "host_env_placehold") == []


def test_a_failed_build_installs_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "src" / "go"
    shutil.copytree(EXAMPLE_GO, broken)
    main = broken / "main.go"
    main.write_text(main.read_text().replace("return a + b", "return a + undefinedName"))
    env = build_script_env(cli_env, tmp_path / "b", "win-64")
    prefix = Path(env["PREFIX"])
    done = run_crossgo("conda", "install", str(broken), env=env)
    assert done.returncode == 1
    assert "undefinedName" in done.stderr
    assert list(prefix.rglob("*")) == []  # not even Library/bin or Library/include


def test_zig_fallback_into_a_python_package_with_a_note(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    site = tmp_path / "host_env_placehold" / "lib" / "python3.11" / "site-packages"
    env = build_script_env(cli_env, tmp_path, "linux-64", SP_DIR=str(site))
    done = run_crossgo("conda", "install", str(EXAMPLE_GO), "--python-package", "gohash", env=env)
    assert done.returncode == 0, done.stderr
    assert "no conda compiler was used for linux-64: zig cc" in done.stderr
    assert "${{ compiler('c') }}" in done.stderr
    assert files_under(tmp_path / "host_env_placehold") == [
        "lib/python3.11/site-packages/gohash/libgohash.so"
    ]
    library = site / "gohash" / "libgohash.so"
    assert read_binary(library).rpaths == ("$ORIGIN/../../..",)
    code = "import ctypes, sys; print(ctypes.CDLL(sys.argv[1]).Fib(10))"
    ran = subprocess.run(
        [sys.executable, "-c", code, str(library)], capture_output=True, text=True, check=False
    )
    assert ran.stdout.strip() == "55", ran.stderr


def test_a_python_package_needs_sp_dir(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = build_script_env(cli_env, tmp_path, "linux-64")
    done = run_crossgo("conda", "install", str(EXAMPLE_GO), "--python-package", "gohash", env=env)
    assert done.returncode == 2
    assert "python in its host requirements" in done.stderr


def test_a_low_macos_deployment_target_is_raised_with_a_note(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = build_script_env(cli_env, tmp_path, "osx-arm64", MACOSX_DEPLOYMENT_TARGET="11.0")
    done = run_crossgo("conda", "install", str(EXAMPLE_GO), env=env)
    assert done.returncode == 0, done.stderr
    assert "MACOSX_DEPLOYMENT_TARGET=11.0 is below go1." in done.stderr
    assert "Set c_stdlib_version to 13.0 for osx" in done.stderr
    library = tmp_path / "host_env_placehold" / "lib" / "libgohash.dylib"
    assert read_binary(library).macos_minos == pinned.MACOS_FLOOR


def test_the_backend_builds_for_target_platform_in_a_conda_build(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A Python package's recipe runs `$PYTHON -m pip install . --no-deps
    --no-build-isolation`: crossgo's backend then builds for target_platform."""
    env = build_script_env(cli_env, tmp_path, "linux-aarch64")
    env |= {"PIP_NO_INDEX": "True", "PIP_NO_DEPENDENCIES": "True"}  # as rattler-build sets
    target = tmp_path / "site-packages"
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", str(REPO / "examples" / "gohash"),
            "--no-deps", "--no-build-isolation", "--target", str(target), "-v",
        ],
        env=env, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "building for linux-aarch64 (target_platform=linux-aarch64 (conda build))" in (
        done.stdout + done.stderr
    )
    assert read_binary(target / "gohash" / "libgohash.so").machine == "aarch64"
    # Go's license, from the wheel, where the recipe's about.license_file names it.
    go_license = tmp_path / "work" / "library_licenses" / "std" / "LICENSE"
    assert b"The Go Authors" in go_license.read_bytes()
