"""Planning and running a c-shared build: the API every front end calls.

:func:`plan` resolves everything (target, Go, C toolchain, environment) without building;
``crossgo env`` renders a plan. :func:`execute` runs ``go build`` into a temporary directory
next to the output, checks the library, and only then moves it into place, so an
interrupted or failed build never leaves a half-written file at the output path.
:func:`build` is the two in one.

A composite target (``osx-universal2``) is planned as one plan per slice; :func:`execute`
builds and checks each slice, then merges them into one fat library.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crossgo import _atomic, _run, golang, toolchain
from crossgo.cache import CacheDir, default_cache_root
from crossgo.checks import Check, exports_from_header, run_checks
from crossgo.detect import TargetChoice, choose_target
from crossgo.environment import BuildEnv, BuildSpec, compute, macos_deployment_target
from crossgo.errors import ArtifactCheckError, BuildFailedError, OutputError, UsageError
from crossgo.golang import GoInstall, GoPackage

if TYPE_CHECKING:
    from crossgo.bindings.gosource import GoFunction
    from crossgo.extmod.module import ExtensionModule, PythonBuild
from crossgo.hints import hint_for
from crossgo.reproducible import normalize_pe
from crossgo.spelling import Frontend, option
from crossgo.staging import claim_staging, sweep_stale_staging
from crossgo.targets import Target
from crossgo.toolchain import Preference, Toolchain, ToolchainQuery
from crossgo.toolchain.macos import find_sdk, with_system_libraries

__all__ = ["BuildPlan", "BuildRequest", "BuildResult", "build", "execute", "plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildRequest:
    """What a caller asks for. Every field but the package and target has a default.

    ``target`` is a name, an alias, ``native``, or ``auto``: the target the environment
    names (a conda build's ``target_platform``, cibuildwheel's variables; see
    :mod:`crossgo.detect`), else this machine. ``package_dir`` may be None only to plan an
    environment (``crossgo env`` outside a Go package); such a plan cannot be executed.
    """

    package_dir: Path | None
    target: str | Target = "auto"
    output_dir: Path | None = None  # default: build/<target> in the current directory
    header_dir: Path | None = None  # default: the output directory
    import_library: bool = False  # Windows: also write lib<name>.lib for C code to link
    import_library_dir: Path | None = None  # default: the output directory
    library_name: str | None = None  # default: from the module path or directory name
    toolchain: Preference = "auto"
    cc: str | None = None
    prefix: Path | None = None  # host prefix; default $PREFIX inside a conda-build script
    glibc: str | None = None  # raise a Linux target's glibc baseline, e.g. "2.28"
    macos_sdk: Path | None = None  # default: SDKROOT, then CONDA_BUILD_SYSROOT, then none
    conda_prefix: Path | None = None
    cache_dir: Path | None = None
    strip: bool = False
    extra_cflags: tuple[str, ...] = ()
    extra_ldflags: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    bindings: bool = False  # add crossgo_free and crossgo_exports, for generated bindings
    extension: ExtensionModule | None = None  # build a CPython extension module (crossgo.extmod)
    frontend: Frontend = "cli"  # how messages spell settings (crossgo.spelling)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildPlan:
    """A resolved build: run it with :func:`execute`, or print its environment.

    A composite target's plan holds one plan per slice in ``slices``; its own toolchain,
    Go and environment are its first slice's, and only :func:`execute` uses the slices.
    """

    spec: BuildSpec
    toolchain: Toolchain
    go: GoInstall
    cache: CacheDir
    env: BuildEnv
    caller_env: Mapping[str, str]
    macos_version: str | None
    notes: tuple[str, ...]
    target_source: str = "--target"
    header_dir: Path | None = None
    import_library_dir: Path | None = None  # set: write an import library there (Windows)
    slices: tuple[BuildPlan, ...] = ()
    go_exports: tuple[GoFunction, ...] = ()  # with bindings: the //export functions, from Go
    frontend: Frontend = "cli"

    def explain(self) -> list[str]:
        target = self.spec.target
        lines = [f"target: {target.name} ({target.go_platform}, from {self.target_source})"]
        lines += [f"slice: {s.spec.target.name}: {s.toolchain.origin}" for s in self.slices]
        lines += [
            f"go: {self.go.go} (go{self.go.version}, from {self.go.source})",
            f"toolchain: {self.toolchain.kind}: {self.toolchain.origin}",
            f"cache: {self.cache.root}",
        ]
        if self.spec.library_name is None:
            lines.append(f"output: {self.spec.output_dir} (no Go package: no library name yet)")
        else:
            lines.append(f"output: {self.spec.output_dir / self.spec.library_filename}")
        if self.spec.prefix:
            lines.append(f"host prefix: {self.spec.prefix}")
        lines += [f"note: {note}" for note in (*self.notes, *map(str, self.env.notes))]
        return lines


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    target: Target
    library: Path
    header: Path
    sha256: str
    toolchain: Toolchain
    go_version: str
    checks: tuple[Check, ...]
    import_library: Path | None = None
    python: PythonBuild | None = None  # an extension module: how it was built for CPython

    def as_json(self) -> dict[str, object]:
        extension = {"extension_module": self.python.as_json()} if self.python else {}
        return {
            **extension,
            "target": self.target.name,
            "library": str(self.library),
            "header": str(self.header),
            "import_library": str(self.import_library) if self.import_library else None,
            "sha256": self.sha256,
            "toolchain": self.toolchain.as_json(),
            "go_version": self.go_version,
            "wheel_platform": self.target.wheel_platform(self.go_version),
            "checks": [check.as_json() for check in self.checks],
        }


def _default_prefix(env: Mapping[str, str]) -> Path | None:
    if env.get("CONDA_BUILD") == "1" and env.get("PREFIX"):
        return Path(env["PREFIX"])
    return None


def _choose_toolchain(
    request: BuildRequest,
    *,
    target: Target,
    package: GoPackage | None,
    go: GoInstall,
    cache: CacheDir,
    caller: Mapping[str, str],
    macos: str | None,
) -> Toolchain:
    """Resolve, complete (macOS system libraries) and prove the C toolchain."""
    query = ToolchainQuery(
        target=target,
        env=caller,
        cache=cache,
        conda_prefix=request.conda_prefix,
        macos_version=macos or "",
        frontend=request.frontend,
    )
    chosen = toolchain.resolve(query, preference=request.toolchain, cc=request.cc)
    sdk = find_sdk(request.macos_sdk, caller) if target.goos == "darwin" else None
    chosen = with_system_libraries(chosen, target, go=go, package=package, cache=cache, sdk=sdk)
    toolchain.verify(chosen, target, cache, caller)
    return chosen


def _macos_note(target: Target, go: GoInstall, caller: Mapping[str, str], macos: str) -> str:
    """Say so when MACOSX_DEPLOYMENT_TARGET asked for less than Go can give."""
    asked = caller.get("MACOSX_DEPLOYMENT_TARGET")
    if not asked or asked == macos or macos != target.macos_floor(go.version):
        return ""
    note = f"MACOSX_DEPLOYMENT_TARGET={asked} is below go{go.version}'s floor: raised to {macos}"
    if caller.get("CONDA_BUILD") == "1":
        note += (
            f". Set c_stdlib_version to {macos} for osx in the recipe's variant config "
            "(variants.yaml or conda_build_config.yaml), so the package's __osx run "
            "requirement says so too"
        )
    return note


def _plan_slice(
    request: BuildRequest, target: Target, choice: TargetChoice, caller: Mapping[str, str]
) -> BuildPlan:
    if request.glibc:
        target = target.with_glibc(request.glibc)
    package = golang.scan_package(request.package_dir) if request.package_dir else None
    cache = CacheDir(request.cache_dir or default_cache_root(caller))
    cache.ensure(cache.root)
    go = golang.find_go(caller, cache)
    go_note = golang.check_go_version(go, package.module if package else None)
    macos = macos_deployment_target(target, go, caller) if target.goos == "darwin" else None
    chosen = _choose_toolchain(
        request, target=target, package=package, go=go, cache=cache, caller=caller, macos=macos
    )
    output_dir = (request.output_dir or Path("build") / choice.target.name).absolute()
    python = _extension(request, target, cache, caller)
    spec = BuildSpec(
        package=package,
        target=target,
        output_dir=output_dir,
        library_name=request.library_name
        or (python.module.short_name if python else None)
        or (package.default_library_name if package else None),
        prefix=request.prefix or _default_prefix(caller),
        strip=request.strip,
        extra_cflags=request.extra_cflags,
        extra_ldflags=request.extra_ldflags,
        tags=request.tags,
        python=python,
    )
    notes = [go_note, *choice.notes, _macos_note(target, go, caller, macos) if macos else ""]
    if package is None:
        notes.append("no Go package: the library's own name (SONAME, install name) is left out")
    wants_implib = request.import_library and target.goos == "windows" and python is None
    env = compute(spec, chosen, go, cache, caller)
    exports: tuple[GoFunction, ...] = ()
    if request.bindings and package is not None:
        spec, exports = _with_bindings_overlay(spec, go, cache, env.apply(caller))
        env = compute(spec, chosen, go, cache, caller)
    return BuildPlan(
        spec=spec,
        toolchain=chosen,
        go=go,
        cache=cache,
        env=env,
        go_exports=exports,
        caller_env=caller,
        macos_version=macos,
        notes=tuple(note for note in notes if note),
        target_source=choice.source,
        frontend=request.frontend,
        header_dir=(request.header_dir or output_dir).absolute(),
        import_library_dir=(request.import_library_dir or output_dir).absolute()
        if wants_implib
        else None,
    )


def _extension(
    request: BuildRequest, target: Target, cache: CacheDir, caller: Mapping[str, str]
) -> PythonBuild | None:
    """An extension module's headers, link flags and file name for ``target``."""
    if request.extension is None:
        return None
    if request.bindings:
        msg = "bindings are for ctypes libraries; an extension module is imported as it is."
        raise UsageError(msg)
    from crossgo.extmod.module import prepare  # noqa: PLC0415 - extension builds only

    return prepare(request.extension, target, cache, caller)


