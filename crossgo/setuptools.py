"""setuptools-golang's ``build_golang`` keyword, built by crossgo: a drop-in that cross-builds.

A setuptools-golang project declares its Go extensions as setuptools does and names the
keyword::

    setup(
        ext_modules=[Extension("sum", ["sum.go"])],
        build_golang={"root": "github.com/user/sum"},
    )

crossgo registers the same keyword (the ``distutils.setup_keywords`` entry point), so such a
project builds with crossgo once its build requirement says ``crossgo`` instead of
``setuptools-golang``. Each extension whose one source is a ``.go`` file of a ``main`` package
is built by crossgo as an extension module (:mod:`crossgo.extmod`) for the target named by
``CROSSGO_TARGET``, else the one the environment names (a conda build, cibuildwheel; see
:mod:`crossgo.detect`), else this machine. Other extensions are setuptools' own business, on
this machine only. What differs from setuptools-golang is listed in docs/extension-modules.md.

``Extension(..., py_limited_api=True)`` builds abi3, with the minimum from ``bdist_wheel
--py-limited-api=cp3X`` (or ``[bdist_wheel] py_limited_api``, or a ``Py_LIMITED_API``
define), else 3.9; otherwise the module is version-specific, for the headers' CPython:
this Python's for this machine, ``CROSSGO_PYTHON_INCLUDE`` for another platform. When every
extension is Go, the wheel's tag is crossgo's, read from the built modules.

Under a free-threaded CPython (``Py_GIL_DISABLED``), or for cibuildwheel's ``cp314t-*``
identifiers, or with ``CROSSGO_FREE_THREADED=1``, each Go extension is built for free-threaded
CPython (``cp313-cp313t``); a ``py_limited_api`` one is then refused, as setuptools does.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from crossgo.build import BuildRequest, BuildResult, execute
from crossgo.detect import TargetChoice, choose_target
from crossgo.errors import CrossgoError
from crossgo.extmod import ABI3T, free_threaded_default
from crossgo.extmod.headers import python_version
from crossgo.extmod.loader import LOADER_FILE, render_loader
from crossgo.extmod.module import DEFAULT_ABI3, ExtensionModule, module_filename
from crossgo.extmod.wheel import python_tags
from crossgo.settings import boolean_text
from crossgo.targets import host_target
from crossgo.toolchain import PREFERENCES, Preference

__all__ = ["GoOptions", "go_sources", "set_build_ext"]

# setuptools ships no types that mypy can use here; these say which of its objects is meant.
_Extension: TypeAlias = Any  # setuptools.Extension
_Distribution: TypeAlias = Any  # setuptools.dist.Distribution
_Command: TypeAlias = Any  # a setuptools command object (build_ext, bdist_wheel)

SETUP_KEYWORD = "build_golang"
_OPTIONS = ("root", "strip", "gil_used")
_C_LIKE = (".c", ".h", ".cc", ".cpp", ".cxx", ".m", ".s", ".S", ".syso")
_TAGS = "_crossgo_wheel_tags"  # set on the Distribution by build_ext for bdist_wheel


def _setup_error(message: str) -> Exception:
    """An error setuptools reports as ``error: <message>``, without a traceback."""
    from setuptools.errors import SetupError  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    return SetupError(message)  # type: ignore[no-any-return, unused-ignore]


@dataclass(frozen=True, slots=True)
class GoOptions:
    """The ``build_golang`` keyword's value. ``root`` was setuptools-golang's GOPATH import
    path; crossgo builds Go modules (go.mod) and keeps it only for compatibility."""

    root: str | None = None
    strip: bool = True
    gil_used: str | None = None  # why a free-threaded module does not declare Py_MOD_GIL_NOT_USED


def _options(value: object) -> GoOptions:
    if not isinstance(value, Mapping):
        msg = f"{SETUP_KEYWORD} must be a dict such as {{'root': 'github.com/user/project'}}"
        raise _setup_error(msg)
    unknown = sorted(str(key) for key in value if key not in _OPTIONS)
    if unknown:
        msg = f"{SETUP_KEYWORD}: unknown key {', '.join(unknown)} (known: {', '.join(_OPTIONS)})"
        raise _setup_error(msg)
    gil_used = value.get("gil_used")
    if gil_used is not None and not isinstance(gil_used, str):
        msg = f"{SETUP_KEYWORD}: gil_used must say why the modules need the GIL, as a str"
        raise _setup_error(msg)
    return GoOptions(
        root=value.get("root"), strip=bool(value.get("strip", True)), gil_used=gil_used or None
    )


def go_sources(name: str, sources: Sequence[str]) -> Path | None:
    """The main ``.go`` file of a Go extension, None for an extension with no Go at all;
    refuse the shapes crossgo does not build, with setuptools-golang's messages."""
    go = [source for source in sources if source.endswith(".go")]
    if not go:
        return None
    others = [source for source in sources if not source.endswith(".go")]
    if others:
        msg = (
            f"Error building extension `{name}`: it mixes Go and other sources "
            f"({', '.join(sources)}). crossgo builds the Go main package of the .go file, and "
            "cgo compiles every C file in that package's directory: list only the .go file, "
            "and keep the C files next to it (a C file elsewhere is not built)."
        )
        if any(not source.endswith(_C_LIKE) for source in others):
            msg += f" ({', '.join(others)} is not C either.)"
        raise _setup_error(msg)
    if len(go) != 1:
        msg = (
            f"Error building extension `{name}`: sources must be a single file in the `main` "
            f"package.\nReceived: {list(sources)!r}"
        )
        raise _setup_error(msg)
    main_file = Path(go[0])
    if not main_file.is_file():
        msg = f"Error building extension `{name}`: {go[0]} does not exist"
        raise _setup_error(msg)
    return main_file


