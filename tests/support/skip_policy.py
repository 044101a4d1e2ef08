"""A skipped test is a failed test where nothing may be missing (CI).

With ``CROSSGO_NO_SKIPS=1`` in the environment (``.ci/run`` sets it), every skip becomes a
failure that names the reason, unless the test is listed with its reason in the file the
``allowed_skips`` ini setting names (``tests/allowed_skips.toml``). Elsewhere, a developer
without qemu, wine or root still gets skips, each saying what to install. A test that skips
at collection (a whole module) is treated the same. ``xfail`` is not a skip and is untouched.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

FLAG: Final = "CROSSGO_NO_SKIPS"
INI: Final = "allowed_skips"

__all__ = ["FLAG", "INI", "AllowedSkips", "load_allowed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowedSkips:
    """Test ids (``path::name``, parameters left out) that may skip, each with its reason."""

    source: Path | None
    reasons: Mapping[str, str]

    def reason_for(self, nodeid: str) -> str | None:
        return self.reasons.get(nodeid) or self.reasons.get(nodeid.split("[", 1)[0])


def load_allowed(path: Path | None, root: Path) -> AllowedSkips:
    """Read ``[[skip]] test = "...", reason = "..."`` entries. Each needs a reason, and must
    name a test function that exists (ids are relative to ``root``), so the list cannot
    go stale."""
    if path is None:
        return AllowedSkips(source=None, reasons={})
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("skip", [])
    reasons: dict[str, str] = {}
    for entry in entries:
        test, reason = entry.get("test"), entry.get("reason")
        if not isinstance(test, str) or not isinstance(reason, str) or not reason.strip():
            msg = f"{path}: every [[skip]] needs a test id and a reason, not {entry!r}"
            raise pytest.UsageError(msg)
        if not _exists(root, test):
            msg = f"{path}: {test} names no test function; remove it or fix the id"
            raise pytest.UsageError(msg)
        reasons[test] = reason
    return AllowedSkips(source=path, reasons=reasons)


def _exists(root: Path, test: str) -> bool:
    file, _, name = test.partition("::")
    source = root / file
    return source.is_file() and f"def {name}(" in source.read_text(encoding="utf-8")


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # (path, line, "Skipped: why")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _enforce(report: pytest.TestReport | pytest.CollectReport, config: pytest.Config) -> None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    allowed: AllowedSkips = config.stash[_ALLOWED]
    if allowed.reason_for(report.nodeid) is not None:
        return
    where = allowed.source or f"the `{INI}` ini setting's file"
    report.outcome = "failed"
    report.longrepr = (
        f"skipped where {FLAG}=1 allows no skip: {_skip_reason(report)}\n"
        f"Install what it needs, or list {report.nodeid.split('[', 1)[0]} with its reason "
        f"in {where}."
    )


_ALLOWED = pytest.StashKey[AllowedSkips]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(INI, "TOML file of the tests that may skip even with CROSSGO_NO_SKIPS=1")


def pytest_configure(config: pytest.Config) -> None:
    name = str(config.getini(INI) or "")
    config.stash[_ALLOWED] = load_allowed(config.rootpath / name if name else None, config.rootpath)


def _enabled(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(FLAG) == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if _enabled():
        _enforce(report, item.config)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if _enabled():
        _enforce(report, collector.config)
    return report