def _with_bindings_overlay(
    spec: BuildSpec, go: GoInstall, cache: CacheDir, env: Mapping[str, str]
) -> tuple[BuildSpec, tuple[GoFunction, ...]]:
    """Read the package's exports as this build's Go sees them, and add the overlay file
    that gives the library ``crossgo_free`` and ``crossgo_exports``."""
    from crossgo.bindings import read_exports  # noqa: PLC0415 - only bindings builds need it
    from crossgo.bindings.overlay import write_overlay  # noqa: PLC0415

    assert spec.package is not None
    exports = read_exports(go.go, spec.package.directory, env, spec.tags)
    overlay = write_overlay(spec.package.directory, exports, cache)
    return dataclasses.replace(spec, overlay=overlay), exports


def plan(request: BuildRequest, env: Mapping[str, str] | None = None) -> BuildPlan:
    """Resolve a request against an environment (default: this process's)."""
    caller = dict(os.environ if env is None else env)
    choice = choose_target(request.target, caller)
    if not choice.target.is_composite:
        return _plan_slice(request, choice.target, choice, caller)
    slices = tuple(
        _plan_slice(request, target, choice, caller) for target in choice.target.slice_targets()
    )
    first = slices[0]
    return dataclasses.replace(
        first,
        spec=dataclasses.replace(first.spec, target=choice.target),
        macos_version=max((s.macos_version or "0" for s in slices), key=_version_key),
        notes=tuple(dict.fromkeys(note for s in slices for note in s.notes)),
        slices=slices,
    )


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


