"""Activation scripts that give a conda environment its own Go directories.

``crossgo conda activate-scripts PREFIX`` writes ``crossgo-go.{sh,fish,bat,ps1}`` into
``PREFIX/etc/conda/activate.d`` and ``deactivate.d``. On activation they set GOPATH,
GOMODCACHE, GOCACHE and GOBIN inside the environment (``$CONDA_PREFIX/var/go``, its
``pkg/mod``, ``$CONDA_PREFIX/var/cache/go-build``, ``$CONDA_PREFIX/bin``) and
``GOTOOLCHAIN=local``; on deactivation they restore what was there before: a variable that
was unset is unset again, an empty one empty again (cmd and PowerShell have no empty
variables), and stacked environments unwind in order. Each activation saves the values it
replaces under ``_CROSSGO_GO_<depth>_<NAME>`` and counts the depth in ``CROSSGO_GO_DEPTH``,
so the scripts rely on nothing but the last-in-first-out order conda keeps. The scripts
read ``$CONDA_PREFIX`` when they run, so they stay right wherever the package is installed.
The texts are package data (``crossgo/conda/templates/activation``).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Final

from crossgo.errors import OutputError, UsageError

__all__ = ["SCRIPT_NAME", "SHELLS", "VARIABLES", "installed_scripts", "write_activation_scripts"]

SCRIPT_NAME: Final = "crossgo-go"
SHELLS: Final = ("sh", "fish", "bat", "ps1")
VARIABLES: Final = ("GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN", "GOTOOLCHAIN")


def _template(kind: str, shell: str) -> bytes:
    files = importlib.resources.files("crossgo.conda") / "templates" / "activation"
    return (files / f"{kind}.{shell}").read_bytes()


def write_activation_scripts(prefix: Path) -> list[Path]:
    """Write the scripts into ``prefix``'s activate.d and deactivate.d; return their paths."""
    if not prefix.is_dir():
        msg = f"{prefix} is not a directory: pass a conda prefix (in a recipe, $PREFIX)."
        raise UsageError(msg)
    written = []
    for kind in ("activate", "deactivate"):
        directory = prefix / "etc" / "conda" / f"{kind}.d"
        for shell in SHELLS:
            path = directory / f"{SCRIPT_NAME}.{shell}"
            try:
                directory.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_template(kind, shell))
            except OSError as error:
                msg = f"cannot write {path} ({error.strerror or error})."
                raise OutputError(msg) from error
            written.append(path)
    return written


def installed_scripts(prefix: Path) -> tuple[str, ...]:
    """The shells whose crossgo activation scripts ``prefix`` has (for ``crossgo doctor``)."""
    directory = prefix / "etc" / "conda" / "activate.d"
    return tuple(shell for shell in SHELLS if (directory / f"{SCRIPT_NAME}.{shell}").is_file())
