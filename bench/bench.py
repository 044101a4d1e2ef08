"""Benchmark: crossgo build (cold, warm) beside a raw `go build` with the same environment,
and the time of `crossgo env`. Writes JSON; prints a short table.

    python bench/bench.py --output bench/results.json [--targets linux-64,win-64] [--runs 5]

"cold" is a build with an empty crossgo cache: Go's build and module caches, the wrappers and,
unless ZIG_GLOBAL_CACHE_DIR is set, zig's libc builds (minutes for Windows' mingw CRT).
"warm" rebuilds the unchanged package. "raw" runs `go build` directly with the environment
`crossgo env` prints, so the difference is crossgo's own overhead (process start, checks).
`doctor_second_run_s` is `crossgo doctor` for the four main targets once its compiler probes
are cached (the first run links one probe per toolchain; the median of later runs counts).
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
EXAMPLE = REPO / "examples" / "gohash" / "go"
TARGETS = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")


def bench_target(target: str, runs: int, env: dict[str, str], work: Path) -> dict[str, object]:
    out = work / target
    cold_env = {**env, "CROSSGO_CACHE_DIR": str(work / f"cold-cache-{target}")}
    build = ("build", "--target", target, "-o", str(out), str(EXAMPLE))
    cold = timed(lambda: crossgo(*build, env=cold_env))
    warm = [timed(lambda: crossgo(*build, env=cold_env)) for _ in range(runs)]
    document = json.loads(
        crossgo(
            "env",
            "--target",
            target,
            "--format",
            "json",
            "-o",
            str(out),
            str(EXAMPLE),
            env=cold_env,
        ).stdout
    )
    raw_env = {k: v for k, v in cold_env.items() if k not in document["unset"]}
    raw_env.update(document["variables"])
    raw_argv = [document["go"]["go"], *document["go_args"], "-o", str(work / "raw" / target), "."]
    raw = [
        timed(
            lambda: subprocess.run(
                raw_argv, cwd=EXAMPLE, env=raw_env, check=True, capture_output=True
            )
        )
        for _ in range(runs)
    ]
    env_times = [
        timed(lambda: crossgo("env", "--target", target, str(EXAMPLE), env=cold_env))
        for _ in range(runs)
    ]
    warm_median, raw_median = statistics.median(warm), statistics.median(raw)
    return {
        "target": target,
        "toolchain": document["toolchain"]["kind"],
        "cold_build_s": round(cold, 3),
        "warm_build_s": round(warm_median, 3),
        "raw_go_build_s": round(raw_median, 3),
        "warm_over_raw": round(warm_median / raw_median, 3),
        "warm_minus_raw_s": round(warm_median - raw_median, 3),
        "env_ms": round(statistics.median(env_times) * 1000, 1),
        "runs": runs,
    }


def bench_doctor(runs: int, env: dict[str, str], work: Path) -> dict[str, object]:
    doctor_env = {**env, "CROSSGO_CACHE_DIR": str(work / "doctor-cache")}

    def doctor() -> None:
        # Exit 1 only means a check failed on this machine; the time still counts.
        argv = [sys.executable, "-m", "crossgo", "doctor", "--json", "--package", str(EXAMPLE)]
        subprocess.run(argv, env=doctor_env, capture_output=True, check=False)

    first = timed(doctor)
    later = [timed(doctor) for _ in range(runs)]
    return {
        "doctor_first_run_s": round(first, 3),
        "doctor_second_run_s": round(statistics.median(later), 3),
        "doctor_targets": list(TARGETS),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSGO_")}
    with tempfile.TemporaryDirectory(prefix="crossgo-bench-") as tmp:
        rows = [bench_target(t, args.runs, env, Path(tmp)) for t in args.targets.split(",")]
        doctor = bench_doctor(args.runs, env, Path(tmp))
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": rows,
        **doctor,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for row in rows:
        print(
            f"{row['target']:14} cold {row['cold_build_s']:7.2f}s  warm {row['warm_build_s']:5.2f}s"
            f"  raw {row['raw_go_build_s']:5.2f}s  ratio {row['warm_over_raw']:.3f}"
            f"  env {row['env_ms']:5.0f} ms"
        )
    print(
        f"doctor (4 targets): first run {doctor['doctor_first_run_s']:.2f}s, "
        f"second run {doctor['doctor_second_run_s']:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
