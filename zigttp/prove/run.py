"""One proof: the static diff of OLD and NEW, the replay evidence against NEW, the verdict over both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import rules as R
from .diff import diff_contracts
from .durable_runs import RunCheck, check_runs
from .evidence import Evidence, replay_evidence
from .findings import Finding, finding, ordered
from .inputs import Side
from .verdict import Verdict, classify, decide


@dataclass(frozen=True)
class Proof:
    old: Side
    new: Side
    findings: list[Finding]  # static and replay findings, in their deterministic order
    static_classification: str  # from the contracts alone
    verdict: Verdict
    evidence: Evidence | None
    durable_runs: list[RunCheck] | None = None  # with --durable: each in-flight run replayed against NEW


def prove(old: Side, new: Side, traces: Path | None = None, durable: Path | None = None) -> Proof:
    static = diff_contracts(old.contract, new.contract)
    static_classification = classify(static)
    evidence = replay_evidence(new, traces) if traces is not None else None
    found = list(static)
    if evidence is not None:
        found.extend(evidence.findings)
        if static_classification == "equivalent" and not evidence.all_identical:
            differing = evidence.replayed - evidence.counts["identical"]
            found.append(finding(R.STATIC_EQUIVALENCE_CONTRADICTED, "traces", "", "equivalent",
                                 f"{differing} of {evidence.replayed} recorded requests not identical"))
    runs = None
    if durable is not None:
        runs, diverging = check_runs(new, durable)
        found.extend(diverging)
    findings = ordered(found)
    return Proof(old, new, findings, static_classification, decide(findings), evidence, runs)
