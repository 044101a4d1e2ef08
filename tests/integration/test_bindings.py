"""Generated bindings, proven where they run: CPython on linux-64, an emulated aarch64
CPython, and the win-64 DLL's build-provided helpers under wine; one Go runtime per process,
fork safety and Ctrl-C in real subprocesses, and the refusal of a library whose export set
changed. tests/packages/alltypes exports one function per mapped type.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from crossgo.wheel import WheelResult, build_wheels, load_project
from tests.conftest import PACKAGES, REPO, run_crossgo
from tests.support.commands import run_or_fail
from tests.support.emulation import AArch64Python, WindowsRunner, windows_path
from tests.support.processes import wait_until_blocked

pytestmark = pytest.mark.slow

ALLTYPES = PACKAGES / "alltypes"
GOHASH = REPO / "examples" / "gohash"
GOLOAD = REPO / "tests" / "support" / "windows" / "goload.c"
ROUND_TRIP = """
import array, json, sys
import alltypes as m
buffer = bytearray(b"abc")
m.reverse(buffer)
address = m.alloc(16)
m.release(address)
print(json.dumps({
    "i8": m.i8(5), "u16": m.u16(65535), "not": m.not_(True), "cnot": m.c_not(False),
    "ints": m.ints(1, 2, 3, -4, 5, -6, 7), "floats": m.floats(1.5, 2.0),
    "upper": m.upper("héllo wörld"), "upper_bytes": m.upper(b"abc"), "nothing": m.nothing(),
    "runes": m.rune_count("héllo"), "greeting": m.greeting(),
    "sum": m.sum_(array.array("d", [1.0, 2.0, 3.5])), "sum_empty": m.sum_(b""),
    "reversed": buffer.decode(), "checksum": m.checksum(b"abc"),
    "checksum_view": m.checksum(memoryview(b"xabcx")[1:4]),
    "divmod": m.div_mod(7, 2), "divzero": m.div_mod(1, 0), "address": address is not None,
    "churn": m.churn(8), "machine": __import__("platform").machine(),
    "runtimes": list(sys.modules["_crossgo_go_runtimes"].runtimes.values()),
}))
"""
EXPECTED = {
    "i8": -5, "u16": 0, "not": False, "cnot": True, "ints": 8, "floats": 3.0,
    "upper": "HÉLLO WÖRLD", "upper_bytes": "ABC", "nothing": None, "runes": 5,
    "greeting": "héllo from Go", "sum": 6.5, "sum_empty": 0.0, "reversed": "cba",
    "checksum": 96354, "checksum_view": 96354, "divmod": [3, 1, None],
    "divzero": [0, 0, "division by zero"], "address": True,
    "churn": sum(64 * 1024 + i for i in range(8)), "runtimes": ["alltypes"],
}  # fmt: skip


@pytest.fixture(scope="module")
def wheels(
    tmp_path_factory: pytest.TempPathFactory, crossgo_cache: Path, base_env: dict[str, str]
) -> dict[str, WheelResult]:
    """alltypes for linux-64, linux-aarch64 and win-64, and gohash for linux-64."""
    dist = tmp_path_factory.mktemp("dist")
    results: dict[str, WheelResult] = {}
    for source, targets in (
        (ALLTYPES, ["linux-64", "linux-aarch64", "win-64"]),
        (GOHASH, ["linux-64"]),
    ):
        project = load_project(source, environ={})
        batch = build_wheels(project, targets, dist, jobs=2, env=base_env, cache_dir=crossgo_cache)
        assert batch.ok, [failure.message for failure in batch.failures]
        for result in batch.results:
            results[f"{project.distribution}:{result.target.name}"] = result
    return results


def _unpack(wheel: Path, destination: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination)
    return destination


def _python(
    code: str, site: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"],
        env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False,
        timeout=timeout,
    )  # fmt: skip


def test_every_type_round_trips_on_linux_64(wheels: dict[str, WheelResult], tmp_path: Path) -> None:
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    assert {p.name for p in (site / "alltypes").iterdir()} >= {
        "_alltypes.py", "_alltypes.pyi", "liballtypes.so", "__init__.py",
    }  # fmt: skip
    done = _python(ROUND_TRIP, site)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {**EXPECTED, "machine": "x86_64"}
    assert "skipped Conjugate" in " ".join(wheels["alltypes:linux-64"].notes)


def test_the_same_module_runs_in_an_emulated_aarch64_python(
    wheels: dict[str, WheelResult], tmp_path: Path, aarch64_python: AArch64Python
) -> None:
    site = _unpack(wheels["alltypes:linux-aarch64"].path, tmp_path / "site")
    linux = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "x86")
    generated = (site / "alltypes" / "_alltypes.py").read_bytes()
    assert generated == (linux / "alltypes" / "_alltypes.py").read_bytes()
    done = aarch64_python.run(f"import sys; sys.path.insert(0, {str(site)!r})\n{ROUND_TRIP}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {**EXPECTED, "machine": "aarch64"}


def test_win_64_loader_logic_and_the_dlls_helpers_under_wine(
    wheels: dict[str, WheelResult], tmp_path: Path, windows_runner: WindowsRunner
) -> None:
    # The loader as it runs on Windows: sys.platform picks liballtypes.dll next to it.
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    (site / "alltypes" / "liballtypes.so").rename(site / "alltypes" / "liballtypes.dll")
    code = "import sys; sys.platform = 'win32'\n" + ROUND_TRIP
    done = _python(code, site)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["upper"] == "HÉLLO WÖRLD"
    # The win-64 DLL's crossgo_exports and crossgo_free, called by a Windows program.
    windows = _unpack(wheels["alltypes:win-64"].path, tmp_path / "win")
    assert (windows / "alltypes" / "_alltypes.py").read_bytes() == (
        site / "alltypes" / "_alltypes.py"
    ).read_bytes()
    goload = _goload(tmp_path)
    ran = windows_runner.run(
        goload, "exports", windows_path(windows / "alltypes" / "liballtypes.dll")
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.splitlines()[0] == "crossgo-exports 1"
    assert "Upper(*C.char)*C.char" in ran.stdout.splitlines()
    assert ran.stdout.splitlines()[-1] == "freed"


def _goload(directory: Path) -> Path:
    exe = directory / "goload.exe"
    run_or_fail(
        ["x86_64-w64-mingw32-gcc", "-municode", "-O2", "-o", str(exe), str(GOLOAD)], directory
    )
    return exe


# --- one Go runtime per process ----------------------------------------------------------

TWO = """
import json, sys, warnings
{before}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import gohash
    try:
        import alltypes
    except ImportError as error:
        print(json.dumps({{"error": str(error)}}))
        raise SystemExit(0)
    import alltypes._alltypes
