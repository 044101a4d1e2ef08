"""What a generated recipe says about a project, read from the project (pure but for reading
files). Two kinds:

* a Python project (``pyproject.toml`` with ``[tool.crossgo]``): name, version, summary,
  license, license files, homepage and run requirements from ``[project]``; the library's
  name from ``[tool.crossgo] name``;
* a Go main package: the name from ``--name``, else ``[tool.crossgo] name`` of the Python
  project whose ``go-package`` it is (the nearest pyproject.toml above it), else the module
  path's last element; the homepage from a module path on a known code host.

``--name`` names the conda package of either kind (a Go package's library too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from crossgo.errors import PackageError, UsageError
from crossgo.golang import GoPackage, scan_package

__all__ = ["RecipeFacts", "project_facts"]

# [project.urls] labels that name a homepage, best first (PEP 753 normalised).
_HOMEPAGE_LABELS = ("homepage", "repository", "source", "sourcecode")
# Code hosts whose module paths are also the repository's web address.
_CODE_HOSTS = re.compile(r"^((?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[^/]+/[^/]+)")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipeFacts:
    """What a recipe says about a project."""

    kind: Literal["library", "python"]
    name: str  # the conda package name
    version: str
    summary: str
    license: str | None
    license_files: tuple[str, ...]
    homepage: str | None  # None: a placeholder the user fills in
    go_package: str  # relative to the project directory, "/"-separated
    library: str  # lib<library>.so
    import_name: str  # what the import test imports (python kind)
    run: tuple[str, ...] = ()  # [project] dependencies as conda specs
    unconverted: tuple[str, ...] = ()  # dependencies with markers, extras or URLs


def _label(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _homepage(urls: dict[str, str]) -> str | None:
    by_label = {_label(label): url for label, url in urls.items()}
    return next((by_label[label] for label in _HOMEPAGE_LABELS if label in by_label), None)


def _conda_spec(requirement: Requirement) -> str | None:
    """``name >=1,<2``; None when conda cannot say it the same way (markers, extras, URLs)."""
    if requirement.marker or requirement.extras or requirement.url:
        return None
    name = canonicalize_name(requirement.name)
    return f"{name} {requirement.specifier}" if requirement.specifier else name


def _python_facts(project_dir: Path, name: str | None) -> RecipeFacts:
    from crossgo.wheel import load_project  # noqa: PLC0415 - only Python projects need it

    project = load_project(project_dir, environ={})
    metadata = project.metadata
    go_package = project.settings.go_package[0]
    specs = [(str(r), _conda_spec(r)) for r in metadata.dependencies]
    return RecipeFacts(
        kind="python",
        name=name or str(metadata.name).lower(),  # conda names Python packages as PyPI does
        version=str(metadata.version),
        summary=metadata.description or f"{metadata.name}, a Python package backed by Go",
        license=metadata.license if isinstance(metadata.license, str) else None,
        license_files=tuple(path.as_posix() for path in metadata.license_files or ()),
        homepage=_homepage(metadata.urls),
        go_package=go_package,
        library=project.settings.name
        or scan_package(project.root / go_package).default_library_name,
        import_name=project.python_package,
        run=tuple(spec for _, spec in specs if spec is not None),
        unconverted=tuple(text for text, spec in specs if spec is None),
    )


def _license_files(directory: Path) -> tuple[str, ...]:
    found = (
        p for p in sorted(directory.iterdir()) if re.match(r"(?i)(licen[cs]e|copying)", p.name)
    )
    return tuple(path.name for path in found if path.is_file())


def _enclosing_name(package_dir: Path) -> str | None:
    """``[tool.crossgo] name`` of the nearest Python project whose go-package this is."""
    from crossgo.wheel import load_project  # noqa: PLC0415

    directory = next((d for d in package_dir.parents if (d / "pyproject.toml").is_file()), None)
    if directory is None or not _is_crossgo_project(directory):
        return None
    project = load_project(directory, environ={})
    mine = [p for p in project.go_packages if p.resolve() == package_dir.resolve()]
    return project.settings.name if mine else None


def _is_crossgo_project(directory: Path) -> bool:
    pyproject = directory / "pyproject.toml"
    return pyproject.is_file() and "[tool.crossgo" in pyproject.read_text(encoding="utf-8")


def _module_homepage(package: GoPackage) -> str | None:
    path = package.module.module if package.module else None
    match = _CODE_HOSTS.match(path or "")
    return f"https://{match[1]}" if match else None


def _library_facts(
    package_dir: Path, version: str | None, license_id: str | None, name: str | None
) -> RecipeFacts:
    package = scan_package(package_dir)
    library = (name or "").replace("-", "_") or _enclosing_name(package_dir)
    library = library or package.default_library_name
    return RecipeFacts(
        kind="library",
        name=library.lower().replace("_", "-"),
        version=version or "0.1.0",
        summary=f"{library}, a C library written in Go",
        license=license_id,
        license_files=_license_files(package_dir),
        homepage=_module_homepage(package),
        go_package=".",
        library=library,
        import_name="",
    )


def project_facts(
    project_dir: Path,
    *,
    version: str | None = None,
    license_id: str | None = None,
    name: str | None = None,
) -> RecipeFacts:
    """Read a Python project (pyproject.toml with [tool.crossgo]) or a Go main package."""
    if name is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
        msg = f"--name {name!r} is not a package name: letters, digits, '-' and '_' only."
        raise UsageError(msg)
    if _is_crossgo_project(project_dir):
        return _python_facts(project_dir, name and name.lower())
    try:
        return _library_facts(project_dir, version, license_id, name)
    except PackageError as error:
        msg = (
            f"{project_dir} is neither a Python project with [tool.crossgo] in its "
            f"pyproject.toml nor a Go main package: {error}"
        )
        raise UsageError(msg) from error
