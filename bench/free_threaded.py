"""Measure generated bindings from 1 and 8 Python threads, with and without the GIL.

    python bench/free_threaded.py [--gil-python PYTHON] [--repeats 3] [--output FILE]

gohash's library and generated bindings are built for this machine (`crossgo build
--bindings`, `crossgo bindings`), then each CPython runs the same calls from 1 thread and
from 8, each thread making the same number of calls:

- `fib`: Fib(10,000,000), a CPU-bound Go loop of about 4 ms;
- `add`: Add(1, 2), nearly nothing in Go, so the Python side of a call is what is timed;
- `untyped`: Fib(1) through plain ctypes with no argtypes or restype (a C int in and out),
  so no argtypes converter runs in a call, for comparison with `add`;
- `sha256`: Sha256Hex of one 4 KiB bytearray every thread shares (the buffer pinning).

The CPythons are the free-threaded 3.13t of the test cache (tests/support/free_threaded.py),
the same binary with PYTHON_GIL=1, and a GIL build (`--gil-python`, default this one), where
ctypes releases the GIL around each call into the library. The speedup of a workload is
(calls per second from 8 threads) / (calls per second from 1): it cannot exceed the number
of CPUs. What the machine gives to 8 workers that share nothing is measured too: `fib` in 8
processes of one thread each. The cases run interleaved, `--repeats` times, and the medians
count. Each case also reports `cpus_busy`, CPU seconds over wall seconds: how many CPUs its
workers kept busy at once, which other work on the machine disturbs less. The figures go to
FILE (default bench/free_threaded.json) and docs/bindings.md.
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
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from timing import crossgo  # noqa: E402

from tests.support.emulation import default_cache_dir  # noqa: E402
from tests.support.free_threaded import free_threaded_python  # noqa: E402

PACKAGE = REPO / "examples" / "gohash" / "go"
WORKERS = (1, 8)
#: calls per worker: each workload's 1-thread run takes roughly a second here.
CALLS = {"fib": 250, "add": 400_000, "untyped": 400_000, "sha256": 50_000}
RUN = """
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
import ctypes, _gohash
untyped = ctypes.CDLL(str(_gohash._PATH)).Fib  # no argtypes, no restype: ctypes converts nothing
workload, threads, calls, at = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
shared = bytearray(4096)
call = {
    "fib": lambda: _gohash.fib(10_000_000),
    "add": lambda: _gohash.add(1, 2),
    "untyped": lambda: untyped(1),
    "sha256": lambda: _gohash.sha256_hex(shared),
}[workload]
for _ in range(min(calls, 50)):
    call()
barrier = threading.Barrier(threads + 1)
def work():
    barrier.wait()
    for _ in range(calls):
        call()
pool = [threading.Thread(target=work) for _ in range(threads)]
for thread in pool: thread.start()
time.sleep(max(0.0, at - time.time()))  # processes started together begin together
barrier.wait()
start, cpu = time.time(), time.process_time()
for thread in pool: thread.join()
cpu = time.process_time() - cpu  # every thread of this process
gil = getattr(sys, "_is_gil_enabled", lambda: True)()  # before 3.13, always
print(json.dumps({"start": start, "end": time.time(), "cpu": cpu, "gil": gil}))
"""  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One measurement: `workers` threads in one process, or one thread in each of
    `workers` processes (what the machine gives to work that shares nothing)."""

    python: str
    workload: str
    workers: int
    processes: bool = False


def _build(out: Path) -> Path:
    env = dict(os.environ)
    crossgo("build", "--bindings", "-o", str(out), str(PACKAGE), env=env)
    header = out / "libgohash.h"
    module = out / "_gohash.py"
    crossgo("bindings", "--header", str(header), "-o", str(module), str(PACKAGE), env=env)
    return out


