"""No false positives: every handler in examples/ verifies with no errors, and the benchmark fixtures behave."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.examples import EXAMPLES, REPO, example_handlers
from zigttp.verifier import verify_file

ENTRIES = example_handlers()


def test_examples_are_found() -> None:
    names = {p.relative_to(EXAMPLES).as_posix() for p in ENTRIES}
    assert {"hello.ts", "hello.js", "routing/match-router.ts", "jsx/page.tsx", "imports/handler.ts"} <= names


@pytest.mark.parametrize("path", ENTRIES, ids=[p.relative_to(EXAMPLES).as_posix() for p in ENTRIES])
def test_example_verifies(path: Path) -> None:
    result = verify_file(path)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, result.render_text()
    assert result.ok
    assert result.paths is not None and result.paths.count >= 1
    assert "→ all code paths verified ✓" in result.render_text()


@pytest.mark.parametrize("path", ENTRIES, ids=[p.relative_to(EXAMPLES).as_posix() for p in ENTRIES])
def test_example_verifies_strict_without_internal_errors(path: Path) -> None:
    # The strict profile may ask for a different style, but it must never crash.
    result = verify_file(path, strict=True)
    assert "ZTS999" not in {d.code for d in result.diagnostics}


def test_benchmark_fixture_verifies_clean() -> None:
    # the 2,000-line fixture both scripts/bench_compile.py and scripts/bench_verify.py measure
    result = verify_file(REPO / "scripts/bench_fixtures/large/handler.tsx")
    assert result.ok, result.render_text()
    assert not result.diagnostics, result.render_text()
