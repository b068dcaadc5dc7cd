"""Replays recorded requests against a handler: each group in a fresh instance, fed by its recorded I/O.

A group is identical when the status and the body bytes are equal, no call
diverged from the recording and every recorded call was made (upstream-spec
§7.2; response headers are not compared). Otherwise it lands in one bucket,
the first that applies: diverged (an I/O mismatch, a recorded call not made,
or a runtime failure the recording did not have), status changed, body
changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zigttp_host.journal import Divergence, Journal
from zigttp_host.redact import redact_live_args
from zigttp_host.tracefile import TraceGroup

from .target import ReplayTarget

BUCKETS = ("identical", "status_changed", "body_changed", "diverged")


@dataclass
class GroupOutcome:
    index: int  # 1-based, in the order the groups were read
    where: str  # file:line of the group's request line
    bucket: str
    expected_status: int
    actual_status: int
    expected_body: bytes
    actual_body: bytes
    divergences: list[Divergence] = field(default_factory=list)
    failure: str | None = None  # the replay's own failure kind, when the recording had none or another


def replay_group(target: ReplayTarget, group: TraceGroup, index: int) -> GroupOutcome:
    journal = Journal.replay(group.entries, group.seed)
    if group.redacted:
        journal.normalize_args = redact_live_args
    response = target.handler.handle(group.request, journal)
    failure = response.failure.kind if response.failure is not None else None
    unexpected_failure = failure if failure is not None and failure != group.meta.get("failure") else None
    outcome = GroupOutcome(index, group.where, "identical", group.status, response.status, group.body,
                           response.body, list(journal.divergences), unexpected_failure)
    if outcome.divergences or unexpected_failure is not None:
        outcome.bucket = "diverged"
    elif response.status != group.status:
        outcome.bucket = "status_changed"
    elif response.body != group.body:
        outcome.bucket = "body_changed"
    return outcome


def replay_all(target: ReplayTarget, groups: list[TraceGroup]) -> list[GroupOutcome]:
    return [replay_group(target, group, i) for i, group in enumerate(groups, start=1)]


def stateful_groups(groups: list[TraceGroup]) -> list[TraceGroup]:
    """Groups recorded from a pooled handler the analysis did not find state-isolated.

    Such a handler's response may depend on the requests its instance served
    before, so a replay in a fresh instance would report differences the
    code did not cause.
    """
    return [g for g in groups if g.meta.get("state_isolated") is False and g.meta.get("isolation") != "fresh"]
