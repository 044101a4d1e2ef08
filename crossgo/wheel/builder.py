"""Build one wheel for one target: the Go libraries, the Python package, the metadata.

Each Go package of the project is built with the core API (:func:`crossgo.build.plan` and
:func:`~crossgo.build.execute`, so the library is checked against its target), the platform
tag is derived and checked against the binaries (:mod:`crossgo.wheel.tags`), and the wheel
is written deterministically and atomically (:mod:`crossgo.wheel.archive`). The
``.dist-info`` holds METADATA from ``[project]``, WHEEL, the license files, and
``crossgo_build.json``: what built the libraries, for audit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crossgo import __version__
from crossgo.binary import read_slices
from crossgo.build import BuildPlan, BuildRequest, BuildResult, execute, plan
from crossgo.checks import Check
from crossgo.errors import ArtifactCheckError, UsageError
from crossgo.extmod.loader import module_directory
from crossgo.extmod.module import ExtensionModule, PythonBuild
from crossgo.extmod.wheel import module_entries, python_tags
from crossgo.sbom.contents import GoFiles, with_license_files
from crossgo.sbom.licenses import LicensePolicy
from crossgo.settings import ExtensionModuleSettings
from crossgo.spelling import option
from crossgo.targets import Target, get_target
from crossgo.toolchain import glibc_above_baseline
from crossgo.wheel.archive import Entry, publish, write_wheel
from crossgo.wheel.files import walk
from crossgo.wheel.project import Project, built_files, source_date_epoch
from crossgo.wheel.tags import check_platform, glibc_of, platform_tag, wheel_tag

__all__ = ["WheelResult", "build_request", "build_wheel", "extension_request", "plan_truthfully"]


BUILD_RECORD = "crossgo_build.json"
SBOM_FILE = "sboms/crossgo.cdx.json"  # PEP 770


@dataclass(frozen=True, slots=True, kw_only=True)
class WheelResult:
    """A wheel written to its final path, and what went into it."""

    path: Path
    target: Target
    tag: str  # py3-none-<platform>; cp3X-abi3-<platform> or cp3X-cp3X-<platform> with modules
    sha256: str
    size: int
    libraries: tuple[BuildResult, ...]
    checks: tuple[Check, ...]  # the libraries' and modules' checks, then the tag's
    notes: tuple[str, ...] = ()
    modules: tuple[BuildResult, ...] = ()  # the extension modules

    def as_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "target": self.target.name,
            "tag": self.tag,
            "sha256": self.sha256,
            "size": self.size,
            "libraries": [library.as_json() for library in self.libraries],
            "extension_modules": [module.as_json() for module in self.modules],
            "checks": [check.as_json() for check in self.checks],
            "notes": list(self.notes),
        }


def build_wheel(
    project: Project,
    target: str | Target,
    dist: Path,
    *,
    env: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
    glibc_limit: tuple[int, int] | None = None,
) -> WheelResult:
    """Build ``project``'s wheel for ``target`` into the directory ``dist``. ``glibc_limit``
    is the newest glibc the wheel may need (a manylinux image's policy)."""
    caller = {**(os.environ if env is None else env), **project.settings.env}
    resolved = target if isinstance(target, Target) else get_target(target)
    with tempfile.TemporaryDirectory(prefix="crossgo-wheel-") as work:
        plans = plan_libraries(project, resolved, Path(work), caller, cache_dir)
        module_plans = plan_extensions(project, resolved, Path(work), caller, cache_dir)
        libraries = tuple(execute(build_plan) for build_plan in plans)
        modules = tuple(execute(build_plan) for build_plan in module_plans)
        built = (*libraries, *modules)
        binaries = [info for result in built for info in read_slices(result.library)]
        platform_name = platform_tag(built[0].target, built[0].go_version, binaries)
        _require_policy(platform_name, glibc_limit)
        tag_checks = check_platform(platform_name, binaries)
        builds = [_python(build_plan) for build_plan in module_plans]
        tag = wheel_tag(platform_name, *python_tags(builds))
        generated, binding_notes = bindings_entries(project, plans, libraries)
        generated += [
            entry
            for build, module in zip(builds, modules, strict=True)
            for entry in module_entries(build, module.library)
        ]
        epoch = source_date_epoch(project.root, caller)
        go_files = _go_files(project, (plans, module_plans), (libraries, modules), epoch)
        data = _wheel_bytes(
            project,
            plans=plans,
            built=(libraries, modules),
            generated=generated,
            tag=tag,
            epoch=epoch,
            go_files=go_files,
        )
    path = dist.absolute() / f"{project.distribution}-{project.version}-{tag}.whl"
    publish(path, lambda out: out.write(data))
    all_plans = (*plans, *module_plans)
    return WheelResult(
        path=path,
        target=built[0].target,
        tag=tag,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        libraries=libraries,
        modules=modules,
        checks=tuple(check for result in built for check in result.checks) + tag_checks,
        notes=(*(note for p in all_plans for note in _glibc_note(p, project)), *binding_notes),
    )


def _wheel_bytes(
    project: Project,
    *,
    plans: Sequence[BuildPlan],
    built: tuple[Sequence[BuildResult], Sequence[BuildResult]],
    generated: Sequence[Entry],
    tag: str,
    epoch: int,
    go_files: GoFiles,
) -> bytes:
    libraries = built[0]
    stale = _stale_libraries(project, plans) | {entry.path for entry in generated}
    entries = [
        *_python_entries(project, stale),
        *(_library_entry(project, library) for library in libraries),
        *generated,
        *_dist_info(project, tag, built, epoch=epoch, go_files=go_files),
    ]
    out = io.BytesIO()
    write_wheel(out, entries, dist_info=dist_info_dir(project), epoch=epoch)
    return out.getvalue()


def _require_policy(platform_name: str, glibc_limit: tuple[int, int] | None) -> None:
    found = glibc_of(platform_name)
    if glibc_limit is None or found is None or found <= glibc_limit:
        return
    msg = (
        f"the wheel would be {platform_name}, but this environment's manylinux policy "
        f"(AUDITWHEEL_PLAT) allows glibc {glibc_limit[0]}.{glibc_limit[1]} at most: the C "
        "compiler links against a newer glibc. Use zig (`pip install ziglang`) for glibc 2.17."
    )
    raise ArtifactCheckError(msg)


# --- the libraries -----------------------------------------------------------------------


def build_request(
    project: Project,
    target: Target,
    package: Path,
    *,
    output: Path | None = None,
    cache_dir: Path | None = None,
) -> BuildRequest:
    """The request for one of ``project``'s Go packages, with its [tool.crossgo] settings."""
    settings = project.settings
    return BuildRequest(
        package_dir=package,
        target=target,
        output_dir=output,
        library_name=settings.name,
        toolchain=settings.toolchain,
        glibc=settings.glibc,
        cache_dir=cache_dir,
        strip=settings.strip,
        extra_cflags=settings.cflags,
        extra_ldflags=settings.ldflags,
        tags=settings.tags,
        bindings=settings.bindings,
        frontend="config",
    )


def bindings_entries(
    project: Project, plans: Sequence[BuildPlan], libraries: Sequence[BuildResult]
) -> tuple[list[Entry], list[str]]:
    """With ``bindings = true``: ``_<name>.py`` and ``.pyi`` next to each library, and a note
    for each export that has no Python mapping."""
    if not project.settings.bindings:
        return [], []
    from crossgo.bindings import generate, module_name  # noqa: PLC0415 - bindings builds only

    entries: list[Entry] = []
    notes: list[str] = []
    for build_plan, library in zip(plans, libraries, strict=True):
        name = build_plan.spec.library_name
        assert name is not None
        generated = generate(library.header, build_plan.go_exports, name)
        base = (project.library_dir / module_name(name)).as_posix()
        entries += [
            Entry(f"{base}.py", generated.source.encode()),
            Entry(f"{base}.pyi", generated.stub.encode()),
        ]
        notes += [f"bindings for lib{name}: skipped {skip}" for skip in generated.skipped]
    return entries, notes


def plan_libraries(
    project: Project,
    target: Target,
    work: Path,
    caller: Mapping[str, str],
    cache_dir: Path | None,
) -> list[BuildPlan]:
    """One plan per Go package, each into a directory of its own under ``work``."""
    plans = [
        _plan(project, target, package, output=work / str(i), caller=caller, cache_dir=cache_dir)
        for i, package in enumerate(project.go_packages)
    ]
    _refuse_clashes(plans)
    return plans


def extension_module(project: Project, module: ExtensionModuleSettings) -> ExtensionModule:
    """The request for one ``[[tool.crossgo.extension-modules]]`` entry."""
    include = project.settings.python_include
    threaded = module.free_threaded
    if threaded is None:
        threaded = project.settings.free_threaded
    return ExtensionModule(
        name=module.name,
        abi3=None if threaded else module.abi3,  # abi3 is for the GIL builds (no abi3t yet)
        python_include=(project.root / include) if include else None,
        free_threaded=threaded,
        gil_used=module.gil_used,
    )


def plan_extensions(
    project: Project,
    target: Target,
    work: Path,
    caller: Mapping[str, str],
    cache_dir: Path | None,
) -> list[BuildPlan]:
    """One plan per extension module, each into a directory of its own under ``work``."""
    _refuse_shadowed_modules(project)
    plans = []
    for index, module in enumerate(project.settings.extension_modules):
        output = work / f"m{index}"
        request = extension_request(project, target, module, output=output, cache_dir=cache_dir)
        plans.append(plan_truthfully(request, caller))
    return plans


def extension_request(
    project: Project,
    target: Target,
    module: ExtensionModuleSettings,
    *,
    output: Path | None = None,
    cache_dir: Path | None = None,
) -> BuildRequest:
    """The request for one of ``project``'s extension modules, with its settings."""
    request = build_request(
        project, target, project.root / module.go_package, output=output, cache_dir=cache_dir
    )
    return dataclasses.replace(
        request, library_name=None, bindings=False, extension=extension_module(project, module)
    )


def _python(build_plan: BuildPlan) -> PythonBuild:
    python = (build_plan.slices[0] if build_plan.slices else build_plan).spec.python
    assert python is not None
    return python


def _refuse_shadowed_modules(project: Project) -> None:
    """A module's files are generated whole: the source tree must not hold that name."""
    for module in project.settings.extension_modules:
        base = project.python_root.joinpath(*module.name.split("."))
        for clash in (base.with_suffix(".py"), base / "__init__.py"):
            if clash.is_file():
                msg = (
                    f"{clash} shadows the extension module {module.name}, which crossgo "
                    f"writes as {module.name.replace('.', '/')}/ (its loader and binary): "
                    "rename one of them."
                )
                raise UsageError(msg)


def _plan(
    project: Project,
    target: Target,
    package: Path,
    *,
    output: Path,
    caller: Mapping[str, str],
    cache_dir: Path | None,
) -> BuildPlan:
    return plan_truthfully(
        build_request(project, target, package, output=output, cache_dir=cache_dir), caller
    )


def plan_truthfully(request: BuildRequest, caller: Mapping[str, str]) -> BuildPlan:
    """``plan(request)``; when no glibc is asked for and the C toolchain links against a
    newer glibc than the target's baseline (a system compiler, or a conda one with a newer
    sysroot), with that glibc as the baseline, so that the wheel tag says so. This is the one
    toolchain rule for wheels (docs/wheels.md): the PEP 517 backend asks pip for ziglang
    first whenever that would happen, so an isolated build gets the baseline tag."""
    first = plan(request, caller)
    raised = _toolchain_glibc(first) if request.glibc is None else None
    return plan(dataclasses.replace(request, glibc=raised), caller) if raised else first


def _toolchain_glibc(build_plan: BuildPlan) -> str | None:
    """The glibc the plan's C toolchain links against, when it is above the baseline."""
    if build_plan.slices:
        return None  # composite targets are macOS only: no glibc
    linked = glibc_above_baseline(
        build_plan.toolchain, build_plan.spec.target, build_plan.cache, build_plan.caller_env
    )
    return f"{linked[0]}.{linked[1]}" if linked else None


def _glibc_note(build_plan: BuildPlan, project: Project) -> list[str]:
    target = build_plan.spec.target
    default = get_target(target.name).glibc
    if target.glibc is None or target.glibc == default or project.settings.glibc is not None:
        return []
    glibc = ".".join(map(str, target.glibc))
    toolchain = build_plan.toolchain
    return [
        f"{target.name}: the {toolchain.kind} C compiler ({toolchain.cc}) links against glibc "
        f"{glibc}, so the wheel says manylinux_{glibc.replace('.', '_')}; for manylinux_2_17, "
        f"install ziglang (`pip install ziglang`) or set {option('config', 'toolchain', 'zig')} "
        "(pip's isolated builds install ziglang on their own)"
    ]


def _refuse_clashes(plans: Sequence[BuildPlan]) -> None:
    names = [build_plan.spec.library_filename for build_plan in plans]
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        msg = (
            f"two Go packages would both install {', '.join(clashes)}: give their modules "
            "different names (each library is named after the last element of its module path)."
        )
        raise UsageError(msg)


def _go_files(
    project: Project,
    plans: tuple[Sequence[BuildPlan], Sequence[BuildPlan]],
    built: tuple[Sequence[BuildResult], Sequence[BuildResult]],
    epoch: int,
) -> GoFiles:
    """The Go modules' license files and the SBOM (crossgo.sbom), per the settings."""
    from crossgo.sbom.contents import wheel_go_files  # noqa: PLC0415

    settings = project.settings
    files = [(project.library_dir / r.library.name).as_posix() for r in built[0]]
    files += [
        (module_directory(module.name) / result.library.name).as_posix()
        for module, result in zip(settings.extension_modules, built[1], strict=True)
    ]
    return wheel_go_files(
        name=project.metadata.name,
        version=project.version,
        built=list(zip([*plans[0], *plans[1]], [*built[0], *built[1]], files, strict=True)),
        sbom=settings.sbom,
        licenses=settings.licenses,
        policy=LicensePolicy(
            deny=frozenset(settings.licenses_deny),
            allow_unknown=frozenset(settings.licenses_allow_unknown),
        ),
        epoch=epoch,
    )


def _library_entry(project: Project, library: BuildResult) -> Entry:
    path = project.library_dir / library.library.name
    return Entry(path.as_posix(), library.library.read_bytes(), executable=True)


# --- the Python package ------------------------------------------------------------------


def _stale_libraries(project: Project, plans: Sequence[BuildPlan]) -> frozenset[str]:
    """Libraries, headers and bindings a local build (or an editable install) left in the
    package: never packaged from the tree."""
    names = tuple(name for build_plan in plans if (name := build_plan.spec.library_name))
    return built_files(project, names)


def _python_entries(project: Project, skip: frozenset[str]) -> list[Entry]:
    entries = []
    for path in walk(project.python_root / project.top_level):
        relative = path.relative_to(project.python_root).as_posix()
        if relative not in skip:
            entries.append(Entry(relative, path.read_bytes()))
    return entries


# --- .dist-info --------------------------------------------------------------------------


def dist_info_dir(project: Project) -> str:
    return f"{project.distribution}-{project.version}.dist-info"


def _dist_info(
    project: Project,
    tag: str,
    built: tuple[Sequence[BuildResult], Sequence[BuildResult]],
    *,
    epoch: int,
    go_files: GoFiles,
) -> list[Entry]:
    directory = dist_info_dir(project)
    sboms = [Entry(f"{directory}/{SBOM_FILE}", go_files.sbom)] if go_files.sbom else []
    return [
        *metadata_entries(project, go_files.licenses),
        Entry(f"{directory}/WHEEL", wheel_file(tag)),
        Entry(f"{directory}/{BUILD_RECORD}", _build_record(project, tag, built, epoch)),
        *sboms,
    ]


def metadata_entries(
    project: Project, go_licenses: Sequence[tuple[str, bytes]] = ()
) -> list[Entry]:
    """METADATA, the license files and entry_points.txt: what every wheel's .dist-info holds,
    and all that the PEP 517 metadata hooks write (no library is built for them).
    ``go_licenses`` are the Go modules' files, each also a License-File (docs/sbom.md)."""
    directory = dist_info_dir(project)
    metadata = with_license_files(project.metadata, [path for path, _ in go_licenses])
    entries = [Entry(f"{directory}/METADATA", metadata.as_rfc822().as_bytes())]
    for license_file in project.metadata.license_files or ():
        data = (project.root / license_file).read_bytes()
        entries.append(Entry(f"{directory}/licenses/{license_file.as_posix()}", data))
    entries += [Entry(f"{directory}/licenses/{path}", data) for path, data in go_licenses]
    if (entry_points := _entry_points(project)) is not None:
        entries.append(Entry(f"{directory}/entry_points.txt", entry_points))
    return entries


def wheel_file(tag: str) -> bytes:
    lines = [
        "Wheel-Version: 1.0",
        f"Generator: crossgo {__version__}",
        "Root-Is-Purelib: false",  # the libraries are platform-specific: platlib
        f"Tag: {tag}",
    ]
    return ("\n".join(lines) + "\n").encode()


def _entry_points(project: Project) -> bytes | None:
    metadata = project.metadata
    groups = {
        "console_scripts": metadata.scripts,
        "gui_scripts": metadata.gui_scripts,
        **metadata.entrypoints,
    }
    sections = [
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in sorted(items.items()))
        for group, items in sorted(groups.items())
        if items
    ]
    return "\n".join(sections).encode() if sections else None


