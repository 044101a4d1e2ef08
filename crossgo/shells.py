"""Rendering a build environment for a shell or a tool to load.

Every format quotes values so they survive the round trip unchanged: spaces, quotes, ``$``,
``;``, backslashes and non-ASCII text. One pure function per format, chosen from a table.

=============  ===================================================================
format         how to load it
=============  ===================================================================
``sh``         ``eval "$(crossgo env ...)"`` (bash, zsh, dash)
``fish``       ``crossgo env --format fish ... | source``
``powershell`` ``crossgo env --format powershell ... | Invoke-Expression``
``cmd``        save as ``env.bat`` and ``call env.bat``
``json``       ``{"variables": {...}, "unset": [...], ...}``
``dotenv``     a ``.env`` file, Docker Compose rules (python-dotenv: ``interpolate=False``)
``github``     append to ``$GITHUB_ENV`` (removals become empty values there)
``bazelrc``    ``build:<config> --action_env=...`` lines for a ``.bazelrc``; use with
               ``bazel build --config=<config>`` (removals cannot be said there)
=============  ===================================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from crossgo.environment import CACHE_VARIABLES
from crossgo.errors import UsageError

__all__ = ["FORMATS", "render"]


def _sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _sh(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    lines = [f"unset {name}" for name in unset]
    lines += [f"export {name}={_sh_quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"


def _fish(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    def quote(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    lines = [f"set -e {name}" for name in unset]
    lines += [f"set -gx {name} {quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"


def _powershell(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    lines = [f"Remove-Item Env:{name} -ErrorAction SilentlyContinue" for name in unset]

    def quote(value: str) -> str:
        # PowerShell also treats the typographic single quotes as quotes; double them too.
        for mark in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
            value = value.replace(mark, mark * 2)
        return f"'{value}'"

    lines += [f"$env:{name} = {quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"


def _cmd(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    # In a batch file `set "NAME=value"` keeps & | < > ^ literal; only % needs doubling.
    for name, value in variables.items():
        if "\n" in value or "\r" in value or '"' in value:
            msg = (
                f"{name} holds a newline or double quote, which cmd cannot set; "
                "use another --format"
            )
            raise UsageError(msg)
    # chcp 65001: read the rest of the file as UTF-8, so non-ASCII values survive.
    lines = ["@echo off", "chcp 65001 >nul", *(f'set "{name}="' for name in unset)]
    lines += [f'set "{name}={value.replace("%", "%%")}"' for name, value in variables.items()]
    return "\r\n".join(lines) + "\r\n"


def _dotenv(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    def quote(value: str) -> str:
        if "'" not in value and "\n" not in value:
            return f"'{value}'"  # single quotes: no escapes, no ${} interpolation
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    del unset  # a .env file can only set variables
    return "".join(f"{name}={quote(value)}\n" for name, value in variables.items())


def _github(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    entries = {**dict.fromkeys(unset, ""), **variables}
    lines = []
    for name, value in entries.items():
        delimiter = "CROSSGO_EOF"
        while delimiter in value:
            delimiter += "_"
        lines += [f"{name}<<{delimiter}", value, delimiter]
    return "\n".join(lines) + "\n"


def _json(variables: Mapping[str, str], unset: Sequence[str]) -> str:
    return json.dumps({"variables": dict(variables), "unset": list(unset)}, indent=2) + "\n"


def _bazelrc(variables: Mapping[str, str], unset: Sequence[str], config: str) -> str:
    # Bazel splits rc lines into words the way a shell does, so sh quoting carries over.
    lines = [f"# crossgo env for bazel build --config={config}"]
    if unset:
        lines.append(f"# not expressible here, unset them in the calling shell: {' '.join(unset)}")
    lines += [
        f"build:{config} --action_env={_sh_quote(f'{name}={value}')}"
        for name, value in variables.items()
    ]
    writable = dict.fromkeys(variables[name] for name in CACHE_VARIABLES if variables.get(name))
    lines += [f"build:{config} --sandbox_writable_path={_sh_quote(path)}" for path in writable]
    return "\n".join(lines) + "\n"


_RENDERERS: Final[Mapping[str, Callable[[Mapping[str, str], Sequence[str]], str]]] = {
    "sh": _sh,
    "fish": _fish,
    "powershell": _powershell,
    "cmd": _cmd,
    "json": _json,
    "dotenv": _dotenv,
    "github": _github,
}
FORMATS: Final = (*_RENDERERS, "bazelrc")


def render(
    fmt: str, variables: Mapping[str, str], unset: Sequence[str] = (), *, config: str = "crossgo"
) -> str:
    """``variables`` and ``unset`` in format ``fmt``; ``config`` names a bazelrc config."""
    if fmt == "bazelrc":
        return _bazelrc(variables, unset, config)
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        msg = f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}"
        raise UsageError(msg)
    return renderer(variables, unset)
