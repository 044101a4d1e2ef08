"""The settings checks (``goenv.*``, ``settings.*``, ``conda.shared_dirs``): pure functions
of :class:`~crossgo.doctor.facts.GoFacts` and the requested targets."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from crossgo.doctor.facts import GoFacts
from crossgo.doctor.goenv import (
    SettingSource,
    arch_settings,
    crossgo_sets,
    goflags_conflicts,
    ignored_file_settings,
)
from crossgo.doctor.report import Finding, passed, warned
from crossgo.targets import Target

__all__ = ["GO_DIRS", "go_dirs", "setting_findings"]

GO_DIRS: Final = ("GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN")


def go_dirs(facts: GoFacts) -> dict[str, Path]:
    """The directories plain `go` writes, as `go env` reports them (GOBIN defaults to the
    first GOPATH entry's bin/; GOCACHE=off writes nothing)."""
    values = facts.go_env or {}
    gopath = values.get("GOPATH", "").split(os.pathsep)[0]
    found = {
        "GOPATH": gopath,
        "GOMODCACHE": values.get("GOMODCACHE", ""),
        "GOCACHE": "" if values.get("GOCACHE") == "off" else values.get("GOCACHE", ""),
        "GOBIN": values.get("GOBIN") or (str(Path(gopath) / "bin") if gopath else ""),
    }
    return {name: Path(value) for name, value in found.items() if value}


def goenv_file(facts: GoFacts) -> Finding:
    path, values = facts.user_file_path, facts.settings.user_file
    if path is None:
        return passed("goenv.file", "GOENV=off: no go env -w file is read")
    if not values:
        return passed("goenv.file", f"{path}: no go env -w settings")
    return passed("goenv.file", f"{path} sets {', '.join(sorted(values))}")


def goenv_ignored(facts: GoFacts) -> Finding:
    ignored = ignored_file_settings(facts.settings.user_file)
    if ignored:
        shown = ", ".join(f"{key}={value}" for key, value in ignored.items())
        return warned(
            "goenv.ignored",
            f"crossgo builds ignore these go env -w settings, as the environment crossgo sets "
            f"wins over the file: {shown}",
            "export them in the shell instead (crossgo appends your CGO_*FLAGS and keeps "
            "GOFLAGS that do not conflict), or `go env -u NAME`",
        )
    replaced = sorted(set(facts.settings.user_file) & crossgo_sets())
    extra = f" ({', '.join(replaced)}: set by crossgo, as intended)" if replaced else ""
    return passed("goenv.ignored", f"no go env -w setting is lost in crossgo builds{extra}")


def arch_levels(facts: GoFacts, targets: Sequence[Target]) -> Finding:
    found = arch_settings(facts.settings, targets)
    if not found:
        return passed("settings.arch_levels", "no GOAMD64/GOARM64/GOPPC64 reaches the builds")
    name = found[0][0]
    shown = "; ".join(f"{n}={v} (from {s})" for n, v, s in found)
    return warned(
        "settings.arch_levels",
        f"{shown} reaches the builds: the libraries need CPUs of that level, more than the "
        "wheel tag promises",
        f"unset {name} (or `go env -u {name}`), unless every user's CPU has that level",
    )


def goflags(facts: GoFacts) -> Finding:
    env_value = facts.settings.env.get("GOFLAGS", "")
    value, source = (
        (env_value, SettingSource.ENV)
        if env_value
        else (facts.settings.user_file.get("GOFLAGS", ""), SettingSource.USER_FILE)
    )
    conflicts = goflags_conflicts(value, facts.has_vendor)
    if conflicts:
        undo = "unset GOFLAGS" if env_value else "go env -u GOFLAGS"
        return warned(
            "settings.goflags",
            f"GOFLAGS from {source} has {'; '.join(conflicts)}: crossgo drops them from its "
            "builds, plain `go` keeps them",
            f"{undo}, or remove those flags",
        )
    return passed("settings.goflags", f"GOFLAGS={value or '(unset)'}: nothing conflicts")


def cgo_enabled(facts: GoFacts) -> Finding:
    value, source = facts.settings.lookup("CGO_ENABLED")
    if value != "0":
        shown = value or "unset (Go enables cgo when it finds a C compiler)"
        return passed("settings.cgo_enabled", f"CGO_ENABLED={shown}")
    conda = facts.conda
    if conda is not None and "go-nocgo" in conda.packages:
        fix = f"conda install -p {conda.prefix} go-cgo (go-nocgo turns cgo off)"
    elif source is SettingSource.ENV:
        fix = "unset CGO_ENABLED"
    else:
        fix = "go env -u CGO_ENABLED"
    return warned(
        "settings.cgo_enabled",
        f"CGO_ENABLED=0 (from {source}): crossgo builds set 1, but plain "
        "`go build -buildmode=c-shared` fails in this shell",
        fix,
    )


def shared_dirs(facts: GoFacts) -> Finding:
    conda = facts.conda
    if conda is None:
        return passed("conda.shared_dirs", "no conda environment is active")
    # Lexical comparison: a pure check does not resolve links.
    prefix = Path(os.path.normpath(conda.prefix.absolute()))
    outside = [
        name
        for name, path in go_dirs(facts).items()
        if not Path(os.path.normpath(path.absolute())).is_relative_to(prefix)
    ]
    scripts = conda.activation_scripts
    by = f", set by crossgo's activation scripts ({', '.join(scripts)})" if scripts else ""
    if not outside:
        return passed("conda.shared_dirs", f"Go's directories lie inside {prefix}{by}")
    if scripts:
        return warned(
            "conda.shared_dirs",
            f"{prefix} has crossgo's activation scripts, but {', '.join(outside)} lie "
            "outside it: they have not run in this shell",
            f"conda activate {prefix}",
        )
    return warned(
        "conda.shared_dirs",
        f"{', '.join(outside)} lie outside the active environment {prefix}, so every "
        "environment shares them (`go install` in one writes into the GOBIN of all)",
        f"crossgo conda activate-scripts {prefix}, then re-activate the environment",
    )


def setting_findings(facts: GoFacts, targets: Sequence[Target]) -> list[Finding]:
    return [
        goenv_file(facts),
        goenv_ignored(facts),
        arch_levels(facts, targets),
        goflags(facts),
        cgo_enabled(facts),
        shared_dirs(facts),
    ]
