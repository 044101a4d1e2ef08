"""crossgo's Bazel rules, proven with a real Bazel (Debian's bazel-bootstrap, 4.2.3), offline.

Four workspaces, each with its own Bazel server, all in the test cache:

* ``root-a``: a copy of this repository's root workspace (WORKSPACE, BUILD.bazel, the rules,
  the example). Its libraries and wheels for the four main targets must equal what
  ``crossgo build`` and ``crossgo wheel`` make; the aarch64 library runs in an emulated
  CPython and the DLL under wine. A second build runs no action.
* ``root-b``: the same files at another path, a second checkout: its action keys must equal
  root-a's.
* ``user``: tests/packages/bazel_user, set up as a user's workspace would be
  (``local_repository`` + ``crossgo_register()``): crossgo_env in genrules, cc deps,
  --platforms, an undeclared Go file, bad input, and ``crossgo env --format bazelrc``.
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
    BazelResult,
    find_bazel,
    fresh_directory,
    prepare_checkout,
    prepare_fixture,
)
from tests.support.emulation import AArch64Python, WindowsRunner

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
def bazel(test_cache: Path, base_env: dict[str, str], crossgo_cache: Path) -> Iterator[Bazel]:
    """One helper for the session; every server it started is shut down at the end."""
    env = {**base_env, "CROSSGO_CACHE_DIR": str(crossgo_cache)}
    helper = Bazel(find_bazel(), test_cache / "bazel" / "output-root", env)
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
def crossgo_copy(test_cache: Path) -> Path:
    """crossgo's package, copied: the user workspace's Bazel runs this copy (PYTHONPATH), so
    a test can change crossgo and see its actions run again."""
    copy = fresh_directory(test_cache / "bazel" / "crossgo-copy")
    shutil.copytree(
        REPO / "crossgo", copy / "crossgo", ignore=shutil.ignore_patterns("__pycache__")
    )
    (copy / "toolchains").mkdir()
    shutil.copy2(REPO / "toolchains" / "targets.toml", copy / "toolchains")
    return copy


@pytest.fixture(scope="module")
def user_bazel(bazel: Bazel, crossgo_copy: Path) -> Iterator[Bazel]:
    helper = bazel.with_env(PYTHONPATH=str(crossgo_copy))
    yield helper
    helper.shutdown()


@pytest.fixture(scope="module")
def user_ws(workspaces: Path) -> Path:
    source = PACKAGES / "bazel_user"
    return prepare_fixture(source, workspaces / "user", REPO, extra=[(EXAMPLE_GO, "gohash")])


@pytest.fixture(scope="module")
def unwritable_cache_build(user_bazel: Bazel, user_ws: Path) -> BazelResult:
    """A crossgo action before user.bazelrc exists: the sandbox keeps the cache read-only."""
    nonce = f"package main\n\n// {uuid.uuid4()}: a new action, not one from Bazel's cache\n"
    (user_ws / "sandbox" / "nonce.go").write_text(nonce)
    return user_bazel(user_ws, "build", "//sandbox")


@pytest.fixture(scope="module")
def user(user_bazel: Bazel, user_ws: Path, unwritable_cache_build: BazelResult) -> Path:
    user_bazel.write_user_bazelrc(user_ws)
    return user_ws


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
            [*action["arguments"], *(v["value"] for v in action["environmentVariables"])],
        )
        for action in document["actions"]
    }


def test_action_keys_equal_in_two_checkouts(bazel: Bazel, root_a: Path, workspaces: Path) -> None:
    """Same files at another path: the same keys, and no absolute path in any action."""
    root_b = prepare_checkout(REPO, workspaces / "root-b")
    first, second = _crossgo_actions(bazel, root_a), _crossgo_actions(bazel, root_b)
    assert len(first) == 8
    assert {name: key for name, (key, _) in first.items()} == {
        name: key for name, (key, _) in second.items()
    }
    for _, words in first.values():
        assert not [word for word in words if word.startswith("/")], words


# --- a user's workspace ------------------------------------------------------------------


def test_sandbox_needs_the_line_crossgo_register_writes(
    unwritable_cache_build: BazelResult, crossgo_cache: Path
) -> None:
    result = unwritable_cache_build
    if crossgo_cache.resolve().is_relative_to("/tmp"):
        # Bazel's linux-sandbox keeps /tmp writable and shared with the host, so a cache
        # there (CROSSGO_TEST_CACHE=/tmp/...) needs no line: the action writes it.
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode != 0
    assert "crossgo cannot write its cache directory" in result.stderr
    assert f"build --sandbox_writable_path={crossgo_cache}" in result.stderr


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
    user_bazel: Bazel, user: Path, crossgo_copy: Path
) -> None:
    """crossgo is found outside the workspace, but its files are inputs of every action."""
    user_bazel.build(user, "//undeclared")
    assert user_bazel.build(user, "//undeclared").executed == 0
    init = crossgo_copy / "crossgo" / "__init__.py"
    init.write_text(f"{init.read_text()}# {uuid.uuid4()}\n")
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
    assert 'use_repo(crossgo, "crossgo_host")' in module
    extension = (REPO / "toolchains" / "bazel" / "extensions.bzl").read_text()
    assert "tag_class(attrs = HOST_ATTRS)" in extension  # the same settings as crossgo_register
