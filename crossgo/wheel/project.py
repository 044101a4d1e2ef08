"""A Python project backed by Go, read once from its pyproject.toml.

``[project]`` becomes core metadata through ``pyproject-metadata`` (PEP 621; the version must
be static), ``[tool.crossgo]`` becomes :class:`~crossgo.settings.Settings`, and the layout is
resolved: where the Python package lives, where the libraries go, which Go packages to build.
Every problem is a :class:`~crossgo.errors.UsageError` naming the key to fix.
"""

from __future__ import annotations

import dataclasses
import keyword
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name
from pyproject_metadata import ConfigurationError, License, StandardMetadata

from crossgo import _run
from crossgo.errors import CrossgoError, UsageError
from crossgo.settings import ConfigSettings, Settings, load_settings
from crossgo.wheel.archive import ZIP_EPOCH

__all__ = ["Project", "is_import_name", "load_project", "source_date_epoch"]

# PEP 639's suggested defaults when [project] has no license-files (hatchling uses them too).
_DEFAULT_LICENSE_GLOBS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """A project directory with everything needed to build its wheels and sdist."""

    root: Path
    metadata: StandardMetadata
    settings: Settings
    python_root: Path  # the directory holding the top-level Python package
    python_package: str  # dotted import name of the package the libraries go into

    @property
    def distribution(self) -> str:
        """The name as it appears in file names: normalised, ``-`` as ``_``."""
        return canonicalize_name(self.metadata.name).replace("-", "_")

    @property
    def version(self) -> str:
        return str(self.metadata.version)

    @property
    def top_level(self) -> str:
        return self.python_package.split(".", 1)[0]

    @property
    def library_dir(self) -> PurePosixPath:
        """Where the libraries go inside the wheel (``gohash``, ``gohash/_native``)."""
        return PurePosixPath(*self.python_package.split("."))

    @property
    def go_packages(self) -> tuple[Path, ...]:
        """The Go packages built as ctypes libraries (``go-package``)."""
        return tuple(self.root / package for package in self.settings.go_package)

    @property
    def extension_packages(self) -> tuple[Path, ...]:
        """The Go packages built as extension modules (``extension-modules``)."""
        return tuple(self.root / m.go_package for m in self.settings.extension_modules)

    @property
    def source_packages(self) -> tuple[Path, ...]:
        """Every Go package the project builds: what sdists and build requirements cover."""
        return tuple(dict.fromkeys((*self.go_packages, *self.extension_packages)))


def _read_pyproject(root: Path) -> dict[str, Any]:
    path = root / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        msg = f"{root} has no pyproject.toml: pass the directory of a Python project."
        raise UsageError(msg) from error
    except tomllib.TOMLDecodeError as error:
        msg = f"{path} is not valid TOML: {error}."
        raise UsageError(msg) from error


def _metadata(data: Mapping[str, Any], root: Path) -> StandardMetadata:
    try:
        metadata = StandardMetadata.from_pyproject(data, root)
    except (ConfigurationError, ExceptionGroup) as error:
        msg = f"{root / 'pyproject.toml'}: {error}."
        raise UsageError(msg) from error
    if metadata.dynamic:
        msg = (
            f"{root / 'pyproject.toml'} declares {', '.join(metadata.dynamic)} dynamic; crossgo "
            "takes metadata from [project] only: give static values there."
        )
        raise UsageError(msg)
    return _with_default_license_files(metadata, root)


def _with_default_license_files(metadata: StandardMetadata, root: Path) -> StandardMetadata:
    """Pick up LICENSE & co. when [project] names no license files (a classic
    ``license = {file/text}`` table excludes them: metadata 2.4 forbids mixing the two)."""
    if metadata.license_files is not None or isinstance(metadata.license, License):
        return metadata
    found = sorted(
        {path.relative_to(root) for glob in _DEFAULT_LICENSE_GLOBS for path in root.glob(glob)}
    )
    found = [path for path in found if (root / path).is_file()]
    return dataclasses.replace(metadata, license_files=found) if found else metadata


def _python_root(root: Path, settings: Settings, top_level: str) -> Path:
    if settings.python_source is not None:
        return root / settings.python_source
    return root / "src" if (root / "src" / top_level).is_dir() else root


def is_import_name(name: str) -> bool:
    """``name`` can follow ``import``: dotted identifiers, none of them a keyword."""
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split("."))


