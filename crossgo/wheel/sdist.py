"""The source distribution: everything needed to build the wheel again, elsewhere.

It holds pyproject.toml, the readme and license files, the Python package, each Go
package's whole module (go.mod, go.sum, every file ``//go:embed`` or cgo might read), the
``sdist-include`` globs, and PKG-INFO, less the ``sdist-exclude`` globs and what is never
source (:mod:`crossgo.wheel.files`, and the libraries an editable install placed). With
``vendor = true``, ``go mod vendor -o`` writes each module's ``vendor/`` to a temporary
directory (never into the project) and the sdist gets it, so that building from the sdist
fetches no Go module: Go uses ``vendor/`` when present.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from crossgo import _run
from crossgo.cache import CacheDir, default_cache_root
from crossgo.errors import BuildFailedError, UsageError
from crossgo.golang import find_go
from crossgo.wheel.archive import Entry, publish, write_sdist
from crossgo.wheel.files import walk
from crossgo.wheel.project import Project, built_files, source_date_epoch

__all__ = ["build_sdist", "module_roots", "sdist_files"]

_ROOT_OUTPUTS = ("build", "dist", "venv")


def build_sdist(
    project: Project,
    dist: Path,
    *,
    env: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write ``<name>-<version>.tar.gz`` into ``dist`` and return its path."""
    caller = {**(os.environ if env is None else env), **project.settings.env}
    entries = [
        Entry(path.relative_to(project.root).as_posix(), path.read_bytes(), _executable(path))
        for path in sdist_files(project)
    ]
    if project.settings.vendor:
        entries += _vendored(project, caller, cache_dir)
    entries.append(Entry("PKG-INFO", project.metadata.as_rfc822().as_bytes()))
    root = f"{project.distribution}-{project.version}"
    final = dist.absolute() / f"{root}.tar.gz"
    epoch = source_date_epoch(project.root, caller)
    publish(final, lambda out: write_sdist(out, entries, root=root, epoch=epoch))
    return final


def _executable(path: Path) -> bool:
    return os.access(path, os.X_OK)


def sdist_files(project: Project) -> list[Path]:
    """The project's files that go into the sdist, sorted, each once."""
    excluded = project.settings.sdist_exclude
    # Build output and environments, should a Go module's root be the project's.
    skip = frozenset(project.root / name for name in _ROOT_OUTPUTS)
    if project.settings.vendor:  # replaced by a fresh `go mod vendor`
        skip |= {root / "vendor" for root in module_roots(project)}
    placed = {project.python_root / name for name in built_files(project)}
    found = {
        path
        for path in _candidates(project, skip)
        if path not in placed and not _matches(path.relative_to(project.root).as_posix(), excluded)
    }
    return sorted(found)


def _candidates(project: Project, skip_dirs: frozenset[Path]) -> Iterator[Path]:
    root = project.root
    yield root / "pyproject.toml"
    readme = project.metadata.readme
    if readme is not None and readme.file is not None:
        yield root / readme.file
    yield from (root / path for path in project.metadata.license_files or ())
    license_file = getattr(project.metadata.license, "file", None)
    if license_file is not None:
        yield root / license_file
    yield from walk(project.python_root / project.top_level)
    for module in module_roots(project):
        yield from walk(module, skip_dirs=skip_dirs)
    for pattern in project.settings.sdist_include:
        yield from (path for path in sorted(root.glob(pattern)) if path.is_file())


def _matches(relative: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) for pattern in patterns)


def module_roots(project: Project) -> list[Path]:
    """The directory of each Go package's go.mod (the package itself if it has none)."""
    roots: list[Path] = []
    for package in project.source_packages:
        root = _module_root(package.absolute(), project.root)
        if root not in roots:
            roots.append(root)
    return roots


def _module_root(package: Path, project_root: Path) -> Path:
    for directory in (package, *package.parents):
        if (directory / "go.mod").is_file():
            if not directory.is_relative_to(project_root):
                msg = (
                    f"the Go module of {package} ({directory / 'go.mod'}) lies outside the "
                    f"project {project_root}, so an sdist cannot hold it: move go.mod into the "
                    "project, or build wheels only."
                )
                raise UsageError(msg)
            return directory
        if directory == project_root:
            break
    return package


# --- go mod vendor -----------------------------------------------------------------------


def _vendored(project: Project, caller: Mapping[str, str], cache_dir: Path | None) -> list[Entry]:
    cache = CacheDir(cache_dir or default_cache_root(caller))
    cache.ensure(cache.gomodcache, cache.gocache)
    go = find_go(caller, cache)
    env = {key: value for key, value in caller.items() if key not in {"GOFLAGS", "GOOS"}}
    env |= {
        "GOROOT": str(go.goroot),
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "GOPATH": str(cache.gopath),
        "GOMODCACHE": str(cache.gomodcache),
        "GOCACHE": str(cache.gocache),
        "PATH": os.pathsep.join([str(go.goroot / "bin"), caller.get("PATH", "")]),
    }
    entries: list[Entry] = []
    for module in module_roots(project):
        entries += _vendor_module(project, module, [str(go.go), "mod", "vendor"], env)
    return entries


def _vendor_module(
    project: Project, module: Path, argv: list[str], env: Mapping[str, str]
) -> list[Entry]:
    """``go mod vendor -o`` into a temporary directory, run in the module itself so that
    relative ``replace`` paths resolve; go.mod and go.sum are checked to be left as they were."""
    before = _module_files(module)
    with tempfile.TemporaryDirectory(prefix="crossgo-vendor-") as work:
        vendor = Path(work) / "vendor"
        try:
            _run.capture([*argv, "-o", str(vendor)], env=env, cwd=module)
        except _run.CommandFailed as error:
            msg = (
                f"`go mod vendor` failed for the Go module in {module}: {error.output.strip()} "
                "Check go.mod and go.sum, and that the modules can be fetched (GOPROXY)."
            )
            raise BuildFailedError(msg) from error
        finally:
            _restore(module, before)
        prefix = module.relative_to(project.root) / "vendor"
        return [
            Entry((prefix / path.relative_to(vendor)).as_posix(), path.read_bytes())
            for path in walk(vendor)
        ]


_MODULE_FILES = ("go.mod", "go.sum")


def _module_files(module: Path) -> dict[str, bytes | None]:
    return {
        name: (module / name).read_bytes() if (module / name).is_file() else None
        for name in _MODULE_FILES
    }


def _restore(module: Path, before: Mapping[str, bytes | None]) -> None:
    """Put go.mod and go.sum back should Go have touched them: the project is not ours."""
    if _module_files(module) == before:
        return
    for name, data in before.items():
        if data is None:
            (module / name).unlink(missing_ok=True)
        else:
            (module / name).write_bytes(data)
    msg = (
        f"`go mod vendor` wanted to change {module / 'go.mod'} or go.sum; crossgo put them "
        "back. Run `go mod tidy` in the module, then build the sdist again."
    )
    raise BuildFailedError(msg)
