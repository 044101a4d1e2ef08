"""``crossgo conda recipe``: a starting recipe for a project, correct for cross builds.

Two kinds, chosen by what the directory holds (:mod:`crossgo.conda.facts` reads them):

* a Python project (``pyproject.toml`` with ``[tool.crossgo]``): pip runs crossgo's backend,
  which builds for ``target_platform``; the test imports the package and runs ``pip check``;
* a Go main package: ``crossgo conda install`` builds and installs the library in conda's
  layout; the test checks the files are there.

Two formats: ``rattler-build`` (``recipe.yaml`` + ``variants.yaml``) and ``conda-build``
(``meta.yaml``, ``build.sh``, ``bld.bat`` + ``conda_build_config.yaml``). Both follow
conda-forge's conventions: ``compiler('c')`` and ``stdlib('c')`` (``m2w64_c`` on Windows, as
the go-feedstock uses), the ``go-cgo`` compiler, crossgo in the build requirements, what
conda-forge's linter asks for (``about`` homepage, ``extra.recipe-maintainers``: left for
the user to fill when the project does not say), and a variant config with conda-forge's
pins for ``compiler()`` and ``stdlib()``, ``c_stdlib_version`` on macOS raised to Go's floor
(:mod:`crossgo.conda.variants`). The texts are package data
(``crossgo/conda/templates/recipe``); rendering is pure.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

from crossgo.conda import variants
from crossgo.conda.facts import RecipeFacts, project_facts
from crossgo.errors import OutputError, UsageError
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


def _homepage(facts: RecipeFacts, key: str) -> str:
    if facts.homepage:
        return f"  {key}: {facts.homepage}"
    return f"  # {key}: the project's web address (conda-forge's linter asks for it)"


def _run(facts: RecipeFacts) -> str:
    lines = [f"    - {spec}" for spec in facts.run]
    lines += [
        f"    # {text}: conda has no markers or extras; add what it needs here"
        for text in facts.unconverted
    ]
    return "\n".join(["    - python", *lines])


def _variant_config(fmt: RecipeFormat, macos: str) -> str:
    table = variants.pins(macos)
    if fmt == "rattler-build":
        return variants.variants_yaml(table).rstrip("\n")
    return variants.conda_build_config(table).rstrip("\n")


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
        "HOMEPAGE": _homepage(facts, "homepage" if fmt == "rattler-build" else "home"),
        "RUN": _run(facts),
        "MACOS": macos,
        "PINS": _variant_config(fmt, macos),
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
    name: str | None = None,
    go_release: str | None = None,
) -> list[Path]:
    """Write the recipe files for ``project_dir`` into ``output_dir``; refuse to overwrite."""
    facts = project_facts(project_dir.absolute(), version=version, license_id=license_id, name=name)
    source = Path(os.path.relpath(project_dir.absolute(), output_dir.absolute())).as_posix()
    files = render_recipe(facts, fmt, source=source, go_release=go_release)
    existing = [name for name in files if (output_dir / name).exists()]
    if existing:
        msg = f"{output_dir} already has {', '.join(existing)}: remove them or pass another -o."
        raise UsageError(msg)
    written = []
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        for file_name, text in files.items():
            path = output_dir / file_name
            path.write_bytes(text.encode("utf-8"))
            if file_name.endswith(".sh"):
                path.chmod(0o755)
            written.append(path)
    except OSError as error:
        msg = f"cannot write the recipe into {output_dir} ({error.strerror or error})."
        raise OutputError(msg) from error
    return written