def _once(
    case: Case, python: list[str], env: dict[str, str], site: Path
) -> tuple[float, float, bool]:
    """(seconds from the first call to the last, CPU seconds, whether the GIL was on)."""
    children, threads = (case.workers, 1) if case.processes else (1, case.workers)
    at = time.time() + 1.0 + 0.2 * children  # after every child has imported and warmed up
    argv = [*python, "-c", RUN, str(site), case.workload, str(threads), str(CALLS[case.workload])]
    procs = [
        subprocess.Popen([*argv, str(at)], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(children)
    ]
    runs = [json.loads(proc.communicate()[0]) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), argv
    wall = max(r["end"] for r in runs) - min(r["start"] for r in runs)
    return wall, sum(r["cpu"] for r in runs), runs[0]["gil"]


def _cases(labels: list[str]) -> list[Case]:
    cases = [Case(python=p, workload=w, workers=n) for p in labels for w in CALLS for n in WORKERS]
    return [*cases, Case(python=labels[-1], workload="fib", workers=8, processes=True)]


def _interpreters(gil_python: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    free = str(free_threaded_python(default_cache_dir()))
    base = {k: v for k, v in os.environ.items() if k not in {"PYTHON_GIL", "PYTHONPATH"}}
    return {
        "3.13t": ([free], base),
        "3.13t PYTHON_GIL=1": ([free], {**base, "PYTHON_GIL": "1"}),
        "GIL build": ([gil_python], base),
    }


def _version(python: list[str], env: dict[str, str]) -> str:
    code = "import sys; print(sys.version.split()[0] + sys.abiflags)"
    argv = [*python, "-c", code]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _row(case: Case, runs: list[tuple[float, float]], gil: bool) -> dict[str, Any]:
    calls = case.workers * CALLS[case.workload]
    return {
        **{k: getattr(case, k) for k in ("python", "workload", "workers", "processes")},
        "calls": calls,
        "seconds": [round(wall, 3) for wall, _ in runs],
        "calls_per_s": round(calls / statistics.median(wall for wall, _ in runs), 1),
        # CPU seconds over wall seconds: how many CPUs the workers kept busy at once
        "cpus_busy": round(statistics.median(cpu / wall for wall, cpu in runs), 2),
        "gil_enabled": gil,
    }


def _speedups(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    rate = {
        (r["python"], r["workload"], r["workers"], r["processes"]): r["calls_per_s"] for r in rows
    }
    speedup: dict[str, dict[str, float]] = {}
    for (python, workload, workers, processes), value in rate.items():
        if workers == 8:
            label = "8 processes (the machine)" if processes else python
            speedup.setdefault(label, {})[workload] = round(
                value / rate[python, workload, 1, False], 2
            )
    return speedup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gil-python", default=sys.executable)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path(__file__).with_suffix(".json"))
    args = parser.parse_args()
    start_load = os.getloadavg()
    interpreters = _interpreters(args.gil_python)
    cases = _cases(list(interpreters))
    runs: dict[Case, list[tuple[float, float]]] = {case: [] for case in cases}
    gil: dict[Case, bool] = {}
    with tempfile.TemporaryDirectory() as work:
        site = _build(Path(work))
        for _ in range(args.repeats):  # interleaved, so a busy minute hits every case alike
            for case in cases:
                python, env = interpreters[case.python]
                wall, cpu, gil[case] = _once(case, python, env, site)
                runs[case].append((wall, cpu))
    rows = [_row(case, runs[case], gil[case]) for case in cases]
    result = {
        "what": "gohash's generated bindings called from 1 and 8 threads; speedup = calls "
        "per second from 8 workers / calls per second from 1 thread (median of the repeats)",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "cpus": os.cpu_count(),
        "load_average": {"start": start_load, "end": os.getloadavg()},  # other users of the CPUs
        "machine": platform.machine(),
        "pythons": {label: _version(*interpreters[label]) for label in interpreters},
        "calls_per_worker": CALLS,
        "repeats": args.repeats,
        "results": rows,
        "speedup": _speedups(rows),
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["speedup"], indent=2))


if __name__ == "__main__":
    main()
