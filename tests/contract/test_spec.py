"""Spec<...> discharge (ZTS500-502): a failure names the property that does not hold, with its suggestion."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from zigttp.analysis.facts.spec import SUGGESTIONS
from zigttp.contract.derive import Derived

Derive = Callable[..., Derived]
SPEC = 'import type { Spec } from "zigttp:types";\n'


def spec_diagnostics(d: Derived) -> list:
    return [x for x in d.diagnostics if x.code in ("ZTS500", "ZTS501", "ZTS502")]


FAILING = {
    # property: (imports + module scope, body)
    "deterministic": ("", "  return Response.json({ t: Date.now() });"),
    "pure": ('import { env } from "zigttp:env";', '  return Response.json({ r: env("REGION") ?? "" });'),
    "read_only": ('import { fetch } from "zigttp:fetch";',
                  '  return Response.json({ s: fetch("https://api.example.com/x", { method: "POST" }).status });'),
    "retry_safe": ('import { fetch } from "zigttp:fetch";',
                   '  return Response.json({ s: fetch("https://api.example.com/x").status });'),
    "idempotent": ("", "  return Response.json({ r: Math.random() });"),
    "stateless": ('import { cacheGet } from "zigttp:cache";',
                  '  return Response.json({ v: cacheGet("ns", "k") ?? "" });'),
    "fault_covered": ('import { validateJson } from "zigttp:validate";',
                      '  const r = validateJson("user", req.body ?? "");\n'
                      '  if (r.ok) { return Response.json({ ok: true }); }\n'
                      '  return Response.json({ ok: false });'),
    "cost_bounded": ('import { fetch } from "zigttp:fetch";',
                     "  const ids = String(req.query.ids).split(\",\");\n"
                     "  for (const id of ids) { fetch(`https://api.example.com/u/${id}`); }\n"
                     "  return Response.json({ n: ids.length });"),
    "no_secret_leakage": ('import { env } from "zigttp:env";',
                          '  return Response.json({ k: env("API_SECRET") ?? "" });'),
}


def source(prop: str, imports: str, body: str) -> str:
    return (f"{SPEC}{imports}\n"
            f"export function handler(req: Request): Response & Spec<\"{prop}\"> {{\n{body}\n}}\n")


@pytest.mark.parametrize("prop", sorted(FAILING))
def test_undischarged_spec_names_the_property(derive_files: Derive, prop: str) -> None:
    imports, body = FAILING[prop]
    d = derive_files(source(prop, imports, body))
    found = spec_diagnostics(d)
    assert [(x.code, x.severity) for x in found] == [("ZTS500", "error")], d.diagnostics
    diag = found[0]
    assert f"Spec property '{prop}' is not proven" in diag.message
    assert diag.suggestion == SUGGESTIONS[prop]
    assert diag.line == 2 + imports.count("\n") + 1  # the Spec<...> on the handler's return type
    assert not d.verification_ok
    assert d.contract["proof"] == "partial"


@pytest.mark.parametrize("prop", sorted(FAILING))
def test_without_a_spec_nothing_is_demanded(derive_files: Derive, prop: str) -> None:
    imports, body = FAILING[prop]
    d = derive_files(f"{imports}\nexport function handler(req: Request): Response {{\n{body}\n}}\n")
    assert spec_diagnostics(d) == []
    assert d.spec is not None and d.spec.declared == []


def test_discharged_specs_pass(derive_files: Derive) -> None:
    names = "deterministic | read_only | pure | stateless | retry_safe | idempotent | state_isolated | " \
            "result_safe | optional_safe | fault_covered | cost_bounded | injection_safe | no_secret_leakage"
    spec = " | ".join(f'"{n.strip()}"' for n in names.split("|"))
    d = derive_files(f"{SPEC}export function handler(req: Request): Response & Spec<{spec}> {{\n"
                     '  return Response.json({ path: req.path });\n}\n')
    assert spec_diagnostics(d) == [], d.diagnostics
    assert d.spec.declared == sorted(n.strip() for n in names.split("|"))
    assert d.contract["proof"] == "complete"


def test_read_only_with_a_cache_import_is_ZTS501(derive_files: Derive) -> None:
    d = derive_files(f'{SPEC}import {{ cacheGet }} from "zigttp:cache";\n'
                     'export function handler(req: Request): Response & Spec<"read_only"> {\n'
                     '  return Response.json({ v: cacheGet("ns", "k") ?? "" });\n}\n')
    found = spec_diagnostics(d)
    assert [x.code for x in found] == ["ZTS501"]
    assert "zigttp:cache" in found[0].message
    assert found[0].suggestion == ("drop `read_only` from your Spec set, or remove the zigttp:cache import from "
                                   "this handler.")


def test_unknown_name_is_ZTS502_with_a_guess(derive_files: Derive) -> None:
    d = derive_files(f'{SPEC}export function handler(req: Request): Response & Spec<"read_onyl" | "fast"> {{\n'
                     "  return Response.json({ ok: true });\n}\n")
    found = spec_diagnostics(d)
    assert [(x.code, x.message) for x in found] == [
        ("ZTS502", "unknown Spec property 'read_onyl'"), ("ZTS502", "unknown Spec property 'fast'")]
    assert found[0].suggestion == "did you mean `read_only`?"
    assert found[1].suggestion.startswith("known properties: ")


def test_spec_through_aliases_and_modules(derive_files: Derive) -> None:
    d = derive_files({
        "handler.ts": f'{SPEC}import type {{ Guarantees }} from "./specs.ts";\n'
                      "type Mine = Guarantees & Spec<\"pure\">;\n"
                      "export function handler(req: Request): Response & Mine {\n"
                      "  return Response.json({ t: Date.now() });\n}\n",
        "specs.ts": f'{SPEC}export type Guarantees = Spec<"deterministic" | "read_only">;\n',
    })
    found = spec_diagnostics(d)
    assert sorted(x.message.split(" is ")[0] for x in found) == [
        "Spec property 'deterministic'", "Spec property 'pure'"]
    assert d.spec.declared == ["deterministic", "pure", "read_only"]


def test_guard_chain_spec_is_on_the_main_function(derive_files: Derive) -> None:
    d = derive_files(f'{SPEC}import {{ guard }} from "zigttp:compose";\n'
                     "function auth(req: Request): Response | undefined { return undefined; }\n"
                     'function main(req: Request): Response & Spec<"deterministic"> {\n'
                     "  return Response.json({ r: Math.random() });\n}\n"
                     "const handler = guard(auth) |> main;\n")
    assert [x.code for x in spec_diagnostics(d)] == ["ZTS500"]


def test_match_router_example_discharges_its_spec(derive_files: Derive) -> None:
    from zigttp.contract.derive import derive

    d = derive("examples/routing/match-router.ts")
    assert spec_diagnostics(d) == [] and d.spec.declared == ["read_only"]
