"""What ``crossgo doctor`` reports: one finding per check, and how it is printed.

The JSON form is versioned and documented in docs/doctor.md::

    {"version": 1,
     "checks": [{"id": "go.found", "status": "PASS", "summary": "...", "fix": null}, ...],
     "summary": {"pass": 12, "warn": 2, "fail": 0}}

``fix`` is null exactly when ``status`` is PASS. New check ids may be added in a minor
release; an id's meaning does not change, and ``version`` changes if the shape does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["SCHEMA_VERSION", "Finding", "Report", "Status", "failed", "passed", "warned"]

SCHEMA_VERSION: Final = 1


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 - a status, not a password
    WARN = "WARN"  # crossgo copes, but something is off (often: for plain `go` in this shell)
    FAIL = "FAIL"  # a crossgo build would fail, or build the wrong thing


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    id: str
    status: Status
    summary: str
    fix: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "status": str(self.status), "summary": self.summary, "fix": self.fix}


def passed(check_id: str, summary: str) -> Finding:
    return Finding(id=check_id, status=Status.PASS, summary=summary)


def warned(check_id: str, summary: str, fix: str) -> Finding:
    return Finding(id=check_id, status=Status.WARN, summary=summary, fix=fix)


def failed(check_id: str, summary: str, fix: str) -> Finding:
    return Finding(id=check_id, status=Status.FAIL, summary=summary, fix=fix)


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Report:
        return cls(tuple(findings))

    @property
    def ok(self) -> bool:
        return all(finding.status is not Status.FAIL for finding in self.findings)

    def counts(self) -> dict[str, int]:
        return {
            status.value.lower(): sum(1 for f in self.findings if f.status is status)
            for status in Status
        }

    def as_json(self) -> dict[str, object]:
        return {
            "version": SCHEMA_VERSION,
            "checks": [finding.as_json() for finding in self.findings],
            "summary": self.counts(),
        }

    def render(self) -> str:
        """One line per check, the fix indented below it; a count at the end."""
        width = max((len(finding.id) for finding in self.findings), default=0)
        lines: list[str] = []
        for finding in self.findings:
            lines.append(f"{finding.status.value:4}  {finding.id:{width}}  {finding.summary}")
            if finding.fix:
                lines.append(f"{'':4}  {'':{width}}  fix: {finding.fix}")
        counts = self.counts()
        lines.append(f"{counts['pass']} passed, {counts['warn']} warnings, {counts['fail']} failed")
        return "\n".join(lines) + "\n"
