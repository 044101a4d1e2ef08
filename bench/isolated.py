"""Benchmark: the same project's wheel built twice by pip in build isolation, with zig.

    python bench/isolated.py --output bench/isolated.json [--targets win-64,linux-aarch64]

pip makes a new temporary environment for every build and installs ziglang into it, so zig
sits at a new path each time. zig keys the C runtimes it compiles (mingw's CRT for win-64,
about two minutes) by its own path, so crossgo runs the wheel's zig from a stable home in its
cache. "first" is a build with an empty crossgo cache (Go's and zig's caches in it); "second"
is another ``pip wheel`` of a copy of the project in another directory, in its own fresh
isolated environment, with the cache the first one left. Both are wall-clock seconds of the
whole ``pip wheel`` (environment, ziglang install, Go, zig, the wheel). "crossgo_warm" is a
warm ``crossgo wheel`` of the same target outside pip, the floor the second build can reach;
``second_over_warm`` is the price of pip's isolation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "gohash"
TARGETS = ("win-64", "linux-aarch64")


def run(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def copy_project(destination: Path) -> Path:
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("dist", "build"))
    return destination


def measure(root: Path, venv: Path, env: dict[str, str], target: str) -> dict[str, float]:
    python = str(venv / "bin" / "python")
    seconds = {}
    for attempt in ("first", "second"):
        project = copy_project(root / f"{target}-{attempt}" / "project")
        argv = [python, "-m", "pip", "wheel", "--no-deps", "-w", str(project / "dist"),
                "-C", f"target={target}", "-C", "toolchain=zig", "."]  # fmt: skip
        seconds[attempt] = run(argv, env, project)
    project = copy_project(root / f"{target}-warm" / "project")
    argv = [sys.executable, "-m", "crossgo", "wheel", "--target", target, "-C", "toolchain=zig",
            "-o", str(project / "dist"), "."]  # fmt: skip
    seconds["crossgo_warm"] = run(argv, env, project)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "isolated.json")
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    results: dict[str, object] = {"machine": platform.machine(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="crossgo-bench-isolated-") as scratch:
        root = Path(scratch)
        wheelhouse = root / "wheelhouse"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO),
                        "-w", str(wheelhouse)], check=True)  # fmt: skip
        venv = root / "user-venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CROSSGO_", "ZIG_"))},
            "PIP_FIND_LINKS": str(wheelhouse),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "CROSSGO_CACHE_DIR": str(root / "crossgo-cache"),  # empty: the first build is cold
        }
        targets: dict[str, object] = {}
        for target in args.targets.split(","):
            seconds = measure(root, venv, env, target)
            targets[target] = {
                **{f"{name}_s": round(value, 1) for name, value in seconds.items()},
                "second_over_first": round(seconds["second"] / seconds["first"], 3),
                "second_over_warm": round(seconds["second"] / seconds["crossgo_warm"], 2),
            }
            print(target, targets[target], flush=True)
        results["targets"] = targets
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
