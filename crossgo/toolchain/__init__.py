"""Choosing the C toolchain cgo uses for a target.

Resolution order (the first that yields a compiler wins; ``--toolchain`` narrows it to one):

1. explicit: ``--cc`` (``cc=``), else ``CROSSGO_CC``;
2. conda: a conda-build / rattler-build script's ``$CC`` for its ``target_platform``, or a
   prefix (``--conda-prefix``, else the active ``$CONDA_PREFIX``) holding the target's
   compiler package;
3. zig: the ``ziglang`` wheel (``crossgo[zig]``) or ``zig`` on PATH;
4. system: ``cc`` for the native target, Debian cross gccs for the others.

Each finder lives in its own module and returns a :class:`Toolchain` or a :class:`Miss`
that says why not and what to install; the misses make the error when nothing is found.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, Literal

from crossgo.errors import ToolchainError, UsageError
from crossgo.spelling import option
from crossgo.targets import Target
from crossgo.toolchain import conda, system, zig
from crossgo.toolchain.base import Miss, Toolchain, ToolchainKind, ToolchainQuery
from crossgo.toolchain.probe import glibc_above_baseline, linked_glibc, verify

__all__ = [
    "PREFERENCES",
    "Miss",
    "Preference",
    "Toolchain",
    "ToolchainKind",
    "ToolchainQuery",
    "glibc_above_baseline",
    "install_options",
    "linked_glibc",
    "resolve",
    "verify",
]

Preference = Literal["auto", "conda", "zig", "system"]
PREFERENCES: Final = ("auto", "conda", "zig", "system")

_FINDERS: Final[Mapping[str, Callable[[ToolchainQuery], Toolchain | Miss]]] = {
    "conda": conda.find,
    "zig": zig.find,
    "system": system.find,
}


def _explicit(command: str, origin: str, query: ToolchainQuery) -> Toolchain:
    path = (
        command
        if Path(command).is_absolute()
        else shutil.which(command, path=query.env.get("PATH", ""))
    )
    if path is None or not Path(path).is_file():
        msg = f"the C compiler {command!r} given by {origin} does not exist or is not on PATH."
        raise UsageError(msg)
    return Toolchain(kind="explicit", cc=path, cxx=None, origin=f"{origin}={command}")


def resolve(
    query: ToolchainQuery, *, preference: Preference = "auto", cc: str | None = None
) -> Toolchain:
    """The toolchain for ``query.target``; ToolchainError listing what was tried if none."""
    if cc:
        return _explicit(cc, "--cc", query)
    if query.env.get("CROSSGO_CC"):
        return _explicit(query.env["CROSSGO_CC"], "CROSSGO_CC", query)
    kinds = tuple(_FINDERS) if preference == "auto" else (preference,)
    misses: list[Miss] = []
    for kind in kinds:
        found = _FINDERS[kind](query)
        if isinstance(found, Toolchain):
            return found
        misses.append(found)
    raise ToolchainError(_nothing_found(query, misses))


def install_options(target: Target) -> list[str]:
    """What to install for a C toolchain for ``target``, best first."""
    options = ['`pip install "crossgo[zig]"` (zig builds for every target)']
    if target.conda is not None:
        options.append(
            f"`conda install {target.conda.c_compiler}` (then --conda-prefix or activate it)"
        )
    if target.debian_package:
        options.append(f"`apt-get install {target.debian_package}`")
    return options


def _nothing_found(query: ToolchainQuery, misses: list[Miss]) -> str:
    target = query.target
    tried = "; ".join(f"{miss.kind}: {miss.reason}" for miss in misses)
    return (
        f"No C toolchain for {target.name} (cgo needs one). Tried {tried}. "
        f"Install one of: {'; '.join(install_options(target))}; "
        f"or name a compiler ({option(query.frontend, 'cc')})."
    )
