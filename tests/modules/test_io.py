"""zigttp:io: parallel() and race() send the thunks' requests concurrently (checked by the server)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from zigttp_host import Bundle, Host, HttpRequest, Limits

from .support import OPEN, PROBE, Probe
from .upstream import Upstream, upstream

IO = "zigttp:io"


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture(scope="module")
def allowed(probe_for: Callable[..., Probe], up: Upstream) -> Probe:
    return probe_for(outbound_hosts=(f"127.0.0.1:{up.port}",))


def test_parallel_requests_overlap(allowed: Probe, up: Upstream) -> None:
    up.reset()
    thunks = [{"$thunk": [f"{up.url}/slow?ms=300&tag={i}"]} for i in range(3)]
    results = allowed.call(IO, "parallel", thunks)
    assert [r["json"] for r in results] == [{"slept": 300, "tag": str(i)} for i in range(3)]
    # all three were held by the server at the same time
    assert up.max_active == 3 and len(up.requests) == 3


def test_one_result_per_thunk_in_order(allowed: Probe, up: Upstream) -> None:
    results = allowed.call(IO, "parallel", [{"$nothunk": 1}, {"$thunk": [f"{up.url}/status?code=404"]},
                                            {"$thunk": [f"{up.url}/json"]}])
    assert results[0] is None
    assert [results[1]["status"], results[2]["json"]] == [404, {"hello": "world"}]
    assert allowed.call(IO, "parallel", []) == []


def test_race_returns_the_first_ok_in_declaration_order(allowed: Probe, up: Upstream) -> None:
    winner = allowed.call(IO, "race", [{"$thunk": [f"{up.url}/status?code=500"]},
                                       {"$thunk": [f"{up.url}/slow?ms=200&tag=slow"]},
                                       {"$thunk": [f"{up.url}/slow?ms=1&tag=fast"]}])
    assert winner["json"] == {"slept": 200, "tag": "slow"}
    assert allowed.raw(IO, "race", [{"$thunk": [f"{up.url}/status?code=500"]}]) == {"type": "undefined"}


def test_refused_and_failing_requests_are_599_entries(allowed: Probe, up: Upstream) -> None:
    results = allowed.call(IO, "parallel", [{"$thunk": ["http://localhost:1/"]}, {"$thunk": [f"{up.url}/json"]}])
    assert results[0]["error"] == "EgressDenied" and results[1]["status"] == 200


def test_limits_and_wrong_calls(allowed: Probe, up: Upstream) -> None:
    nine = [{"$nothunk": 1}] * 9
    assert allowed.throws(IO, "parallel", nine) == ("RangeError", "parallel() supports at most 8 concurrent operations")
    assert allowed.throws(IO, "race", [1]) == ("TypeError", "race(): thunks[0] must be a function")
    assert allowed.throws(IO, "parallel", "x") == ("TypeError",
                                                   "parallel(): parameter 'thunks' must be an array of functions")
    # a throwing thunk aborts the call, and fetch works normally afterwards
    assert allowed.throws(IO, "parallel", [{"$throw": "boom"}]) == ("Error", "boom")
    assert allowed.call("global", "fetchSync", f"{up.url}/json")["status"] == 200


def test_a_thunk_stopped_by_the_deadline_leaves_nothing_behind(hosts: Callable[..., Host], up: Upstream) -> None:
    # The time limit is uncatchable: the wrapper cannot close the collection, so the host ties it to the
    # request. The pooled instance's next request must fetch for real, not collect.
    p = Probe(hosts(outbound_hosts=(f"127.0.0.1:{up.port}",)).load(Bundle(PROBE, "probe.js"), Limits(timeout_ms=300),
                                                                grants=OPEN))
    out = p.handler.handle(HttpRequest("POST", "/", [("x-call", json.dumps(
        {"m": IO, "f": "parallel", "args": [[{"$spin": [f"{up.url}/json"]}]]}))]))
    assert out.status == 504 and out.failure is not None and not out.failure.instance_discarded
    assert p.call("global", "fetchSync", f"{up.url}/json")["json"] == {"hello": "world"}
    assert p.call(IO, "parallel", [{"$thunk": [f"{up.url}/json"]}])[0]["status"] == 200


def test_parallel_needs_egress(probe: Probe, up: Upstream) -> None:
    assert probe.throws(IO, "parallel", [{"$thunk": [f"{up.url}/json"]}]) == (
        "InternalError", "parallel() requires outbound HTTP to be enabled (--outbound-host HOST)")
