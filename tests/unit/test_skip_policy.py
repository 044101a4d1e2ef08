"""The skip policy (tests/support/skip_policy.py), run in a pytest of its own with pytester."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.skip_policy import FLAG, load_allowed

TESTS = """
import pytest

def test_runs():
    pass

def test_skips():
    pytest.skip("needs a frobnicator: apt-get install frob")

@pytest.mark.skipif(True, reason="never here")
def test_skipif():
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_listed(n):
    pytest.skip("listed with its reason")

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_expected_failure():
    raise AssertionError
"""

ALLOWED = """
[[skip]]
test = "test_sample.py::test_listed"
reason = "the frobnicator only exists on Tuesdays"
"""


@pytest.fixture
def sample(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest('pytest_plugins = ["tests.support.skip_policy"]\n')
    pytester.makeini("[pytest]\nallowed_skips = allowed.toml\n")
    (pytester.path / "allowed.toml").write_text(ALLOWED)
    pytester.makepyfile(test_sample=TESTS)
    return pytester


def test_without_the_flag_a_skip_is_a_skip(
    sample: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FLAG, raising=False)
    result = sample.runpytest()
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)


def test_with_the_flag_an_unlisted_skip_fails(
    sample: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FLAG, "1")
    result = sample.runpytest()
    # test_skips fails in its call, test_skipif in its setup (an error); listed ones skip.
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=2, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            f"*skipped where {FLAG}=1 allows no skip: needs a frobnicator: apt-get install frob",
            "*list test_sample.py::test_skips with its reason in *allowed.toml*",
        ]
    )
    result.stdout.fnmatch_lines([f"*skipped where {FLAG}=1 allows no skip: never here"])


def test_with_the_flag_a_module_skipped_at_collection_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.support.skip_policy"]\n')
    pytester.makepyfile(
        test_module="import pytest\npytest.skip('no wine', allow_module_level=True)\n"
    )
    monkeypatch.setenv(FLAG, "1")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{FLAG}=1 allows no skip: no wine*"])


def test_an_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_y():\n    pass\n")
    listed = tmp_path / "allowed.toml"
    listed.write_text('[[skip]]\ntest = "test_x.py::test_y"\nreason = " "\n')
    with pytest.raises(pytest.UsageError, match="needs a test id and a reason"):
        load_allowed(listed, tmp_path)
    listed.write_text('[[skip]]\ntest = "test_x.py::test_y"\nreason = "on Tuesdays"\n')
    assert load_allowed(listed, tmp_path).reason_for("test_x.py::test_y[1-a]") == "on Tuesdays"


def test_an_entry_naming_no_test_is_refused(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_y():\n    pass\n")
    listed = tmp_path / "allowed.toml"
    listed.write_text('[[skip]]\ntest = "test_x.py::test_gone"\nreason = "was flaky once"\n')
    with pytest.raises(pytest.UsageError, match=r"test_x\.py::test_gone names no test function"):
        load_allowed(listed, tmp_path)


def test_the_repository_list_loads() -> None:
    """pytest reads it at start-up too; this names the file when it is broken."""
    allowed = load_allowed(REPO / "tests" / "allowed_skips.toml", REPO)
    assert allowed.source == REPO / "tests" / "allowed_skips.toml"
