"""Measure two Go runtimes in one process: two c-shared libraries, both busy at once.

    python bench/go_runtimes.py --output bench/go_runtimes.json [--trials 30] [--rounds 30]

Linux: a CPython loads liballtypes.so and liballtypes2.so (the same Go code built under two
names: two files, two Go runtimes) with plain ctypes, then calls Churn(64) (64 goroutines
that allocate 64 KiB each, then runtime.GC()) `rounds` times in each, from two threads at
once. Windows, under wine: goload.exe (tests/support/windows/goload.c) does the same with
the two win-64 DLLs. A trial passes when the process exits 0 within 120 s and reports the
expected totals; crashes and hangs are counted. docs/bindings.md reports the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from timing import crossgo  # noqa: E402

from tests.support.emulation import default_cache_dir, windows_path, windows_runner  # noqa: E402

PACKAGE = REPO / "tests" / "packages" / "alltypes" / "go"
LINUX = """
import ctypes, sys, threading
libraries = [ctypes.CDLL(path) for path in sys.argv[1:3]]
rounds = int(sys.argv[3])
totals = [0, 0]
def churn(i):
    f = libraries[i].Churn
    f.restype = ctypes.c_longlong
    for _ in range(rounds):
        totals[i] += f(64)
threads = [threading.Thread(target=churn, args=(i,)) for i in (0, 1)]
for t in threads: t.start()
for t in threads: t.join()
print(totals[0], totals[1])
"""


def _build(target: str, name: str, out: Path) -> Path:
    args = ("build", "--bindings", "-t", target, "--name", name, "-o", str(out), str(PACKAGE))
    crossgo(*args, env=dict(os.environ))
    suffix = ".dll" if target == "win-64" else ".so"
    return out / f"lib{name}{suffix}"


def _trial(argv: list[str], expected: str, env: dict[str, str] | None = None) -> tuple[str, float]:
    start = time.monotonic()
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=120, check=False, env=env
        )
    except subprocess.TimeoutExpired:
        return "hang", time.monotonic() - start
    ok = done.returncode == 0 and expected in done.stdout
    return ("ok" if ok else f"exit {done.returncode}"), time.monotonic() - start


def _summary(outcomes: list[tuple[str, float]]) -> dict[str, object]:
    counts: dict[str, int] = {}
    for outcome, _ in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    seconds = sorted(s for _, s in outcomes)
    return {"trials": len(outcomes), "outcomes": counts, "median_s": seconds[len(seconds) // 2]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    per_round = sum(64 * 1024 + i for i in range(64))
    expected = f"{per_round * args.rounds}"
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        linux = [_build("linux-64", name, work / "linux") for name in ("alltypes", "alltypes2")]
        code = [sys.executable, "-c", LINUX, *map(str, linux), str(args.rounds)]
        linux_runs = [_trial(code, f"{expected} {expected}") for _ in range(args.trials)]
        dlls = [_build("win-64", name, work / "win") for name in ("alltypes", "alltypes2")]
        runner = windows_runner(default_cache_dir())
        goload = work / "goload.exe"
        source = REPO / "tests" / "support" / "windows" / "goload.c"
        compile_ = ["x86_64-w64-mingw32-gcc", "-municode", "-O2", "-o", str(goload), str(source)]
        subprocess.run(compile_, check=True)
        wine = [str(runner.wine), str(goload), "stress", str(args.rounds), *map(windows_path, dlls)]
        wine_runs = [
            _trial(wine, f"churned {expected}", env=runner.env) for _ in range(args.trials)
        ]
    result = {
        "what": "two Go c-shared libraries in one process, Churn(64) from two threads at once",
        "rounds_per_library": args.rounds,
        "linux_64_cpython": _summary(linux_runs),
        "win_64_wine": _summary(wine_runs),
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
