"""crossgo.hints on canned text (tests/integration/test_hints.py makes each failure for real)."""

from __future__ import annotations

import re

import pytest

from crossgo.hints import HINTS, hint_for, match_hint


@pytest.mark.parametrize(
    ("output", "hint_id"),
    [
        ("ld.lld: error: No space left on device", "no-space"),
        ("/usr/bin/ld: final link failed: No space left on device", "no-space"),
        ("write /tmp/x: NO SPACE LEFT ON DEVICE", "no-space"),
        ("write /tmp/x: Disk quota exceeded", "no-space"),
        ("cc1: error: Unrecognized command-line option '-m64'", "foreign-compiler-flag"),
        ("go: Module lookup disabled by GOPROXY=off", "proxy-off"),
        ("verifying x: CHECKSUM MISMATCH", "checksum-mismatch"),
        ("ld: Unable to disambiguate: -dead_strip (did you mean --dead_strip ?)",
         "foreign-linker-arg"),
    ],
)  # fmt: skip
def test_a_signature_matches_in_any_case(output: str, hint_id: str) -> None:
    found = match_hint(output)
    assert found is not None and found[0].id == hint_id


def test_only_a_cpython_symbol_gets_the_python3_dll_hint() -> None:
    lld = "ld.lld: error: undefined symbol: __declspec(dllimport) PyUnicode_FromKindAndData"
    found = match_hint(lld)
    assert found is not None and found[0].id == "python3-dll"
    assert found[1]["symbol"] == "PyUnicode_FromKindAndData"
    # A lower-case "py" name is a DLL's own symbol, not CPython's: the import-library hint.
    other = match_hint("undefined reference to `__imp_pybind_init'")
    assert other is not None and other[0].id == "windows-import-library"
    assert match_hint("undefined reference to `PYTHON_thing'") is None


def test_the_hint_text_takes_the_matched_groups() -> None:
    text = hint_for("requires go >= 1.99 (running go 1.27.3)", "linux-64")
    assert text is not None and text.startswith("a module needs Go >= 1.99;")
    assert hint_for("all fine", "linux-64") is None


def test_every_pattern_ignores_case() -> None:
    assert all(hint.pattern.flags & re.IGNORECASE for hint in HINTS)
