"""From a finished build to what a package carries: license files and the SBOM.

The front ends call these: the wheel builder (:func:`wheel_go_files`), ``crossgo build
--sbom`` (:func:`write_library_sbom`) and ``crossgo conda install``
(:func:`install_license_files`). The truth is the built library's own build info, so each
target lists only the modules it compiled.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from crossgo.errors import OutputError, ToolchainError
from crossgo.sbom.buildinfo import read_buildinfo
from crossgo.sbom.cyclonedx import LibraryContents, Subject, render, toolchain_name
from crossgo.sbom.licenses import (
    LicensePolicy,
    ModuleLicense,
    ModuleSources,
    check_policy,
    go_license,
    layout,
    module_licenses,
)

if TYPE_CHECKING:
    from pyproject_metadata import StandardMetadata

    from crossgo.build import BuildPlan, BuildResult

__all__ = [
    "LICENSE_ROOT",
    "GoFiles",
    "install_license_files",
    "library_contents",
    "require_extra",
    "wheel_go_files",
    "with_license_files",
    "write_library_sbom",
]

LICENSE_ROOT = "go"  # .dist-info/licenses/go/<module path>/<file>
_EXTRA = ("cyclonedx", "licenseclassifier")


@dataclass(frozen=True, slots=True, kw_only=True)
class GoFiles:
    """What a wheel gains: license files (paths relative to ``.dist-info/licenses``)."""

    licenses: tuple[tuple[str, bytes], ...] = ()
    sbom: bytes | None = None


def require_extra(what: str, *, classifier: bool = True) -> None:
    """The SBOM and license classifier libraries come with ``crossgo[sbom]``."""
    wanted = _EXTRA if classifier else _EXTRA[:1]
    missing = [name for name in wanted if importlib.util.find_spec(name) is None]
    if missing:
        msg = (
            f"{what} needs cyclonedx-python-lib and licenseclassifier: install them with "
            '`pip install "crossgo[sbom]"`, or turn this off (sbom = false, licenses = false).'
        )
        raise ToolchainError(msg)


def sources_of(build_plan: BuildPlan) -> ModuleSources:
    package = build_plan.spec.package
    module = package.module if package else None
    return ModuleSources(
        gomodcache=build_plan.cache.gomodcache,
        main_dir=module.path.parent if module else (package.directory if package else None),
        goroot=build_plan.go.goroot,
    )


def library_contents(
    result: BuildResult, build_plan: BuildPlan, *, file: str, licenses: bool
) -> LibraryContents:
    """Read the library's build info and, with ``licenses``, its modules' license files."""
    infos = read_buildinfo(result.library)
    found: dict[str, ModuleLicense] = {}
    if licenses:
        sources = sources_of(build_plan)
        for info in infos:
            for module in module_licenses(info, sources):
                found.setdefault(module.path, module)
        go = go_license(infos[0].go_version, sources.goroot)
        found[go.path] = go
    chain = result.toolchain
    return LibraryContents(
        file=file,
        sha256=result.sha256,
        target=result.target.name,
        infos=infos,
        toolchain=(toolchain_name(chain.kind, chain.cc), chain.version),
        licenses=tuple(found.values()),
    )


def _all_licenses(contents: Iterable[LibraryContents]) -> list[ModuleLicense]:
    merged: dict[tuple[str, str], ModuleLicense] = {}
    for library in contents:
        for module in library.licenses:
            merged.setdefault((module.path, module.version), module)
    return sorted(merged.values(), key=lambda module: (module.path, module.version))


def wheel_go_files(
    *,
    name: str,
    version: str,
    built: Sequence[tuple[BuildPlan, BuildResult, str]],
    sbom: bool,
    licenses: bool,
    policy: LicensePolicy,
    epoch: int,
) -> GoFiles:
    """The Go license files and SBOM of one wheel; ``built`` is (plan, result, path in the
    wheel) for each library and extension module."""
    if not sbom and not licenses:
        return GoFiles()
    require_extra("the wheel's SBOM and Go license files")
    contents = [
        library_contents(result, build_plan, file=file, licenses=licenses)
        for build_plan, result, file in built
    ]
    modules = _all_licenses(contents)
    if licenses:
        target = built[0][1].target.name if built else "?"
        check_policy(modules, policy, f"{name} {version} for {target}")
    files = tuple((f"{LICENSE_ROOT}/{path}", data) for path, data in layout(modules))
    subject = Subject(name=name, version=version, purl=f"pkg:pypi/{name.lower()}@{version}")
    return GoFiles(
        licenses=files if licenses else (),
        sbom=render(subject, contents, epoch=epoch) if sbom else None,
    )


def with_license_files(metadata: StandardMetadata, paths: Sequence[str]) -> StandardMetadata:
    """``metadata`` with ``paths`` added to its License-File entries (metadata 2.4)."""
    if not paths:
        return metadata
    existing = list(metadata.license_files or ())
    classic = getattr(metadata.license, "file", None)
    if metadata.license_files is None and classic is not None:
        existing.append(Path(classic))  # what pyproject-metadata would have listed alone
    added = [Path(PurePosixPath(path)) for path in paths]
    return dataclasses.replace(metadata, license_files=[*existing, *added])


def write_library_sbom(
    result: BuildResult, build_plan: BuildPlan, output: Path, *, epoch: int
) -> Path:
    """``crossgo build --sbom FILE``: the library's SBOM, written whole or not at all."""
    from crossgo.wheel.archive import publish  # noqa: PLC0415

    require_extra("crossgo build --sbom")
    contents = library_contents(result, build_plan, file=result.library.name, licenses=True)
    subject = Subject(name=result.library.name, version=None, purl=None)
    data = render(subject, [contents], epoch=epoch)
    final = output.absolute()
    publish(final, lambda out: out.write(data))
    return final


def install_license_files(
    result: BuildResult, build_plan: BuildPlan, directory: Path, *, policy: LicensePolicy
) -> list[Path]:
    """``crossgo conda install``: check the modules' licenses and copy their files into
    ``directory`` (``$SRC_DIR/library_licenses``, which the recipe's license_file names)."""
    require_extra("crossgo conda install's license files")
    contents = library_contents(result, build_plan, file=result.library.name, licenses=True)
    check_policy(contents.licenses, policy, f"{result.library.name} for {result.target.name}")
    written = []
    try:
        for path, data in layout(contents.licenses):
            destination = directory / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            written.append(destination)
    except OSError as error:
        msg = f"cannot write the license files into {directory} ({error.strerror or error})."
        raise OutputError(msg) from error
    return written