# --- running a plan ----------------------------------------------------------------------


def _missing_parents(directory: Path) -> list[Path]:
    """``directory`` and its parents that do not exist yet, deepest first."""
    missing = []
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    return missing


def _remove_if_empty(directories: Sequence[Path]) -> None:
    """Undo the directories a failed build created: it leaves nothing behind, not even those."""
    for directory in directories:  # deepest first
        with contextlib.suppress(OSError):  # not empty: someone else's files are there
            directory.rmdir()


def _make_output_dir(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".crossgo-", dir=directory))
    except OSError as error:
        msg = (
            f"cannot write the output directory {directory} ({error.strerror or error}); "
            "choose another with -o."
        )
        raise OutputError(msg) from error


def _source_date_epoch(env: Mapping[str, str]) -> int:
    try:
        return max(0, min(int(env.get("SOURCE_DATE_EPOCH", "0")), 0xFFFFFFFF))
    except ValueError:
        return 0


def _go_build(build_plan: BuildPlan, into: Path) -> None:
    spec = build_plan.spec
    assert spec.package is not None
    argv = [str(build_plan.go.go), *build_plan.env.go_args, "-o", str(into), "."]
    build_plan.cache.ensure(build_plan.cache.gocache, build_plan.cache.gomodcache)
    try:
        _run.stream(
            argv, env=build_plan.env.apply(build_plan.caller_env), cwd=spec.package.directory
        )
    except _run.CommandFailed as error:
        msg = (
            f"go build failed for {spec.target.name} with the {build_plan.toolchain.kind} "
            f"toolchain ({build_plan.toolchain.cc}); its output is above."
        )
        if hint := hint_for(error.output, spec.target, build_plan.frontend):
            msg += f"\nhint: {hint}"
        raise BuildFailedError(msg) from error


