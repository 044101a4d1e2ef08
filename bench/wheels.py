"""Benchmark: `crossgo wheel --target all` (cold and warm, -j1 and -j2) beside the sum of raw
`go build` times for the same libraries. Writes JSON; prints a short table.

    python bench/wheels.py --output bench/wheels.json [--targets all] [--runs 3]

"cold" starts from an empty crossgo cache, as in bench.py: Go's build and module caches, the
wrappers and, unless ZIG_GLOBAL_CACHE_DIR is set, zig's libc builds. Each -j gets a cache of
its own. "warm" rebuilds the unchanged project (median of --runs). "raw" runs `go build`
for each target with the environment `crossgo env --strip` prints (wheels are stripped), one
target after another; "raw cold" gives those builds an empty GOCACHE and zig cache of their
own. The wheel's extra work over raw is crossgo's: process start, planning, the checks, the
tag, the zip.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import crossgo, timed

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "examples" / "gohash"
JOBS = (1, 2)


def target_names(targets: str, env: dict[str, str]) -> list[str]:
    if targets != "all":
        return targets.split(",")
    return [row["name"] for row in json.loads(crossgo("targets", "--json", env=env).stdout)]


def bench_wheels(
    jobs: int, targets: str, runs: int, env: dict[str, str], work: Path
) -> dict[str, float]:
    cache_env = {**env, "CROSSGO_CACHE_DIR": str(work / f"cache-j{jobs}")}
    argv = (
        "wheel",
        "--target",
        targets,
        "-j",
        str(jobs),
        "-o",
        str(work / f"dist-j{jobs}"),
        str(PROJECT),
    )
    cold = timed(lambda: crossgo(*argv, env=cache_env))
    warm = [timed(lambda: crossgo(*argv, env=cache_env)) for _ in range(runs)]
    return {"cold_s": round(cold, 3), "warm_s": round(statistics.median(warm), 3)}


def raw_build(target: str, env: dict[str, str], work: Path) -> tuple[list[str], dict[str, str]]:
    """The `go build` argv and environment `crossgo env` gives for the project's wheel build."""
    document = json.loads(
        crossgo(
            "env", "--target", target, "--format", "json", "--strip",
            "-o", str(work / "raw" / target), str(PROJECT / "go"), env=env,
        ).stdout
    )  # fmt: skip
    raw_env = {k: v for k, v in env.items() if k not in document["unset"]}
    raw_env.update(document["variables"])
    output = str(work / "raw" / target / "lib.out")
    return [document["go"]["go"], *document["go_args"], "-o", output, "."], raw_env


def bench_raw(
    names: list[str], runs: int, env: dict[str, str], work: Path
) -> dict[str, dict[str, float]]:
    warm_env = {**env, "CROSSGO_CACHE_DIR": str(work / "cache-j1")}  # warmed by the -j1 runs
    cold_caches = {
        "GOCACHE": str(work / "raw-cold-go"),
        "ZIG_GLOBAL_CACHE_DIR": str(work / "raw-cold-zig"),
    }
    cold_caches["ZIG_LOCAL_CACHE_DIR"] = cold_caches["ZIG_GLOBAL_CACHE_DIR"]
    rows = {}
    for target in names:
        argv, raw_env = raw_build(target, warm_env, work)

        def go(
            extra: dict[str, str], argv: list[str] = argv, raw_env: dict[str, str] = raw_env
        ) -> None:
            subprocess.run(
                argv, cwd=PROJECT / "go", env={**raw_env, **extra}, check=True, capture_output=True
            )

        cold = timed(lambda: go(cold_caches))
        warm = [timed(lambda: go({})) for _ in range(runs)]
        rows[target] = {"cold_s": round(cold, 3), "warm_s": round(statistics.median(warm), 3)}
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "wheels.json")
    parser.add_argument("--targets", default="all")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSGO_") and k != "CI"}
    with tempfile.TemporaryDirectory(prefix="crossgo-bench-wheels-") as tmp:
        work = Path(tmp)
        names = target_names(args.targets, env)
        wheels = {
            f"j{jobs}": bench_wheels(jobs, args.targets, args.runs, env, work) for jobs in JOBS
        }
        raw = bench_raw(names, args.runs, env, work)
    raw_cold = round(sum(row["cold_s"] for row in raw.values()), 3)
    raw_warm = round(sum(row["warm_s"] for row in raw.values()), 3)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": names,
        "runs": args.runs,
        "wheel": wheels,
        "raw": {"per_target": raw, "cold_sum_s": raw_cold, "warm_sum_s": raw_warm},
        "ratios": {
            "warm_j1_over_raw_warm_sum": round(wheels["j1"]["warm_s"] / raw_warm, 3),
            "warm_j2_over_raw_warm_sum": round(wheels["j2"]["warm_s"] / raw_warm, 3),
            "cold_j1_over_raw_cold_sum": round(wheels["j1"]["cold_s"] / raw_cold, 3),
            "cold_j2_over_raw_cold_sum": round(wheels["j2"]["cold_s"] / raw_cold, 3),
            "warm_j2_over_j1": round(wheels["j2"]["warm_s"] / wheels["j1"]["warm_s"], 3),
            "cold_j2_over_j1": round(wheels["j2"]["cold_s"] / wheels["j1"]["cold_s"], 3),
        },
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"crossgo wheel --target {args.targets} ({len(names)} targets, {os.cpu_count()} CPUs)")
    for jobs, row in wheels.items():
        print(f"  -{jobs}: cold {row['cold_s']:7.2f}s  warm {row['warm_s']:6.2f}s")
    print(f"  raw go build, summed: cold {raw_cold:7.2f}s  warm {raw_warm:6.2f}s")
    for name, value in report["ratios"].items():
        print(f"  {name:28} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
