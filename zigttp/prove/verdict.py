"""Classification (equivalent | additive | breaking) and the upgrade verdict, from the findings alone.

Replay evidence arrives as findings too (rules ZP7xx), so one function
decides: the strongest level present wins.

| strongest level | classification | verdict |
|---|---|---|
| breaking | breaking | BREAKING |
| review | (from the other findings) | NEEDS_REVIEW |
| additive | additive | SAFE_WITH_ADDITIONS |
| info or none | equivalent | SAFE |
"""

from __future__ import annotations

from dataclasses import dataclass

from .findings import Finding

SAFE, SAFE_WITH_ADDITIONS, NEEDS_REVIEW, BREAKING = "SAFE", "SAFE_WITH_ADDITIONS", "NEEDS_REVIEW", "BREAKING"
EXIT_CODES = {SAFE: 0, SAFE_WITH_ADDITIONS: 0, BREAKING: 1, NEEDS_REVIEW: 3}


@dataclass(frozen=True, slots=True)
class Verdict:
    classification: str  # equivalent | additive | breaking
    verdict: str  # SAFE | SAFE_WITH_ADDITIONS | NEEDS_REVIEW | BREAKING

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


def classify(findings: list[Finding]) -> str:
    levels = {f.level for f in findings}
    if "breaking" in levels:
        return "breaking"
    return "additive" if "additive" in levels else "equivalent"


def decide(findings: list[Finding]) -> Verdict:
    classification = classify(findings)
    levels = {f.level for f in findings}
    if classification == "breaking":
        return Verdict(classification, BREAKING)
    if "review" in levels:
        return Verdict(classification, NEEDS_REVIEW)
    return Verdict(classification, SAFE_WITH_ADDITIONS if classification == "additive" else SAFE)


def widens_capabilities(findings: list[Finding]) -> bool:
    return any(f.rule.widens_capability for f in findings)
