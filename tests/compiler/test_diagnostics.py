from __future__ import annotations

import json

import pytest

from zigttp.compiler import Diagnostic, compile_source, render_json, render_text


def test_render_text_like_ruff() -> None:
    source = "function handler(req) {\n\twhile (x) {}\n}\n"
    result = compile_source(source)
    text = render_text(result.diagnostics, {"handler.ts": source})
    assert text == (
        "ZTS001 'while' is not supported\n"
        " --> handler.ts:2:2\n"
        "  |\n"
        "2 | \twhile (x) {}\n"
        "  | \t^^^^^\n"
        "  |\n"
        "  = help: use 'for-of' with a finite collection instead\n\n"
    )


def test_render_text_without_source_or_suggestion() -> None:
    diagnostic = Diagnostic("ZTS024", "error", "'return' outside of function", "x.ts", 12, 1, None)
    assert render_text([diagnostic], {}) == "ZTS024 'return' outside of function\n  --> x.ts:12:1\n\n"


def test_render_json_fields() -> None:
    result = compile_source("const x = null;\nfunction handler() { return x; }")
    [entry] = json.loads(render_json(result.diagnostics))
    assert entry == {
        "code": "ZTS001",
        "severity": "error",
        "message": "'null' is not supported",
        "file": "handler.ts",
        "line": 1,
        "column": 11,
        "suggestion": "use 'undefined' for absent values instead",
    }


def test_internal_errors_become_zts999(monkeypatch: pytest.MonkeyPatch) -> None:
    from zigttp.compiler import emitter

    def explode(program: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("zigttp.compiler.api.emit_program", explode)
    result = compile_source("function handler() { return 1; }")
    assert not result.ok
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "ZTS999"
    assert diagnostic.message == "internal compiler error: KeyError: 'boom'"
    assert emitter.emit_program is not explode


def test_diagnostics_are_sorted_by_position() -> None:
    result = compile_source("function handler() {\n  x == 1;\n  var y;\n  y != 2;\n}")
    assert [d.line for d in result.diagnostics] == [2, 3, 4]
