"""Generated bindings without the GIL: a free-threaded CPython 3.13.5 (built from Debian's
source, tests/support/free_threaded.py) installs the py3-none wheels of alltypes and gohash
into a venv and calls Go from 8 threads at once. Results, the GIL, the C heap, the shared
buffers' export counts, the fork guard and the one-runtime registry are checked.
3.14t is not proven here: Debian's mirror does not serve its sources.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crossgo.wheel import WheelResult, build_wheels, load_project
from tests.conftest import PACKAGES, REPO
from tests.support.commands import run_or_fail

pytestmark = pytest.mark.slow

#: A leak of Upper's result (about 200 bytes, 80,000 calls a batch) grows RSS by about 14 MiB.
RSS_BOUND_KIB = 4096
STRESS = """
import array, json, sys, threading
import alltypes
from alltypes import _alltypes as bindings
THREADS, CALLS = 8, 10_000
shared = bytearray(range(256)) * 4  # every thread reads it at once
want_sum = alltypes.checksum(bytes(shared))
floats = array.array("d", [0.5] * 64)  # a []float64 every thread reads
def rss_kib():  # VmRSS is in kB whatever the page size
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
def worker(index, errors):
    text = f"thread {index} héllo " * 10
    mine = bytearray(b"abcdef" * 10)  # this thread's own, written by Go
    try:
        for i in range(CALLS):
            if not (
                alltypes.upper(text) == text.upper() and alltypes.checksum(shared) == want_sum
                and alltypes.rune_count(text) == len(text) and alltypes.sum_(floats) == 32.0
            ):
                errors.append(i)
            alltypes.reverse(mine)
        if mine != bytearray(b"abcdef" * 10):  # reversed an even number of times
            errors.append(f"thread {index}: {mine!r}")
    except BaseException as error:
        errors.append(repr(error))
def burst(index, errors):  # the one shared bytearray, as fast as the threads can
    for _ in range(CALLS):
        alltypes.checksum(shared)
def batch(target=worker):
    errors = []
    threads = [threading.Thread(target=target, args=(i, errors)) for i in range(THREADS)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    return errors
if sys.argv[1:] == ["leak"]:  # the control: the bindings forget to free what Go returns
    bindings._free = lambda pointer: None
def resize():  # refused while the bytearray counts an export it no longer has
    shared.append(0)
    shared.pop()
errors = batch(burst)
resize()
errors += batch()
after_first = rss_kib()
errors += batch()
after_second = rss_kib()
resize()
print(json.dumps({"errors": errors[:10], "gil": sys._is_gil_enabled(),
                  "rss": [after_first, after_second]}))
"""  # fmt: skip
FORK = """
import json, os, sys, threading, time
import alltypes
shared, stop = bytearray(b"abc" * 100), threading.Event()
def busy():
    while not stop.is_set():
        alltypes.checksum(shared), alltypes.upper("busy")
threads = [threading.Thread(target=busy) for _ in range(8)]
for thread in threads: thread.start()
time.sleep(0.5)
read, write = os.pipe()
pid = os.fork()  # while 8 threads call Go (and may hold the bindings' lock)
if pid == 0:
    outcomes, start = [], time.monotonic()
    for call in (lambda: alltypes.upper("child"), lambda: alltypes.checksum(shared)):
        try:
            call()
            outcomes.append("returned")
        except RuntimeError as error:
            outcomes.append(str(error))
    os.write(write, json.dumps([outcomes, time.monotonic() - start]).encode())
    os._exit(0)
os.close(write)
child = json.loads(os.read(read, 65536))
os.waitpid(pid, 0)
stop.set()
for thread in threads: thread.join()
print(json.dumps({"child": child, "parent": alltypes.upper("parent"),
                  "gil": sys._is_gil_enabled()}))
"""  # fmt: skip
TWO_AT_ONCE = """
import json, sys, threading
barrier = threading.Barrier(2)
def load(name):
    barrier.wait()
    __import__(name)
threads = [threading.Thread(target=load, args=(n,)) for n in ("gohash", "alltypes")]
for thread in threads: thread.start()
for thread in threads: thread.join()
import alltypes, gohash
print(json.dumps({"runtimes": sorted(sys.modules["_crossgo_go_runtimes"].runtimes.values()),
                  "add": gohash.add(40, 2), "upper": alltypes.upper("ok"),
                  "gil": sys._is_gil_enabled()}))
"""  # fmt: skip

REFUSED = """
import array, json, sys
import alltypes
data, errors = bytearray(b"xabcx"), []
for call in (lambda: alltypes.checksum(memoryview(data)[::2]), lambda: alltypes.sum_(data)):
    try:
        call()
    except (TypeError, ValueError) as error:
        errors.append(str(error))
data.append(0)  # both refusals gave their export back
empty = bytearray()
alltypes.reverse(empty)
print(json.dumps({"errors": errors, "view": alltypes.checksum(memoryview(data)[1:4]),
                  "empty": [len(empty), alltypes.sum_(array.array("d"))],
                  "copied": alltypes.checksum(memoryview(b"xabcx")[::2])}))
"""  # fmt: skip


@pytest.fixture(scope="module")
def wheels(
    tmp_path_factory: pytest.TempPathFactory, crossgo_cache: Path, base_env: dict[str, str]
) -> list[WheelResult]:
    """The linux-64 wheels of alltypes and gohash, with generated bindings."""
    dist = tmp_path_factory.mktemp("dist")
    results: list[WheelResult] = []
    for source in (PACKAGES / "alltypes", REPO / "examples" / "gohash"):
        project = load_project(source, environ={})
        batch = build_wheels(project, ["linux-64"], dist, env=base_env, cache_dir=crossgo_cache)
        assert batch.ok, [failure.message for failure in batch.failures]
        results += batch.results
    return results


@pytest.fixture(scope="module")
def venv(
    wheels: list[WheelResult], free_threaded: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A venv of the free-threaded CPython with both wheels installed by its pip, offline."""
    root = tmp_path_factory.mktemp("ftvenv") / "venv"
    run_or_fail([str(free_threaded), "-m", "venv", str(root)], root.parent)
    paths = [str(result.path) for result in wheels]
    pip = [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "--no-deps"]
    run_or_fail([*pip, *paths], root)
    return root


def _run(venv: Path, code: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHON_GIL", "PYTHONPATH", "CROSSGO_GO_RUNTIMES"}
    }
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code, *args],
        env=env, capture_output=True, text=True, check=False, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "exported buffers" not in done.stderr, done.stderr
    return {**json.loads(done.stdout), "stderr": done.stderr}


