"""Every example handler has a `.test.jsonl` beside it, and `zigttp test` passes it (this is how CI runs them)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.support.examples import EXAMPLES, REPO, example_handlers
from zigttp.cli import build_parser
from zigttp.cli.test import default_test_file

HANDLERS = example_handlers()
IDS = [p.relative_to(EXAMPLES).as_posix() for p in HANDLERS]


def test_every_example_handler_is_found() -> None:
    assert {"hello.ts", "hello.js", "bench/echo.js", "contract/users.ts", "modules/fetch.ts",
            "routing/match-router.ts", "jsx/page.tsx"} <= set(IDS)
    assert "imports/lib/prices.ts" not in IDS


@pytest.mark.parametrize("handler", HANDLERS, ids=IDS)
def test_example_has_a_test_file(handler: Path) -> None:
    assert default_test_file(handler).is_file(), f"{handler.relative_to(REPO)} has no {default_test_file(handler).name}"


@pytest.mark.parametrize("handler", HANDLERS, ids=IDS)
def test_example_passes_its_tests(handler: Path) -> None:
    if not default_test_file(handler).is_file():
        pytest.skip("no test file (test_example_has_a_test_file fails)")
    args = build_parser().parse_args(["test", str(handler)])
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, stdout=out, stderr=err)
    assert code == 0, out.getvalue() + err.getvalue()
    assert ", 0 failed, " in out.getvalue()
