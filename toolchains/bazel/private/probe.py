"""What crossgo's Bazel repository rule learns about this machine, as JSON on stdout.

Bazel runs this twice while it fetches ``@crossgo_host``, never inside an action:

``probe.py OUT host``
    with the environment of the shell that ran ``bazel``: which crossgo this is (its
    version and files), the Go and zig it finds, and its cache directory. The repository
    rule writes a launcher that pins these for every action.
``probe.py OUT targets T...``
    through that launcher, so in the environment the actions get: ``crossgo targets --json``
    and ``crossgo env --target T --format json`` for each T, run in one process. A target
    whose environment cannot be computed gets its error message instead.

The result goes to the file OUT, since the tools crossgo runs may write to stdout.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import crossgo
from crossgo.cache import CacheDir, default_cache_root
from crossgo.cli import main as crossgo_main
from crossgo.errors import CrossgoError
from crossgo.golang import find_go
from crossgo.targets import _data_file, get_target
from crossgo.toolchain import zig


def _package_files() -> dict[str, str]:
    """Every file of the crossgo that runs, by a stable relative name: Bazel tracks them
    as inputs, so an edited or upgraded crossgo re-runs the actions."""
    package = Path(crossgo.__file__).parent
    files = {
        f"crossgo/{path.relative_to(package).as_posix()}": str(path)
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    files["targets.toml"] = str(_data_file())
    return files


def host() -> dict[str, object]:
    env = dict(os.environ)
    cache = CacheDir(default_cache_root(env))
    try:
        go = find_go(env, cache)
    except CrossgoError as error:
        return {"error": str(error)}
    found = zig.find_executable(env.get("PATH", ""))
    return {
        "python": sys.executable,
        "crossgo_version": crossgo.__version__,
        "files": _package_files(),
        "go": str(go.go),
        "go_version": go.version,
        "zig": str(found[0]) if found else None,
        "zig_on_path": bool(found and found[1] is zig.ZigSource.PATH),
        "cache_dir": str(cache.root),
    }


def _run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = crossgo_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def targets(names: list[str]) -> dict[str, object]:
    code, out, err = _run_cli("targets", "--json")
    if code:
        return {"error": err.strip()}
    rows = json.loads(out)
    try:  # crossgo_register(targets = [...]) may use aliases; crossgo_env looks up names
        wanted = [get_target(name).name for name in names]
    except CrossgoError as error:
        return {"error": f"crossgo_register(targets = {names!r}): {error}"}
    envs: dict[str, object] = {}
    for name in wanted or [row["name"] for row in rows if not row["slices"]]:
        code, out, err = _run_cli("env", "--target", name, "--format", "json")
        envs[name] = json.loads(out) if code == 0 else {"error": err.strip()}
    return {"targets": rows, "envs": envs}


def main() -> int:
    out, mode, *rest = sys.argv[1:]
    result = host() if mode == "host" else targets(rest)
    Path(out).write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
