"""The one module registry: its invariants, the compiler's view of it, and `zigttp types`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import run_cli
from zigttp.compiler.modules import is_known_virtual_module, module_signatures, virtual_modules
from zigttp_host.modules import REGISTRY, builtin_functions, registry_modules
from zigttp_host.registry import EFFECTS, RETURN_KINDS

MODULES = {"zigttp:env", "zigttp:crypto", "zigttp:auth", "zigttp:validate", "zigttp:decode", "zigttp:cache",
           "zigttp:sql", "zigttp:fetch", "zigttp:io", "zigttp:compose", "zigttp:router", "zigttp:http", "zigttp:url",
           "zigttp:id", "zigttp:log", "zigttp:text", "zigttp:time", "zigttp:durable"}


def test_every_module_family_is_registered() -> None:
    assert set(registry_modules()) == MODULES


def test_entries_are_well_formed() -> None:
    seen = set()
    for e in REGISTRY:
        assert (e.module, e.name) not in seen, e.name
        seen.add((e.module, e.name))
        assert e.impl is not None or e.js is not None, e.name
        assert e.return_kind in RETURN_KINDS and e.effect in EFFECTS
        assert all(p.type for p in e.params) and e.returns
        assert e.doc, f"{e.module}.{e.name} needs a doc line (it becomes the editor hover text)"
        if e.return_kind == "optional":
            assert "undefined" in e.returns, e.name
        if e.capability_arg is not None:
            assert e.capability and 0 <= e.capability_arg < len(e.params)
        optional_seen = False
        for p in e.params:
            assert not (optional_seen and not p.optional and not p.variadic), f"{e.name}: required after optional"
            optional_seen = optional_seen or p.optional


def test_host_call_ids_follow_the_registry() -> None:
    functions = builtin_functions()
    table = functions.module_table_js()
    for e in REGISTRY:
        fn_id = functions.modules[e.module][e.name]
        assert (fn_id in functions.by_id) == (e.impl is not None)
        assert f'"{e.name}": [{fn_id}, "{e.return_kind}"' in table


def test_the_compiler_reads_the_registry() -> None:
    assert set(virtual_modules()) == {m.split(":")[1] for m in MODULES} | {"types"}
    assert is_known_virtual_module("zigttp:durable") and not is_known_virtual_module("zigttp:websocket")
    sigs = module_signatures("auth")
    assert sigs is not None
    verify = sigs["jwtVerify"]
    assert (verify.required, verify.max_args, verify.return_kind, verify.effect) == (2, 3, "result", "read")
    assert [p.type for p in verify.params] == ["string", "string", "JwtVerifyOptions"]
    assert module_signatures("compose")["pipe"].max_args is None
    assert module_signatures("types") == {}
    assert module_signatures("nope") is None
    assert module_signatures("env")["env"].capability == "env" and not module_signatures("id")["uuid"].module_scope


def test_types_command_declares_every_export(tmp_path: Path) -> None:
    out = tmp_path / "zigttp.d.ts"
    proc = run_cli("types", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    for e in REGISTRY:
        assert f'declare module "{e.module}"' in text
        assert f"export function {e.name}" in text, e.name
    assert "declare function fetchSync(url: string, init?: FetchInit): FetchResponse;" in text
    assert 'declare module "zigttp:types"' in text and "export type Spec<" in text
    assert run_cli("types").stdout == text


@pytest.mark.skipif(shutil.which("tsc") is None, reason="TypeScript (tsc) is not installed")
def test_the_typings_compile_with_tsc(tmp_path: Path) -> None:
    (tmp_path / "zigttp.d.ts").write_text(run_cli("types").stdout)
    (tmp_path / "use.ts").write_text(
        'import { jwtVerify } from "zigttp:auth";\nimport { routerMatch } from "zigttp:router";\n'
        'const routes = { "GET /a": (p: Record<string, string>) => Response.json(p) };\n'
        "export function handler(req: Request): Response {\n"
        '  const m = routerMatch(routes, req); const c = jwtVerify("t", "k");\n'
        "  return m ? m.handler(m.params) : Response.json({ ok: c.ok });\n}\n")
    proc = subprocess.run(["tsc", "--noEmit", "--strict", "--lib", "es2020", "--target", "es2020", "--module", "esnext",
                           "--moduleResolution", "node", "zigttp.d.ts", "use.ts"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout
