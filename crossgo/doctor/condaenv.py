"""Leftovers of conda activations that do not belong in a cross build (pure).

Two kinds: compiler variables that point into a conda prefix other than the active one
(``CC``/``CFLAGS`` from an environment activated earlier), and CPU tuning flags
(``-march=nocona``, ``-mtune=haswell``, ``-mcpu=power8``) written for the build machine.
Classification is pure; the one probe, :func:`conda_prefix_of` (which prefix a path lies
in), is passed in by the caller.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Final

from crossgo.targets import Target

__all__ = [
    "COMPILER_VARIABLES",
    "PrefixMention",
    "absolute_paths",
    "conda_prefix_of",
    "flag_machine",
    "foreign_mentions",
    "foreign_tuning",
    "tuning_flags",
]

# What conda's compiler activation scripts export.
COMPILER_VARIABLES: Final = ("CC", "CXX", "CFLAGS", "CPPFLAGS", "CXXFLAGS", "LDFLAGS")

_TUNING: Final = re.compile(r"^-m(?:arch|tune|cpu)=(?P<value>\S+)$")
# CPU names by the machine they belong to (gcc's -march/-mtune/-mcpu values, abridged).
_FAMILIES: Final = (
    (
        "x86_64",
        re.compile(
            r"x86-64(?:-v\d)?|nocona|core2|nehalem|westmere|sandybridge|ivybridge|haswell|"
            r"broadwell|skylake.*|cascadelake|cooperlake|icelake.*|tigerlake|alderlake|"
            r"rocketlake|sapphirerapids|znver\d|k8.*|opteron.*|btver\d|bdver\d|generic|intel"
        ),
    ),
    (
        "aarch64",
        re.compile(r"armv8.*|armv9.*|cortex-.*|neoverse-.*|apple-.*|thunderx.*|a64fx|ampere.*"),
    ),
    ("ppc64le", re.compile(r"power\d+|pwr\d+")),
)


def tuning_flags(value: str) -> list[str]:
    """The -march/-mtune/-mcpu flags in a flags string."""
    return [word for word in _words(value) if _TUNING.match(word)]


def flag_machine(flag: str) -> str | None:
    """The machine a tuning flag is for ("x86_64"); None for "native" and unknown names."""
    match = _TUNING.match(flag)
    value = match.group("value") if match else ""
    for machine, names in _FAMILIES:
        if names.fullmatch(value):
            return machine
    return None


def _is_foreign(flag: str, target: Target, *, cross: bool) -> bool:
    if flag.endswith("=native"):
        return cross  # tunes for whatever machine runs the compiler
    machine = flag_machine(flag)
    return machine is not None and machine != target.machine


def foreign_tuning(flags: Iterable[str], target: Target, *, cross: bool) -> list[str]:
    """The flags that produce code the target cannot run, or that depend on the build
    machine (=native) in a cross build."""
    return [flag for flag in flags if _is_foreign(flag, target, cross=cross)]


_OPTION_PREFIXES: Final = ("-isystem", "-isysroot", "-idirafter", "-iquote", "-I", "-L", "-F", "-B")
_WINDOWS_ABSOLUTE: Final = re.compile(r"^[A-Za-z]:[\\/]")


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _as_path(piece: str) -> str | None:
    for option in _OPTION_PREFIXES:
        if piece.startswith(option) and len(piece) > len(option):
            piece = piece[len(option) :]
            break
    if piece.startswith("/") or _WINDOWS_ABSOLUTE.match(piece):
        return piece
    return None


def absolute_paths(value: str) -> list[str]:
    """Absolute paths mentioned in a command or flags value (``/p/bin/cc``, ``-I/p/include``,
    ``-Wl,-rpath,/p/lib``, ``--sysroot=/p``)."""
    pieces = (piece for word in _words(value) for piece in re.split(r"[,=;]", word))
    return [path for piece in pieces if (path := _as_path(piece)) is not None]


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefixMention:
    variable: str
    path: str
    prefix: PurePath


def foreign_mentions(
    values: Mapping[str, str],
    allowed: Iterable[PurePath],
    prefix_of: Callable[[str], PurePath | None],
) -> list[PrefixMention]:
    """Paths in ``values`` that lie in a conda prefix other than the ``allowed`` ones; one
    mention per variable and prefix."""
    allowed = set(allowed)
    found: dict[tuple[str, PurePath], PrefixMention] = {}
    for variable, value in values.items():
        for path in absolute_paths(value):
            prefix = prefix_of(path)
            if prefix is not None and prefix not in allowed:
                found.setdefault(
                    (variable, prefix),
                    PrefixMention(variable=variable, path=path, prefix=prefix),
                )
    return list(found.values())


def conda_prefix_of(path: str) -> Path | None:
    """The conda prefix holding ``path``: the nearest parent with a ``conda-meta``
    directory, or, for an environment deleted since, a ``.../envs/<name>`` parent."""
    candidate = Path(path)
    for parent in (candidate, *candidate.parents):
        if (parent / "conda-meta").is_dir():
            return parent
        if parent.parent.name == "envs" and parent.name:
            return parent
    return None
