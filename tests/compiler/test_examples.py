from __future__ import annotations

import json
from pathlib import Path

import pytest
from zts_helpers import needs_node, request, run_js

from zigttp.compiler import compile_file

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = [
    "examples/routing/match-router.ts",
    "examples/routing/pipeline.ts",
    "examples/guards/guard-compose.ts",
    "examples/jsx/page.tsx",
    "examples/imports/handler.ts",
]


@pytest.mark.parametrize("entry", ENTRIES)
def test_example_compiles_cleanly(entry: str) -> None:
    result = compile_file(ROOT / entry)
    assert result.ok, result.render_text()
    assert result.diagnostics == []


@needs_node
@pytest.mark.parametrize(
    ("entry", "req", "status", "body"),
    [
        (
            "examples/routing/match-router.ts",
            request("/todos/2"),
            200,
            '{"id":2,"title":"prove it","done":false}',
        ),
        (
            "examples/routing/match-router.ts",
            request("/todos", "POST"),
            405,
            '{"error":"method not allowed"}',
        ),
        ("examples/routing/pipeline.ts", request("/", query={"name": " Bob "}), 200, "Hello, bob!"),
        ("examples/routing/pipeline.ts", request("/default"), 200, "Hello, World!"),
        (
            "examples/guards/guard-compose.ts",
            request("/me", headers={"authorization": "Bearer secret"}),
            200,
            '{"user":"alice"}',
        ),
        ("examples/guards/guard-compose.ts", request("/me"), 401, '{"error":"unauthorized"}'),
        ("examples/guards/guard-compose.ts", request("/me", "POST"), 405, "method not allowed"),
        (
            "examples/imports/handler.ts",
            request("/tea"),
            200,
            '{"product":"tea","price":"3.00 EUR","text":"tea: 3.00 EUR"}',
        ),
    ],
)
def test_example_runs(entry: str, req: dict[str, object], status: int, body: str) -> None:
    out = run_js(compile_file(ROOT / entry).js, req)
    assert out["ok"], out
    response = out["response"]
    assert (response["status"], response["body"]) == (status, body)


@needs_node
def test_jsx_example_renders() -> None:
    out = run_js(compile_file(ROOT / "examples/jsx/page.tsx").js, request("/"))
    body = out["response"]["body"]
    assert body.startswith('<html><head><meta charset="utf-8" /><title>Menu</title></head><body class="page">')
    assert '<li data-price="5">Cake &amp; cream costs 5</li>' in body
    assert '<input type="checkbox" checked />' in body
    assert json.loads(json.dumps(out))["ok"]