# --- what one Go extension is built as ---------------------------------------------------


def _abi3(ext: _Extension, dist: _Distribution) -> str | None:
    """The abi3 minimum of an Extension, or None: setuptools' py_limited_api semantics."""
    if not getattr(ext, "py_limited_api", False):
        return None
    option = dist.get_option_dict("bdist_wheel").get("py_limited_api")
    if option and isinstance(option[1], str) and option[1]:
        return str(option[1])
    for name, value in ext.define_macros or ():
        if name == "Py_LIMITED_API" and value:
            number = int(str(value), 0)
            return f"{number >> 24}.{(number >> 16) & 0xFF}"
    return DEFAULT_ABI3


def _flags(ext: _Extension) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(CGO_CFLAGS, CGO_LDFLAGS) extras from the Extension, as setuptools-golang passed its
    define_macros; crossgo sets Py_LIMITED_API and CPython's include directory itself."""
    cflags = [f"-I{directory}" for directory in ext.include_dirs or ()]
    for name, value in ext.define_macros or ():
        if name != "Py_LIMITED_API":
            cflags.append(f"-D{name}" if value is None else f"-D{name}={value}")
    cflags += [f"-U{name}" for name in ext.undef_macros or ()]
    cflags += list(ext.extra_compile_args or ())
    ldflags = [f"-L{directory}" for directory in ext.library_dirs or ()]
    ldflags += [f"-l{library}" for library in ext.libraries or ()]
    ldflags += list(ext.extra_link_args or ())
    return tuple(cflags), tuple(ldflags)


def _target(env: Mapping[str, str]) -> TargetChoice:
    """CROSSGO_TARGET, else the environment's target, else this machine."""
    return choose_target(env.get("CROSSGO_TARGET") or "auto", env, source="CROSSGO_TARGET")


def _free_threaded(env: Mapping[str, str]) -> bool:
    """CROSSGO_FREE_THREADED, else cibuildwheel's identifier, else the running CPython."""
    value = env.get("CROSSGO_FREE_THREADED", "").strip()
    if not value:  # unset, as for every other setting here
        return free_threaded_default(env)
    threaded = boolean_text(value)
    if threaded is None:
        msg = f"CROSSGO_FREE_THREADED={value} is not true or false"
        raise _setup_error(msg)
    return threaded


def _toolchain(env: Mapping[str, str]) -> Preference:
    value = env.get("CROSSGO_TOOLCHAIN", "auto")
    for preference in PREFERENCES:
        if value == preference:
            return preference
    msg = f"CROSSGO_TOOLCHAIN={value} is not one of {', '.join(PREFERENCES)}"
    raise _setup_error(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class _GoExtension:
    """One Go Extension, resolved: what to build, for which target, under which file name."""

    module: ExtensionModule
    package: Path
    choice: TargetChoice
    filename: str
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...]


