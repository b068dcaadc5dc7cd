"""Durable step sequences: an in-flight run resumes by replaying its recorded steps in order.

Steps appended after the recorded ones are additive; a removed, reordered or
inserted step is breaking, because a run recorded on OLD would meet another
step than the one it recorded.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import rules as R
from .findings import Finding, finding
from .view import ContractView


def durable_findings(old: ContractView, new: ContractView) -> list[Finding]:
    a, b = old.durable, new.durable
    if a is None and b is None:
        return []
    if a is None:
        return [finding(R.DURABLE_ADDED, "durable", "", None, _steps(b))]
    if b is None:
        return [finding(R.DURABLE_REMOVED, "durable", "", _steps(a), None)]
    return step_findings(_steps(a), _steps(b))


def _steps(section: dict[str, Any] | None) -> list[str]:
    return [str(s) for s in (section or {}).get("steps") or []]


def step_findings(old: list[str], new: list[str]) -> list[Finding]:
    if old == new:
        return []
    if new[:len(old)] == old:
        return [finding(R.DURABLE_STEP_APPENDED, "durable", f"steps[{i}]", None, new[i])
                for i in range(len(old), len(new))]
    out: list[Finding] = []
    removed = Counter(old) - Counter(new)
    added = Counter(new) - Counter(old)
    for i, step in enumerate(old):
        if removed[step] > 0:
            removed[step] -= 1
            out.append(finding(R.DURABLE_STEP_REMOVED, "durable", f"steps[{i}]", step, None))
    kept_old = _kept(old, Counter(new))
    kept_new = _kept(new, Counter(old))
    if kept_old != kept_new:
        out.append(finding(R.DURABLE_STEPS_REORDERED, "durable", "steps", old, new))
    recorded_end = max((i for i, s in enumerate(new) if s in set(old)), default=-1)
    for i, step in enumerate(new):
        if added[step] > 0:
            added[step] -= 1
            rule = R.DURABLE_STEP_INSERTED if i < recorded_end else R.DURABLE_STEP_APPENDED
            out.append(finding(rule, "durable", f"steps[{i}]", None, step))
    return out


def _kept(steps: list[str], other: Counter[str]) -> list[str]:
    """`steps` without the ones `other` lacks (counting repeats)."""
    left = Counter(other)
    out = []
    for s in steps:
        if left[s] > 0:
            left[s] -= 1
            out.append(s)
    return out
