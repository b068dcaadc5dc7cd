"""Derived handler properties and capability facts (reported, never demanded)."""

from __future__ import annotations

import json
from pathlib import Path

from verifier_helpers import require_export, verify_text

from zigttp.verifier.properties import HandlerProperties

H = "export function handler(req: Request): Response {\n"


def props(tmp_path: Path, source: str) -> HandlerProperties:
    result = verify_text(tmp_path, source)
    assert result.properties is not None, result.render_text()
    return result.properties


def test_a_plain_handler_is_pure(tmp_path: Path) -> None:
    p = props(tmp_path, H + "  return Response.json({ path: req.path });\n}\n")
    assert p.pure and p.read_only and p.deterministic and p.idempotent and p.state_isolated
    assert p.virtual_modules == [] and p.capabilities == []
    json.dumps(p.to_dict())


def test_clock_breaks_determinism(tmp_path: Path) -> None:
    p = props(tmp_path, H + "  return Response.json({ now: Date.now() });\n}\n")
    assert not p.deterministic and not p.pure and not p.idempotent and p.read_only


def test_module_state_breaks_isolation(tmp_path: Path) -> None:
    p = props(tmp_path, "let n = 0;\n" + H + "  n = n + 1;\n  return Response.json({ n });\n}\n")
    assert not p.state_isolated


def test_unreachable_helpers_do_not_count(tmp_path: Path) -> None:
    source = "function stamp(): number {\n  return Date.now();\n}\n" + H + "  return Response.text(\"ok\");\n}\n"
    p = props(tmp_path, source)
    assert p.deterministic


def test_env_names_and_dynamic_targets(tmp_path: Path) -> None:
    require_export("zigttp:env", "env")
    source = "import { env } from \"zigttp:env\";\n" + H + (
        "  const a = env(\"API_URL\") ?? \"\";\n  const b = env(req.path) ?? \"\";\n"
        "  return Response.json({ a: a.length, b: b.length });\n}\n"
    )
    p = props(tmp_path, source)
    assert p.env_vars == ["API_URL"]
    assert p.dynamic_targets == ["zigttp:env.env"]
    assert p.virtual_modules == ["zigttp:env"]
    assert any(c.export == "env" and c.target == "API_URL" and c.line == 3 for c in p.capabilities)


def test_writes_and_egress(tmp_path: Path) -> None:
    require_export("zigttp:cache", "cacheSet")
    source = "import { cacheSet } from \"zigttp:cache\";\n" + H + (
        "  cacheSet(\"hits\", req.path, \"1\");\n"
        "  const r = fetchSync(`https://api.example.com/ping/${req.path.length}`);\n"
        "  return Response.json({ status: r.status });\n}\n"
    )
    p = props(tmp_path, source)
    assert not p.read_only and not p.retry_safe and p.has_egress
    assert p.cache_namespaces == ["hits"]
    assert p.outbound_hosts == ["api.example.com"]


def test_flow_properties(tmp_path: Path) -> None:
    p = props(tmp_path, H + "  return Response.html(`<b>${req.path}</b>`);\n}\n")
    assert not p.injection_safe and p.input_validated and p.no_secret_leakage


def test_canonical_only_with_strict(tmp_path: Path) -> None:
    source = H + "  return Response.text(\"ok\");\n}\n"
    assert props(tmp_path, source).canonical is None
    result = verify_text(tmp_path, source, strict=True)
    assert result.properties is not None and result.properties.canonical is True
