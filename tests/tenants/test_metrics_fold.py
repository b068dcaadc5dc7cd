"""TenantMetrics.count_all folds recorded requests in batches; it must count as one request at a time does."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from zigttp_host.tenants.metrics import LIMIT_KINDS, TenantMetrics

KINDS = st.sampled_from([None, "capability_denied", "handler_error", *sorted(LIMIT_KINDS)])
# (kind, fuel, wall µs, whether its code ran): a request whose code did not run is recorded with 0 fuel
REQUEST = st.one_of(
    st.tuples(KINDS, st.integers(0, 10**12), st.integers(0, 10**9), st.just(True)),
    st.tuples(st.sampled_from(["tenant_busy", "rate_limited", "cpu_share_exceeded"]), st.just(0),
              st.integers(0, 10**9), st.just(False)),
)


def _reference(metrics: TenantMetrics, requests: list[tuple[str | None, int, int, bool]]) -> None:
    for kind, fuel, wall, ran in requests:
        metrics.requests += 1
        metrics.wall_us += wall
        if ran:
            metrics.fuel_used += fuel
            metrics.last_fuel = fuel
        if kind in LIMIT_KINDS:
            metrics.limit_hits[kind] = metrics.limit_hits.get(kind, 0) + 1
        elif kind == "capability_denied":
            metrics.denials += 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(REQUEST, max_size=40), max_size=4))
def test_folding_in_batches_counts_as_one_request_at_a_time(batches: list[list[tuple]]) -> None:
    folded, expected = TenantMetrics("t", "sha"), TenantMetrics("t", "sha")
    for batch in batches:
        queue = deque(batch)
        folded.count_all(queue)
        assert not queue
        _reference(expected, batch)
    assert folded == expected
