"""``crossgo doctor``: the Go-in-conda checklist, each problem with a one-line fix.

Go toolchains inside conda environments break in a handful of well-known ways: the wrong
``go`` on PATH, GOROOT pointing at another install, caches shared between environments,
``go env -w`` settings that silently override the shell, conda compiler variables leaking
into builds they were not meant for, cgo turned off, full disks. :func:`diagnose` looks for
all of them and for a working, proven C toolchain per target, and returns a
:class:`~crossgo.doctor.report.Report` (PASS / WARN / FAIL per check).

Checks that depend on a failed one (everything about Go when no Go is found) are left out
rather than reported as further failures.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from crossgo import golang
from crossgo.cache import CacheDir, default_cache_root
from crossgo.doctor import dirs
from crossgo.doctor.facts import GoFacts, gather
from crossgo.doctor.gochecks import go_findings
from crossgo.doctor.report import Finding, Report, Status, failed, passed
from crossgo.doctor.settingchecks import go_dirs, setting_findings
from crossgo.doctor.toolchains import (
    ToolchainOptions,
    foreign_prefix,
    host_flags,
    toolchain_findings,
)
from crossgo.environment import macos_deployment_target
from crossgo.errors import ToolchainError, UsageError
from crossgo.golang import GoInstall
from crossgo.targets import Target, get_target, host_target

__all__ = ["MAIN_TARGETS", "DoctorRequest", "Report", "Status", "ToolchainOptions", "diagnose"]

MAIN_TARGETS: Final = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")


@dataclass(frozen=True, slots=True, kw_only=True)
class DoctorRequest:
    targets: tuple[str, ...] = MAIN_TARGETS
    package_dir: Path | None = None  # where to look for go.mod; default: the current directory
    toolchain: ToolchainOptions = field(default_factory=ToolchainOptions)
    cache_dir: Path | None = None


def _find_go(env: Mapping[str, str], cache: CacheDir) -> tuple[GoInstall | None, Finding]:
    try:
        go = golang.find_go(env, cache)
    except ToolchainError as error:
        fix = (
            '`pip install "crossgo[go]"`, `conda install go`, https://go.dev/dl/, or set CROSSGO_GO'
        )
        return None, failed("go.found", str(error), fix)
    return go, passed("go.found", f"{go.go} (from {go.source})")


def _dir_findings(facts: GoFacts) -> list[Finding]:
    return [
        dirs.judge(
            f"dirs.{name.lower()}",
            name,
            dirs.probe(path),
            crossgo_needs_it=False,
            move=f"`go env -w {name}=DIR`",
        )
        for name, path in go_dirs(facts).items()
    ]


def _cache_finding(cache: CacheDir) -> Finding:
    return dirs.judge(
        "dirs.crossgo_cache",
        "crossgo's cache",
        dirs.probe(cache.root),
        crossgo_needs_it=True,
        move="point CROSSGO_CACHE_DIR (or --cache-dir) at another directory",
    )


def _macos_version(target: Target, go: GoInstall | None, env: Mapping[str, str]) -> str:
    if target.goos != "darwin":
        return ""
    if go is None:
        return target.macos_floor(None)
    return macos_deployment_target(target, go, env)


def _go_section(
    go: GoInstall,
    env: Mapping[str, str],
    cache: CacheDir,
    *,
    module_dir: Path,
    targets: Sequence[Target],
) -> list[Finding]:
    facts = gather(go, env, cache, module_dir=module_dir, windows=os.name == "nt")
    return [*go_findings(facts), *setting_findings(facts, targets), *_dir_findings(facts)]


def diagnose(request: DoctorRequest, env: Mapping[str, str], *, cwd: Path) -> Report:
    """Run every check against ``env`` (the caller's environment) and ``cwd``."""
    # UsageError for unknown names; a universal2 target is checked slice by slice.
    named = (get_target(name) for name in request.targets)
    targets = list(dict.fromkeys(s for target in named for s in target.slice_targets()))
    module_dir = request.package_dir or cwd
    if not module_dir.is_dir():
        msg = f"--package {module_dir} is not a directory."
        raise UsageError(msg)
    cache = CacheDir(request.cache_dir or default_cache_root(env))
    go, found = _find_go(env, cache)
    findings = [found]
    if go is not None:
        findings += _go_section(go, env, cache, module_dir=module_dir, targets=targets)
    findings += [_cache_finding(cache), foreign_prefix(env)]
    host = host_target()
    for target in targets:
        findings += toolchain_findings(
            target,
            options=request.toolchain,
            env=env,
            cache=cache,
            macos_version=_macos_version(target, go, env),
        )
        findings.append(host_flags(target, host=host, env=env))
    return Report.of(findings)
