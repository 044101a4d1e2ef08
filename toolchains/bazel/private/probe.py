"""What crossgo's repository rule learns from crossgo, as JSON.

The repository rule runs crossgo_action.py with ``--probe OUT -- TARGET...``: the same
launcher, Python, wheels and crossgo sources as every action. This writes to OUT
``crossgo targets --json`` and ``crossgo env --target T --format json`` for each T, run in
one process; a target whose environment cannot be computed gets its error message instead.
The result goes to a file, since the tools crossgo runs may write to stdout.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from crossgo.cli import main as crossgo_main
from crossgo.errors import CrossgoError
from crossgo.targets import get_target


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


def write_probe(out: Path, names: list[str], cache: Path | None) -> int:
    """The probe's result in OUT, with the persistent cache the actions use (None: none)."""
    result = {**targets(names), "cache_dir": str(cache) if cache else None}
    out.write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
    return 0
