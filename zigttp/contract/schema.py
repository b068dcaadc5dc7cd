"""The contract's JSON Schema (contract.schema.json, copied to docs/), validation and loading."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("contract.schema.json")


class ContractError(Exception):
    """A contract file that cannot be used: unreadable, not JSON, or not a contract of version 1 or 2."""


@functools.cache
def contract_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def validation_errors(contract: Any) -> list[str]:
    """Every way `contract` departs from the schema (empty: valid), as `path: message` lines."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(contract_schema())
    out = _errors(validator, contract, [])
    if not out:  # the contract's schema takes any object as a route's JSON schema: check each is one
        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
        for where, schema in _route_schemas(contract):
            try:
                out.extend(_errors(meta, schema, where))
            except RecursionError:  # jsonschema recurses once per level of the schema's nesting
                out.append(f"{'/'.join(map(str, where))}: nested too deeply")
    return out


def _errors(validator: Any, instance: Any, prefix: list[Any]) -> list[str]:
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in [*prefix, *error.absolute_path]) or "(top level)"
        out.append(f"{where}: {error.message}")
    return out


def _route_schemas(contract: dict[str, Any]) -> list[tuple[list[Any], Any]]:
    """Every JSON schema a (valid) contract's routes carry, with its path: params, request body, responses."""
    out: list[tuple[list[Any], Any]] = []
    for i, route in enumerate(contract.get("routes", [])):
        for j, param in enumerate(route["params"]):
            out.append((["routes", i, "params", j, "schema"], param["schema"]))
        body = route["requestSchema"]
        if body is not None and body["schema"] is not None:
            out.append((["routes", i, "requestSchema", "schema"], body["schema"]))
        for k, response in enumerate(route["responses"]):
            if response["schema"] is not None:
                out.append((["routes", i, "responses", k, "schema"], response["schema"]))
    return out


def load_contract(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ContractError(f"cannot read {path}: {e}") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ContractError(f"{path} is not JSON: {e}") from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        raise ContractError(f"{path} is not a zigttp contract: its JSON is nested too deeply") from None
    problems = validation_errors(data)
    if problems:
        shown = "\n  ".join(problems[:10]) + ("\n  ..." if len(problems) > 10 else "")
        raise ContractError(f"{path} is not a zigttp contract (version 1 or 2):\n  {shown}")
    return data  # type: ignore[no-any-return]
