"""Behaviour paths: the same decisions must answer the same way; a path may be added, never taken away.

Paths are matched by their conditions (I/O outcomes, request tests, `match`
arms; zigttp.analysis.facts.behaviours). A path of OLD that NEW does not have
is breaking (requests that took it are answered another way), a path only
NEW has is additive, and a matched path whose statuses or content types
differ is breaking. When either side stopped enumerating at its limit the
paths are not compared: a missing path might only be past the limit.
"""

from __future__ import annotations

from typing import Any

from . import rules as R
from .findings import Finding, finding
from .view import ContractView


def behaviour_findings(old: ContractView, new: ContractView) -> list[Finding]:
    before, after = old.behaviours(), new.behaviours()
    if before is None or after is None:
        return []  # not carried: comparability_findings reports it
    if not (old.behaviours_exhaustive and new.behaviours_exhaustive):
        return [finding(R.BEHAVIOURS_NOT_EXHAUSTIVE, "behaviors", "", old.behaviours_exhaustive,
                        new.behaviours_exhaustive)]
    out: list[Finding] = []
    for key in before.keys() - after.keys():
        out.append(finding(R.BEHAVIOUR_REMOVED, "behaviors", key, _answers(before[key]), None))
    for key in after.keys() - before.keys():
        out.append(finding(R.BEHAVIOUR_ADDED, "behaviors", key, None, _answers(after[key])))
    for key in before.keys() & after.keys():
        a, b = _answers(before[key]), _answers(after[key])
        if a != b:
            out.append(finding(R.BEHAVIOUR_RESPONSE_CHANGED, "behaviors", key, a, b))
    return out


def _answers(path: dict[str, Any]) -> list[str]:
    """A path's responses as sorted "status contentType" strings ("?" where not known)."""
    out = set()
    for r in path.get("responses") or []:
        if isinstance(r, dict):
            status, content_type = r.get("status"), r.get("contentType")
            out.add(f"{'?' if status is None else status} {content_type or '?'}")
    return sorted(out)
