"""PEP 660 editable installs: the Go libraries in crossgo's cache, the package from the tree.

``build_editable`` builds this machine's libraries (and, with ``bindings = true``, their
modules) into ``<cache>/editable/<project digest>/``, laid out like the package, and returns
a small wheel: a ``.pth`` file that installs an import hook, and the hook. The hook maps the
package to the source tree with the cache directory as a second search location, so that
``import gohash`` runs ``src/gohash/__init__.py`` and ``gohash._gohash`` and ``libgohash.so``
come from the cache.

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
from crossgo.errors import CrossgoError, UsageError
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

_EDITABLE_TAG = "py3-none-any"  # the editable wheel holds no binary: the cache does


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
    """Build this machine's libraries (and bindings) into the editable directory; stamp it."""
    root = editable_dir(project, cache)
    native = root.joinpath(*project.python_package.split("."))
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
    for note in notes:
        print(f"crossgo: note: {note}", file=sys.stderr)
    (root / "stamp").write_text(_source_stamp(_watch(project)), encoding="utf-8")
    return root


def _writer(data: bytes) -> Callable[[BinaryIO], object]:
    return lambda stream: stream.write(data)


def _state(
    project: Project, root: Path, config: ConfigSettings, cache: CacheDir
) -> dict[str, object]:
    native = root.joinpath(*project.python_package.split("."))
    locations = {project.top_level: [str(project.python_root / project.top_level)]}
    package_source = project.python_root.joinpath(*project.python_package.split("."))
    locations.setdefault(project.python_package, [str(package_source)])
    locations[project.python_package].append(str(native))
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
