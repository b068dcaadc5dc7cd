#!/usr/bin/env python3
"""Runs upstream's example test suites through `zigttp test`, unchanged, and prints a markdown table.

    python scripts/upstream_examples.py PATH_TO_UPSTREAM_CHECKOUT

PATH is a checkout of github.com/srdjan/zigttp at cbf0739e (nothing of it is
kept in this repository). The suites and their handlers are the pairs
upstream's own scripts/test-examples.sh runs (`run_tests_with_args HANDLER
TESTS`); without that script, every examples/**/*.test.jsonl with the
handler of the same name. Each suite runs as `zigttp test HANDLER TESTS`;
a handler our verifier refuses runs again with `--no-verify`, and the table
says so with the verifier's error codes. Every failing case is listed with
its first reason and, where known, why (NOTES). Exit 0 when every case
passed or has a known reason, 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

UPSTREAM_COMMIT = "cbf0739e"
SUITE_LINE = re.compile(r'^run_tests_with_args\s+"([^"]+)"\s+"([^"]+)"', re.MULTILINE)
HANDLER_SUFFIXES = (".ts", ".tsx", ".js", ".jsx")

# Why a suite's handler needs --no-verify, beyond the error codes.
SUITE_NOTES: dict[str, str] = {
    "fetch/webhook": "`fetch(url, { durable: … })` belongs to the durable issue (docs/durable.md, not done "
                     "yet): `FetchInit` has no `durable` field (ZTS201); the stubbed fetch answers, so every case "
                     "passes, but the durable step itself (one upstream call per idempotency key) is not exercised",
    "handler/feature-probes": "`seen + i` adds a number to a string (ZTS105, an error in upstream's sound mode "
                              "too) and optional chains read properties the object literal's type lacks (ZTS201)",
    "routing/router": "`env(\"APP_NAME\")` may be undefined and is used unchecked (ZTS308; upstream's "
                      "optional_safe differs, docs/verification.md: Differences from upstream)",
}

UNDEFINED_READS = ("upstream's VM reads a property of undefined as undefined (zigts interpreter, `get_field` on a "
                   "non-object); JavaScript, and so QuickJS, throws a TypeError. `res.json()` of a malformed body "
                   "is undefined in both, so `forecast.latitude` fails here: a language difference, not the test "
                   "runner's")

# (suite, case) -> why it fails here.
NOTES: dict[tuple[str, str], str] = {
    ("fetch/weather-app", "malformed upstream JSON still returns the open-meteo envelope"): UNDEFINED_READS,
    ("fetch/weather-forecasts", "malformed upstream JSON degrades safely to a 200 envelope"): UNDEFINED_READS,
}


@dataclass
class SuiteResult:
    suite: str
    handler: str
    cases: int = 0
    passed: int = 0
    verified: bool = True
    refused_codes: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (case, first reason)
    outcomes: list[tuple[str, bool]] = field(default_factory=list)  # (case, passed), every case in file order
    error: str | None = None  # the suite did not run

    @property
    def failed(self) -> int:
        return self.cases - self.passed


def suites(root: Path) -> list[tuple[str, str]]:
    """(handler, test file) pairs, relative to the checkout, in upstream's order."""
    script = root / "scripts" / "test-examples.sh"
    if script.is_file():
        pairs = SUITE_LINE.findall(script.read_text(errors="replace"))
        if pairs:
            return pairs
    pairs = []
    for tests in sorted((root / "examples").rglob("*.test.jsonl")):
        stem = tests.name.removesuffix(".test.jsonl")
        candidates = [tests.with_name(stem + s) for s in HANDLER_SUFFIXES]
        if stem.endswith(("-ts", "-tsx")):  # handler-ts.test.jsonl tests handler.ts
            candidates.insert(0, tests.with_name(stem.rpartition("-")[0] + "." + stem.rpartition("-")[2]))
        handler = next((c for c in candidates if c.is_file()), candidates[0])
        pairs.append((handler.relative_to(root).as_posix(), tests.relative_to(root).as_posix()))
    return pairs