print(json.dumps({{
    "warnings": [str(w.message) for w in caught], "add": gohash.add(40, 2),
    "upper": alltypes.upper("ok"), "churn": alltypes.churn(4) > 0,
    "runtimes": sorted(sys.modules["_crossgo_go_runtimes"].runtimes.values()),
}}))
"""


@pytest.fixture(scope="module")
def venv(wheels: dict[str, WheelResult], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One venv with two different crossgo wheels installed: gohash and alltypes."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(root)], root.parent)
    paths = [str(wheels[key].path) for key in ("gohash:linux-64", "alltypes:linux-64")]
    run_or_fail(
        [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", *paths], root
    )
    return root


def _in_venv(venv: Path, code: str, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k != "CROSSGO_GO_RUNTIMES"}
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], env={**clean, **env},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_two_go_runtimes_on_linux_warn_once(venv: Path) -> None:
    used = _in_venv(venv, TWO.format(before=""))
    assert len(used["warnings"]) == 1  # type: ignore[arg-type]
    warning = str(used["warnings"][0])  # type: ignore[index]
    assert "alltypes would start a second Go runtime" in warning
    assert "gohash (libgohash.so)" in warning and "CROSSGO_GO_RUNTIMES=allow" in warning
    assert (used["add"], used["upper"], used["churn"]) == (42, "OK", True)
    assert used["runtimes"] == ["alltypes", "gohash"]
    assert _in_venv(venv, TWO.format(before=""), CROSSGO_GO_RUNTIMES="allow")["warnings"] == []


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_two_go_runtimes_on_macos_and_windows_are_an_import_error(
    venv: Path, platform: str
) -> None:
    site = next((venv / "lib").glob("python3*/site-packages"))
    suffix = ".dylib" if platform == "darwin" else ".dll"
    for name in ("gohash", "alltypes"):
        link = site / name / f"lib{name}{suffix}"
        if not link.exists():
            link.symlink_to(site / name / f"lib{name}.so")
    before = f"sys.platform = {platform!r}"
    error = str(_in_venv(venv, TWO.format(before=before))["error"])
    assert "alltypes would start a second Go runtime" in error
    assert f"gohash (libgohash{suffix}) already has one" in error
    assert "into one library" in error and "CROSSGO_GO_RUNTIMES=warn" in error
    allowed = _in_venv(venv, TWO.format(before=before), CROSSGO_GO_RUNTIMES="warn")
    assert len(allowed["warnings"]) == 1  # type: ignore[arg-type]
    assert allowed["add"] == 42


def test_a_bad_policy_value_names_the_accepted_ones(venv: Path) -> None:
    code = "import json\ntry:\n    import gohash\nexcept ImportError as e:\n"
    code += "    print(json.dumps(str(e)))"
    error = _in_venv(venv, code, CROSSGO_GO_RUNTIMES="sometimes")
    assert "CROSSGO_GO_RUNTIMES='sometimes' is not valid: use one of error, warn, allow" in str(
        error
    )


# --- fork and Ctrl-C -----------------------------------------------------------------------

FORK = """
import json, os, sys, time
import alltypes
alltypes.churn(4)
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    start = time.monotonic()
    try:
        alltypes.upper("child")
        outcome = "returned"
    except RuntimeError as error:
        outcome = str(error)
    os.write(write, json.dumps([outcome, time.monotonic() - start]).encode())
    os._exit(0)
