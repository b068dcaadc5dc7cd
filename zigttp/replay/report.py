"""The report of a replay, as text (upstream-spec §7.2's layout) and as JSON. Nothing in it varies between runs."""

from __future__ import annotations

from typing import Any

from .replay import BUCKETS, GroupOutcome

MAX_SHOWN = 10
SNIPPET = 200


def counts(outcomes: list[GroupOutcome]) -> dict[str, int]:
    c = dict.fromkeys(BUCKETS, 0)
    for o in outcomes:
        c[o.bucket] += 1
    return c


def text_report(label: str, outcomes: list[GroupOutcome]) -> str:
    c = counts(outcomes)
    n = len(outcomes)
    lines = [f"Replaying {n} trace{'s' if n != 1 else ''} against {label}...",
             f"Replay results for {label}:",
             f"  {c['identical']}/{n} identical",
             f"  {c['status_changed']} status code changes",
             f"  {c['body_changed']} body changes",
             f"  {c['diverged']} diverged (I/O mismatch or runtime error)"]
    different = [o for o in outcomes if o.bucket != "identical"]
    for o in different[:MAX_SHOWN]:
        lines.extend(_describe(o))
    if len(different) > MAX_SHOWN:
        lines.append(f"... and {len(different) - MAX_SHOWN} more differences")
    if not different:
        lines.append(f"All {n} traces passed.")
    return "\n".join(lines) + "\n"


def _describe(o: GroupOutcome) -> list[str]:
    head = f"Trace #{o.index} ({o.where}):"
    if o.bucket == "status_changed":
        return [f"{head} status changed {o.expected_status} -> {o.actual_status}"]
    if o.bucket == "body_changed":
        return [f"{head} body changed", f"  - {_snippet(o.expected_body)}", f"  + {_snippet(o.actual_body)}"]
    lines = [f"{head} diverged"]
    if o.failure is not None:
        lines.append(f"  runtime error: {o.failure}: {_snippet(o.actual_body)}")
    lines.extend(f"  {d.describe()}" for d in o.divergences[:3])
    if len(o.divergences) > 3:
        lines.append(f"  ... and {len(o.divergences) - 3} more I/O differences")
    return lines


def _snippet(body: bytes) -> str:
    text = body.decode(errors="replace")
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


def json_report(label: str, outcomes: list[GroupOutcome], warnings: list[str]) -> dict[str, Any]:
    return {
        "handler": label,
        "total": len(outcomes),
        **counts(outcomes),
        "warnings": warnings,
        "differences": [_difference(o) for o in outcomes if o.bucket != "identical"],
    }


def _difference(o: GroupOutcome) -> dict[str, Any]:
    d: dict[str, Any] = {"trace": o.index, "where": o.where, "bucket": o.bucket}
    if o.bucket == "status_changed":
        d["expected_status"], d["actual_status"] = o.expected_status, o.actual_status
    elif o.bucket == "body_changed":
        d["expected_body"], d["actual_body"] = _snippet(o.expected_body), _snippet(o.actual_body)
    else:
        d["divergences"] = [{"seq": x.seq, "kind": x.kind, "expected": x.expected, "actual": x.actual}
                            for x in o.divergences]
        if o.failure is not None:
            d["failure"] = o.failure
            d["actual_body"] = _snippet(o.actual_body)
    return d
