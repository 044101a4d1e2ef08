"""The activation scripts, sourced by real shells the way conda runs them.

conda sets ``CONDA_PREFIX`` before it runs an environment's activate.d scripts and leaves it
set while its deactivate.d scripts run; stacked environments unwind last in, first out. Each
test walks: activate A, deactivate A; then A, B (stacked), deactivate B, deactivate A; and
compares every Go variable after each step with what it must be, prefixes with spaces in
their paths. PowerShell is checked by rule only: no pwsh can be installed here (Debian does
not package it, and its other sources are not reachable).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from crossgo.conda.activation import SCRIPT_NAME, VARIABLES, write_activation_scripts
from tests.support.emulation import WindowsRunner, windows_path

pytestmark = pytest.mark.slow

# What the caller had: a value with spaces, an empty one, two unset ones, a plain one.
BEFORE = {"GOPATH": "/home/me/go path", "GOCACHE": "", "GOTOOLCHAIN": "auto"}
UNSET = ("GOMODCACHE", "GOBIN")

STEPS = ("activate A", "deactivate A", "activate A", "activate B", "deactivate B", "deactivate A")


def prefixes(tmp_path: Path, *, ascii_only: bool = False) -> tuple[Path, Path]:
    # wine's cmd echoes in its OEM code page, so its test keeps to ASCII (spaces still).
    a, b = tmp_path / ("env A" if ascii_only else "env A ü"), tmp_path / "env B"
    for prefix in (a, b):
        prefix.mkdir()
        write_activation_scripts(prefix)
    return a, b


def expected(prefix: Path | None, sep: str = "/") -> dict[str, str | None]:
    """The Go variables with ``prefix`` active (None: the caller's own)."""
    if prefix is None:
        return {**dict.fromkeys(UNSET), **BEFORE}
    root = str(prefix)
    return {
        "GOPATH": sep.join([root, "var", "go"]),
        "GOMODCACHE": sep.join([root, "var", "go", "pkg", "mod"]),
        "GOCACHE": sep.join([root, "var", "cache", "go-build"]),
        "GOBIN": sep.join([root, "bin"]),
        "GOTOOLCHAIN": "local",
    }


def walk(a: Path, b: Path) -> list[tuple[str, Path, Path | None]]:
    """(action, script's prefix, CONDA_PREFIX afterwards) for each step."""
    return [
        ("activate", a, a),
        ("deactivate", a, None),
        ("activate", a, a),
        ("activate", b, b),
        ("deactivate", b, a),
        ("deactivate", a, None),
    ]


NAMES = [*VARIABLES, "CROSSGO_GO_DEPTH"]
DUMP = f"import json, os; print('@@' + json.dumps({{k: os.environ.get(k) for k in {NAMES!r}}}))"


def fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_dumps(output: str) -> list[dict[str, str | None]]:
    return [json.loads(line[2:]) for line in output.splitlines() if line.startswith("@@")]


def posix_script(a: Path, b: Path, shell: str) -> str:
    lines = [f"export {k}={shlex.quote(v)}" for k, v in BEFORE.items()]
    lines += [f"unset {name}" for name in UNSET]
    for action, prefix, after in walk(a, b):
        script = prefix / "etc" / "conda" / f"{action}.d" / f"{SCRIPT_NAME}.{shell}"
        lines.append(f"export CONDA_PREFIX={shlex.quote(str(prefix))}")
        lines.append(f". {shlex.quote(str(script))}")
        lines.append(
            f"export CONDA_PREFIX={shlex.quote(str(after))}" if after else "unset CONDA_PREFIX"
        )
        lines.append(f"python3 -c {shlex.quote(DUMP)}")
    return "\n".join(lines) + "\n"


def check(dumps: Sequence[Mapping[str, str | None]], a: Path, b: Path, sep: str = "/") -> None:
    assert len(dumps) == len(STEPS)
    for step, dump, (_, _, after) in zip(STEPS, dumps, walk(a, b), strict=True):
        want = expected(after, sep)
        assert {k: dump[k] for k in VARIABLES} == want, step
    assert dumps[1]["CROSSGO_GO_DEPTH"] is None  # nothing of ours is left behind
    assert dumps[-1]["CROSSGO_GO_DEPTH"] is None
    assert dumps[3]["CROSSGO_GO_DEPTH"] == "2"


@pytest.mark.parametrize("shell", ["bash", "dash"])
def test_sh_scripts_round_trip(tmp_path: Path, shell: str) -> None:
    a, b = prefixes(tmp_path)
    done = subprocess.run(
        [shell, "-c", posix_script(a, b, "sh")],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    )
    check(parse_dumps(done.stdout), a, b)


def test_fish_scripts_round_trip(tmp_path: Path) -> None:
    fish = shutil.which("fish")
    assert fish, "fish is installed by .ci/install-system-deps.sh (apt-get install fish)"
    a, b = prefixes(tmp_path)
    lines = [f"set -gx {k} {fish_quote(v)}" for k, v in BEFORE.items()]
    lines += [f"set -e {name}" for name in UNSET]
    for action, prefix, after in walk(a, b):
        script = prefix / "etc" / "conda" / f"{action}.d" / f"{SCRIPT_NAME}.fish"
        lines.append(f"set -gx CONDA_PREFIX {fish_quote(str(prefix))}")
        lines.append(f"source {fish_quote(str(script))}")
        lines.append(
            f"set -gx CONDA_PREFIX {fish_quote(str(after))}" if after else "set -e CONDA_PREFIX"
        )
        lines.append(f"python3 -c {fish_quote(DUMP)}")
    done = subprocess.run(
        [fish, "--no-config", "-c", "\n".join(lines)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    )
    check(parse_dumps(done.stdout), a, b)


def test_bat_scripts_round_trip_in_wine_cmd(tmp_path: Path, windows_runner: WindowsRunner) -> None:
    a, b = prefixes(tmp_path, ascii_only=True)
    # cmd has no empty variables: an empty one is an unset one there.
    lines = ["@echo off", f'set "GOPATH={BEFORE["GOPATH"]}"', 'set "GOCACHE="']
    lines += [f'set "GOTOOLCHAIN={BEFORE["GOTOOLCHAIN"]}"', 'set "GOMODCACHE="', 'set "GOBIN="']
    for action, prefix, after in walk(a, b):
        script = prefix / "etc" / "conda" / f"{action}.d" / f"{SCRIPT_NAME}.bat"
        lines.append(f'set "CONDA_PREFIX={windows_path(prefix)}"')
        lines.append(f'call "{windows_path(script)}"')
        lines.append(
            f'set "CONDA_PREFIX={windows_path(after)}"' if after else 'set "CONDA_PREFIX="'
        )
        lines.append("echo @@begin")
        lines += [
            f"if defined {name} (echo @@{name}=%{name}%) else (echo @@{name} unset)"
            for name in (*VARIABLES, "CROSSGO_GO_DEPTH")
        ]
    run = tmp_path / "walk.bat"
    run.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    done = windows_runner.wine64("cmd", "/c", windows_path(run), timeout=300)
    assert done.returncode == 0, done.stderr
    text = done.stdout.replace("\r\n", "\n")
    dumps: list[dict[str, str | None]] = []
    for line in text.splitlines():
        if line == "@@begin":
            dumps.append({})
        elif line.startswith("@@") and line.endswith(" unset"):
            dumps[-1][line[2:-6]] = None
        elif line.startswith("@@") and "=" in line:
            name, _, value = line[2:].partition("=")
            dumps[-1][name] = value
    assert len(dumps) == len(STEPS), text
    for step, dump, (_, _, after) in zip(STEPS, dumps, walk(a, b), strict=True):
        if after is None:
            want = {
                **dict.fromkeys(UNSET),
                "GOCACHE": None,
                "GOPATH": BEFORE["GOPATH"],
                "GOTOOLCHAIN": "auto",
            }
        else:
            want = expected(Path(windows_path(after)), "\\")
        assert {k: dump[k] for k in VARIABLES} == want, (step, text)
    assert dumps[3]["CROSSGO_GO_DEPTH"] == "2"
    assert dumps[-1]["CROSSGO_GO_DEPTH"] is None


def test_powershell_scripts_by_rule(tmp_path: Path) -> None:
    """No pwsh here: check that the PowerShell scripts follow the same protocol."""
    prefix = tmp_path / "env"
    prefix.mkdir()
    write_activation_scripts(prefix)
    activate = (prefix / "etc/conda/activate.d" / f"{SCRIPT_NAME}.ps1").read_text()
    deactivate = (prefix / "etc/conda/deactivate.d" / f"{SCRIPT_NAME}.ps1").read_text()
    for name in VARIABLES:
        assert f"'{name}'" in activate and f"'{name}'" in deactivate
    assert 'Test-Path -LiteralPath "Env:$crossgoName"' in activate  # saves only what is set
    assert '"Env:_CROSSGO_GO_${crossgoDepth}_$crossgoName"' in activate
    assert '"Env:_CROSSGO_GO_${crossgoDepth}_$crossgoName"' in deactivate
    assert 'Remove-Item -LiteralPath "Env:$crossgoName"' in deactivate  # unset stays unset
    assert '$env:CROSSGO_GO_DEPTH = "$($crossgoDepth - 1)"' in deactivate
