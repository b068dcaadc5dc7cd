"""The certificate's statement (proof.json): upstream-spec §7.7's content plus what makes it checkable.

Nothing in it varies between two runs over the same inputs: no time, no
absolute path (sources are named by file name, trace files relative to the
--traces argument), findings in their fixed order. Its bytes are the RFC 8785
canonical form (certificate.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from zigttp import __version__

from . import rules as R
from .findings import Finding
from .inputs import Side
from .rules import RULESET_VERSION
from .run import Proof

FORMAT = "zigttp-proof"
FORMAT_VERSION = 1
_RECOMMENDATIONS = {
    "SAFE": "Safe to deploy: nothing a client or an in-flight run relies on changed.",
    "SAFE_WITH_ADDITIONS": "Safe to deploy: only additions (check any capability widening).",
    "NEEDS_REVIEW": "Review before deploying: some findings need a human decision.",
    "BREAKING": "Do not deploy as is: existing clients or in-flight runs can fail.",
}


def guest_wasm_sha256() -> str | None:
    from zigttp_host.paths import GUEST_WASM

    return hashlib.sha256(GUEST_WASM.read_bytes()).hexdigest() if GUEST_WASM.is_file() else None


def build_statement(proof: Proof) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "zigttp_version": __version__,
        "ruleset_version": RULESET_VERSION,
        "guest_wasm_sha256": guest_wasm_sha256(),
        "classification": proof.verdict.classification,
        "static_classification": proof.static_classification,
        "verdict": proof.verdict.verdict,
        "old_handler": _handler_path(proof.old),
        "new_handler": _handler_path(proof.new),
        "old": _side(proof.old),
        "new": _side(proof.new),
        "contract_diff": contract_diff(proof.findings, proof.old, proof.new),
        "replay_result": replay_result(proof),
        "traces": None if proof.evidence is None else [f.to_dict() for f in proof.evidence.files],
        "durable_runs": None if proof.durable_runs is None else [r.to_dict() for r in proof.durable_runs],
        "proof_level": proof.new.contract.get("proof"),
        "laws_used": [],
        "behavioralDiff": None,
        "findings": [f.to_dict() for f in proof.findings],
        "recommendation": _RECOMMENDATIONS[proof.verdict.verdict],
    }


def _handler_path(side: Side) -> str:
    handler = side.contract.get("handler")
    return str(handler.get("path", "")) if isinstance(handler, dict) else ""


def _side(side: Side) -> dict[str, Any]:
    return {"input": side.kind, "contract_version": side.contract.get("version"),
            "contract_sha256": side.contract_sha256, "bundle_sha256": side.bundle_sha256}


def _names(findings: list[Finding], rule: R.Rule, location: str | None = None) -> list[str]:
    return sorted({f.path if location else f.location for f in findings
                   if f.rule is rule and (location is None or f.location == location)})


def contract_diff(findings: list[Finding], old: Side, new: Side) -> dict[str, Any]:
    before = {f"{r.get('method')} {r.get('path')}" for r in old.contract.get("routes") or []}
    after = {f"{r.get('method')} {r.get('path')}" for r in new.contract.get("routes") or []}
    out: dict[str, Any] = {
        "routes_added": _names(findings, R.ROUTE_ADDED),
        "routes_removed": _names(findings, R.ROUTE_REMOVED),
        "routes_unchanged": sorted(before & after - _touched(findings)),
        "api_response_additive": _route_levels(findings, "additive"),
        "api_response_breaking": _route_levels(findings, "breaking"),
    }
    for section in ("env", "egress", "cache", "sql"):
        out[f"{section}_added"] = _names(findings, R.CAPABILITY_ADDED, section)
        out[f"{section}_removed"] = _names(findings, R.CAPABILITY_REMOVED, section)
    out["capabilities_widened"] = any(f.rule.widens_capability for f in findings)
    out["capabilities_narrowed"] = any(f.rule in (R.CAPABILITY_REMOVED, R.CAPABILITY_BECAME_STATIC)
                                       for f in findings)
    out["effect_changes"] = [{"field": f.path or f.location, "old": _label(f.old), "new": _label(f.new)}
                             for f in findings if f.rule.area == "property"]
    return out


_ROUTE_AREAS = ("param", "body", "response")


def _touched(findings: list[Finding]) -> set[str]:
    return {f.location for f in findings if f.rule.area in _ROUTE_AREAS and f.level != "info"}


def _route_levels(findings: list[Finding], level: str) -> list[str]:
    return sorted({f.location for f in findings if f.rule.area in _ROUTE_AREAS and f.level == level})


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def replay_result(proof: Proof) -> dict[str, Any] | None:
    e = proof.evidence
    if e is None:
        return None
    c = e.counts
    coverage = round(100.0 * c["identical"] / e.replayed, 1) if e.replayed else 0.0
    return {"total_traces": e.replayed + e.not_replayed, "replayed": e.replayed, "not_replayed": e.not_replayed,
            "identical": c["identical"], "status_changed": c["status_changed"], "body_changed": c["body_changed"],
            "diverged": c["diverged"], "coverage": coverage, "replays_per_trace": 2,
            "deterministic": e.deterministic,
            "path_coverage": e.coverage.to_dict() if e.coverage is not None else None}