def _resolve(ext: _Extension, dist: _Distribution, env: Mapping[str, str]) -> _GoExtension | None:
    main_file = go_sources(ext.name, ext.sources)
    if main_file is None:
        return None
    include = env.get("CROSSGO_PYTHON_INCLUDE")
    threaded = _free_threaded(env)
    abi3 = _abi3(ext, dist)
    if threaded and abi3 is not None:
        msg = (
            f"{ext.name} is py_limited_api (abi3 {abi3}), and this build is for a free-threaded "
            f"CPython: the stable ABI has no free-threaded variant before {ABI3T}, which "
            "crossgo does not make yet; setuptools refuses the same. Set "
            "py_limited_api=not sysconfig.get_config_var('Py_GIL_DISABLED') on the Extension."
        )
        raise _setup_error(msg)
    module = ExtensionModule(
        name=ext.name,
        abi3=abi3,
        python_include=Path(include) if include else None,
        free_threaded=threaded,
    )
    choice = _target(env)
    version = None
    if module.abi3 is None:
        version = python_version(module.python_include) if module.python_include else None
        version = version or (sys.version_info[0], sys.version_info[1])
    cflags, ldflags = _flags(ext)
    return _GoExtension(
        module=module,
        package=main_file.parent,
        choice=choice,
        filename=module_filename(ext.name, choice.target, version, free_threaded=threaded),
        cflags=cflags,
        ldflags=ldflags,
    )


def _build(
    go_ext: _GoExtension, options: GoOptions, env: Mapping[str, str]
) -> tuple[BuildResult, Path]:
    from crossgo.wheel.builder import plan_truthfully  # noqa: PLC0415

    scratch = Path(tempfile.mkdtemp(prefix="crossgo-setuptools-"))
    request = BuildRequest(
        package_dir=go_ext.package,
        target=go_ext.choice.target,
        output_dir=scratch,
        toolchain=_toolchain(env),
        glibc=env.get("CROSSGO_GLIBC") or None,
        strip=options.strip,
        extra_cflags=go_ext.cflags,
        extra_ldflags=go_ext.ldflags,
        extension=dataclasses.replace(go_ext.module, gil_used=options.gil_used),
        frontend="setuptools",
    )
    build_plan = plan_truthfully(request, env)
    return execute(dataclasses.replace(build_plan, target_source=go_ext.choice.source)), scratch


def _wheel_tags(built: Sequence[tuple[BuildResult, Path]]) -> tuple[str, str, str]:
    """(interpreter, abi, platform) for the modules built (each read where it was installed):
    what crossgo's own wheels would say."""
    from crossgo.binary import read_slices  # noqa: PLC0415
    from crossgo.wheel.tags import check_platform, platform_tag  # noqa: PLC0415

    binaries = [info for _, path in built for info in read_slices(path)]
    first = built[0][0]
    platform = platform_tag(first.target, first.go_version, binaries)
    check_platform(platform, binaries)
    builds = [result.python for result, _ in built if result.python is not None]
    return (*python_tags(builds), platform)


# --- the commands ----------------------------------------------------------------------


def _go_extension(command: _Command, ext: _Extension) -> _GoExtension | None:
    """``ext`` resolved for crossgo (once per command), None when it has no Go."""
    cache = command.__dict__.setdefault("_crossgo_resolved", {})
    if ext.name not in cache:
        cache[ext.name] = _resolve(ext, command.distribution, os.environ)
    resolved: _GoExtension | None = cache[ext.name]
    return resolved


