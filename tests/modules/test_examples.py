"""examples/modules: every handler compiles with the zigts front end and passes its JSONL tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zigttp.compiler import compile_file, render_text
from zigttp.verifier import verify_compiled
from zigttp_host import Bundle, Host, ModuleConfig

from .jsonl import Stubs, failures, parse, stubbed_functions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "modules"
HANDLERS = sorted(EXAMPLES.glob("*.ts"))
FAMILIES = {"env", "crypto", "auth", "validate", "cache", "sql", "fetch", "io", "compose", "router", "http", "url",
            "id", "log", "text", "time"}


def test_one_example_and_one_test_file_per_module_family() -> None:
    assert {p.stem for p in HANDLERS} == FAMILIES
    assert {p.name.removesuffix(".test.jsonl") for p in EXAMPLES.glob("*.test.jsonl")} == FAMILIES


@pytest.fixture(scope="module")
def runner() -> Iterator[tuple[Host, Stubs]]:
    stubs = Stubs()
    lines: list[str] = []
    # egress "enabled" so parallel() can open its collection; every request is stubbed (no network)
    config = ModuleConfig(log_sink=lines.append, outbound_hosts=("stub.invalid",))
    host = Host(functions=stubbed_functions(stubs, config))
    yield host, stubs
    host.engine.close()


@pytest.mark.parametrize("path", HANDLERS, ids=lambda p: p.stem)
def test_example(path: Path, runner: tuple[Host, Stubs]) -> None:
    result = compile_file(path)
    assert result.ok, render_text(result.diagnostics, result.sources)
    # `zigttp serve` refuses what does not verify
    verification = verify_compiled(result, path=str(path))
    assert verification.ok, render_text(verification.diagnostics, result.sources)
    bundle = Bundle(result.js, path.name, result.line_map.lookup)
    host, stubs = runner
    cases = parse(path.with_suffix(".test.jsonl"))
    assert cases
    report = {case.name: failures(host, bundle, stubs, case) for case in cases}
    assert {name: p for name, p in report.items() if p} == {}