def suite_name(tests: str) -> str:
    return tests.removeprefix("examples/").removesuffix(".test.jsonl")


def run_zigttp(*argv: str) -> tuple[int, str, str]:
    from zigttp.cli import build_parser

    args = build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    return args.run(args, stdout=out, stderr=err), out.getvalue(), err.getvalue()


def verifier_errors(handler: str) -> list[str]:
    from zigttp.verifier import verify_file

    result = verify_file(Path(handler))
    return sorted({d.code for d in result.diagnostics if d.severity == "error"})


def run_suite(handler: str, tests: str) -> SuiteResult:
    result = SuiteResult(suite_name(tests), handler)
    code, out, err = run_zigttp("test", handler, tests, "--json")
    if code == 1 and not out:  # the handler did not load: our verifier refuses it
        result.verified, result.refused_codes = False, verifier_errors(handler)
        code, out, err = run_zigttp("test", handler, tests, "--json", "--no-verify")
    if not out:
        result.error = (err.strip().splitlines() or [f"exit {code}"])[-1]
        return result
    report: dict[str, Any] = orjson.loads(out)
    result.cases, result.passed = report["total"], report["passed"]
    for case in report["cases"]:
        result.outcomes.append((case["name"], case["passed"]))
        if not case["passed"]:
            first = case["reasons"][0].splitlines()[0] if case["reasons"] else "failed"
            result.failures.append((case["name"], first))
    return result


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _suite_notes(r: SuiteResult) -> str:
    notes = []
    if r.error is not None:
        notes.append(f"did not run: {r.error}")
    if not r.verified:
        notes.append(f"run with --no-verify: our verifier refuses the handler ({', '.join(r.refused_codes)})")
    if r.suite in SUITE_NOTES and not r.verified:
        notes.append(SUITE_NOTES[r.suite])
    if r.failures:
        notes.append(f"{len(r.failures)} failing, below")
    return "; ".join(notes)


def markdown(results: list[SuiteResult]) -> str:
    lines = ["| suite | cases | passed | failed | notes |", "|---|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| `{r.suite}` | {r.cases} | {r.passed} | {r.failed} | {_cell(_suite_notes(r))} |")
    total = sum(r.cases for r in results)
    passed = sum(r.passed for r in results)
    lines.append(f"| **{len(results)} suites** | **{total}** | **{passed}** | **{total - passed}** | |")
    failing = [(r.suite, case, reason) for r in results for case, reason in r.failures]
    if failing:
        lines.extend(["", "| suite | failing case | first reason | why |", "|---|---|---|---|"])
        for suite, case, reason in failing:
            why = NOTES.get((suite, case), "not yet explained")
            lines.append(f"| `{suite}` | {_cell(case)} | `{_cell(reason)}` | {_cell(why)} |")
    lines.extend(["", "Every case:", "", "| suite | case | result |", "|---|---|---|"])
    for r in results:
        lines.extend(f"| `{r.suite}` | {_cell(case)} | {'pass' if passed else '**fail**'} |"
                     for case, passed in r.outcomes)
    return "\n".join(lines) + "\n"


def unexplained(results: list[SuiteResult]) -> int:
    return sum(1 for r in results if r.error is not None) + sum(
        1 for r in results for case, _ in r.failures if (r.suite, case) not in NOTES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help=f"a checkout of srdjan/zigttp at {UPSTREAM_COMMIT}")
    args = parser.parse_args(argv)
    root = args.checkout.resolve()
    if not (root / "examples").is_dir():
        print(f"error: {root} has no examples/ directory (a checkout of srdjan/zigttp at {UPSTREAM_COMMIT})",
              file=sys.stderr)
        return 2
    os.chdir(root)  # upstream's paths, as its script runs them
    results = [run_suite(handler, tests) for handler, tests in suites(root)]
    sys.stdout.write(markdown(results))
    return 0 if unexplained(results) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
