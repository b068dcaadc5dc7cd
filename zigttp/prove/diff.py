"""The contract diff: two parsed contracts (contract.json's content) in, the ordered findings out.

A pure function: no files, no clock, no environment; the same two contracts
always give the same findings in the same order.
"""

from __future__ import annotations

from typing import Any

from .comparability import comparability_findings
from .diff_behaviours import behaviour_findings
from .diff_capabilities import capability_findings
from .diff_durable import durable_findings
from .diff_properties import property_findings
from .diff_routes import route_findings
from .findings import Finding, ordered
from .view import ContractView


def diff_contracts(old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
    a, b = ContractView(old), ContractView(new)
    found: list[Finding] = []
    for part in (route_findings, behaviour_findings, capability_findings, property_findings, durable_findings,
                 comparability_findings):
        found.extend(part(a, b))
    return ordered(found)
