"""Contracts: what a handler reaches and what is proven about it (docs/contract.md).

This package renders the facts one analysis derived (zigttp.analysis,
zigttp.analysis.facts) and reads contract files; it derives nothing itself.
`derive(path)` analyses a handler and renders its contract;
`openapi.build_openapi(derived, version)` renders its routes as OpenAPI 3.1;
`load_contract` / `validation_errors` read and check `contract.json`.
Runtime enforcement of the contract lives in `zigttp_host.grants`.
Names are imported lazily: `zigttp serve` reads a cached contract without
importing the compiler.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ContractError": "schema",
    "Derived": "derive",
    "derive": "derive",
    "load_contract": "schema",
    "validation_errors": "schema",
}
__all__ = ["ContractError", "Derived", "derive", "load_contract", "validation_errors"]

if TYPE_CHECKING:
    from zigttp.contract.derive import Derived, derive
    from zigttp.contract.schema import ContractError, load_contract, validation_errors


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'zigttp.contract' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