def test_py3_none_wheels_install_into_a_free_threaded_venv(
    wheels: list[WheelResult], venv: Path
) -> None:
    assert all(result.path.name.split("-")[2:4] == ["py3", "none"] for result in wheels)
    site = venv / "lib" / "python3.13t" / "site-packages"
    assert (site / "alltypes" / "_alltypes.py").is_file()
    assert (site / "gohash" / "libgohash.so").is_file()
    code = "import json, sys, alltypes\n"
    code += 'print(json.dumps({"gil": sys._is_gil_enabled(), "upper": alltypes.upper("ok"),'
    code += ' "abi": sys.abiflags}))'
    used = _run(venv, code)
    assert (used["gil"], used["upper"], used["abi"]) == (False, "OK", "t")


def test_eight_threads_without_the_gil_get_right_results_on_a_flat_heap(venv: Path) -> None:
    """8 threads x 10,000 rounds of five calls (C strings, GoStrings, a shared bytearray, a
    []float64, a bytearray Go writes), twice: RSS is sampled after each batch."""
    used = _run(venv, STRESS)
    assert used["errors"] == []
    assert used["gil"] is False
    before, after = used["rss"]
    print(f"RSS after batch 1 {before} KiB, after batch 2 {after} KiB")
    assert after - before < RSS_BOUND_KIB, (before, after)
    # The control: the same run with the free left out leaks Go's C strings, and the bound
    # catches it, so the bound can fail.
    leaked = _run(venv, STRESS, "leak")
    before, after = leaked["rss"]
    print(f"without the free: RSS after batch 1 {before} KiB, after batch 2 {after} KiB")
    assert after - before > RSS_BOUND_KIB, (before, after)


def test_the_fork_guard_fires_while_threads_call_go(venv: Path) -> None:
    used = _run(venv, FORK, timeout=60)  # a hang would be a timeout, not a pass
    outcomes, seconds = used["child"]
    assert len(outcomes) == 2
    assert all("forked after liballtypes started its Go runtime" in o for o in outcomes)
    assert seconds < 1.0
    assert (used["parent"], used["gil"]) == ("PARENT", False)


def test_two_loaders_importing_at_once_share_one_registry(venv: Path) -> None:
    for _ in range(5):
        used = _run(venv, TWO_AT_ONCE, timeout=60)
        assert used["runtimes"] == ["alltypes", "gohash"]
        assert (used["add"], used["upper"], used["gil"]) == (42, "OK", False)
        assert str(used["stderr"]).count("would start a second Go runtime") == 1


def test_a_refused_buffer_gives_its_export_back(venv: Path) -> None:
    used = _run(venv, REFUSED)
    assert used["errors"] == [
        "underlying buffer is not C contiguous",
        "a buffer of 5 bytes does not hold whole 8-byte items",
    ]
    assert (used["view"], used["empty"]) == (96354, [0, 0.0])
    assert used["copied"] == 118478  # a read-only strided view is copied: b"xbx"
