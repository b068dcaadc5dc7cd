"""ZTS331: a literal schema's pattern that the linear-time engine cannot run is a verify error, at the pattern."""

from __future__ import annotations

import json
from pathlib import Path

from verifier_helpers import locate, verify_text

from tests.support.server import run_cli

IMPORT = 'import { schemaCompile, validateJson } from "zigttp:validate";\n'
HANDLER = ('export function handler(req: Request): Response {\n'
           '  const r = validateJson("user", req.body ?? "");\n'
           '  return Response.json({ ok: r.ok });\n}\n')
LOOKAHEAD = ("schemaCompile('user'): pattern at /properties/name/pattern uses a lookahead '(?=', which the "
             "linear-time pattern engine does not support")


def _zts331(result: object) -> list:
    return [d for d in result.diagnostics if d.code == "ZTS331"]  # type: ignore[attr-defined]


def test_a_lookahead_in_an_object_literal_is_reported_at_the_pattern(tmp_path: Path) -> None:
    source = (IMPORT + 'const USER = {\n  type: "object",\n'
              '  properties: { name: { type: "string", pattern: "^(?=.*[A-Z]).{8,}$" } },\n'
              '  patternProperties: { "^(?!x-)": { type: "string" } },\n};\n'
              'schemaCompile("user", USER);\n' + HANDLER)
    result = verify_text(tmp_path, source)
    assert not result.ok
    found = _zts331(result)
    assert [(d.line, d.column) for d in found] == [locate(source, '"^(?=.*[A-Z])'), locate(source, '"^(?!x-)"')]
    assert found[0].message == LOOKAHEAD
    assert found[0].severity == "error"
    assert "not: { pattern: ... }" in (found[0].suggestion or "")
    assert found[1].message == ("schemaCompile('user'): pattern at /patternProperties/^(?!x-) uses a negative "
                                "lookahead '(?!', which the linear-time pattern engine does not support")


def test_json_text_schemas_and_invalid_patterns(tmp_path: Path) -> None:
    source = (IMPORT + "schemaCompile(\"user\", '{\"items\": {\"pattern\": \"(a)\\\\\\\\1\"}}');\n"
              'schemaCompile("other", { pattern: "a(b" });\n' + HANDLER)
    found = _zts331(verify_text(tmp_path, source))
    assert [d.message for d in found] == [
        "schemaCompile('user'): pattern at /items/pattern uses a backreference '\\1', which the linear-time "
        "pattern engine does not support",
        "schemaCompile('other'): pattern at /pattern is not a valid regular expression: missing ')'"]
    assert (found[0].line, found[0].column) == locate(source, "'{\"items\"")
    assert "ECMAScript" in (found[1].suggestion or "")


def test_linear_patterns_and_pattern_like_data_are_clean(tmp_path: Path) -> None:
    source = (IMPORT + 'schemaCompile("user", { type: "string", pattern: "^[a-z]+\\\\d*$", '
              'not: { pattern: "^admin$" } });\n'
              'schemaCompile("data", { const: { pattern: "(?=x)" }, examples: ["\\\\1"] });\n' + HANDLER)
    result = verify_text(tmp_path, source)
    assert _zts331(result) == [] and result.ok, result.render_text()


def test_verify_cli_text_and_json(tmp_path: Path) -> None:
    handler = tmp_path / "handler.ts"
    source = (IMPORT + 'schemaCompile("user", { type: "object", properties: { name: '
              '{ type: "string", pattern: "^(?=.*[A-Z]).{8,}$" } } });\n' + HANDLER)
    handler.write_text(source)
    line, column = locate(source, '"^(?=')
    text = run_cli("verify", str(handler))
    assert text.returncode == 1
    assert f"ZTS331 {LOOKAHEAD}" in text.stdout + text.stderr
    assert f"{handler}:{line}:{column}" in text.stdout + text.stderr
    out = run_cli("verify", str(handler), "--json")
    assert out.returncode == 1
    diagnostics = [d for d in json.loads(out.stdout)["diagnostics"] if d["code"] == "ZTS331"]
    assert len(diagnostics) == 1 and diagnostics[0]["message"] == LOOKAHEAD
    assert (diagnostics[0]["line"], diagnostics[0]["column"]) == (line, column)
