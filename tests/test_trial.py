"""Handler.handle_inline: requests tried on the caller's thread, stopped before any host call.

`zigttp serve` runs every request this way first and falls back to a worker
thread; these tests pin down what a stopped trial must not leave behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from zigttp_host import Bundle, Grants, Handler, Host, HttpRequest, Limits
from zigttp_host.trial import FIRST_BACKOFF

from .conftest import HANDLERS

SOURCE = """
import { cacheIncr } from "zigttp:cache";
let n = 0;
export function handler(req) {
  n = n + 1;
  if (req.path === "/count") {
    console.log(`count ${n}`);
    return Response.json({ n });
  }
  if (req.path.startsWith("/hit")) {
    console.log(`before the host call ${n}`);
    return Response.json({ n, hits: cacheIncr("trial", "hits") });
  }
  if (req.path === "/spin") {
    let x = 0;
    for (const i of range(Number(req.query.loops))) { x = x + i; }
    return Response.json({ n, x });
  }
  return Response.json({ n, path: req.path });
}
"""


@pytest.fixture()
def logged(host: Host) -> Iterator[list[str]]:
    lines: list[str] = []
    saved = host.log_sink
    host.log_sink = lambda name, level, text: lines.append(text)
    yield lines
    host.log_sink = saved


def _load(host: Host, name: str, limits: Limits | None = None, isolation: str = "pooled") -> Handler:
    return host.load(Bundle(SOURCE, name), limits, isolation=isolation, grants=Grants(cache={"trial"}))


def _json(resp) -> object:
    return orjson.loads(resp.body)


def _skip_backoff(h: Handler, path: str) -> None:
    for _ in range(FIRST_BACKOFF):
        assert h.handle_inline(HttpRequest("GET", path)) is None


def test_a_quick_request_runs_inline(host: Host, logged: list[str]) -> None:
    h = _load(host, "quick.js")
    r = h.handle_inline(HttpRequest("GET", "/count"))
    assert r is not None and _json(r) == {"n": 1}
    assert _json(h.handle_inline(HttpRequest("GET", "/count?x=1"))) == {"n": 2}
    assert logged == ["count 1", "count 2"]
    assert (h.trials.trials, h.trials.stops) == (2, 0)


def test_a_host_call_stops_the_trial_before_it_happens(host: Host, logged: list[str]) -> None:
    h = _load(host, "hostcall.js")
    assert _json(h.handle_inline(HttpRequest("GET", "/count"))) == {"n": 1}
    # the trial reaches cacheIncr: stopped there, the counter untouched, its console line dropped
    assert h.handle_inline(HttpRequest("GET", "/hit")) is None
    assert h.trials.stops == 1 and h.instances_discarded == 1
    with ThreadPoolExecutor(1) as worker:  # the rerun, as a server does it: on a handler thread
        r = worker.submit(h.handle, HttpRequest("GET", "/hit")).result()
    assert _json(r)["hits"] == 1
    assert logged == ["count 1", "before the host call 1"]
    # the stopped trial's instance is gone, with what the partial run changed
    _skip_backoff(h, "/count")
    assert _json(h.handle_inline(HttpRequest("GET", "/count"))) == {"n": 1}
    # the route is remembered: no second trial for it
    trials = h.trials.trials
    assert h.handle_inline(HttpRequest("GET", "/hit")) is None
    assert h.trials.trials == trials and h.trials.stops == 1


def test_a_long_computation_stops_its_trial_and_completes_on_handle(host: Host) -> None:
    # a generous deadline: the computation takes about a second, longer on a loaded machine
    h = _load(host, "long.js", Limits(timeout_ms=60_000))
    request = HttpRequest("GET", "/spin?loops=3000000")
    assert h.handle_inline(request) is None
    assert h.trials.stops == 1
    r = h.handle(request)
    assert r.status == 200 and _json(r)["x"] == sum(range(3_000_000))


def test_no_trials_when_the_request_budget_is_smaller(host: Host) -> None:
    # the trial must never be what stops a request: with less fuel than a trial
    # gets, or a deadline no longer than a trial's, every request goes to handle()
    assert _load(host, "tiny-fuel.js", Limits(fuel=100_000)).handle_inline(HttpRequest("GET", "/count")) is None
    assert _load(host, "tiny-time.js", Limits(timeout_ms=5)).handle_inline(HttpRequest("GET", "/count")) is None


def test_fresh_isolation_never_tries(host: Host) -> None:
    h = _load(host, "fresh-trial.js", isolation="fresh")
    assert h.handle_inline(HttpRequest("GET", "/count")) is None
    assert h.trials.trials == 0


def test_a_handler_error_in_a_trial_is_the_answer(host: Host) -> None:
    h = host.load(Bundle("export function handler(req) { throw new TypeError('boom'); }", "trial-throws.js"))
    r = h.handle_inline(HttpRequest("GET", "/"))
    assert r is not None and r.status == 500 and _json(r)["message"] == "TypeError: boom"
    assert h.trials.stops == 0


def test_stops_back_off(host: Host) -> None:
    # a different route stops every time (unbounded paths): trials thin out
    h = _load(host, "backoff.js")
    for i in range(400):
        assert h.handle_inline(HttpRequest("GET", f"/hit/{i}")) is None
    # trials at requests 1, 10, 27, 60, 125 and 254; then 512 skipped
    assert h.trials.trials == h.trials.stops == 6


def test_calls_that_change_nothing_outside_do_not_stop_a_trial(host: Host) -> None:
    source = """
    import { sha256 } from "zigttp:crypto";
    import { urlParse } from "zigttp:url";
    export function handler(req) {
      return Response.json({ digest: sha256("abc"), host: urlParse("https://example.com/x").host });
    }
    """
    h = host.load(Bundle(source, "trial-pure.js"))
    r = h.handle_inline(HttpRequest("GET", "/"))
    assert r is not None and r.status == 200
    assert _json(r)["host"] == "example.com"
    assert (h.trials.trials, h.trials.stops) == (1, 0)


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "no-inline"])
def test_served_requests_run_once_each(inline: bool) -> None:
    from .support.server import serve

    args = ["--cache", "memory"] + ([] if inline else ["--no-inline"])
    with serve(HANDLERS / "trial.js", *args) as srv:
        hits = [srv.get(f"/hit/{i}").json()["hits"] for i in range(20)]
        assert hits == list(range(1, 21))  # no increment lost or repeated by a stopped trial
        assert [srv.get("/count").json() for _ in range(5)] == [{"path": "/count"}] * 5
        log = srv.log()
        for i in range(20):
            assert log.count(f"trial-log /hit/{i}\n") == 1, log
        assert log.count("trial-log /count\n") == 5