def _check_layout(project: Project) -> None:
    if not is_import_name(project.python_package):
        if project.settings.python_package is None:
            msg = (
                f"the project name {project.metadata.name!r} gives no import name "
                f"({project.python_package!r} cannot follow `import`): add "
                'python-package = "<import name>" to [tool.crossgo] in pyproject.toml.'
            )
        else:
            msg = f"tool.crossgo.python-package {project.python_package!r} is not an import name."
        raise UsageError(msg)
    package_dir = project.python_root / project.top_level
    if not package_dir.is_dir() and project.go_packages:
        msg = (
            f"the Python package {project.top_level} is not at {package_dir}: set "
            "tool.crossgo.python-package (the import name) and tool.crossgo.python-source "
            '(the directory that holds it, e.g. "src").'
        )
        raise UsageError(msg)
    packages = [
        *(("go-package", p) for p in project.settings.go_package),
        *(
            ("extension-modules.go-package", m.go_package)
            for m in project.settings.extension_modules
        ),
    ]
    for key, package in packages:
        if not (project.root / package).is_dir():
            msg = (
                f"tool.crossgo.{key} {package!r} is not a directory of {project.root}: "
                "give the Go main package's directory, relative to pyproject.toml."
            )
            raise UsageError(msg)


def load_project(
    root: Path,
    *,
    config: ConfigSettings | None = None,
    environ: Mapping[str, str] | None = None,
) -> Project:
    """Read ``root/pyproject.toml`` with settings from ``config`` and ``environ``."""
    root = root.absolute()
    data = _read_pyproject(root)
    settings = load_settings(
        data.get("tool", {}).get("crossgo"),
        config=config,
        environ=os.environ if environ is None else environ,
    )
    metadata = _metadata(data, root)
    package = settings.python_package or canonicalize_name(metadata.name).replace("-", "_")
    project = Project(
        root=root,
        metadata=metadata,
        settings=settings,
        python_root=_python_root(root, settings, package.split(".", 1)[0]),
        python_package=package,
    )
    _check_layout(project)
    return project


def source_date_epoch(root: Path, environ: Mapping[str, str]) -> int:
    """The archive timestamp: SOURCE_DATE_EPOCH; else the time of the last git commit that
    touched ``root``; else 1980-01-01, the earliest a zip file can hold."""
    text = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if text:
        try:
            return max(int(text), ZIP_EPOCH)
        except ValueError as error:
            msg = f"SOURCE_DATE_EPOCH must be seconds since 1970, not {text!r}."
            raise UsageError(msg) from error
    committed = _last_commit_time(root)
    return max(committed, ZIP_EPOCH) if committed is not None else ZIP_EPOCH


def _last_commit_time(root: Path) -> int | None:
    try:
        output = _run.capture(
            ["git", "-C", str(root), "log", "-1", "--format=%ct", "--", "."], timeout=30
        )
    except _run.CommandFailed:
        return None  # no git, not a repository, or nothing committed: the documented default
    return int(output.strip()) if output.strip().isdigit() else None


def library_names(project: Project) -> tuple[str, ...]:
    """The name of each Go package's library (``lib<name>.so``), as the build names it."""
    from crossgo.golang import scan_package  # noqa: PLC0415 - reads each package's files

    if project.settings.name:
        return (project.settings.name,)
    names = []
    for package in project.go_packages:
        try:
            names.append(scan_package(package).default_library_name)
        except CrossgoError:
            continue  # the build says what is wrong with the package
    return tuple(names)


def built_files(project: Project, names: tuple[str, ...] | None = None) -> frozenset[str]:
    """What a build places in the package for the libraries ``names`` (default: the
    project's), on any target: libraries, headers and generated bindings. Relative to the
    package root, as in a wheel. Never source: sdists and wheels leave them out of the tree."""
    from crossgo.bindings import module_name  # noqa: PLC0415
    from crossgo.targets import all_targets  # noqa: PLC0415

    names = library_names(project) if names is None else names
    files = {
        filename
        for name in names
        for target in all_targets()
        for filename in (target.library_filename(name), target.header_filename(name))
    }
    if project.settings.bindings:
        files |= {f"{module_name(name)}{ext}" for name in names for ext in (".py", ".pyi")}
    return frozenset((project.library_dir / filename).as_posix() for filename in files)
