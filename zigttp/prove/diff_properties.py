"""Proven properties: a regression's level follows §7.6's upgrade verdict; gains are recorded."""

from __future__ import annotations

from . import rules as R
from .findings import Finding, finding
from .view import ContractView

CRITICAL = frozenset({"retry_safe", "injection_safe", "state_isolated", "no_secret_leakage",
                      "no_credential_leakage", "fault_covered", "result_safe", "optional_safe"})
WARNING = frozenset({"idempotent", "deterministic", "read_only", "input_validated", "pii_contained"})


def severity(name: str) -> str:
    return "critical" if name in CRITICAL else "warning" if name in WARNING else "info"


def property_findings(old: ContractView, new: ContractView) -> list[Finding]:
    before, after = old.properties(), new.properties()
    out: list[Finding] = []
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        if was and not now:
            rule = {"critical": R.PROPERTY_LOST_CRITICAL, "warning": R.PROPERTY_LOST_WARNING}.get(
                severity(name), R.PROPERTY_LOST)
            out.append(finding(rule, "properties", name, True, False, f"lost {name} ({severity(name)})"))
        elif now and not was:
            out.append(finding(R.PROPERTY_GAINED, "properties", name, False, True, f"gained {name}"))
    if old.proof is not None and new.proof is not None and old.proof != new.proof:
        out.append(finding(R.PROOF_LEVEL_CHANGED, "proof", "", old.proof, new.proof))
    return out
