"""Go license files in conda packages.

conda-forge's convention for Go packages is a ``library_licenses/`` directory in the work
directory (``$SRC_DIR``) that the recipe's ``about.license_file`` names; rattler-build and
conda-build copy what it names into the package's ``info/licenses/``. ``crossgo conda
install`` fills it from the built library (:func:`crossgo.sbom.contents.install_license_files`),
the backend from the wheel it built (:func:`export_wheel_licenses`), and ``crossgo conda
recipe`` names it (:func:`recipe_license_files`). The layout inside is the wheels':
``<module path>/<file>``, Go's own as ``std/LICENSE``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from crossgo.errors import OutputError

__all__ = ["LICENSE_DIR", "conda_license_dir", "export_wheel_licenses", "recipe_license_files"]

LICENSE_DIR = "library_licenses"


def recipe_license_files() -> tuple[str, ...]:
    """What a recipe's about.license_file adds for the Go modules and Go itself."""
    return (f"{LICENSE_DIR}/",)


def conda_license_dir(env: Mapping[str, str]) -> Path | None:
    """``$SRC_DIR/library_licenses`` inside a conda build script; None elsewhere."""
    if env.get("CONDA_BUILD") != "1" or not env.get("SRC_DIR"):
        return None
    return Path(env["SRC_DIR"]) / LICENSE_DIR


def export_wheel_licenses(wheel: Path, directory: Path) -> list[Path]:
    """Copy a crossgo wheel's Go license files (``.dist-info/licenses/go/``) into
    ``directory``, for a conda build of a Python package."""
    written = []
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                parts = PurePosixPath(name).parts
                if len(parts) < 4 or not parts[0].endswith(".dist-info"):
                    continue
                if parts[1:3] != ("licenses", "go") or ".." in parts:
                    continue
                destination = directory.joinpath(*parts[3:])
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(name))
                written.append(destination)
    except OSError as error:
        msg = f"cannot write the license files into {directory} ({error.strerror or error})."
        raise OutputError(msg) from error
    return written
