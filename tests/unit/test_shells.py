"""Every `crossgo env --format` survives a round trip through the real consumer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from crossgo.errors import UsageError
from crossgo.shells import render
from tests.support.emulation import WindowsRunner

NASTY = {
    "A_SPACES": "/opt/my dir/bin and more",
    "B_QUOTES": 'it\'s "quoted" `ticks`',
    "C_DOLLAR": "$HOME ${PATH} $(whoami) $$",
    "D_SEMI": "a; echo pwned; b && c || d | e > f < g",
    "E_UNICODE": "/données/日本語/ünï",
    "F_BACKSLASH": "C:\\Program Files\\x\\ \\\\n \\'",
    "G_PERCENT": "100% %PATH% !bang! ^caret& <x>",
    "H_EMPTY": "",
}
MULTILINE = {**NASTY, "I_NEWLINE": "line one\nline two"}


def run_and_dump(argv: list[str], **kwargs: object) -> dict[str, str]:
    done = subprocess.run(argv, capture_output=True, check=True, **kwargs)  # type: ignore[call-overload]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


DUMP = "import json, os, sys; print(json.dumps({k: os.environ.get(k) for k in sys.argv[1:]}))"


@pytest.mark.parametrize("shell", ["bash", "dash"])
def test_sh(tmp_path: Path, shell: str) -> None:
    script = tmp_path / "env.sh"
    script.write_text(render("sh", MULTILINE, ["GONE"]), encoding="utf-8")
    found = run_and_dump(
        [
            shell,
            "-c",
            f'. "$1"; py="$2"; shift 2; exec "$py" -c \'{DUMP}\' "$@"',
            shell,
            str(script),
            shutil.which("python3") or "python3",
            *MULTILINE,
            "GONE",
        ],
        env={**os.environ, "GONE": "x"},
    )
    assert found == {**MULTILINE, "GONE": None}


def test_fish(tmp_path: Path) -> None:
    fish = shutil.which("fish")
    assert fish, "fish is installed by .ci/install-system-deps.sh (apt-get install fish)"
    script = tmp_path / "env.fish"
    script.write_text(render("fish", MULTILINE, ["GONE"]), encoding="utf-8")
    found = run_and_dump(
        [fish, "-c", f"source {script}; python3 -c '{DUMP}' {' '.join(MULTILINE)} GONE"],
        env={**os.environ, "GONE": "x"},
    )
    assert found == {**MULTILINE, "GONE": None}


def test_json() -> None:
    data = json.loads(render("json", MULTILINE, ["GONE"]))
    assert data == {"variables": MULTILINE, "unset": ["GONE"]}


def test_dotenv(tmp_path: Path) -> None:
    dotenv = pytest.importorskip("dotenv", reason="python-dotenv is in crossgo[dev]")
    path = tmp_path / ".env"
    path.write_text(render("dotenv", MULTILINE), encoding="utf-8")
    # Docker Compose's rules: single-quoted values are literal. python-dotenv interpolates
    # ${...} even there unless told not to.
    assert dotenv.dotenv_values(path, interpolate=False) == MULTILINE


def parse_github_env(text: str) -> dict[str, str]:
    """GitHub's documented $GITHUB_ENV syntax: NAME=value, or NAME<<DELIM ... DELIM."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_github() -> None:
    tricky = {**MULTILINE, "J_DELIM": "CROSSGO_EOF"}
    assert parse_github_env(render("github", tricky, ["GONE"])) == {**tricky, "GONE": ""}


def test_powershell_quoting_is_single_quote_literal() -> None:
    # No PowerShell on this machine (Debian does not package it): check the quoting rule
    # instead, that inside '...' only a doubled quote is special.
    text = render("powershell", {"X": "it's $HOME `n"}, ["GONE"])
    assert "$env:X = 'it''s $HOME `n'" in text
    assert "Remove-Item Env:GONE" in text


def test_cmd_under_wine(tmp_path: Path, windows_runner: WindowsRunner) -> None:
    values = {k: v for k, v in NASTY.items() if '"' not in v}  # refused; tested below
    (tmp_path / "env.bat").write_text(render("cmd", values), encoding="utf-8")
    (tmp_path / "run.bat").write_text(
        "@echo off\r\ncall env.bat\r\n" + "".join(f"set {k}\r\n" for k in values if values[k]),
        encoding="utf-8",
    )
    done = windows_runner.wine64("cmd", "/c", "run.bat", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    shown = done.stdout.replace("\r\n", "\n")
    for name, value in values.items():
        # wine's cmd prints `set` in its OEM code page, so non-ASCII text cannot be read
        # back here; the UTF-8 `chcp 65001` path is only proven on real Windows (not here).
        if value and value.isascii():
            assert f"{name}={value}\n" in shown


@pytest.mark.parametrize("value", ["a\nb", 'say "hi"'])
def test_cmd_refuses_what_it_cannot_set(value: str) -> None:
    with pytest.raises(UsageError, match="cannot set"):
        render("cmd", {"X": value})


def test_bazelrc_lines_quote_values_and_open_the_caches() -> None:
    text = render(
        "bazelrc",
        {"CGO_CFLAGS": "-O2 -g -I/it's here", "GOCACHE": "/c/go/build", "GOOS": "linux"},
        ("CFLAGS",),
        config="crossgo-linux-64",
    )
    assert text.splitlines() == [
        "# crossgo env for bazel build --config=crossgo-linux-64",
        "# not expressible here, unset them in the calling shell: CFLAGS",
        "build:crossgo-linux-64 --action_env='CGO_CFLAGS=-O2 -g -I/it'\\''s here'",
        "build:crossgo-linux-64 --action_env='GOCACHE=/c/go/build'",
        "build:crossgo-linux-64 --action_env='GOOS=linux'",
        "build:crossgo-linux-64 --sandbox_writable_path='/c/go/build'",
    ]