def _build_record(
    project: Project,
    tag: str,
    built: tuple[Sequence[BuildResult], Sequence[BuildResult]],
    epoch: int,
) -> bytes:
    """What built the libraries, without a path or a time that would vary between builds."""
    libraries, modules = built
    settings, first = project.settings, (*libraries, *modules)[0]
    record = {
        "crossgo": __version__,
        "target": first.target.name,
        "tag": tag,
        "go": first.go_version,
        "toolchain": {"kind": first.toolchain.kind, "version": first.toolchain.version},
        "flags": {
            "strip": settings.strip,
            "cflags": list(settings.cflags),
            "ldflags": list(settings.ldflags),
            "tags": list(settings.tags),
            "glibc": ".".join(map(str, first.target.glibc)) if first.target.glibc else None,
            "toolchain": settings.toolchain,
            "env": sorted(settings.env),  # names only: values may hold credentials
        },
        "source_date_epoch": epoch,
        "libraries": [
            _library_record(project, package, library)
            for package, library in zip(settings.go_package, libraries, strict=True)
        ],
    }
    if modules:
        record["extension_modules"] = [
            _module_record(module, result)
            for module, result in zip(settings.extension_modules, modules, strict=True)
        ]
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()


def _module_record(module: ExtensionModuleSettings, result: BuildResult) -> dict[str, object]:
    assert result.python is not None
    return {
        **result.python.as_json(),
        "file": f"{module.name.replace('.', '/')}/{result.library.name}",
        "go-package": module.go_package,
        "sha256": result.sha256,
        "checks": [check.as_json() for check in result.checks],
    }


def _library_record(project: Project, package: str, library: BuildResult) -> dict[str, object]:
    return {
        "file": (project.library_dir / library.library.name).as_posix(),
        "go-package": package,
        "sha256": library.sha256,
        "checks": [check.as_json() for check in library.checks],
    }
