"""The C toolchain checks (``toolchain.<target>.*``, ``conda.foreign_prefix``).

For each target: the toolchain crossgo would choose (:func:`crossgo.toolchain.resolve`), the
proof that it really targets the platform (:func:`crossgo.toolchain.verify`, cached by
compiler identity, so a second doctor run costs no link), and the CPU tuning flags in the
environment that would reach, or be dropped from, that target's build.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Final

from crossgo import toolchain
from crossgo.cache import CacheDir
from crossgo.doctor.condaenv import (
    COMPILER_VARIABLES,
    conda_prefix_of,
    foreign_mentions,
    foreign_tuning,
    tuning_flags,
)
from crossgo.doctor.report import Finding, failed, passed, warned
from crossgo.errors import CrossgoError
from crossgo.targets import Target
from crossgo.toolchain import Preference, ToolchainQuery

__all__ = ["ToolchainOptions", "foreign_prefix", "host_flags", "toolchain_findings"]

_DROPPED: Final = ("CFLAGS", "CPPFLAGS", "CXXFLAGS")  # crossgo unsets these (environment.py)
_KEPT: Final = ("CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS")  # appended
_FORMATS: Final = {"linux": "ELF", "darwin": "Mach-O", "windows": "PE"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolchainOptions:
    preference: Preference = "auto"
    cc: str | None = None
    conda_prefix: Path | None = None


def _install_fix(target: Target) -> str:
    return f"install one of {'; '.join(toolchain.install_options(target))}; or pass --cc"


def toolchain_findings(
    target: Target,
    *,
    options: ToolchainOptions,
    env: Mapping[str, str],
    cache: CacheDir,
    macos_version: str,
) -> list[Finding]:
    prefix = f"toolchain.{target.name}"
    query = ToolchainQuery(
        target=target,
        env=env,
        cache=cache,
        conda_prefix=options.conda_prefix,
        macos_version=macos_version,
    )
    try:
        chosen = toolchain.resolve(query, preference=options.preference, cc=options.cc)
    except (CrossgoError, OSError) as error:
        return [failed(f"{prefix}.found", str(error), _install_fix(target))]
    version = f" {chosen.version}" if chosen.version else ""
    found = passed(f"{prefix}.found", f"{chosen.kind}{version}: {chosen.origin}")
    try:
        toolchain.verify(chosen, target, cache, env)
    except (CrossgoError, OSError) as error:
        return [found, failed(f"{prefix}.verified", str(error), _install_fix(target))]
    proof = f"{chosen.cc} links {target.machine} {_FORMATS[target.goos]} shared libraries"
    return [found, passed(f"{prefix}.verified", proof)]


def _flags_in(env: Mapping[str, str], names: tuple[str, ...]) -> dict[str, list[str]]:
    found = {name: tuning_flags(env.get(name, "")) for name in names}
    return {name: flags for name, flags in found.items() if flags}


def _shown(flags: Mapping[str, list[str]]) -> str:
    return "; ".join(f"{name}={' '.join(values)}" for name, values in flags.items())


def host_flags(target: Target, *, host: Target, env: Mapping[str, str]) -> Finding:
    """Build-machine CPU flags: FAIL where crossgo passes them to this target's build,
    WARN where it drops them but the shell keeps them for every other tool."""
    check_id = f"toolchain.{target.name}.host_flags"
    cross = target != host
    conda_build = env.get("CONDA_BUILD") == "1" and env.get("target_platform") == target.name
    used_names = (*_KEPT, *_DROPPED) if conda_build else _KEPT
    used = {
        name: foreign
        for name, flags in _flags_in(env, used_names).items()
        if (foreign := foreign_tuning(flags, target, cross=cross))
    }
    if used:
        return failed(
            check_id,
            f"{_shown(used)} tunes for another CPU than {target.name} ({target.machine}), "
            "and crossgo passes it to this build",
            f"remove those flags from {', '.join(used)}",
        )
    dropped = _flags_in(env, _DROPPED) if cross and not conda_build else {}
    if dropped:
        return warned(
            check_id,
            f"{_shown(dropped)} tunes for the build machine (a conda activation?): crossgo "
            f"drops it from {target.name} builds, other tools in this shell do not",
            f"unset {' '.join(dropped)} before cross builds (`conda deactivate`)",
        )
    return passed(check_id, f"no build-machine CPU flags reach {target.name}")


def _compiler_values(env: Mapping[str, str]) -> dict[str, str]:
    """The conda compiler variables, with a bare CC/CXX resolved on PATH."""
    values = {name: env[name] for name in COMPILER_VARIABLES if env.get(name)}
    for name in ("CC", "CXX"):
        command = values.get(name, "").split(" ", 1)[0]
        if command and "/" not in command and "\\" not in command:
            values[name] = shutil.which(command, path=env.get("PATH", "")) or ""
    return values


def foreign_prefix(env: Mapping[str, str]) -> Finding:
    """Compiler variables that point into another conda environment than the active one."""
    conda_build = env.get("CONDA_BUILD") == "1"
    names = ("CONDA_PREFIX", "PREFIX", "BUILD_PREFIX") if conda_build else ("CONDA_PREFIX",)
    allowed = [PurePath(env[name]) for name in names if env.get(name)]
    mentions = foreign_mentions(_compiler_values(env), allowed, conda_prefix_of)
    if not mentions:
        return passed("conda.foreign_prefix", "compiler variables name no other conda prefix")
    active = env.get("CONDA_PREFIX") or "none"
    shown = "; ".join(f"{m.variable} uses {m.prefix} ({m.path})" for m in mentions)
    if conda_build:  # crossgo uses $CC and the flags inside a build script
        return failed(
            "conda.foreign_prefix",
            f"{shown}: not this build's prefixes",
            "fix the recipe's environment (a stale activation in the build script?)",
        )
    return warned(
        "conda.foreign_prefix",
        f"{shown}, not the active environment ({active}): a leftover activation",
        f"re-activate (`conda deactivate; conda activate ENV`) or unset "
        f"{' '.join(sorted({m.variable for m in mentions}))}",
    )
