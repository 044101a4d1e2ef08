"""crossgo doctor's pure parts: Go's settings files, the checks as functions of facts, the
conda leftovers classification and the report format. The real thing runs in
tests/integration/test_doctor.py."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path, PurePath

import pytest

from crossgo.doctor import dirs
from crossgo.doctor.condaenv import (
    absolute_paths,
    flag_machine,
    foreign_mentions,
    foreign_tuning,
    tuning_flags,
)
from crossgo.doctor.facts import CondaGo, GoFacts
from crossgo.doctor.gochecks import conda_layout, gotoolchain, module, on_path
from crossgo.doctor.goenv import (
    GoSettings,
    SettingSource,
    arch_settings,
    crossgo_sets,
    goflags_conflicts,
    ignored_file_settings,
    parse_env_file,
    toolchain_may_download,
)
from crossgo.doctor.report import Report, Status, failed, passed, warned
from crossgo.doctor.settingchecks import cgo_enabled, goenv_ignored, shared_dirs
from crossgo.doctor.toolchains import host_flags
from crossgo.golang import GoInstall, GoModule
from crossgo.targets import get_target

GOROOT = Path("/opt/go")
GO = GoInstall(go=GOROOT / "bin" / "go", goroot=GOROOT, version="1.26.8", source="PATH")


def facts(**changes: object) -> GoFacts:
    base = GoFacts(
        go=GO,
        goroot_real=GOROOT,
        goroot_valid=True,
        module_dir=Path("/work"),
        path_go=GO,
        path_goroot_real=GOROOT,
        path_go_file=GOROOT / "bin" / "go",
        env_goroot=None,
        env_goroot_version=None,
        env_goroot_is_go=False,
        go_env={"GOPATH": "/home/u/go", "GOMODCACHE": "/home/u/go/pkg/mod", "GOCACHE": "/c"},
        go_env_error=None,
        settings=GoSettings(env={}),
        user_file_path=Path("/home/u/.config/go/env"),
        module=None,
        has_vendor=None,
        conda=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def conda(prefix: str = "/conda/envs/a", **changes: object) -> CondaGo:
    root = Path(prefix)
    base = CondaGo(
        prefix=root,
        packages=("go",),
        goroot=root / "go",
        goroot_real=root / "go",
        goroot_valid=True,
        launcher=root / "bin" / "go",
        launcher_target=root / "go" / "bin" / "go",
        windows=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# --- Go's settings files ------------------------------------------------------------------


def test_env_file_follows_go_rules() -> None:
    text = "# comment\nGOFLAGS=-mod=mod -trimpath\nlower=x\nNOEQUALS\nGOPROXY=a\nGOPROXY=b\n"
    assert parse_env_file(text) == {"GOFLAGS": "-mod=mod -trimpath", "GOPROXY": "b"}


def test_environment_wins_unless_empty() -> None:
    settings = GoSettings(
        env={"GOTOOLCHAIN": "", "GOFLAGS": "-x"},
        user_file={"GOTOOLCHAIN": "local", "GOFLAGS": "-y"},
        goroot_file={"GOTOOLCHAIN": "auto", "GOPROXY": "p"},
    )
    assert settings.lookup("GOTOOLCHAIN") == ("local", SettingSource.USER_FILE)
    assert settings.lookup("GOFLAGS") == ("-x", SettingSource.ENV)
    assert settings.lookup("GOPROXY") == ("p", SettingSource.GOROOT_FILE)
    assert settings.lookup("GOAMD64") == ("", SettingSource.UNSET)
    assert f"from {SettingSource.USER_FILE}" == "from the go env -w file"  # how messages say it


@pytest.mark.parametrize(
    ("value", "downloads"),
    [
        ("", True),
        ("auto", True),
        ("local", False),
        ("path", False),
        ("local+auto", True),
        ("go1.27.0+auto", True),
        ("go1.27.0+path", False),
        ("go1.26.8", False),  # pinned to the local release: nothing to fetch
        ("go1.27.0", True),
    ],
)
def test_gotoolchain_download_rules(value: str, downloads: bool) -> None:
    assert toolchain_may_download(value, "1.26.8") is downloads


def test_goflags_conflicts() -> None:
    flags = "-mod=vendor -buildmode=pie -ldflags=-s -trimpath"
    assert len(goflags_conflicts(flags, has_vendor=False)) == 3
    assert len(goflags_conflicts(flags, has_vendor=True)) == 2
    assert len(goflags_conflicts(flags, has_vendor=None)) == 2  # no module: cannot judge
    assert goflags_conflicts("-mod=mod -trimpath", has_vendor=False) == []


def test_file_settings_crossgo_replaces() -> None:
    user = {"GOFLAGS": "-mod=mod", "CGO_CFLAGS": "-O3", "GOPATH": "/p", "GOPROXY": "off"}
    assert ignored_file_settings(user) == {"GOFLAGS": "-mod=mod", "CGO_CFLAGS": "-O3"}


def test_cpu_levels_reach_only_their_architecture() -> None:
    settings = GoSettings(env={"GOARM64": "v9.0"}, user_file={"GOAMD64": "v3"})
    amd64, arm64 = get_target("linux-64"), get_target("linux-aarch64")
    assert arch_settings(settings, [arm64]) == [("GOARM64", "v9.0", SettingSource.ENV)]
    assert arch_settings(settings, [amd64, arm64]) == [
        ("GOAMD64", "v3", SettingSource.USER_FILE),
        ("GOARM64", "v9.0", SettingSource.ENV),
    ]
    assert arch_settings(settings, [get_target("linux-ppc64le")]) == []


# --- Go checks ------------------------------------------------------------------------------


def test_module_asking_for_newer_go_fails() -> None:
    mod = GoModule(path=Path("/w/go.mod"), module="m", go="1.99", toolchain=None)
    finding = module(facts(module=mod))
    assert finding.status is Status.FAIL and "Go >= 1.99" in finding.summary


def test_module_toolchain_line_warns_and_plain_go_line_passes() -> None:
    newer = GoModule(path=Path("/w/go.mod"), module="m", go="1.22", toolchain="1.27.1")
    assert module(facts(module=newer)).status is Status.WARN
    older = GoModule(path=Path("/w/go.mod"), module="m", go="1.22", toolchain="1.23.0")
    assert module(facts(module=older)).status is Status.PASS
    assert module(facts()).summary == "no go.mod in /work or above"


def test_gotoolchain_from_goroot_go_env() -> None:
    settings = GoSettings(env={}, goroot_file={"GOTOOLCHAIN": "auto"})
    finding = gotoolchain(facts(settings=settings))
    assert finding.status is Status.WARN
    assert "from $GOROOT/go.env" in finding.summary
    assert finding.fix == "go env -w GOTOOLCHAIN=local"


def test_conda_go_shadowed_by_another_go_on_path() -> None:
    finding = on_path(facts(conda=conda()))
    assert finding.status is Status.WARN
    assert "shadowed by /opt/go/bin/go" in finding.summary
    assert finding.fix is not None and "CROSSGO_GO=/conda/envs/a/go/bin/go" in finding.fix


def test_conda_go_layout() -> None:
    assert conda_layout(facts()).summary == "no conda environment is active"
    assert conda_layout(facts(conda=conda())).status is Status.PASS
    dangling = conda(launcher_target=Path("/elsewhere/go"))
    assert "leads to /elsewhere/go" in conda_layout(facts(conda=dangling)).summary
    no_root = conda(goroot_valid=False, launcher=None)
    summary = conda_layout(facts(conda=no_root)).summary
    assert "is not a GOROOT" in summary and "bin/go is missing" in summary
    windows = conda(windows=True, launcher=Path("/conda/envs/a/bin/go.exe"), launcher_target=None)
    assert conda_layout(facts(conda=windows)).status is Status.PASS


# --- settings checks --------------------------------------------------------------------------


def test_caches_outside_the_active_environment_are_shared() -> None:
    finding = shared_dirs(facts(conda=conda()))
    assert finding.status is Status.WARN
    assert finding.summary.startswith("GOPATH, GOMODCACHE, GOCACHE, GOBIN lie outside")
    inside = {"GOPATH": "/conda/envs/a/gopath", "GOCACHE": "/conda/envs/a/gocache"}
    own = facts(conda=conda(), go_env={**inside, "GOBIN": "/conda/envs/a/bin"})
    assert shared_dirs(own).status is Status.PASS
    assert (
        finding.fix
        == "crossgo conda activate-scripts /conda/envs/a, then re-activate the environment"
    )


def test_crossgo_activation_scripts_are_recognised() -> None:
    scripts = dataclasses.replace(conda(), activation_scripts=("sh", "fish", "bat", "ps1"))
    inside = {"GOPATH": "/conda/envs/a/var/go", "GOCACHE": "/conda/envs/a/var/cache/go-build"}
    active = facts(conda=scripts, go_env={**inside, "GOBIN": "/conda/envs/a/bin"})
    finding = shared_dirs(active)
    assert finding.status is Status.PASS
    assert "set by crossgo's activation scripts (sh, fish, bat, ps1)" in finding.summary
    stale = shared_dirs(facts(conda=scripts))
    assert stale.status is Status.WARN
    assert "they have not run in this shell" in stale.summary
    assert stale.fix == "conda activate /conda/envs/a"


def test_cgo_off_by_conda_go_nocgo() -> None:
    settings = GoSettings(env={"CGO_ENABLED": "0"})
    finding = cgo_enabled(facts(settings=settings, conda=conda(packages=("go-nocgo",))))
    assert finding.status is Status.WARN and finding.fix is not None
    assert "go-cgo" in finding.fix
    assert cgo_enabled(facts(settings=settings)).fix == "unset CGO_ENABLED"


def test_goenv_settings_crossgo_ignores() -> None:
    settings = GoSettings(env={}, user_file={"CGO_CFLAGS": "-O3", "GOPATH": "/p"})
    assert goenv_ignored(facts(settings=settings)).status is Status.WARN
    quiet = GoSettings(env={}, user_file={"GOPATH": "/p"})
    assert "GOPATH: set by crossgo" in goenv_ignored(facts(settings=quiet)).summary


def test_what_crossgo_sets_is_read_from_the_environment_it_computes() -> None:
    sets = crossgo_sets()
    assert {"CGO_ENABLED", "GOOS", "GOARCH", "GOROOT", "GOFLAGS", "GOTOOLCHAIN"} <= sets
    assert {"GOPATH", "GOMODCACHE", "GOCACHE", "GOBIN", "CC", "CXX"} <= sets
    assert {f"CGO_{kind}FLAGS" for kind in ("C", "CPP", "CXX", "LD")} <= sets
    assert not {"GOPROXY", "GOPRIVATE", "GONOSUMDB", "GOAMD64"} & sets  # reach the build


# --- conda leftovers ---------------------------------------------------------------------------


def test_tuning_flags_and_their_machines() -> None:
    flags = tuning_flags("-O2 -march=nocona -mtune=haswell -ftree-vectorize -mcpu=power8")
    assert flags == ["-march=nocona", "-mtune=haswell", "-mcpu=power8"]
    assert [flag_machine(f) for f in flags] == ["x86_64", "x86_64", "ppc64le"]
    assert flag_machine("-mcpu=neoverse-n1") == "aarch64"
    assert flag_machine("-march=native") is None


def test_foreign_tuning_depends_on_the_target() -> None:
    flags = ["-march=nocona", "-march=native", "-mcpu=cortex-a72"]
    aarch64, amd64 = get_target("linux-aarch64"), get_target("linux-64")
    assert foreign_tuning(flags, aarch64, cross=True) == ["-march=nocona", "-march=native"]
    assert foreign_tuning(flags, amd64, cross=False) == ["-mcpu=cortex-a72"]


def test_absolute_paths_in_flags() -> None:
    value = "-I/p/include -isystem /q/include -Wl,-rpath,/p/lib --sysroot=/s rel/x -O2"
    assert absolute_paths(value) == ["/p/include", "/q/include", "/p/lib", "/s"]


def test_foreign_prefix_mentions() -> None:
    def prefix_of(path: str) -> PurePath | None:
        parts = PurePath(path).parts
        return PurePath(*parts[:4]) if parts[1:3] == ("conda", "envs") else None

    values = {
        "CC": "/conda/envs/old/bin/x86_64-conda-linux-gnu-cc",
        "CFLAGS": "-I/conda/envs/new/include -I/conda/envs/old/include -I/usr/include",
    }
    mentions = foreign_mentions(values, [PurePath("/conda/envs/new")], prefix_of)
    assert [(m.variable, str(m.prefix)) for m in mentions] == [
        ("CC", "/conda/envs/old"),
        ("CFLAGS", "/conda/envs/old"),
    ]


def test_host_flags_per_target() -> None:
    host = get_target("linux-64")
    aarch64 = get_target("linux-aarch64")
    conda_shell = {"CFLAGS": "-march=nocona -mtune=haswell"}
    assert host_flags(host, host=host, env=conda_shell).status is Status.PASS
    assert host_flags(aarch64, host=host, env=conda_shell).status is Status.WARN
    reaching = {"CGO_CFLAGS": "-mcpu=power8"}
    finding = host_flags(aarch64, host=host, env=reaching)
    assert finding.status is Status.FAIL and "CGO_CFLAGS=-mcpu=power8" in finding.summary
    # Inside a conda-build script for the target, CFLAGS are the target's: used, and fine.
    build = {"CONDA_BUILD": "1", "target_platform": "linux-aarch64", "CFLAGS": "-mcpu=cortex-a72"}
    assert host_flags(aarch64, host=host, env=build).status is Status.PASS


# --- directories ------------------------------------------------------------------------------


def state(**changes: object) -> dirs.DirState:
    base = dirs.DirState(
        path=Path("/c"),
        existing=Path("/c"),
        writable=True,
        free_bytes=10 << 30,
        free_inodes=1_000_000,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "mine", "theirs"),
    [
        ({}, Status.PASS, Status.PASS),
        ({"writable": False}, Status.FAIL, Status.WARN),
        ({"free_bytes": 500 << 20}, Status.WARN, Status.WARN),
        ({"free_bytes": 50 << 20}, Status.FAIL, Status.WARN),
        ({"free_inodes": 10_000}, Status.WARN, Status.WARN),
        ({"free_inodes": 1_000}, Status.FAIL, Status.WARN),
        ({"free_inodes": None}, Status.PASS, Status.PASS),  # not counted (btrfs)
    ],
)
def test_directory_thresholds(changes: dict[str, object], mine: Status, theirs: Status) -> None:
    current = state(**changes)
    assert dirs.judge("x", "X", current, crossgo_needs_it=True, move="m").status is mine
    assert dirs.judge("x", "X", current, crossgo_needs_it=False, move="m").status is theirs


# --- the report -------------------------------------------------------------------------------


def test_report_json_schema_and_text() -> None:
    report = Report.of(
        [passed("a.b", "fine"), warned("c.d", "odd", "do x"), failed("e.f", "bad", "do y")]
    )
    document = json.loads(json.dumps(report.as_json()))
    assert document == {
        "version": 1,
        "checks": [
            {"id": "a.b", "status": "PASS", "summary": "fine", "fix": None},
            {"id": "c.d", "status": "WARN", "summary": "odd", "fix": "do x"},
            {"id": "e.f", "status": "FAIL", "summary": "bad", "fix": "do y"},
        ],
        "summary": {"pass": 1, "warn": 1, "fail": 1},
    }
    assert not report.ok and Report.of([passed("a", "b")]).ok
    assert report.render().splitlines() == [
        "PASS  a.b  fine",
        "WARN  c.d  odd",
        "           fix: do x",
        "FAIL  e.f  bad",
        "           fix: do y",
        "1 passed, 1 warnings, 1 failed",
    ]
