"""The human report (proof-report.txt, also what `zigttp prove` prints) and upgrade-manifest.json."""

from __future__ import annotations

import json
from typing import Any

from . import rules as R
from .diff_properties import severity
from .findings import Finding
from .run import Proof

_CLASS_LINES = {"equivalent": "EQUIVALENT (safe to deploy)", "additive": "ADDITIVE (safe to deploy)",
                "breaking": "BREAKING (requires review)"}


def text_report(proof: Proof, statement: dict[str, Any]) -> str:
    lines = ["PROVEN EVOLUTION REPORT", "=======================",
             f"Old: {proof.old.given} ({proof.old.kind}, contract sha256 {proof.old.contract_sha256[:16]}…)",
             f"New: {proof.new.given} ({proof.new.kind}, contract sha256 {proof.new.contract_sha256[:16]}…)",
             f"Classification: {_CLASS_LINES[proof.verdict.classification]}",
             f"Verdict: {proof.verdict.verdict}",
             f"Rule set {statement['ruleset_version']}, zigttp {statement['zigttp_version']}", "",
             "Contract Diff:"]
    lines.extend(_diff_lines(statement["contract_diff"]))
    lines.extend(["", f"Findings ({len(proof.findings)}):"])
    lines.extend(f"  {_finding_line(f)}" for f in proof.findings)
    lines.extend(["", _replay_line(statement["replay_result"]), f"Recommendation: {statement['recommendation']}"])
    return "\n".join(lines) + "\n"


def _diff_lines(diff: dict[str, Any]) -> list[str]:
    out = [f"  UNCHANGED  {r}" for r in diff["routes_unchanged"]]
    out += [f"  + ADDED    {r}" for r in diff["routes_added"]]
    out += [f"  - REMOVED  {r}" for r in diff["routes_removed"]]
    out += [f"  ~ CHANGED  {r} (breaking)" for r in diff["api_response_breaking"]]
    out += [f"  ~ CHANGED  {r} (additive)" for r in diff["api_response_additive"]
            if r not in diff["api_response_breaking"]]
    for section in ("env", "egress", "cache", "sql"):
        out += [f"  + ADDED    {section}: {n}" for n in diff[f"{section}_added"]]
        out += [f"  - REMOVED  {section}: {n}" for n in diff[f"{section}_removed"]]
    return out or ["  (no routes)"]


def _finding_line(f: Finding) -> str:
    line = f.describe()
    if f.old is not None or f.new is not None:
        line += f" [{_short(f.old)} -> {_short(f.new)}]"
    return line


def _short(value: Any) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:80] + "…"


def _replay_line(replay: dict[str, Any] | None) -> str:
    if replay is None:
        return "Replay: no traces given"
    return (f"Replay: {replay['replayed']} recorded requests replayed twice: {replay['identical']} identical, "
            f"{replay['status_changed']} status changed, {replay['body_changed']} body changed, "
            f"{replay['diverged']} diverged; {'deterministic' if replay['deterministic'] else 'NOT deterministic'}"
            f"; {_coverage_text(replay['path_coverage'])}")


def _coverage_text(coverage: dict[str, Any] | None) -> str:
    if coverage is None:
        return "behaviour-path coverage not available (NEW's contract is version 1: no behaviour paths)"
    limit = "" if coverage["exhaustive"] else " (enumeration stopped at its limit)"
    return (f"behaviour-path coverage {coverage['covered']}/{coverage['paths']} paths of NEW"
            f" ({coverage['ambiguous']} more possibly){limit}")


def upgrade_manifest(proof: Proof, statement: dict[str, Any]) -> dict[str, Any]:
    diff = statement["contract_diff"]
    replay = statement["replay_result"]
    lost = [f for f in proof.findings if f.rule in (R.PROPERTY_LOST_CRITICAL, R.PROPERTY_LOST_WARNING,
                                                    R.PROPERTY_LOST)]
    gained = [f for f in proof.findings if f.rule is R.PROPERTY_GAINED]
    return {
        "verdict": proof.verdict.verdict,
        "justification": justification(proof, diff, lost, gained),
        "classification": proof.verdict.classification,
        "surface": {"routesAdded": diff["routes_added"], "routesRemoved": diff["routes_removed"],
                    "routesUnchanged": diff["routes_unchanged"],
                    "capabilitiesWidened": diff["capabilities_widened"],
                    "capabilitiesNarrowed": diff["capabilities_narrowed"]},
        "behavioral": None,
        "replay": None if replay is None else {
            "total": replay["total_traces"], "identical": replay["identical"],
            "statusChanged": replay["status_changed"], "bodyChanged": replay["body_changed"],
            "diverged": replay["diverged"]},
        "propertyRegressions": [{"field": f.path, "old": True, "new": False, "severity": severity(f.path)}
                                for f in lost],
        "propertyGains": [{"field": f.path, "old": False, "new": True} for f in gained],
        "findings": {level: sum(1 for f in proof.findings if f.level == level) for level in R.LEVELS},
    }


def justification(proof: Proof, diff: dict[str, Any], lost: list[Finding], gained: list[Finding]) -> str:
    head = {"SAFE": "Safe to deploy.", "SAFE_WITH_ADDITIONS": "Safe to deploy.",
            "NEEDS_REVIEW": "Needs review.", "BREAKING": "Breaking."}[proof.verdict.verdict]
    parts = [head]
    if diff["routes_added"]:
        parts.append(f"{len(diff['routes_added'])} route(s) added.")
    if diff["routes_removed"]:
        parts.append(f"{len(diff['routes_removed'])} route(s) removed.")
    breaking = sum(1 for f in proof.findings if f.level == "breaking")
    if breaking:
        parts.append(f"{breaking} breaking finding(s).")
    if diff["capabilities_widened"]:
        parts.append("Capabilities widened.")
    parts.extend(f"Lost {f.path} ({severity(f.path)})." for f in lost)
    parts.extend(f"Gained {f.path}." for f in gained)
    return " ".join(parts)
