"""What the benchmark scripts share: a stopwatch, and crossgo run as users run it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def crossgo(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crossgo", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