def _build_go(command: _Command, ext: _Extension, go: _GoExtension, options: GoOptions) -> None:
    """Build one Go extension into the build directory; then, when every extension is Go,
    tell bdist_wheel the tags crossgo reads from the modules."""
    print(f"crossgo: building {ext.name} for {go.choice.target.name} ({go.choice.source})")
    destination = Path(command.get_ext_fullpath(ext.name))
    try:
        result, scratch = _build(go, options, os.environ)
        try:
            _install(result.library, destination, ext.name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        built = command.__dict__.setdefault("_crossgo_built", [])
        built.append((result, destination))
        if all(_go_extension(command, other) for other in command.extensions):
            setattr(command.distribution, _TAGS, _wheel_tags(built))
    except CrossgoError as error:
        raise _setup_error(f"crossgo: {error}") from error


def _copy_to_source(command: _Command, base: type[Any]) -> None:
    """``--inplace`` and editable installs: a Go module's whole directory (loader and binary)
    goes next to its package's sources; other extensions as setuptools copies them."""
    build_py = command.get_finalized_command("build_py")
    others = [ext for ext in command.extensions if _go_extension(command, ext) is None]
    for ext in command.extensions:
        if ext not in others:
            modpath = command.get_ext_fullname(ext.name).split(".")
            package_dir = Path(build_py.get_package_dir(".".join(modpath[:-1])))
            built = Path(command.get_ext_fullpath(ext.name))
            _install(built, package_dir / modpath[-1] / built.name, ext.name)
    if others and hasattr(base, "copy_extensions_to_source"):
        go_extensions, command.extensions = command.extensions, others
        try:
            base.copy_extensions_to_source(command)
        finally:
            command.extensions = go_extensions


def _build_ext_class(base: type[Any], options: GoOptions) -> type[Any]:
    """``base`` (setuptools' build_ext, or the project's own) with Go extensions built by
    crossgo, each as a directory: ``<name>/__init__.py`` (the loader) and the binary."""

    def build_extension(self: _Command, ext: _Extension) -> None:
        go = _go_extension(self, ext)
        if go is None:
            _build_other(self, base, ext)
        else:
            _build_go(self, ext, go, options)

    def get_ext_filename(self: _Command, fullname: str) -> str:
        ext = getattr(self, "ext_map", {}).get(fullname)
        go = _go_extension(self, ext) if ext is not None else None
        if go is None:
            return str(base.get_ext_filename(self, fullname))
        return str(Path(*fullname.split("."), go.filename))

    def get_outputs(self: _Command) -> list[str]:
        outputs = list(base.get_outputs(self))
        for ext in self.extensions:
            if _go_extension(self, ext) is not None:
                outputs.append(str(Path(self.get_ext_fullpath(ext.name)).with_name(LOADER_FILE)))
        return outputs

    def copy_extensions_to_source(self: _Command) -> None:
        _copy_to_source(self, base)

    namespace = {
        "build_extension": build_extension,
        "get_ext_filename": get_ext_filename,
        "get_outputs": get_outputs,
        "copy_extensions_to_source": copy_extensions_to_source,
    }
    return type("build_ext", (base,), namespace)


def _build_other(command: _Command, base: type[Any], ext: _Extension) -> None:
    """An extension with no Go: setuptools builds it, for this machine only."""
    choice = _target(os.environ)
    if choice.target.name != host_target().name:
        msg = (
            f"crossgo builds Go extensions only; setuptools would build `{ext.name}` "
            f"({', '.join(ext.sources)}) for this machine, not for {choice.target.name}. Build "
            "it natively, or write it in Go."
        )
        raise _setup_error(msg)
    compiler = command.compiler  # setuptools-golang's care: the base may change the compiler
    try:
        base.build_extension(command, ext)
    finally:
        command.compiler = compiler


def _install(binary: Path, destination: Path, module: str) -> None:
    """The binary at ``destination`` and the module's loader beside it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(binary, destination)
    destination.chmod(0o755)
    (destination.parent / LOADER_FILE).write_text(render_loader(module), encoding="utf-8")


def _bdist_wheel_class(base: type[Any]) -> type[Any]:
    def get_tag(self: _Command) -> tuple[str, str, str]:
        tags: tuple[str, str, str] | None = getattr(self.distribution, _TAGS, None)
        return tags if tags is not None else tuple(base.get_tag(self))

    return type("bdist_wheel", (base,), {"get_tag": get_tag})


def set_build_ext(dist: _Distribution, attr: str, value: object) -> None:
    """The ``distutils.setup_keywords`` hook: ``build_golang={...}`` in ``setup()``."""
    options = _options(value)
    from setuptools.command.build_ext import build_ext  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    dist.cmdclass["build_ext"] = _build_ext_class(
        dist.cmdclass.get("build_ext", build_ext), options
    )
    from setuptools.errors import ModuleError  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

    try:
        wheel = dist.cmdclass.get("bdist_wheel") or dist.get_command_class("bdist_wheel")
    except ModuleError:  # "invalid command": an old setuptools without wheel builds no wheels
        return  # anything else (a broken plugin) propagates: never a silently mis-tagged wheel
    dist.cmdclass["bdist_wheel"] = _bdist_wheel_class(wheel)
    _ = attr
