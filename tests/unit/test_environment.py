"""The environment computation: pure, so tested with hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossgo.cache import CacheDir
from crossgo.environment import BuildSpec, compute, rpath_flags
from crossgo.golang import GoInstall, GoModule, GoPackage
from crossgo.targets import get_target
from crossgo.toolchain import Toolchain

GO = GoInstall(go=Path("/opt/go/bin/go"), goroot=Path("/opt/go"), version="1.26.8", source="PATH")
CACHE = CacheDir(Path("/cache/crossgo"))
ZIG = Toolchain(
    kind="zig",
    cc="/cache/crossgo/wrappers/x/cc",
    cxx="/cache/crossgo/wrappers/x/c++",
    origin="zig",
    env={"ZIG_GLOBAL_CACHE_DIR": "/cache/zig"},
)


def package(tmp: Path = Path("/src/pkg"), *, vendor: bool = False) -> GoPackage:
    module = GoModule(path=tmp / "go.mod", module="example.com/pkg", go="1.22", toolchain=None)
    return GoPackage(directory=tmp, name="main", exports=("Add",), module=module, has_vendor=vendor)


def spec(target: str, *, output: str = "/out", prefix: str | None = None) -> BuildSpec:
    return BuildSpec(
        package=package(),
        target=get_target(target),
        output_dir=Path(output),
        library_name="pkg",
        prefix=Path(prefix) if prefix else None,
    )


POLLUTED = {
    "PATH": "/usr/bin",
    "CC": "x86_64-conda-linux-gnu-cc",
    "CXX": "x86_64-conda-linux-gnu-c++",
    "CFLAGS": "-march=nocona -mtune=haswell",
    "CPPFLAGS": "-DNDEBUG -isystem /env/include",
    "LDFLAGS": "-Wl,-rpath,/env/lib -L/env/lib",
    "GOOS": "darwin",
    "GOARCH": "amd64",
    "GOAMD64": "v3",
    "CGO_ENABLED": "0",
    "GOFLAGS": "-mod=vendor -modcacherw -buildmode=pie",
}


def test_cross_build_env_drops_host_settings() -> None:
    env = compute(spec("linux-aarch64"), ZIG, GO, CACHE, POLLUTED)
    merged = env.apply(POLLUTED)
    assert merged["GOOS"] == "linux" and merged["GOARCH"] == "arm64"
    assert merged["CGO_ENABLED"] == "1"
    assert merged["CC"] == ZIG.cc and merged["CXX"] == ZIG.cxx
    for leaked in ("CFLAGS", "CPPFLAGS", "LDFLAGS", "GOAMD64"):
        assert leaked not in merged
    assert "-march=nocona" not in " ".join(merged.values())
    assert merged["GOFLAGS"].split() == [
        "-trimpath",
        "-buildvcs=false",
        "-ldflags=-buildid=",
        "-modcacherw",
    ]
    assert merged["GOTOOLCHAIN"] == "local"
    assert merged["GOPATH"] == "/cache/crossgo/go/path"
    assert merged["GOCACHE"] == "/cache/crossgo/go/build"
    assert merged["GOBIN"] == "/cache/crossgo/go/bin"
    assert merged["ZIG_GLOBAL_CACHE_DIR"] == "/cache/zig"
    reported = {(note.variable, note.action) for note in env.notes}
    assert {
        ("CFLAGS", "dropped"),
        ("GOAMD64", "dropped"),
        ("GOOS", "overridden"),
        ("CGO_ENABLED", "overridden"),
        ("GOFLAGS", "dropped"),
        ("GOFLAGS", "overridden"),
    } <= reported


def test_vendor_flag_kept_when_vendor_exists() -> None:
    with_vendor = BuildSpec(
        package=package(vendor=True),
        target=get_target("linux-64"),
        output_dir=Path("/out"),
        library_name="pkg",
    )
    env = compute(with_vendor, ZIG, GO, CACHE, {"GOFLAGS": "-mod=vendor"})
    assert "-mod=vendor" in env.variables["GOFLAGS"].split()


def test_goamd64_kept_for_amd64() -> None:
    env = compute(spec("linux-64"), ZIG, GO, CACHE, {"GOAMD64": "v2"})
    assert "GOAMD64" not in env.unset


def test_names_and_rpaths_per_os() -> None:
    linux = compute(
        spec("linux-64", output="/p/lib/python3.12/site-packages/pkg", prefix="/p"),
        ZIG,
        GO,
        CACHE,
        {},
    )
    assert "-Wl,-soname,libpkg.so" in linux.variables["CGO_LDFLAGS"]
    assert "-Wl,-rpath,$ORIGIN/../../.." in linux.variables["CGO_LDFLAGS"]
    mac = compute(spec("osx-arm64", output="/p/lib", prefix="/p"), ZIG, GO, CACHE, {})
    assert "-Wl,-install_name,@rpath/libpkg.dylib" in mac.variables["CGO_LDFLAGS"]
    assert "-Wl,-rpath,@loader_path" in mac.variables["CGO_LDFLAGS"].split()
    assert "-Wl,-headerpad_max_install_names" in mac.variables["CGO_LDFLAGS"]
    assert mac.variables["MACOSX_DEPLOYMENT_TARGET"] == "12.0"
    win = compute(spec("win-64", prefix="/p"), ZIG, GO, CACHE, {})
    assert "rpath" not in win.variables["CGO_LDFLAGS"]
    assert "-L/p/Library/lib" in win.variables["CGO_LDFLAGS"]
    assert "-I/p/Library/include" in win.variables["CGO_CPPFLAGS"]


@pytest.mark.parametrize(("output", "prefix"), [("/build/out", "/p"), ("/tmp/x", None)])
def test_no_rpath_outside_the_prefix(output: str, prefix: str | None) -> None:
    assert rpath_flags(spec("linux-64", output=output, prefix=prefix)) == ()


def test_macos_deployment_target_only_raised_by_caller() -> None:
    mac = spec("osx-arm64")
    raised = compute(mac, ZIG, GO, CACHE, {"MACOSX_DEPLOYMENT_TARGET": "14.0"})
    lowered = compute(mac, ZIG, GO, CACHE, {"MACOSX_DEPLOYMENT_TARGET": "10.9"})
    assert raised.variables["MACOSX_DEPLOYMENT_TARGET"] == "14.0"
    assert lowered.variables["MACOSX_DEPLOYMENT_TARGET"] == "12.0"


def test_non_zig_macos_toolchain_gets_version_min_flag() -> None:
    clang = Toolchain(
        kind="conda", cc="/c/bin/arm64-apple-darwin20.0.0-clang", cxx=None, origin="c"
    )
    env = compute(spec("osx-arm64"), clang, GO, CACHE, {})
    assert "-mmacosx-version-min=12.0" in env.variables["CGO_CFLAGS"]
    assert "-mmacosx-version-min=12.0" in env.variables["CGO_LDFLAGS"]


def test_caller_cgo_flags_are_appended_and_reported() -> None:
    env = compute(spec("linux-64"), ZIG, GO, CACHE, {"CGO_CFLAGS": "-DUSER=1"})
    assert env.variables["CGO_CFLAGS"].endswith("-DUSER=1")
    assert any(note.variable == "CGO_CFLAGS" and note.action == "kept" for note in env.notes)


@pytest.mark.parametrize(
    ("path", "quoted"),
    [("/c/cc", "/c/cc"), ("/c d/cc", "'/c d/cc'"), ("/it's here/cc", '"/it\'s here/cc"')],
)
def test_compiler_paths_are_quoted_for_go(path: str, quoted: str) -> None:
    spaced = Toolchain(kind="zig", cc=path, cxx=path, origin="zig")
    env = compute(spec("linux-64"), spaced, GO, CACHE, {})
    assert env.variables["CC"] == env.variables["CXX"] == quoted


def test_strip_repeats_buildid() -> None:
    stripped = BuildSpec(
        package=package(),
        target=get_target("linux-64"),
        output_dir=Path("/out"),
        library_name="pkg",
        strip=True,
    )
    env = compute(stripped, ZIG, GO, CACHE, {})
    assert "-ldflags=-buildid= -s -w" in env.go_args
    assert env.go_args[:2] == ("build", "-buildmode=c-shared")
