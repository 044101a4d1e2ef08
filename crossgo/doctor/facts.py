"""Everything ``crossgo doctor`` looks at about Go, gathered in one place.

This is the only doctor module that reads files or runs programs for the Go checks; the
checks themselves (:mod:`crossgo.doctor.gochecks`, :mod:`crossgo.doctor.settingchecks`)
are pure functions of the :class:`GoFacts` built here. ``go env`` runs once, with
``GOTOOLCHAIN=local`` and outside any module, so that diagnosing never downloads a Go.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from crossgo import _run, golang
from crossgo.cache import CacheDir
from crossgo.conda.activation import installed_scripts
from crossgo.doctor.goenv import GoSettings, parse_env_file
from crossgo.errors import ToolchainError
from crossgo.golang import GoInstall, GoModule

__all__ = ["CondaGo", "GoFacts", "conda_go", "find_go_mod", "gather", "goroot_valid"]

# What `go env` is asked for: the effective values after environment and both files.
GO_ENV_KEYS: Final = ("GOENV", "GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN", "GOFLAGS")
_GO_PACKAGES: Final = frozenset({"go", "go-cgo", "go-nocgo"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CondaGo:
    """The Go of the active conda environment, as its files lie."""

    prefix: Path
    packages: tuple[str, ...]  # Go packages its conda-meta records: go, go-cgo, go-nocgo
    goroot: Path  # $PREFIX/go
    goroot_real: Path  # the same, links resolved
    goroot_valid: bool
    launcher: Path | None  # $PREFIX/bin/go (go.exe on Windows), if present
    launcher_target: Path | None  # what the launcher resolves to
    windows: bool
    activation_scripts: tuple[str, ...] = ()  # shells of crossgo's Go activation scripts


@dataclass(frozen=True, slots=True, kw_only=True)
class GoFacts:
    go: GoInstall
    goroot_real: Path  # go.goroot, links resolved
    goroot_valid: bool
    module_dir: Path  # where go.mod was looked for
    path_go: GoInstall | None  # what the first `go` on PATH runs
    path_goroot_real: Path | None  # its GOROOT, links resolved
    path_go_file: Path | None  # that file
    env_goroot: Path | None  # $GOROOT, if set
    env_goroot_version: str | None  # the release there, None if it is no GOROOT
    env_goroot_is_go: bool  # $GOROOT is the GOROOT of the Go in use
    go_env: Mapping[str, str] | None  # `go env -json`, None if it failed
    go_env_error: str | None
    settings: GoSettings
    user_file_path: Path | None  # the go env -w file, None with GOENV=off
    module: GoModule | None
    has_vendor: bool | None  # None: no module
    conda: CondaGo | None


def goroot_valid(goroot: Path) -> bool:
    return (goroot / "src" / "runtime").is_dir() and (goroot / "pkg" / "tool").is_dir()


def _release_at(goroot: Path) -> str | None:
    try:
        first = (goroot / "VERSION").read_text(encoding="utf-8").split("\n", 1)[0]
    except OSError:
        return None
    return first.strip().removeprefix("go") or None


def find_go_mod(start: Path) -> Path | None:
    for parent in (start, *start.parents):
        if (parent / "go.mod").is_file():
            return parent / "go.mod"
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _go_env(go: GoInstall, env: Mapping[str, str]) -> tuple[dict[str, str] | None, str | None]:
    # GOROOT as crossgo sets it, so a stale $GOROOT cannot confuse the answer.
    run_env = {**env, "GOTOOLCHAIN": "local", "GOROOT": str(go.goroot)}
    try:
        output = _run.capture(
            [str(go.go), "env", "-json", *GO_ENV_KEYS], env=run_env, cwd=go.goroot, timeout=60
        )
        data = json.loads(output)
    except _run.CommandFailed as error:
        return None, error.output.strip() or str(error)
    except ValueError as error:
        return None, f"unreadable `go env -json` output: {error}"
    return {str(key): str(value) for key, value in data.items()}, None


def _path_go(env: Mapping[str, str], cache: CacheDir) -> tuple[Path | None, GoInstall | None]:
    on_path = shutil.which("go", path=env.get("PATH", ""))
    if on_path is None:
        return None, None
    try:
        found = golang.find_go({"PATH": env.get("PATH", "")}, cache)
    except ToolchainError:
        return Path(on_path), None
    return Path(on_path), found if found.source == "PATH" else None


def _conda_records(prefix: Path) -> tuple[str, ...]:
    names = set()
    for record in (prefix / "conda-meta").glob("go*.json"):
        name = record.stem.rsplit("-", 2)[0]
        if name in _GO_PACKAGES:
            names.add(name)
    return tuple(sorted(names))


def conda_go(prefix: Path, *, windows: bool) -> CondaGo:
    launcher = prefix / "bin" / ("go.exe" if windows else "go")
    exists = launcher.is_file()
    return CondaGo(
        prefix=prefix,
        packages=_conda_records(prefix),
        goroot=prefix / "go",
        goroot_real=(prefix / "go").resolve(),
        goroot_valid=goroot_valid(prefix / "go"),
        launcher=launcher if exists else None,
        launcher_target=launcher.resolve() if exists else None,
        windows=windows,
        activation_scripts=installed_scripts(prefix),
    )


def _module(start: Path) -> tuple[GoModule | None, bool | None]:
    path = find_go_mod(start.absolute())
    if path is None:
        return None, None
    module = golang.parse_go_mod(_read_text(path), path)
    return module, golang.is_vendored(path.parent)


def gather(
    go: GoInstall,
    env: Mapping[str, str],
    cache: CacheDir,
    *,
    module_dir: Path,
    windows: bool,
) -> GoFacts:
    go_env, error = _go_env(go, env)
    goenv_value = (go_env or {}).get("GOENV", "")
    user_file = Path(goenv_value) if goenv_value and goenv_value != "off" else None
    settings = GoSettings(
        env=env,
        user_file=parse_env_file(_read_text(user_file)) if user_file else {},
        goroot_file=parse_env_file(_read_text(go.goroot / "go.env")),
    )
    path_file, path_go = _path_go(env, cache)
    env_goroot = Path(env["GOROOT"]) if env.get("GOROOT") else None
    module, has_vendor = _module(module_dir)
    prefix = env.get("CONDA_PREFIX")
    return GoFacts(
        go=go,
        goroot_real=go.goroot.resolve(),
        goroot_valid=goroot_valid(go.goroot),
        module_dir=module_dir,
        path_go=path_go,
        path_goroot_real=path_go.goroot.resolve() if path_go else None,
        path_go_file=path_file,
        env_goroot=env_goroot,
        env_goroot_version=(
            _release_at(env_goroot) if env_goroot and goroot_valid(env_goroot) else None
        ),
        env_goroot_is_go=bool(env_goroot and env_goroot.resolve() == go.goroot.resolve()),
        go_env=go_env,
        go_env_error=error,
        settings=settings,
        user_file_path=user_file,
        module=module,
        has_vendor=has_vendor,
        conda=conda_go(Path(prefix), windows=windows) if prefix else None,
    )
