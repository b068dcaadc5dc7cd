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
    out = []
    for error in sorted(validator.iter_errors(contract), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        out.append(f"{where}: {error.message}")
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
    problems = validation_errors(data)
    if problems:
        shown = "\n  ".join(problems[:10]) + ("\n  ..." if len(problems) > 10 else "")
        raise ContractError(f"{path} is not a zigttp contract (version 1 or 2):\n  {shown}")
    return data  # type: ignore[no-any-return]
