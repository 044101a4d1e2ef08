"""Bad input gets one clear paragraph and a documented exit code, through the real CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GO, PACKAGES, run_crossgo
from tests.support.processes import read_until

pytestmark = pytest.mark.slow


def test_unknown_target_is_a_usage_error_with_suggestions(cli_env: dict[str, str]) -> None:
    done = run_crossgo("build", "--target", "linux-arm65", str(EXAMPLE_GO), env=cli_env)
    assert done.returncode == 2
    assert "unknown target 'linux-arm65'" in done.stderr
    assert "linux-arm64" in done.stderr  # the closest alias is suggested
    assert "Traceback" not in done.stderr


def test_not_a_main_package(cli_env: dict[str, str]) -> None:
    done = run_crossgo("build", "--target", "linux-64", str(PACKAGES / "notmain"), env=cli_env)
    assert done.returncode == 2
    assert "is package notmain, not main" in done.stderr


def test_no_exports(cli_env: dict[str, str]) -> None:
    done = run_crossgo("build", "--target", "linux-64", str(PACKAGES / "noexport"), env=cli_env)
    assert done.returncode == 2
    assert "exports no functions" in done.stderr
    assert "//export" in done.stderr


def test_go_older_than_go_mod_asks(cli_env: dict[str, str]) -> None:
    done = run_crossgo("build", "--target", "linux-64", str(PACKAGES / "newgo"), env=cli_env)
    assert done.returncode == 3
    assert "asks for Go >= 1.99" in done.stderr
    assert "GOTOOLCHAIN=local" in done.stderr


def test_host_compiler_offered_for_aarch64_is_refused(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = run_crossgo(
        "build",
        "--target",
        "linux-aarch64",
        "--cc",
        "gcc",
        "-o",
        str(out),
        str(EXAMPLE_GO),
        env=cli_env,
    )
    assert done.returncode == 3
    assert "builds x86_64 elf code, but linux-aarch64 needs aarch64 elf" in done.stderr
    assert "aarch64-linux-gnu-gcc" in done.stderr and "crossgo[zig]" in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_no_toolchain_names_what_to_install(cli_env: dict[str, str]) -> None:
    # Debian has no cross compiler for macOS, so --toolchain system cannot succeed.
    done = run_crossgo(
        "build", "--target", "osx-arm64", "--toolchain", "system", str(EXAMPLE_GO), env=cli_env
    )
    assert done.returncode == 3
    assert "No C toolchain for osx-arm64" in done.stderr
    assert 'pip install "crossgo[zig]"' in done.stderr
    assert "clang_osx-arm64" in done.stderr


def test_output_path_that_is_a_file_is_a_clear_error(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = run_crossgo(
        "build", "--target", "linux-64", "-o", str(blocker / "out"), str(EXAMPLE_GO), env=cli_env
    )
    assert done.returncode == 4
    assert "cannot write the output directory" in done.stderr


def test_unwritable_cache_dir(cli_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = run_crossgo(
        "build",
        "--target",
        "linux-64",
        "--cache-dir",
        str(blocker / "cache"),
        "-o",
        str(tmp_path / "out"),
        str(EXAMPLE_GO),
        env=cli_env,
    )
    assert done.returncode == 4
    assert "CROSSGO_CACHE_DIR" in done.stderr


def test_interrupted_build_leaves_nothing_at_the_output_path(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build = ("build", "--target", "linux-64", "--toolchain", "zig", "-o", str(out), str(EXAMPLE_GO))
    # With -v crossgo logs `+ ... go build -buildmode=c-shared ...` as it starts it; a cold
    # Go cache then keeps that build going for tens of seconds: the signal lands inside it.
    cold = {**cli_env, "CROSSGO_CACHE_DIR": str(tmp_path / "cold-cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "crossgo", "-v", *build],
        env=cold,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    before = read_until(process, "-buildmode=c-shared", timeout=600)
    staging = [path.name for path in out.glob(".crossgo-*")]
    assert process.poll() is None, "the build finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    stderr = before + rest
    assert staging, stderr  # the build was writing into the output directory
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not out.exists()  # no library, no header, no staging directory, no directory
    again = run_crossgo(*build, env=cli_env)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == ["libgohash.h", "libgohash.so"]
