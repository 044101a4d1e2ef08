"""``crossgo conda recipe``: a starting recipe for a project, correct for cross builds.

Two kinds, chosen by what the directory holds:

* a Python project (``pyproject.toml`` with ``[tool.crossgo]``): pip runs crossgo's backend,
  which builds for ``target_platform``; name, version, summary and license come from
  ``[project]``;
* a Go main package: ``crossgo conda install`` builds and installs the library in conda's
  layout; the name comes from the module path.

Two formats: ``rattler-build`` (``recipe.yaml`` + ``variants.yaml``) and ``conda-build``
(``meta.yaml``, ``build.sh``, ``bld.bat`` + ``conda_build_config.yaml``). Both follow
conda-forge's conventions: ``compiler('c')`` and ``stdlib('c')`` (``m2w64_c`` on Windows, as
the go-feedstock uses), the ``go-cgo`` compiler, crossgo in the build requirements, and a
variant config that raises ``c_stdlib_version`` on macOS to Go's floor. The texts are
package data (``crossgo/conda/templates/recipe``); rendering is pure.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from crossgo.errors import OutputError, PackageError, UsageError
from crossgo.golang import scan_package
from crossgo.targets import macos_floor

__all__ = ["FORMATS", "RecipeFacts", "project_facts", "render_recipe", "write_recipe"]

RecipeFormat = Literal["rattler-build", "conda-build"]
FORMATS: Final = ("rattler-build", "conda-build")

# (template, file name) per format and kind.
_FILES: Final[Mapping[RecipeFormat, tuple[tuple[str, str], ...]]] = {
    "rattler-build": (("{kind}.recipe.yaml", "recipe.yaml"), ("variants.yaml", "variants.yaml")),
    "conda-build": (
        ("{kind}.meta.yaml", "meta.yaml"),
        ("{kind}.build.sh", "build.sh"),
        ("{kind}.bld.bat", "bld.bat"),
        ("conda_build_config.yaml", "conda_build_config.yaml"),
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipeFacts:
    """What a recipe says about a project."""

    kind: Literal["library", "python"]
    name: str  # the conda package name
    version: str
    summary: str
    license: str | None
    license_files: tuple[str, ...]
    go_package: str  # relative to the project directory, "/"-separated
    library: str  # lib<library>.so
    import_name: str  # what the import test imports (python kind)


def _python_facts(project_dir: Path) -> RecipeFacts:
    from crossgo.wheel import load_project  # noqa: PLC0415 - only Python projects need it

    project = load_project(project_dir, environ={})
    metadata = project.metadata
    license_text = metadata.license if isinstance(metadata.license, str) else None
    go_package = project.settings.go_package[0]
    return RecipeFacts(
        kind="python",
        name=str(metadata.name).lower(),
        version=str(metadata.version),
        summary=metadata.description or f"{metadata.name}, a Python package backed by Go",
        license=license_text,
        license_files=tuple(path.as_posix() for path in metadata.license_files or ()),
        go_package=go_package,
        library=project.settings.name
        or scan_package(project.root / go_package).default_library_name,
        import_name=project.python_package,
    )


def _license_files(directory: Path) -> tuple[str, ...]:
    found = (
        p for p in sorted(directory.iterdir()) if re.match(r"(?i)(licen[cs]e|copying)", p.name)
    )
    return tuple(path.name for path in found if path.is_file())


def _library_facts(package_dir: Path, version: str | None, license_id: str | None) -> RecipeFacts:
    package = scan_package(package_dir)
    library = package.default_library_name
    return RecipeFacts(
        kind="library",
        name=library.lower().replace("_", "-"),
        version=version or "0.1.0",
        summary=f"{library}, a C library written in Go",
        license=license_id,
        license_files=_license_files(package_dir),
        go_package=".",
        library=library,
        import_name="",
    )


def project_facts(
    project_dir: Path, *, version: str | None = None, license_id: str | None = None
) -> RecipeFacts:
    """Read a Python project (pyproject.toml with [tool.crossgo]) or a Go main package."""
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file() and "[tool.crossgo" in pyproject.read_text(encoding="utf-8"):
        return _python_facts(project_dir)
    try:
        return _library_facts(project_dir, version, license_id)
    except PackageError as error:
        msg = (
            f"{project_dir} is neither a Python project with [tool.crossgo] in its "
            f"pyproject.toml nor a Go main package: {error}"
        )
        raise UsageError(msg) from error


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _about(facts: RecipeFacts) -> str:
    from crossgo.sbom.conda import recipe_license_files  # noqa: PLC0415

    facts = dataclasses.replace(
        facts, license_files=(*facts.license_files, *recipe_license_files())
    )
    lines = []
    if facts.license:
        lines.append(f"  license: {facts.license}")
    else:
        lines.append("  # license: the SPDX identifier of the project's license")
    if len(facts.license_files) == 1:
        lines.append(f"  license_file: {facts.license_files[0]}")
    elif facts.license_files:
        lines += ["  license_file:", *(f"    - {name}" for name in facts.license_files)]
    return "\n".join(lines)


def render_recipe(
    facts: RecipeFacts, fmt: RecipeFormat, *, source: str, go_release: str | None
) -> dict[str, str]:
    """File name -> text of the recipe for ``facts``; ``source`` is the project directory
    relative to the recipe's, ``go_release`` the Go whose macOS floor to pin (None: the
    newest crossgo knows)."""
    macos = macos_floor(go_release, arm64=False)
    values = {
        "GO_RELEASE": f"go{go_release}" if go_release else "Go (as of its newest release)",
        "NAME": facts.name,
        "VERSION": facts.version,
        "SUMMARY": _yaml_string(facts.summary),
        "SOURCE": source,
        "GO_PACKAGE": facts.go_package,
        "LIBRARY": facts.library,
        "IMPORT": facts.import_name,
        "ABOUT": _about(facts),
        "MACOS": macos,
    }
    templates = importlib.resources.files("crossgo.conda") / "templates" / "recipe"
    rendered = {}
    for template, name in _FILES[fmt]:
        # Bytes, so that bld.bat keeps its CRLF line ends.
        text = (templates / template.format(kind=facts.kind)).read_bytes().decode("utf-8")
        rendered[name] = re.sub(r"@([A-Z_]+)@", lambda m: values[m[1]], text)
    return rendered


def write_recipe(
    project_dir: Path,
    output_dir: Path,
    fmt: RecipeFormat = "rattler-build",
    *,
    version: str | None = None,
    license_id: str | None = None,
    go_release: str | None = None,
) -> list[Path]:
    """Write the recipe files for ``project_dir`` into ``output_dir``; refuse to overwrite."""
    facts = project_facts(project_dir.absolute(), version=version, license_id=license_id)
    source = Path(os.path.relpath(project_dir.absolute(), output_dir.absolute())).as_posix()
    files = render_recipe(facts, fmt, source=source, go_release=go_release)
    existing = [name for name in files if (output_dir / name).exists()]
    if existing:
        msg = f"{output_dir} already has {', '.join(existing)}: remove them or pass another -o."
        raise UsageError(msg)
    written = []
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = output_dir / name
            path.write_bytes(text.encode("utf-8"))
            if name.endswith(".sh"):
                path.chmod(0o755)
            written.append(path)
    except OSError as error:
        msg = f"cannot write the recipe into {output_dir} ({error.strerror or error})."
        raise OutputError(msg) from error
    return written
