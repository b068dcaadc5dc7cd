"""Soundness holes (issue item 4): each one pinned by the handler that used to slip through."""

from __future__ import annotations

from pathlib import Path

from verifier_helpers import codes, locate, positions, verify_text

H = "export function handler(req: Request): Response {\n"


# ------------------------------------------------ unknown identifiers (ZTS312)

def test_unknown_global_is_an_error_with_the_nearest_name(tmp_path: Path) -> None:
    source = H + "  return Respons.json({ ok: true });\n}\n"
    result = verify_text(tmp_path, source)
    assert not result.ok
    [d] = [d for d in result.diagnostics if d.code == "ZTS312"]
    assert (d.line, d.column) == locate(source, "Respons.")
    assert d.message == "'Respons' is not defined"
    assert d.suggestion == "did you mean 'Response'?"


def test_unknown_module_export_name_suggests_the_import(tmp_path: Path) -> None:
    source = H + "  const region = env(\"REGION\") ?? \"eu\";\n  return Response.text(region);\n}\n"
    result = verify_text(tmp_path, source)
    [d] = [d for d in result.diagnostics if d.code == "ZTS312"]
    assert d.suggestion == "import it: `import { env } from \"zigttp:env\";`"


def test_unknown_identifier_in_a_helper_the_handler_never_calls_is_still_reported(tmp_path: Path) -> None:
    source = "function helper(): number {\n  return missingCount + 1;\n}\n" + H + "  return Response.text(\"x\");\n}\n"
    assert positions(verify_text(tmp_path, source), "ZTS312") == [locate(source, "missingCount")]


def test_every_kind_of_binding_resolves(tmp_path: Path) -> None:
    source = (
        "import { env } from \"zigttp:env\";\n"
        "type Item = { id: number };\n"
        "const ITEMS: Item[] = [{ id: 1 }];\n"
        "function total(items: Item[]): number {\n"
        "  return items.reduce((acc, item) => acc + item.id, 0);\n"
        "}\n"
        + H
        + "  const region = env(\"REGION\") ?? \"eu\";\n"
        "  const { path } = req;\n"
        "  for (const [i, item] of ITEMS.entries()) {\n"
        "    console.log(`${i} ${item.id}`);\n"
        "  }\n"
        "  const parsed = JSON.tryParse(req.body ?? \"\");\n"
        "  const when = Date.now() + Math.floor(Number.MAX_SAFE_INTEGER / Infinity);\n"
        "  return Response.json({ region, path, n: total(ITEMS), ok: parsed.ok, when, nan: isNaN(NaN) });\n"
        "}\n"
    )
    result = verify_text(tmp_path, source)
    assert "ZTS312" not in codes(result), result.render_text()


def test_resource_is_a_known_prelude_global(tmp_path: Path) -> None:
    source = (
        "function handler(req: Request): Response {\n"
        "  const order = { id: 42, total: 1999, status: \"pending\" };\n"
        "  return resource(order, {\n"
        "    self: { href: \"/orders/42\" },\n"
        "    pay: { href: \"/orders/42/pay\", method: \"POST\", title: \"Pay now\", target: \"#order\" },\n"
        "  });\n"
        "}\n"
    )
    result = verify_text(tmp_path, source)
    assert result.ok, result.render_text()
    assert not result.diagnostics, result.render_text()


# ---------------------------------------------- optional module results (ZTS308)

ENV = "import { env } from \"zigttp:env\";\n"


def test_optional_module_result_as_object_literal_value(tmp_path: Path) -> None:
    source = ENV + H + "  return Response.json({ region: env(\"REGION\") });\n}\n"
    assert positions(verify_text(tmp_path, source), "ZTS308") == [locate(source, "env(\"REGION\")")]


def test_optional_module_result_through_a_binding_as_object_literal_value(tmp_path: Path) -> None:
    source = ENV + H + "  const region = env(\"REGION\");\n  return Response.json({ region: region });\n}\n"
    assert positions(verify_text(tmp_path, source), "ZTS308") == [locate(source, "region })")]


def test_optional_module_result_as_shorthand_property(tmp_path: Path) -> None:
    source = ENV + H + "  const region = env(\"REGION\");\n  return Response.json({ region });\n}\n"
    assert positions(verify_text(tmp_path, source), "ZTS308") == [locate(source, "region })")]


def test_optional_module_result_as_call_argument(tmp_path: Path) -> None:
    source = ENV + H + "  const region = env(\"REGION\");\n  return Response.json(region);\n}\n"
    assert positions(verify_text(tmp_path, source), "ZTS308") == [locate(source, "region);")]


def test_narrowed_module_result_is_fine_everywhere(tmp_path: Path) -> None:
    source = (ENV + H + "  const region = env(\"REGION\");\n  if (region === undefined) {\n"
              "    return Response.text(\"unset\", { status: 500 });\n  }\n"
              "  const zone = env(\"ZONE\") ?? \"a\";\n"
              "  return Response.json({ region, zone, both: `${region}-${zone}` });\n}\n")
    result = verify_text(tmp_path, source)
    assert result.ok and not result.diagnostics, result.render_text()


def test_request_fields_keep_the_type_directed_rule(tmp_path: Path) -> None:
    """`req.body` is optional too, but passing it where undefined is accepted stays fine."""
    source = H + "  return Response.json({ body: req.body, agent: req.headers.get(\"user-agent\") });\n}\n"
    result = verify_text(tmp_path, source)
    assert result.ok and not result.diagnostics, result.render_text()


# ------------------------------------- validate/decode accept a missing body

def test_validate_and_decode_accept_an_optional_body(tmp_path: Path) -> None:
    source = (
        "import { schemaCompile, validateJson, coerceJson } from \"zigttp:validate\";\n"
        "import { decodeJson, decodeForm } from \"zigttp:decode\";\n"
        "schemaCompile(\"user\", { type: \"object\" });\n"
        + H
        + "  const a = validateJson(\"user\", req.body);\n"
        "  const b = coerceJson(\"user\", req.body);\n"
        "  const c = decodeJson(\"user\", req.body);\n"
        "  const d = decodeForm(\"user\", req.body);\n"
        "  return Response.json({ ok: a.ok && b.ok && c.ok && d.ok });\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert result.ok and not result.diagnostics, result.render_text()


# ---------------------------------------- module-level registrations (ZTS305)

def test_module_const_with_an_effectful_initializer_is_not_unused(tmp_path: Path) -> None:
    source = ("import { schemaCompile } from \"zigttp:validate\";\n"
              "const registered = schemaCompile(\"order\", { type: \"object\" });\n"
              + H + "  return Response.text(\"x\");\n}\n")
    result = verify_text(tmp_path, source)
    assert "ZTS305" not in codes(result), result.render_text()


def test_module_const_with_an_effect_free_initializer_is_still_unused(tmp_path: Path) -> None:
    source = "const greeting = JSON.stringify({ a: 1 }).length + 1;\n" + H + "  return Response.text(\"x\");\n}\n"
    assert positions(verify_text(tmp_path, source), "ZTS305") == [locate(source, "greeting")]


def test_local_const_with_an_effectful_initializer_is_still_unused(tmp_path: Path) -> None:
    source = ("import { cacheSet } from \"zigttp:cache\";\n" + H
              + "  const stored = cacheSet(\"ns\", \"k\", \"v\");\n  return Response.text(\"x\");\n}\n")
    assert positions(verify_text(tmp_path, source), "ZTS305") == [locate(source, "stored")]
