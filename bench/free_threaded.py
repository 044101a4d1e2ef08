"""Measure generated bindings from 1 and 8 Python threads, with and without the GIL.

    python bench/free_threaded.py [--gil-python PYTHON] [--repeats 3] [--output FILE]

gohash's library and generated bindings are built for this machine (`crossgo build
--bindings`, `crossgo bindings`), then each CPython runs the same calls from 1 thread and
from 8, each thread making the same number of calls:

- `fib`: Fib(10,000,000), a CPU-bound Go loop of about 4 ms;
- `add`: Add(1, 2), nearly nothing in Go, so the Python side of a call is what is timed;
- `sha256`: Sha256Hex of one 4 KiB bytearray every thread shares (the buffer pinning).

The CPythons are the free-threaded 3.13t of the test cache (tests/support/free_threaded.py),
the same binary with PYTHON_GIL=1, and a GIL build (`--gil-python`, default this one), where
ctypes releases the GIL around each call into the library. The speedup of a workload is
(calls per second from 8 threads) / (calls per second from 1): it cannot exceed the number
of CPUs. The figures go to FILE (default bench/free_threaded.json) and docs/bindings.md.
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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from timing import crossgo  # noqa: E402

from tests.support.emulation import default_cache_dir  # noqa: E402
from tests.support.free_threaded import free_threaded_python  # noqa: E402

PACKAGE = REPO / "examples" / "gohash" / "go"
THREADS = (1, 8)
#: calls per thread: each workload's 1-thread run takes roughly a second here.
CALLS = {"fib": 250, "add": 400_000, "sha256": 50_000}
RUN = """
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
import _gohash
workload, threads, calls = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
shared = bytearray(4096)
call = {
    "fib": lambda: _gohash.fib(10_000_000),
    "add": lambda: _gohash.add(1, 2),
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
barrier.wait()
start = time.perf_counter()
for thread in pool: thread.join()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "gil": getattr(sys, "_is_gil_enabled", lambda: True)()}))
"""  # fmt: skip


def _build(out: Path) -> Path:
    env = dict(os.environ)
    crossgo("build", "--bindings", "-o", str(out), str(PACKAGE), env=env)
    header = out / "libgohash.h"
    module = out / "_gohash.py"
    crossgo("bindings", "--header", str(header), "-o", str(module), str(PACKAGE), env=env)
    return out


def _measure(
    python: list[str], env: dict[str, str], site: Path, *, workload: str, threads: int, repeats: int
) -> dict[str, object]:
    runs = []
    for _ in range(repeats):
        argv = [*python, "-c", RUN, str(site), workload, str(threads), str(CALLS[workload])]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    seconds = statistics.median(run["seconds"] for run in runs)
    calls = threads * CALLS[workload]
    return {
        "workload": workload,
        "threads": threads,
        "calls": calls,
        "median_s": round(seconds, 4),
        "calls_per_s": round(calls / seconds, 1),
        "gil_enabled": runs[0]["gil"],
    }


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gil-python", default=sys.executable)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path(__file__).with_suffix(".json"))
    args = parser.parse_args()
    start_load = os.getloadavg()
    rows: list[dict[str, Any]] = []
    versions: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as work:
        site = _build(Path(work))
        for label, (python, env) in _interpreters(args.gil_python).items():
            versions[label] = _version(python, env)
            for workload in CALLS:
                for threads in THREADS:
                    row = _measure(
                        python, env, site, workload=workload, threads=threads, repeats=args.repeats
                    )
                    rows.append({"python": label, **row})
                    print(json.dumps(rows[-1]), flush=True)
    rate = {(r["python"], r["workload"], r["threads"]): float(r["calls_per_s"]) for r in rows}
    speedup = {
        label: {w: round(rate[label, w, 8] / rate[label, w, 1], 2) for w in CALLS}
        for label in versions
    }
    result = {
        "what": "gohash's generated bindings called from 1 and 8 threads; speedup = 8-thread "
        "calls per second / 1-thread calls per second",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "cpus": os.cpu_count(),
        "load_average": {"start": start_load, "end": os.getloadavg()},  # other users of the CPUs
        "machine": platform.machine(),
        "pythons": versions,
        "calls_per_thread": CALLS,
        "repeats": args.repeats,
        "results": rows,
        "speedup": speedup,
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(speedup, indent=2))


if __name__ == "__main__":
    main()