os.close(write)
child = json.loads(os.read(read, 65536))
os.waitpid(pid, 0)
parent = alltypes.upper("parent")
print(json.dumps({"child": child, "parent": parent, "churn": alltypes.churn(4) > 0}))
"""


def test_a_forked_child_gets_an_error_at_once_and_the_parent_goes_on(
    wheels: dict[str, WheelResult], tmp_path: Path
) -> None:
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    done = _python(FORK, site, timeout=30)  # a hang would be a timeout, not a pass
    assert done.returncode == 0, done.stderr
    used = json.loads(done.stdout)
    message, seconds = used["child"]
    assert "forked after liballtypes started its Go runtime" in message
    assert "'spawn' or 'forkserver'" in message
    assert seconds < 1.0
    assert (used["parent"], used["churn"]) == ("PARENT", True)


POOL = """
import multiprocessing, alltypes
alltypes.churn(2)
with multiprocessing.get_context("fork").Pool(1) as pool:
    try:
        pool.apply(alltypes.upper, ("x",))
    except RuntimeError as error:
        print("refused:", error)
with multiprocessing.get_context("spawn").Pool(1) as pool:
    print("spawn:", pool.apply(alltypes.upper, ("x",)))
"""


def test_multiprocessing_fork_is_refused_and_spawn_works(
    wheels: dict[str, WheelResult], tmp_path: Path
) -> None:
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    done = _python(POOL, site, env={"PYTHONPATH": str(site)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "refused: alltypes: this process was forked" in done.stdout
    assert "spawn: X" in done.stdout


CTRL_C = """
import sys, time, alltypes
alltypes.churn(8)
print("ready", flush=True)
alltypes.nap({nap})
time.sleep(30)
"""


@pytest.mark.parametrize("nap", [0, 1000], ids=["in-python", "during-a-go-call"])
def test_ctrl_c_still_raises_keyboard_interrupt(
    wheels: dict[str, WheelResult], tmp_path: Path, nap: int
) -> None:
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    code = f"import sys; sys.path.insert(0, {str(site)!r})\n" + CTRL_C.format(nap=nap)
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    # Next it blocks: in Go's sleep (a Go call), or in Python's. Signal it only then.
    wait_until_blocked(process.pid, timeout=30)
    start = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert "KeyboardInterrupt" in stderr, stderr
    assert process.returncode == -signal.SIGINT  # Python exits by the signal after the traceback
    assert time.monotonic() - start < 5


# --- older bindings, newer library ----------------------------------------------------------


def test_bindings_refuse_a_library_with_another_export_set(
    wheels: dict[str, WheelResult], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    changed = tmp_path / "changed"
    shutil.copytree(ALLTYPES / "go", changed)
    main = changed / "main.go"
    text = main.read_text().replace("func Upper(s *C.char) *C.char", "func Upper(s string) *C.char")
    text = text.replace(
        "C.CString(strings.ToUpper(C.GoString(s)))", "C.CString(strings.ToUpper(s))"
    )
    main.write_text(text.replace("//export Nothing\n", ""))
    built = run_crossgo(
        "build", "--bindings", "-o", str(tmp_path / "lib"), str(changed), env=cli_env
    )
    assert built.returncode == 0, built.stderr
    shutil.copy(tmp_path / "lib" / "liballtypes.so", site / "alltypes" / "liballtypes.so")
    done = _python("import alltypes", site)
    assert done.returncode == 1
    assert "ImportError: alltypes's bindings do not match liballtypes.so" in done.stderr
    assert "Upper(*C.char)*C.char (library: Upper(string)*C.char)" in done.stderr
    assert "Nothing()*C.char (library: missing)" in done.stderr
    assert "regenerate the bindings" in done.stderr
    # A library built without bindings support, and one that reports a newer format.
    plain = run_crossgo("build", "-o", str(tmp_path / "plain"), str(ALLTYPES / "go"), env=cli_env)
    assert plain.returncode == 0, plain.stderr
    shutil.copy(tmp_path / "plain" / "liballtypes.so", site / "alltypes" / "liballtypes.so")
    done = _python("import alltypes", site)
    assert "was not built for generated bindings" in done.stderr
    generated = site / "alltypes" / "_alltypes.py"
    generated.write_text(
        generated.read_text().replace('"crossgo-exports 1"', '"crossgo-exports 0"')
    )
    with zipfile.ZipFile(wheels["alltypes:linux-64"].path) as archive:
        archive.extract("alltypes/liballtypes.so", site)
    done = _python("import alltypes", site)
    assert "a format these bindings ('crossgo-exports 0') do not read" in done.stderr


# --- the command -----------------------------------------------------------------------------


def test_crossgo_bindings_command(cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "pkg" / "_alltypes.py"
    done = run_crossgo("bindings", "-o", str(out), str(ALLTYPES / "go"), env=cli_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out), str(out.with_suffix(".pyi"))]
    for name in ("Conjugate", "Keys", "Describe", "Drain"):
        assert f"crossgo: warning: skipped {name}: " in done.stderr
    strict = run_crossgo("bindings", "--strict", "-o", str(out), str(ALLTYPES / "go"), env=cli_env)
    assert strict.returncode == 2
    assert "these exports have no Python mapping (--strict)" in strict.stderr
    assert "Conjugate: GoComplex128 is a complex number" in strict.stderr
    fake = tmp_path / "fake.h"
    fake.write_text("int Add(int a, int b);\n")
    bad = run_crossgo("bindings", "--header", str(fake), str(ALLTYPES / "go"), env=cli_env)
    assert bad.returncode == 2 and f"{fake} is not a header cgo made" in bad.stderr
    none = run_crossgo("bindings", str(PACKAGES / "noexport"), env=cli_env)
    assert none.returncode == 2 and "exports no functions" in none.stderr
    assert str(PACKAGES / "noexport") in none.stderr


RSS = """
import alltypes, sys
def rss_kib():  # VmRSS is in kB whatever the page size (statm counts pages)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
text = "x" * 200
for _ in range(10_000):  # warm up: allocator pools, Go's heap
    alltypes.upper(text)
before = rss_kib()
for _ in range(100_000):
    assert alltypes.upper(text) is not None
print(before, rss_kib())
"""


def test_string_round_trips_keep_rss_flat(wheels: dict[str, WheelResult], tmp_path: Path) -> None:
    """100,000 strings allocated by Go (C.CString, 201 bytes each) and freed by the bindings:
    a leak would grow RSS by about 20 MiB. The bound is 2 MiB."""
    site = _unpack(wheels["alltypes:linux-64"].path, tmp_path / "site")
    done = _python(RSS, site, timeout=300)
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    print(f"RSS before {before} KiB, after 100,000 round trips {after} KiB")
    assert after - before < 2048, (before, after)
