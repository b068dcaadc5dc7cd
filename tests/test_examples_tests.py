"""Every example handler has a `.test.jsonl` beside it, and `zigttp test` passes it (this is how CI runs them)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from zigttp.cli import build_parser
from zigttp.cli.test import default_test_file
from zigttp.compiler import compile_file
from zigttp.compiler.emitter import find_handler

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def example_handlers() -> list[Path]:
    """Every example file that defines a handler (local library modules are tested through their importers)."""
    out = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.suffix not in (".ts", ".tsx", ".js", ".jsx") or "node_modules" in path.parts:
            continue
        compiled = compile_file(path, emit=False)
        if compiled.program is not None and find_handler(compiled.program.entry) is not None:
            out.append(path)
    return out


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
