"""The diff as a pure function: directions, field paths, order, durable sequences, the verdict."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from zigttp.prove import rules as R
from zigttp.prove.diff import diff_contracts
from zigttp.prove.diff_durable import step_findings
from zigttp.prove.findings import finding
from zigttp.prove.inputs import InputError, Side
from zigttp.prove.schemas import schema_changes
from zigttp.prove.verdict import decide

from .support import contract

USERS = Path(__file__).resolve().parents[1] / "contract" / "golden" / "examples" / "contract" / "users.ts.contract.json"


def _route(responses: list[dict], params: list[dict] | None = None, body: dict | None = None) -> dict:
    return {"method": "GET", "path": "/a", "params": params or [], "requestSchema": body, "responses": responses}


def _json(status: int, schema: dict | None) -> dict:
    return {"status": status, "contentType": "application/json", "schema": schema}


def _ids(old: dict, new: dict) -> list[str]:
    return [f.rule.id for f in diff_contracts(old, new) if f.rule.id != "ZP801"]


def test_a_contract_against_itself_has_no_finding() -> None:
    users = json.loads(USERS.read_text())
    found = diff_contracts(users, users)
    assert users["version"] == 2 and found == []
    assert decide(found).verdict == "SAFE" and decide(found).classification == "equivalent"


def test_a_finding_names_rule_location_field_path_and_values() -> None:
    obj = {"type": "object", "properties": {"id": {"type": "number"}}, "required": ["id"]}
    changed = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    [f] = [f for f in diff_contracts(contract(routes=[_route([_json(200, obj)])]),
                                     contract(routes=[_route([_json(200, changed)])])) if f.rule.id != "ZP801"]
    assert (f.rule.id, f.location, f.path, f.old, f.new) == (
        "ZP305", "GET /a", "responses[200].schema.properties.id", "number", "string")
    d = f.to_dict()
    assert d["rule"] == "ZP305" and d["level"] == "breaking" and d["direction"] == "response"


def test_the_same_change_is_breaking_in_a_request_and_additive_in_a_response() -> None:
    narrow = {"type": "object", "properties": {"a": {"type": "string"}}}
    wide = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["b"]}
    body = {"name": "x", "contentType": "application/json"}
    assert _ids(contract(routes=[_route([], body={**body, "schema": narrow})]),
                contract(routes=[_route([], body={**body, "schema": wide})])) == ["ZP214"]
    assert _ids(contract(routes=[_route([_json(200, narrow)])]),
                contract(routes=[_route([_json(200, wide)])])) == ["ZP303"]


def test_bounds_and_enums_have_a_direction() -> None:
    def effect(old: dict, new: dict) -> str:
        [c] = schema_changes(old, new)
        return c.effect

    assert effect({"minimum": 1}, {"minimum": 5}) == "narrowed"
    assert effect({"maxLength": 5}, {"maxLength": 9}) == "widened"
    assert effect({"enum": ["a", "b"]}, {"enum": ["a"]}) == "narrowed"
    assert effect({"enum": ["a"]}, {"enum": ["a", "b"]}) == "widened"
    assert effect({"pattern": "a"}, {"pattern": "b"}) == "changed"
    closed = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    [c] = schema_changes(closed, {**closed, "properties": {}})
    assert c.kind == "property_removed" and c.effect == "narrowed"


def test_dynamic_to_static_is_never_breaking() -> None:
    old = contract(dynamic={"env": True, "egress": True, "cache": True, "sql": True})
    found = diff_contracts(old, contract())
    assert {f.rule.id for f in found if f.rule.id != "ZP801"} == {"ZP405"}
    assert decide(found).verdict == "SAFE"


def test_capability_additions_are_additive_and_flagged_as_widening() -> None:
    found = diff_contracts(contract(), contract(egress=["api.example.com"]))
    [f] = [f for f in found if f.rule.id == "ZP402"]
    assert (f.location, f.path, f.new, f.rule.widens_capability) == ("egress", "api.example.com", "api.example.com",
                                                                      True)
    assert decide(found).verdict == "SAFE_WITH_ADDITIONS"


def test_property_severities_follow_the_upgrade_verdict() -> None:
    def verdict(name: str) -> str:
        return decide(diff_contracts(contract(properties={name: True}), contract(properties={name: False}))).verdict

    assert verdict("injection_safe") == "BREAKING"
    assert verdict("deterministic") == "NEEDS_REVIEW"
    assert verdict("pure") == "SAFE"
    gained = diff_contracts(contract(properties={"pure": False}), contract(properties={"pure": True}))
    assert [f.rule.id for f in gained if f.rule.id != "ZP801"] == ["ZP504"]


def test_durable_sequences() -> None:
    def ids(old: list[str], new: list[str]) -> list[str]:
        return sorted({f.rule.id for f in step_findings(old, new)})

    assert ids(["a", "b"], ["a", "b", "c"]) == ["ZP601"]
    assert ids(["a", "b"], ["a"]) == ["ZP602"]
    assert ids(["a", "b"], ["b", "a"]) == ["ZP603"]
    assert ids(["a", "b"], ["a", "x", "b"]) == ["ZP604"]
    assert ids(["a", "b"], ["a", "b"]) == []
    [f] = step_findings(["a", "b"], ["a", "x", "b"])
    assert (f.path, f.old, f.new) == ("steps[1]", None, "x")


def test_the_order_is_the_same_whatever_the_contracts_order() -> None:
    routes = [_route([_json(s, {"type": "object", "properties": {"a": {"type": "string"}}})]) for s in (200, 201, 404)]
    for r, p in zip(routes, ("/a", "/b", "/c"), strict=True):
        r["path"] = p
    old = contract(routes=routes, env=["A", "B", "C"])
    new = contract(routes=[], env=["D", "E"], properties={"pure": False, "deterministic": False})
    first = [f.to_dict() for f in diff_contracts(old, new)]
    shuffled_old, shuffled_new = dict(old), dict(new)
    shuffled_old["routes"] = random.Random(1).sample(routes, len(routes))
    shuffled_old["env"] = ["C", "A", "B"]
    shuffled_new["env"] = ["E", "D"]
    assert [f.to_dict() for f in diff_contracts(shuffled_old, shuffled_new)] == first


def test_the_verdict_table() -> None:
    def verdict(*rules: R.Rule) -> tuple[str, str, int]:
        v = decide([finding(r, "x", "", 1, 2) for r in rules])
        return v.classification, v.verdict, v.exit_code

    assert verdict() == ("equivalent", "SAFE", 0)
    assert verdict(R.FACT_NOT_COMPARED) == ("equivalent", "SAFE", 0)
    assert verdict(R.ROUTE_ADDED) == ("additive", "SAFE_WITH_ADDITIONS", 0)
    assert verdict(R.ROUTE_ADDED, R.PARAM_REMOVED) == ("additive", "NEEDS_REVIEW", 3)
    assert verdict(R.ROUTE_ADDED, R.PARAM_REMOVED, R.ROUTE_REMOVED) == ("breaking", "BREAKING", 1)


def test_an_unknown_contract_version_is_compared_on_what_both_carry() -> None:
    found = diff_contracts(contract(), contract(version=3, env=["X"]))
    assert {f.rule.id for f in found if f.rule.id != "ZP801"} == {"ZP803", "ZP402"}
    assert decide(found).verdict == "NEEDS_REVIEW"


def test_a_number_json_cannot_carry_exactly_is_invalid_input() -> None:
    side = Side("big.json", "contract", contract(routes=[_route([_json(200, {"const": 2**60})])]), None)
    with pytest.raises(InputError, match="no canonical JSON form"):
        side.contract_sha256  # noqa: B018


@pytest.mark.parametrize("old, new", [(True, 1), (False, 0), (1, True), (0, False)])
def test_json_true_and_the_number_one_are_different_values(old: object, new: object) -> None:
    # Python's True == 1 must not hide a changed constant
    changes = schema_changes({"const": old}, {"const": new})
    assert [c.kind for c in changes] == ["keyword_changed"]
    assert schema_changes({"enum": [old]}, {"enum": [new]}) != []
    assert schema_changes({"type": "object", "properties": {"a": {"const": old}}},
                          {"type": "object", "properties": {"a": {"const": new}}}) != []
