"""Runs test cases against a handler and reports PASS/FAIL as upstream does (upstream-spec §7.3).

Each case runs in a fresh sandbox instance whose traced calls are answered
by the case's io lines (Journal.stub): a call takes the first unused line
of its module and function; an unstubbed validate/decode call runs for
real, any other unstubbed call answers undefined. Only the expectations
decide: unused io lines and calls nobody stubbed are not failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zigttp_host.http import HttpResponse
from zigttp_host.journal import Journal
from zigttp_host.logtext import escape_controls

from .target import ReplayTarget
from .testfile import Expectation, TestCase

BODY_SHOWN = 200
NEEDLE_SHOWN = 100
INDENT = " " * 8


@dataclass
class CaseOutcome:
    name: str
    line: int
    reasons: list[list[str]] = field(default_factory=list)  # each reason: its lines
    status: int | None = None
    body: bytes = b""

    @property
    def passed(self) -> bool:
        return not self.reasons


def run_case(target: ReplayTarget, case: TestCase) -> CaseOutcome:
    outcome = CaseOutcome(case.name, case.line)
    if case.request is None:
        outcome.reasons.append(["no request defined"])
        return outcome
    target.fresh_durable_folder()
    response = target.handler.handle(case.request, Journal.stub(case.entries, case.seed))
    outcome.status, outcome.body = response.status, response.body
    for expectation in case.expectations:
        outcome.reasons.extend(failed_expectations(expectation, response))
    if outcome.reasons and response.failure is not None:
        outcome.reasons.append([_runtime_error(response)])
    return outcome


def run_cases(target: ReplayTarget, cases: list[TestCase]) -> list[CaseOutcome]:
    return [run_case(target, case) for case in cases]


def failed_expectations(e: Expectation, response: HttpResponse) -> list[list[str]]:
    """Each unmet assertion of `e`, worded as upstream's test runner words it."""
    reasons: list[list[str]] = []
    text = response.body.decode(errors="replace")
    if e.status is not None and e.status != response.status:
        reasons.append([f"expected status: {e.status}, actual status: {response.status}"])
    if e.body is not None and e.body != text:
        reasons.append(["body mismatch:", f"expected: {_shown(e.body, BODY_SHOWN)}",
                        f"actual:   {_shown(text, BODY_SHOWN)}"])
    if e.body_contains is not None and e.body_contains not in text:
        reasons.append([f"body does not contain: {_shown(e.body_contains, NEEDLE_SHOWN)}",
                        f"actual body: {_shown(text, BODY_SHOWN)}"])
    for name, value in e.headers:
        if not has_header(response.headers, name, value):
            reasons.append([f"missing header: {_shown(name, NEEDLE_SHOWN)}: {_shown(value, BODY_SHOWN)}"])
    return reasons


def has_header(headers: list[tuple[str, str]], name: str, value: str) -> bool:
    """Subset match: some header of that name (any case) has exactly that value."""
    wanted = name.lower()
    return any(k.lower() == wanted and v == value for k, v in headers)


def _runtime_error(response: HttpResponse) -> str:
    failure = response.failure
    assert failure is not None
    detail = f": {failure.message}" if failure.message else ""
    at = f" at {failure.at}" if failure.at else ""
    return f"runtime error: {failure.kind}{_shown(detail, BODY_SHOWN)}{at}"


def _shown(text: str, limit: int) -> str:
    # one line on the terminal, whatever the body holds
    cut = text if len(text) <= limit else text[:limit] + "…"
    return escape_controls(cut)


# ---------- reports ----------

def text_report(label: str, outcomes: list[CaseOutcome]) -> str:
    passed = sum(1 for o in outcomes if o.passed)
    lines = ["", f"Testing {escape_controls(label)} ({len(outcomes)} test{'s' if len(outcomes) != 1 else ''})", ""]
    for o in outcomes:
        lines.append(f"  {'PASS' if o.passed else 'FAIL'}  {escape_controls(o.name)}")
        lines.extend(INDENT + reason_line for reason in o.reasons for reason_line in reason)
    lines.extend(["", f"Results: {passed} passed, {len(outcomes) - passed} failed, {len(outcomes)} total"])
    return "\n".join(lines) + "\n"


def json_report(label: str, test_file: str, outcomes: list[CaseOutcome]) -> dict[str, Any]:
    passed = sum(1 for o in outcomes if o.passed)
    return {
        "handler": label,
        "file": test_file,
        "passed": passed,
        "failed": len(outcomes) - passed,
        "total": len(outcomes),
        "cases": [{"name": o.name, "line": o.line, "passed": o.passed,
                   "reasons": ["\n".join(reason) for reason in o.reasons],
                   "status": o.status}
                  for o in outcomes],
    }
