"""Planning and running a c-shared build: the API every front end calls.

:func:`plan` resolves everything (target, Go, C toolchain, environment) without building;
``crossgo env`` renders a plan. :func:`execute` runs ``go build`` into a temporary directory
next to the output, checks the library, and only then moves it into place, so an
interrupted or failed build never leaves a half-written file at the output path.
:func:`build` is the two in one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crossgo import _run, golang, toolchain
from crossgo.cache import CacheDir, default_cache_root
from crossgo.checks import Check, exports_from_header, run_checks
from crossgo.environment import BuildEnv, BuildSpec, compute, macos_deployment_target
from crossgo.errors import ArtifactCheckError, BuildFailedError, OutputError
from crossgo.golang import GoInstall
from crossgo.hints import hint_for
from crossgo.reproducible import normalize_pe
from crossgo.staging import claim_staging, sweep_stale_staging
from crossgo.targets import Target, get_target
from crossgo.toolchain import Preference, Toolchain, ToolchainQuery
from crossgo.toolchain.macos import find_sdk, with_system_libraries

__all__ = ["BuildPlan", "BuildRequest", "BuildResult", "build", "execute", "plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildRequest:
    """What a caller asks for. Every field but the package and target has a default."""

    package_dir: Path
    target: str | Target
    output_dir: Path | None = None  # default: build/<target> in the current directory
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


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildPlan:
    """A resolved build: run it with :func:`execute`, or print its environment."""

    spec: BuildSpec
    toolchain: Toolchain
    go: GoInstall
    cache: CacheDir
    env: BuildEnv
    caller_env: Mapping[str, str]
    macos_version: str | None
    notes: tuple[str, ...]

    def explain(self) -> list[str]:
        lines = [
            f"target: {self.spec.target.name} ({self.spec.target.go_platform})",
            f"go: {self.go.go} (go{self.go.version}, from {self.go.source})",
            f"toolchain: {self.toolchain.kind}: {self.toolchain.origin}",
            f"cache: {self.cache.root}",
            f"output: {self.spec.output_dir / self.spec.library_filename}",
        ]
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

    def as_json(self) -> dict[str, object]:
        return {
            "target": self.target.name,
            "library": str(self.library),
            "header": str(self.header),
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
    package: golang.GoPackage,
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
    )
    chosen = toolchain.resolve(query, preference=request.toolchain, cc=request.cc)
    sdk = find_sdk(request.macos_sdk, caller) if target.goos == "darwin" else None
    chosen = with_system_libraries(chosen, target, go=go, package=package, cache=cache, sdk=sdk)
    toolchain.verify(chosen, target, cache, caller)
    return chosen


def plan(request: BuildRequest, env: Mapping[str, str] | None = None) -> BuildPlan:
    """Resolve a request against an environment (default: this process's)."""
    caller = dict(os.environ if env is None else env)
    target = request.target if isinstance(request.target, Target) else get_target(request.target)
    if request.glibc:
        target = target.with_glibc(request.glibc)
    package = golang.scan_package(request.package_dir)
    cache = CacheDir(request.cache_dir or default_cache_root(caller))
    cache.ensure(cache.root)
    go = golang.find_go(caller, cache)
    go_note = golang.check_go_version(go, package.module)
    macos = macos_deployment_target(target, go, caller) if target.goos == "darwin" else None
    chosen = _choose_toolchain(
        request, target=target, package=package, go=go, cache=cache, caller=caller, macos=macos
    )
    spec = BuildSpec(
        package=package,
        target=target,
        output_dir=(request.output_dir or Path("build") / target.name).absolute(),
        library_name=request.library_name or package.default_library_name,
        prefix=request.prefix or _default_prefix(caller),
        strip=request.strip,
        extra_cflags=request.extra_cflags,
        extra_ldflags=request.extra_ldflags,
        tags=request.tags,
    )
    return BuildPlan(
        spec=spec,
        toolchain=chosen,
        go=go,
        cache=cache,
        env=compute(spec, chosen, go, cache, caller),
        caller_env=caller,
        macos_version=macos,
        notes=(go_note,) if go_note else (),
    )


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


def _go_build(build_plan: BuildPlan, staging: Path) -> None:
    spec = build_plan.spec
    claim_staging(staging)  # so that a later build can tell our leftovers from live ones
    sweep_stale_staging(staging.parent, keep=staging)
    argv = [
        str(build_plan.go.go),
        *build_plan.env.go_args,
        "-o",
        str(staging / spec.library_filename),
        ".",
    ]
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
        if hint := hint_for(error.output, spec.target):
            msg += f"\nhint: {hint}"
        raise BuildFailedError(msg) from error


def _check(build_plan: BuildPlan, library: Path, header: Path) -> tuple[Check, ...]:
    from crossgo.binary import read_binary  # noqa: PLC0415 - keeps `crossgo env` start-up light

    spec = build_plan.spec
    if spec.target.goos == "windows":
        normalize_pe(library, _source_date_epoch(build_plan.caller_env))
    checks = run_checks(
        read_binary(library),
        spec.target,
        exports=exports_from_header(header.read_text(encoding="utf-8")),
        filename=spec.library_filename,
        macos_version=build_plan.macos_version,
    )
    failed = [check for check in checks if not check.ok]
    if failed:
        details = "; ".join(f"{check.name}: {check.detail}" for check in failed)
        msg = f"the library built for {spec.target.name} failed its checks: {details}."
        if any(check.name == "glibc" for check in failed):
            msg += (
                " This compiler links against a newer glibc than the target's baseline: "
                "use zig (`--toolchain zig`) or conda's compiler (glibc 2.17 sysroot), or "
                "accept the newer baseline with --glibc."
            )
        raise ArtifactCheckError(msg)
    return checks


def execute(build_plan: BuildPlan) -> BuildResult:
    """Build, check, and move the library and header into the output directory."""
    spec = build_plan.spec
    staging = _make_output_dir(spec.output_dir)
    try:
        _go_build(build_plan, staging)
        library, header = staging / spec.library_filename, staging / spec.header_filename
        checks = _check(build_plan, library, header)
        digest = hashlib.sha256(library.read_bytes()).hexdigest()
        final_header = spec.output_dir / spec.header_filename
        final_library = spec.output_dir / spec.library_filename
        header.replace(final_header)
        library.replace(final_library)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        target=spec.target,
        library=final_library,
        header=final_header,
        sha256=digest,
        toolchain=build_plan.toolchain,
        go_version=build_plan.go.version,
        checks=checks,
    )


def build(request: BuildRequest, env: Mapping[str, str] | None = None) -> BuildResult:
    return execute(plan(request, env))
