"""Benchmark: a Bazel rebuild after a one-line edit of a .go file, beside a warm `crossgo build`
of the same package, and a Bazel rebuild with no change. Writes JSON; prints a summary.

    python bench/bazel.py --output bench/bazel.json [--targets linux-aarch64,win-64] [--runs 5]
        [--distdir DIR] [--bazel-flag=--experimental_reuse_sandbox_directories ...]

The workspace is a copy of this repository's root one (//:gohash_<target>, stripped), built
by a warm Bazel server, as in an edit-build loop; a time is the `bazel build` client's wall
time. crossgo builds a copy of the same package with the same settings. The Bazel actions use
the running user's ~/.cache/crossgo (the workspace's user.bazelrc lets the sandbox write
there), and `crossgo build` gets the same cache, so both are warm. The edit appends a
comment to main.go, so Go compiles the package and links again in both; the runs alternate
between the two. `crossgo_warm_build_s` is a build with no edit at all. A `touch` alone
runs nothing in Bazel, which compares contents, not times: `touch_only_actions` shows it.
The goal is a ratio of at most 1.2 and no action in a rebuild with no change. --distdir
fetches the pinned wheels offline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from timing import crossgo, timed

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "gohash"
WORKSPACE_FILES = ("WORKSPACE", "MODULE.bazel", "BUILD.bazel", ".bazelrc", ".bazelignore")
LIMIT = 1.2
PROCESSES = re.compile(r"INFO: (\d+) process(?:es)?: (?:(\d+) internal)?")


class Bazel:
    """`bazel` in one workspace, with a private output root, quiet, no links in the tree."""

    def __init__(self, workspace: Path, root: Path, env: dict[str, str], flags: list[str]) -> None:
        self.workspace, self.env, self.flags = workspace, env, flags
        self.startup = ["bazel", f"--output_user_root={root}", "--nohome_rc", "--max_idle_secs=600"]

    def run(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        quiet = ["--nosandbox_debug", "--noshow_progress", "--curses=no", "--color=no"]
        flags = [*quiet, "--symlink_prefix=/", *self.flags] if command in {"build", "info"} else []
        return subprocess.run(
            [*self.startup, command, *flags, *args], cwd=self.workspace, env=self.env,
            capture_output=True, text=True, check=True,
        )  # fmt: skip

    def actions(self, label: str) -> int:
        """Build; the number of actions that ran (Bazel's internal one not counted)."""
        stderr = self.run("build", label).stderr
        total, internal = PROCESSES.findall(stderr)[-1]  # INFO: 3 processes: 1 internal, 2 ...
        return int(total) - int(internal or 0)

    def timed_build(self, label: str) -> tuple[float, int]:
        """(seconds, actions that ran) of one build."""
        start = time.perf_counter()
        actions = self.actions(label)
        return time.perf_counter() - start, actions


def _copy_workspace(destination: Path) -> Path:
    destination.mkdir()
    for name in WORKSPACE_FILES:
        shutil.copy2(REPO / name, destination / name)
    ignore = shutil.ignore_patterns("__pycache__", "dist", "build", "*.so")
    shutil.copytree(REPO / "crossgo", destination / "crossgo", ignore=ignore)
    shutil.copytree(REPO / "toolchains", destination / "toolchains", ignore=ignore)
    shutil.copytree(EXAMPLE, destination / "examples" / "gohash", ignore=ignore)
    return destination


# Go's cache outlives a bench run: without a token of this run, a text an earlier run wrote
# would be found there, and an "edit" would compile nothing.
_RUN_TOKEN = uuid.uuid4().hex


def _edit(main_go: Path, who: str, run: int) -> None:
    """A new comment line: Go compiles the package again. `who` keeps the two copies'
    texts apart, so neither finds the other's compile in Go's cache."""
    with main_go.open("a", encoding="utf-8") as handle:
        handle.write(f"\n// {who} edit {run} {_RUN_TOKEN}\n")


def _setup(tmp: Path, env: dict[str, str], flags: list[str]) -> Bazel:
    """The workspace copy and its server, fetched, with the sandbox line in user.bazelrc."""
    bazel = Bazel(_copy_workspace(tmp / "ws"), tmp / "bazel-root", env, flags)
    bazel.run("build", "@crossgo_host//:crossgo.bazelrc")
    output_base = Path(bazel.run("info", "output_base").stdout.strip())
    rc = output_base / "external" / "crossgo_host" / "crossgo.bazelrc"
    shutil.copy2(rc, bazel.workspace / "user.bazelrc")
    return bazel


def measure(bazel: Bazel, target: str, runs: int, tmp: Path) -> dict[str, object]:
    label = f"//:gohash_{target}"
    env = {**bazel.env, "CROSSGO_CACHE_DIR": str(Path.home() / ".cache" / "crossgo")}
    bazel.actions(label)  # the first build
    package = shutil.copytree(EXAMPLE / "go", tmp / f"package-{target}")
    build = ("build", "--target", target, "--strip", "--name", "gohash", "-o", str(tmp / target))
    crossgo(*build, str(package), env=env)
    warm = [timed(lambda: crossgo(*build, str(package), env=env)) for _ in range(runs)]
    crossgo_edit: list[float] = []
    bazel_edit: list[float] = []
    edit_actions: list[int] = []
    workspace_main = bazel.workspace / "examples" / "gohash" / "go" / "main.go"
    for run in range(runs):
        _edit(package / "main.go", "crossgo", run)
        crossgo_edit.append(timed(lambda: crossgo(*build, str(package), env=env)))
        _edit(workspace_main, "bazel", run)
        seconds, actions = bazel.timed_build(label)
        bazel_edit.append(seconds)
        edit_actions.append(actions)
    noop, noop_actions = bazel.timed_build(label)
    os.utime(workspace_main)
    touch_actions = bazel.actions(label)
    edited, rebuilt = statistics.median(crossgo_edit), statistics.median(bazel_edit)
    return {
        "target": target,
        "runs": runs,
        "crossgo_warm_build_s": round(statistics.median(warm), 3),
        "crossgo_edit_build_s": round(edited, 3),
        "bazel_edit_rebuild_s": round(rebuilt, 3),
        "bazel_edit_actions": edit_actions,
        "samples_s": {
            "crossgo_warm": [round(t, 3) for t in warm],
            "crossgo_edit": [round(t, 3) for t in crossgo_edit],
            "bazel_edit": [round(t, 3) for t in bazel_edit],
        },
        "ratio_bazel_over_crossgo_edit": round(rebuilt / edited, 3),
        "ratio_bazel_over_crossgo_warm": round(rebuilt / statistics.median(warm), 3),
        "within_limit": rebuilt / edited <= LIMIT,
        "bazel_noop_s": round(noop, 3),
        "bazel_noop_actions": noop_actions,
        "touch_only_actions": touch_actions,
    }


def _bazel_release() -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "bazel-bootstrap"], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    return done.stdout.strip() or "unknown (not Debian's bazel-bootstrap)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "bazel.json")
    parser.add_argument("--targets", default="linux-aarch64,win-64")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--distdir", type=Path, help="Bazel's --distdir: the pinned wheels")
    parser.add_argument("--bazel-flag", action="append", default=[], help="another build flag")
    args = parser.parse_args()
    env = dict(os.environ)
    flags = [*args.bazel_flag, *([f"--distdir={args.distdir}"] if args.distdir else [])]
    with tempfile.TemporaryDirectory(prefix="crossgo-bench-bazel-") as tmp:
        bazel = _setup(Path(tmp), env, flags)
        try:
            rows = [measure(bazel, t, args.runs, Path(tmp)) for t in args.targets.split(",")]
        finally:
            bazel.run("shutdown")
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "bazel": _bazel_release(),
        "bazel_flags": args.bazel_flag,
        "limit": LIMIT,
        "results": rows,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for row in rows:
        print(
            f"{row['target']:14} crossgo build after an edit {row['crossgo_edit_build_s']:.2f}s "
            f"(no edit {row['crossgo_warm_build_s']:.2f}s), bazel rebuild after the same edit "
            f"{row['bazel_edit_rebuild_s']:.2f}s: ratio {row['ratio_bazel_over_crossgo_edit']}"
            f" (limit {LIMIT}); no-change rebuild {row['bazel_noop_s']:.2f}s, "
            f"{row['bazel_noop_actions']} actions"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