def _check(build_plan: BuildPlan, library: Path, header: Path) -> tuple[Check, ...]:
    from crossgo.binary import read_binary  # noqa: PLC0415 - keeps `crossgo env` start-up light

    spec = build_plan.spec
    if spec.target.goos == "windows":
        normalize_pe(library, _source_date_epoch(build_plan.caller_env))
    elif spec.target.goos == "darwin":
        from crossgo.macho_normalize import normalize_macho  # noqa: PLC0415

        normalize_macho(library)
    info = read_binary(library)
    checks = run_checks(
        info,
        spec.target,
        exports=exports_from_header(header.read_text(encoding="utf-8")),
        filename=spec.library_filename,
        macos_version=build_plan.macos_version,
        strip=spec.strip,
    )
    if spec.python is not None:
        from crossgo.extmod.checks import extension_checks  # noqa: PLC0415

        checks += extension_checks(info, spec.python, build_plan.frontend)
    failed = [check for check in checks if not check.ok]
    if failed:
        details = "; ".join(f"{check.name}: {check.detail}" for check in failed)
        msg = f"the library built for {spec.target.name} failed its checks: {details}."
        raise ArtifactCheckError(msg + _check_advice(build_plan, failed))
    return checks


def _check_advice(build_plan: BuildPlan, failed: Sequence[Check]) -> str:
    """What to change when a check fails for a reason the toolchain explains."""
    toolchain, frontend = build_plan.toolchain, build_plan.frontend
    advice = ""
    if any(check.name == "stripped" for check in failed):
        other = "system" if toolchain.kind == "zig" else "zig"
        advice += (
            f" The build asked for a stripped library, but the {toolchain.kind} C toolchain "
            f"({toolchain.cc}) left debug information in it: use a toolchain that honours -s "
            f"({option(frontend, 'toolchain', other)}), or keep the debug information "
            f"({option(frontend, 'no-strip')})."
        )
    if any(check.name == "glibc" for check in failed):
        target = build_plan.spec.target
        baseline = ".".join(map(str, target.glibc or ()))
        advice += (
            f" The {toolchain.kind} C compiler ({toolchain.cc}) links against a newer glibc "
            f"than the baseline {baseline}: use zig ({option(frontend, 'toolchain', 'zig')}) "
            "or a conda compiler with a glibc 2.17 sysroot, or accept a newer baseline "
            f"({option(frontend, 'glibc', 'X.Y')})."
        )
    return advice


def _build_thin(build_plan: BuildPlan, staging: Path) -> tuple[Path, Path, tuple[Check, ...]]:
    """Build and check one library into ``staging``: (library, header, checks)."""
    spec = build_plan.spec
    library = staging / spec.library_filename
    _go_build(build_plan, library)
    header = staging / spec.header_filename
    return library, header, _check(build_plan, library, header)


