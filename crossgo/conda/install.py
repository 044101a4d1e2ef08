"""``crossgo conda install``: build a Go library inside a conda recipe and install it in
conda's layout, in one line of build.sh or bld.bat.

Everything comes from the build script's environment: the target from ``target_platform``,
the host prefix from ``PREFIX``, Go from ``BUILD_PREFIX`` (the ``go``/``go-cgo`` packages),
the C compiler from the recipe's activated compiler (``CC``, ``CFLAGS``, ``LDFLAGS``; else
zig or a system cross compiler, with a note). The files go where conda packages keep them:

============  =====================================  ==================================
target        library                                header, import library
============  =====================================  ==================================
linux, osx    ``$PREFIX/lib/lib<name>.so|.dylib``    ``$PREFIX/include/lib<name>.h``
win           ``%LIBRARY_BIN%\\lib<name>.dll``        ``%LIBRARY_INC%\\lib<name>.h``,
                                                     ``%LIBRARY_LIB%\\lib<name>.lib``
============  =====================================  ==================================

With a Python package (``--python-package PKG``) the library goes next to the package, in
``$SP_DIR/PKG/``, and nothing else is installed. The rpath is relative to the prefix
(``$ORIGIN``, ``@loader_path``), so the library loads wherever conda installs the package;
the build tools' own relinking is left on. A failed build installs nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crossgo.build import BuildRequest, BuildResult, execute, plan
from crossgo.detect import choose_target
from crossgo.errors import UsageError
from crossgo.sbom.conda import conda_license_dir
from crossgo.sbom.contents import install_license_files
from crossgo.sbom.licenses import DEFAULT_POLICY, LicensePolicy
from crossgo.targets import Target

__all__ = ["CondaLayout", "InstallResult", "conda_install", "conda_layout"]

_NEEDED = ("CONDA_BUILD", "PREFIX", "target_platform")


@dataclass(frozen=True, slots=True, kw_only=True)
class CondaLayout:
    """Where a library, its header and its import library go in a conda package."""

    library_dir: Path
    header_dir: Path | None  # None: no header (a Python package's library)
    import_library_dir: Path | None  # Windows only


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallResult:
    build: BuildResult
    layout: CondaLayout
    notes: tuple[str, ...]
    license_files: tuple[Path, ...] = ()  # the Go modules' and Go's, in $SRC_DIR


def _require_conda_build(env: Mapping[str, str]) -> None:
    missing = [name for name in _NEEDED if not env.get(name)]
    if env.get("CONDA_BUILD") not in {None, "", "1"}:
        missing.append("CONDA_BUILD=1")
    if missing:
        msg = (
            "crossgo conda install runs in a conda-build or rattler-build build script, "
            f"which sets {', '.join(_NEEDED)}; here {', '.join(missing)} is not set. "
            "Outside a recipe, use `crossgo build --prefix DIR -o DIR`."
        )
        raise UsageError(msg)


def conda_layout(
    target: Target, env: Mapping[str, str], *, python_package: str | None = None
) -> CondaLayout:
    """The install layout for ``target`` in the build script's environment (pure)."""
    prefix = Path(env["PREFIX"])
    if python_package is not None:
        if not env.get("SP_DIR"):
            msg = (
                "--python-package puts the library into $SP_DIR, which is only set when the "
                "recipe has python in its host requirements: add it there."
            )
            raise UsageError(msg)
        parts = python_package.split(".")
        if not all(part.isidentifier() for part in parts):
            msg = f"--python-package {python_package!r} is not an import name."
            raise UsageError(msg)
        return CondaLayout(
            library_dir=Path(env["SP_DIR"]).joinpath(*parts),
            header_dir=None,
            import_library_dir=None,
        )
    if target.goos == "windows":
        library = Path(env.get("LIBRARY_PREFIX") or prefix / "Library")
        return CondaLayout(
            library_dir=Path(env.get("LIBRARY_BIN") or library / "bin"),
            header_dir=Path(env.get("LIBRARY_INC") or library / "include"),
            import_library_dir=Path(env.get("LIBRARY_LIB") or library / "lib"),
        )
    return CondaLayout(
        library_dir=prefix / "lib", header_dir=prefix / "include", import_library_dir=None
    )


def _request(
    package_dir: Path,
    target: Target,
    layout: CondaLayout,
    header_dir: Path,
    options: Mapping[str, object],
) -> BuildRequest:
    return BuildRequest(
        package_dir=package_dir,
        target=target,
        output_dir=layout.library_dir,
        header_dir=header_dir,
        import_library=layout.import_library_dir is not None,
        import_library_dir=layout.import_library_dir,
        **options,  # type: ignore[arg-type]
    )


def _compiler_note(target: Target, result: BuildResult) -> list[str]:
    if result.toolchain.kind == "conda":
        return []
    compiler = "m2w64_c" if target.goos == "windows" else "c"
    return [
        f"no conda compiler was used for {target.name}: {result.toolchain.origin}. Add "
        f"${{{{ compiler('{compiler}') }}}} to the recipe's build requirements to build "
        "with conda-forge's."
    ]


def conda_install(
    package_dir: Path,
    env: Mapping[str, str] | None = None,
    *,
    python_package: str | None = None,
    licenses: LicensePolicy | None = DEFAULT_POLICY,
    **options: object,
) -> InstallResult:
    """Build ``package_dir`` for the recipe's ``target_platform`` and install it in
    ``$PREFIX``. ``options`` are :class:`~crossgo.build.BuildRequest` fields
    (``library_name``, ``strip``, ``tags``, ``extra_cflags``, ...). With ``licenses`` (a
    policy; None turns it off) the Go modules' and Go's license files are checked and copied
    into ``$SRC_DIR/library_licenses`` for the recipe's about.license_file (docs/sbom.md)."""
    caller = dict(os.environ if env is None else env)
    _require_conda_build(caller)
    target = choose_target("auto", caller).target  # target_platform, checked
    layout = conda_layout(target, caller, python_package=python_package)
    with tempfile.TemporaryDirectory(prefix="crossgo-header-") as unused:
        # A Python package has no use for the header: it goes to a directory dropped after.
        header_dir = layout.header_dir or Path(unused)
        build_plan = plan(_request(package_dir, target, layout, header_dir, options), caller)
        result = execute(build_plan)
    notes = [*build_plan.notes, *_compiler_note(target, result)]
    license_dir = conda_license_dir(caller)
    copied: tuple[Path, ...] = ()
    if licenses is not None and license_dir is not None:
        copied = tuple(install_license_files(result, build_plan, license_dir, policy=licenses))
    return InstallResult(build=result, layout=layout, notes=tuple(notes), license_files=copied)
