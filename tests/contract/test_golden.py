"""Golden contract.json for every example, golden OpenAPI for every example with routes.

Regenerate after an intended change: ZIGTTP_UPDATE_GOLDEN=1 pytest tests/contract/test_golden.py
(file hashes are stored as "<sha256>" and checked against the files separately).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from zigttp.contract.derive import Derived, derive
from zigttp.contract.openapi import build_openapi
from zigttp.contract.schema import SCHEMA_PATH, validation_errors

from ..support.server import REPO

EXAMPLES_DIR = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("ZIGTTP_UPDATE_GOLDEN") == "1"
HASH = "<sha256>"


def _examples() -> list[str]:
    out = []
    for p in sorted(EXAMPLES_DIR.rglob("*")):
        rel = p.relative_to(REPO)
        if p.suffix in (".ts", ".tsx", ".js", ".jsx") and "lib" not in rel.parts:
            out.append(rel.as_posix())
    return out


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def derived_examples() -> dict[str, Derived]:
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        return {rel: derive(rel) for rel in EXAMPLES}
    finally:
        os.chdir(cwd)


def _without_hashes(contract: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(contract)
    out["handler"]["sha256"] = HASH
    out["handler"]["files"] = dict.fromkeys(out["handler"]["files"], HASH)
    return out


def _compare(path: Path, actual: Any) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert path.exists(), f"no golden {path.relative_to(REPO)}: run with ZIGTTP_UPDATE_GOLDEN=1"
    expected = json.loads(path.read_text())
    assert actual == expected, f"{path.relative_to(REPO)} differs (ZIGTTP_UPDATE_GOLDEN=1 to accept)"
    assert list(actual) == list(expected)  # key order is part of the format


def test_every_example_is_covered() -> None:
    assert len(EXAMPLES) >= 10
    goldens = {p.relative_to(GOLDEN).as_posix().removesuffix(".contract.json")
               for p in GOLDEN.rglob("*.contract.json")}
    assert goldens == set(EXAMPLES) or UPDATE, "stale or missing goldens"


@pytest.mark.parametrize("example", EXAMPLES)
def test_golden_contract(derived_examples: dict[str, Derived], example: str) -> None:
    d = derived_examples[example]
    assert d.ok and d.contract is not None, d.diagnostics
    c = d.contract
    assert validation_errors(c) == []
    assert c["handler"]["path"] == example
    assert c["handler"]["sha256"] == hashlib.sha256((REPO / example).read_bytes()).hexdigest()
    base = (REPO / example).parent
    for rel, digest in c["handler"]["files"].items():
        assert hashlib.sha256((base / rel).read_bytes()).hexdigest() == digest
    _compare(GOLDEN / f"{example}.contract.json", _without_hashes(c))


@pytest.mark.parametrize("example", EXAMPLES)
def test_openapi_validates(derived_examples: dict[str, Derived], example: str) -> None:
    d = derived_examples[example]
    doc = build_openapi(d, "0.0.0")
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    if d.contract["routes"]:
        _compare(GOLDEN / f"{example}.openapi.json", doc)


def test_golden_openapi_covers_at_least_three_routes() -> None:
    operations = 0
    for p in GOLDEN.rglob("*.openapi.json"):
        doc = json.loads(p.read_text())
        operations += sum(len(item) for item in doc["paths"].values())
    assert operations >= 3


def test_users_example_openapi(derived_examples: dict[str, Derived]) -> None:
    """The shapes that matter, spelled out (the goldens hold the rest)."""
    doc = build_openapi(derived_examples["examples/contract/users.ts"], "0.0.0")
    assert sorted(doc["paths"]) == ["/health", "/users", "/users/{id}"]
    get_user = doc["paths"]["/users/{id}"]["get"]
    assert get_user["parameters"] == [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert get_user["responses"]["404"]["content"]["application/json"]["schema"] == {
        "type": "object", "properties": {"error": {"type": "string", "const": "not found"}}, "required": ["error"]}
    create = doc["paths"]["/users"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/user.create"}
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "type": "object", "properties": {"id": {"type": "number"}}, "required": ["id"]}
    assert sorted(create["responses"]) == ["201", "400"]
    assert doc["components"]["schemas"]["user.create"]["required"] == ["name", "email"]
    health = doc["paths"]["/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert health == {"type": "object", "properties": {"ok": {"const": True}, "region": {"type": "string"}},
                      "required": ["ok", "region"]}


def test_docs_schema_is_the_packaged_schema() -> None:
    assert (REPO / "docs" / "contract.schema.json").read_text() == SCHEMA_PATH.read_text()


def test_schema_rejects_broken_contracts(derived_examples: dict[str, Derived]) -> None:
    good = derived_examples["examples/contract/users.ts"].contract
    assert validation_errors(good) == []
    for mutate in (
        lambda c: c.pop("proof"),
        lambda c: c.__setitem__("proof", "maybe"),
        lambda c: c.__setitem__("extra", 1),
        lambda c: c["handler"].__setitem__("sha256", "abc"),
        lambda c: c["dynamic"].pop("sql"),
        lambda c: c["properties"].__setitem__("pure", "yes"),
        lambda c: c.__setitem__("env", ["A", "A"]),
        lambda c: c["routes"][0].__setitem__("method", "get"),
    ):
        bad = copy.deepcopy(good)
        mutate(bad)
        assert validation_errors(bad), mutate
