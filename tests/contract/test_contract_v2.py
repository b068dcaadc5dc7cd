"""Contract version 2: per-route auth, whether routes and schemas are statically known, behaviour paths.

Version-1 contracts stay readable: they load, they grant, and `zigttp prove`
compares them on what they carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zigttp.contract.derive import CONTRACT_VERSION, Derived, derive
from zigttp.contract.schema import validation_errors
from zigttp.prove.diff import diff_contracts
from zigttp_host.grants import Grants

from ..support.server import REPO

Derive = Callable[..., Derived]
GOLDEN_V1 = Path(__file__).resolve().parent / "handlers" / "v1" / "auth.ts.contract.json"


def _contract(rel: str) -> dict[str, Any]:
    derived = derive(REPO / rel)
    assert derived.contract is not None, derived.diagnostics
    return derived.contract


def _route(contract: dict[str, Any], path: str) -> dict[str, Any]:
    return next(r for r in contract["routes"] if r["path"] == path)


def test_the_contract_is_version_2_and_valid() -> None:
    contract = _contract("examples/modules/auth.ts")
    assert CONTRACT_VERSION == 2 and contract["version"] == 2
    assert validation_errors(contract) == []


def test_each_route_says_how_it_authenticates() -> None:
    contract = _contract("examples/modules/auth.ts")
    assert _route(contract, "/me")["auth"] == {"bearer": True, "jwt": True, "signature": False}
    assert _route(contract, "/login")["auth"] == {"bearer": False, "jwt": False, "signature": False}
    assert _route(contract, "/webhook")["auth"] == {"bearer": False, "jwt": False, "signature": True}


def test_auth_in_a_pre_guard_covers_every_route(derive_files: Derive) -> None:
    derived = derive_files("""import { parseBearer } from "zigttp:auth";
import { guard } from "zigttp:compose";
function requireToken(req: Request): Response | undefined {
  return parseBearer(req.headers.get("authorization")) === undefined
    ? Response.json({ error: "no token" }, { status: 401 }) : undefined;
}
function app(req: Request): Response {
  return match (req.path) {
    when "/a": Response.json({ a: 1 })
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
const handler = guard(requireToken) |> app;
""")
    assert derived.contract is not None, derived.diagnostics
    assert _route(derived.contract, "/a")["auth"]["bearer"] is True


def test_routes_and_schemas_say_whether_they_are_statically_known() -> None:
    static = _contract("examples/modules/auth.ts")
    assert static["routesDynamic"] is False and static["schemasDynamic"] is False
    # `when { method: "GET" }` selects on the request without a literal path: not a route of its own
    assert _contract("examples/routing/match-router.ts")["routesDynamic"] is True


def test_behaviour_paths_carry_conditions_and_responses() -> None:
    contract = _contract("examples/routing/match-router.ts")
    assert contract["behaviorsExhaustive"] is True
    behaviours = contract["behaviors"]
    todo = [b for b in behaviours
            if {"kind": "request", "test": 'req.path.startsWith("/todos/")', "value": "true"} in b["conditions"]]
    assert len(todo) == 1
    assert sorted(r["status"] for r in todo[0]["responses"]) == [200, 404]
    statuses = sorted({r["status"] for b in behaviours for r in b["responses"]})
    assert statuses == [200, 404, 405]


def test_io_outcomes_are_conditions_and_failure_paths_are_marked() -> None:
    contract = _contract("examples/modules/auth.ts")
    failing = [b for b in contract["behaviors"] if b["failurePath"]]
    conditions = [c for b in failing for c in b["conditions"]]
    assert {"kind": "io", "test": "zigttp:auth.jwtVerify", "value": "err"} in conditions
    assert {"kind": "io", "test": "zigttp:auth.parseBearer", "value": "undefined"} in conditions
    assert all(r["status"] == 401 for b in failing for r in b["responses"]
               if any(c["test"] == "zigttp:auth.jwtVerify" for c in b["conditions"]))


def test_renaming_locals_and_the_request_parameter_keeps_the_behaviour_keys(derive_files: Derive,
                                                                             tmp_path: Path) -> None:
    before = derive_files("""export function handler(req: Request): Response {
  const p = req.path;
  if (p.startsWith("/a")) { return Response.json({ a: 1 }); }
  return Response.json({ error: "no" }, { status: 404 });
}
""", entry="one.ts")
    after = derive_files("""export function handler(request: Request): Response {
  const where = request.path;
  if (where.startsWith("/a")) { return Response.json({ a: 1 }); }
  return Response.json({ error: "no" }, { status: 404 });
}
""", entry="two.ts")
    assert before.contract is not None and after.contract is not None
    assert before.contract["behaviors"] == after.contract["behaviors"]


def test_a_version_1_contract_still_loads_and_grants() -> None:
    old = json.loads(GOLDEN_V1.read_text())
    assert old["version"] == 1 and "behaviors" not in old
    assert validation_errors(old) == []
    grants = Grants.from_contract(old)
    assert grants.env == {"JWT_SECRET", "WEBHOOK_SECRET"}


@pytest.mark.parametrize("older", ["old", "new"])
def test_a_version_1_contract_is_diffed_on_what_it_carries(older: str) -> None:
    v1 = json.loads(GOLDEN_V1.read_text())
    v2 = _contract("examples/modules/auth.ts")
    old, new = (v1, v2) if older == "old" else (v2, v1)
    found = diff_contracts(old, new)
    not_compared = {f.path: f for f in found if f.rule.id == "ZP801"}
    assert set(not_compared) == {"routesDynamic", "schemasDynamic", "auth", "behaviors"}
    assert all(f"not carried by the {older} contract" in f.detail for f in not_compared.values())
    assert [f for f in found if f.rule.level in ("breaking", "review")] == []
