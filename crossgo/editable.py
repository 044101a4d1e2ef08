"""PEP 660 editable installs: the package from the source tree, the Go libraries beside it.

``build_editable`` builds this machine's libraries (and, with ``bindings = true``, their
modules) in ``<cache>/editable/<project digest>/`` and places them in the source package,
next to ``__init__.py``, where a wheel would put them: a hand-written loader that opens
``Path(__file__).with_name("libX.so")`` finds its library, as it does after maturin's
``develop`` or setuptools' ``build_ext --inplace``. In a git checkout their names go into
``.git/info/exclude`` (local to the clone, never committed), so they stay out of version
control; sdists and wheels never take them from the tree. It returns a small wheel: a
``.pth`` file that installs an import hook, and the hook, which maps the package to the
source tree (src layouts are not on ``sys.path`` otherwise).

It also records a stamp of the Go sources (name, size and mtime of every build input under
each Go module). When an import finds the sources changed, the hook runs ``python -m
crossgo.editable STATE`` (this module) if crossgo is importable there, which rebuilds and
re-stamps; otherwise it warns that ``pip install -e`` must run again.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import json
import os
import string
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from crossgo.build import execute
from crossgo.cache import CacheDir, default_cache_root
from crossgo.detect import choose_target
from crossgo.errors import CrossgoError, OutputError, UsageError
from crossgo.golang import scan_package
from crossgo.settings import ConfigSettings
from crossgo.wheel.archive import Entry, publish, write_wheel
from crossgo.wheel.builder import (
    bindings_entries,
    dist_info_dir,
    metadata_entries,
    plan_libraries,
    wheel_file,
)
from crossgo.wheel.project import Project, load_project, source_date_epoch

__all__ = ["build_editable", "editable_dir", "rebuild"]

_EDITABLE_TAG = "py3-none-any"  # the editable wheel holds no binary: the source tree does
_EXCLUDE_HEADER = "# Go libraries placed by crossgo's editable install (pip install -e)"


def editable_dir(project: Project, cache: CacheDir) -> Path:
    digest = hashlib.sha256(str(project.root).encode()).hexdigest()[:16]
    return cache.root / "editable" / f"{project.distribution}-{digest}"


def _watch(project: Project) -> list[str]:
    """The Go modules the libraries are built from (the package dir when there is no go.mod)."""
    roots = []
    for directory in project.go_packages:
        module = scan_package(directory).module
        roots.append(str(module.path.parent if module else directory))
    return sorted(set(roots))


def _source_stamp(roots: list[str]) -> str:
    """The hook's own stamp function (run from its template), so both always agree."""
    namespace: dict[str, object] = {"__name__": "crossgo_editable_finder"}
    text = string.Template(_template()).substitute(state="{}", distribution="", package="")
    exec(compile(text, "editable_finder.py", "exec"), namespace)  # noqa: S102 - our template
    stamp = namespace["source_stamp"]
    assert callable(stamp)
    return str(stamp(roots))


def _template() -> str:
    path = importlib.resources.files("crossgo") / "templates" / "editable_finder.py.tmpl"
    return path.read_bytes().decode("utf-8")


def rebuild(project: Project, environ: Mapping[str, str], cache: CacheDir) -> Path:
    """Build this machine's libraries (and bindings) and place them in the source package;
    stamp the sources they were built from."""
    root = editable_dir(project, cache)
    native = project.python_root / project.library_dir
    _require_writable(native)
    caller = {**environ, **project.settings.env}
    target = choose_target("native", caller).target
    plans = plan_libraries(project, target, root / "build", caller, cache.root)
    libraries = [execute(build_plan) for build_plan in plans]
    generated, notes = bindings_entries(project, plans, libraries)
    files = [(library.library.name, library.library.read_bytes()) for library in libraries]
    files += [(Path(entry.path).name, entry.data) for entry in generated]
    for name, data in files:
        publish(native / name, _writer(data))
    (native / libraries[0].library.name).chmod(0o755)
    exclude_from_git(project.root, [native / name for name, _ in files])
    for note in notes:
        print(f"crossgo: note: {note}", file=sys.stderr)
    (root / "stamp").write_text(_source_stamp(_watch(project)), encoding="utf-8")
    return root


