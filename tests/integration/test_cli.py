"""The CLI as users call it: `crossgo targets`, `crossgo env`, `crossgo build --json`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GO, run_crossgo

pytestmark = pytest.mark.slow


def test_targets_json(cli_env: dict[str, str]) -> None:
    done = run_crossgo("targets", "--json", env=cli_env)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["linux-aarch64"]["goarch"] == "arm64"
    assert rows["win-64"]["wheel_platform"] == "win_amd64"
    assert rows["osx-arm64"]["wheel_platform"].startswith("macosx_1")
    assert rows["linux-64"]["conda_c_compiler"] == "gcc_linux-64"
    for row in rows.values():
        assert {
            "name",
            "goos",
            "goarch",
            "wheel_platform",
            "library_suffix",
            "conda_c_compiler",
        } <= set(row)


def test_targets_table(cli_env: dict[str, str]) -> None:
    done = run_crossgo("targets", env=cli_env)
    assert done.returncode == 0
    assert "linux-ppc64le" in done.stdout and "linux/ppc64le" in done.stdout


def test_env_is_what_build_uses(cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    shown = run_crossgo(
        "env",
        "--target",
        "linux-aarch64",
        "--format",
        "json",
        "-o",
        str(out),
        str(EXAMPLE_GO),
        env=cli_env,
    )
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    variables = document["variables"]
    assert variables["GOOS"] == "linux" and variables["GOARCH"] == "arm64"
    assert variables["CGO_ENABLED"] == "1"
    # Running go build by hand with that environment gives the same library as crossgo.
    by_hand = tmp_path / "by-hand" / "libgohash.so"
    subprocess.run(
        [document["go"]["go"], *document["go_args"], "-o", str(by_hand), "."],
        cwd=EXAMPLE_GO,
        env={**{k: v for k, v in cli_env.items() if k not in document["unset"]}, **variables},
        check=True,
        capture_output=True,
    )
    built = run_crossgo(
        "build", "--target", "linux-aarch64", "--json", "-o", str(out), str(EXAMPLE_GO), env=cli_env
    )
    assert built.returncode == 0, built.stderr
    result = json.loads(built.stdout)
    assert result["toolchain"]["kind"] == document["toolchain"]["kind"] == "zig"
    assert Path(result["library"]).read_bytes() == by_hand.read_bytes()
    assert {"target", "library", "header", "sha256", "toolchain"} <= set(result)
    assert result["toolchain"]["cc"] == variables["CC"]


def test_env_explain_says_where_things_came_from(cli_env: dict[str, str]) -> None:
    polluted = {**cli_env, "CFLAGS": "-march=nocona", "GOARCH": "amd64", "CGO_ENABLED": "0"}
    done = run_crossgo(
        "env", "--target", "linux-aarch64", "--explain", str(EXAMPLE_GO), env=polluted
    )
    assert done.returncode == 0, done.stderr
    assert "# toolchain: zig: zig cc -target aarch64-linux-gnu.2.17" in done.stderr
    assert "# go: " in done.stderr
    assert "CFLAGS: dropped" in done.stderr
    assert "GOARCH: overridden" in done.stderr
    assert "CGO_ENABLED: overridden" in done.stderr
    assert "unset CFLAGS" in done.stdout
    assert "export GOARCH='arm64'" in done.stdout


def test_python_dash_m_and_version(cli_env: dict[str, str]) -> None:
    done = run_crossgo("--version", env=cli_env)
    assert done.returncode == 0 and done.stdout.startswith("crossgo ")