def _build_universal(build_plan: BuildPlan, staging: Path) -> tuple[Path, Path, tuple[Check, ...]]:
    """Build each slice on its own, check it, then merge the slices into one fat library."""
    from crossgo import universal  # noqa: PLC0415 - only universal2 builds need it

    built = []
    for slice_plan in build_plan.slices:
        directory = staging / slice_plan.spec.target.name
        directory.mkdir()
        built.append((slice_plan.spec.target.name, *_build_thin(slice_plan, directory)))
    headers = {header.read_bytes() for _, _, header, _ in built}
    if len(headers) != 1:
        msg = "the slices' cgo headers differ, so no one header serves the universal library."
        raise ArtifactCheckError(msg)
    library = staging / build_plan.spec.library_filename
    library.write_bytes(universal.merge([thin.read_bytes() for _, thin, _, _ in built]))
    header = staging / build_plan.spec.header_filename
    built[0][2].replace(header)
    checks = tuple(
        Check(f"{name}:{check.name}", check.ok, check.detail)
        for name, _, _, slice_checks in built
        for check in slice_checks
    )
    return library, header, (*checks, _check_fat(library, [thin for _, thin, _, _ in built]))


def _check_fat(library: Path, thin: Sequence[Path]) -> Check:
    """The fat file holds exactly the checked slices, byte for byte."""
    from crossgo import universal  # noqa: PLC0415

    inside = sorted(data for _, data in universal.split(library.read_bytes()))
    ok = inside == sorted(path.read_bytes() for path in thin)
    return Check("universal", ok, f"{len(inside)} slices, each identical to its checked build")


def _write_import_library(build_plan: BuildPlan, library: Path, header: Path, into: Path) -> Path:
    from crossgo import implib  # noqa: PLC0415 - only Windows builds that ask need it

    output = into / implib.import_library_name(library.name)
    exports = exports_from_header(header.read_text(encoding="utf-8"))
    env = build_plan.env.apply(build_plan.caller_env)
    implib.write_import_library(library.name, exports, output, build_plan.spec.target, env)
    return output


def _publish(source: Path, directory: Path) -> Path:
    """Move ``source`` into ``directory`` whole (rename, or across filesystems a copy under a
    unique name, then rename)."""
    final = directory / source.name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _atomic.move_into_place(source, final)
    except OSError as error:
        msg = f"cannot write {final} ({error.strerror or error}); choose another directory."
        raise OutputError(msg) from error
    return final


def execute(build_plan: BuildPlan) -> BuildResult:
    """Build, check, and move the library and header into the output directory."""
    spec = build_plan.spec
    if spec.package is None:
        msg = "no Go package was given: pass the directory of a Go main package to build it."
        raise UsageError(msg)
    created = [
        path
        for directory in {spec.output_dir, build_plan.header_dir, build_plan.import_library_dir}
        if directory is not None
        for path in _missing_parents(directory)
    ]
    staging = _make_output_dir(spec.output_dir)
    succeeded = False
    try:
        claim_staging(staging)  # so that a later build can tell our leftovers from live ones
        sweep_stale_staging(staging.parent, keep=staging)
        make = _build_universal if build_plan.slices else _build_thin
        library, header, checks = make(build_plan, staging)
        implib_dir = build_plan.import_library_dir
        implib = (
            None
            if implib_dir is None
            else _write_import_library(build_plan, library, header, staging)
        )
        digest = hashlib.sha256(library.read_bytes()).hexdigest()
        # The library last: whoever sees it can rely on its header being there.
        final_implib = _publish(implib, implib_dir) if implib and implib_dir else None
        final_header = _publish(header, build_plan.header_dir or spec.output_dir)
        final_library = _publish(library, spec.output_dir)
        succeeded = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not succeeded:
            _remove_if_empty(sorted(created, key=lambda path: len(path.parts), reverse=True))
    return BuildResult(
        target=spec.target,
        library=final_library,
        header=final_header,
        import_library=final_implib,
        sha256=digest,
        toolchain=build_plan.toolchain,
        go_version=build_plan.go.version,
        checks=checks,
        python=_python_of(build_plan),
    )


def _python_of(build_plan: BuildPlan) -> PythonBuild | None:
    """A universal2 module's first slice says how it was built (the slices agree)."""
    return (build_plan.slices[0] if build_plan.slices else build_plan).spec.python


def build(request: BuildRequest, env: Mapping[str, str] | None = None) -> BuildResult:
    return execute(plan(request, env))