def _require_writable(directory: Path) -> None:
    if directory.is_dir() and os.access(directory, os.W_OK):
        return
    msg = (
        f"an editable install places the Go libraries next to the package's __init__.py, "
        f"but {directory} is not writable: make it writable, or install without -e "
        "(`pip install .`), which puts the libraries in the installed wheel instead."
    )
    raise OutputError(msg)


def _git_exclude(start: Path) -> tuple[Path, Path] | None:
    """The checkout's top directory and its ``info/exclude`` file (a worktree's is in its
    main repository, with patterns relative to the worktree's top), or None outside git."""
    for directory in (start, *start.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            return directory, dot_git / "info" / "exclude"
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            git_dir = (directory / text.removeprefix("gitdir:").strip()).resolve()
            common = git_dir / "commondir"
            if common.is_file():
                git_dir = (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
            return directory, git_dir / "info" / "exclude"
    return None


def exclude_from_git(project_root: Path, files: list[Path]) -> None:
    """Keep the placed libraries out of ``git status``, without touching a tracked file."""
    found = _git_exclude(project_root.resolve())
    if found is None:
        return
    top, exclude = found
    try:
        lines = exclude.read_text(encoding="utf-8").splitlines() if exclude.is_file() else []
        wanted = [f"/{path.resolve().relative_to(top).as_posix()}" for path in files]
        missing = [line for line in wanted if line not in lines]
        if missing:
            header = [] if _EXCLUDE_HEADER in lines else [_EXCLUDE_HEADER]
            exclude.parent.mkdir(parents=True, exist_ok=True)
            text = "\n".join([*lines, *header, *missing]) + "\n"
            publish(exclude, _writer(text.encode()))
    except (OSError, ValueError):
        pass  # only git status is at stake: never fail an install for it


def _writer(data: bytes) -> Callable[[BinaryIO], object]:
    return lambda stream: stream.write(data)


def _state(
    project: Project, root: Path, config: ConfigSettings, cache: CacheDir
) -> dict[str, object]:
    locations = {project.top_level: [str(project.python_root / project.top_level)]}
    return {
        "package": project.top_level,
        "project": str(project.root),
        "locations": locations,
        "watch": _watch(project),
        "stamp_file": str(root / "stamp"),
        "state_file": str(root / "state.json"),
        "config": dict(config),
        "cache": str(cache.root),
    }


def build_editable(
    project: Project,
    wheel_directory: Path,
    *,
    config: ConfigSettings,
    environ: Mapping[str, str],
) -> Path:
    """Build the libraries into the cache and write the editable wheel; return its path."""
    if project.settings.extension_modules:
        msg = (
            "editable installs do not build extension modules yet: install the project "
            "with `pip install .` instead."
        )
        raise UsageError(msg)
    cache = CacheDir(default_cache_root(environ))
    root = rebuild(project, environ, cache)
    state = _state(project, root, config, cache)
    (root / "state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
    hook = f"__editable___{project.distribution}_crossgo"
    finder = string.Template(_template()).substitute(
        state=json.dumps(state, indent=2),
        distribution=project.distribution,
        package=project.top_level,
    )
    entries = [
        Entry(
            f"__editable__.{project.distribution}.pth",
            f"import {hook}; {hook}.install()\n".encode(),
        ),
        Entry(f"{hook}.py", finder.encode()),
        *metadata_entries(project),
        Entry(f"{dist_info_dir(project)}/WHEEL", wheel_file(_EDITABLE_TAG)),
    ]
    out = io.BytesIO()
    epoch = source_date_epoch(project.root, environ)
    write_wheel(out, entries, dist_info=dist_info_dir(project), epoch=epoch)
    path = (
        wheel_directory.absolute() / f"{project.distribution}-{project.version}-{_EDITABLE_TAG}.whl"
    )
    publish(path, _writer(out.getvalue()))
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m crossgo.editable STATE``: what the import hook runs after a change."""
    args = sys.argv[1:] if argv is None else argv
    state = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    environ = {**os.environ, "CROSSGO_CACHE_DIR": state["cache"]}
    try:
        project = load_project(Path(state["project"]), config=state["config"], environ=environ)
        rebuild(project, environ, CacheDir(Path(state["cache"])))
    except CrossgoError as error:
        print(f"crossgo: error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
