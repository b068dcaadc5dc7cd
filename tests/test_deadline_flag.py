"""The soft deadline reaches the guest as a flag in its memory: a computing guest never waits on Python.

QuickJS asks whether to stop every ~10,000 steps. When that question was a
host call, a guest spinning in one thread took Python's GIL thousands of
times a second, and a thread running Python beside it slowed it tenfold (and
was slowed itself): one tenant's loop could starve the others' requests.
"""

from __future__ import annotations

import sys
import threading
import time

import orjson

from zigttp_host import Bundle, Host, HttpRequest, Limits

SPIN = "export function handler(req) { let s = 0; for (let i = 0; i < 3e6; i++) s += i; return Response.json(s) }"


def test_a_computing_guest_never_waits_for_the_gil(host: Host) -> None:
    """With a 0.5 s switch interval, every GIL hand-over the spinning thread needs costs up to 0.5 s while
    this thread runs Python. A host call per interrupt check (about 300 in this loop) took minutes; the
    flag needs only the few hand-overs around the call. The margin is wide enough for a busy machine."""
    handler = host.load(Bundle(SPIN, "spin.js"), Limits(fuel=10**12, timeout_ms=600_000))
    handler.handle(HttpRequest("GET", "/"))  # the instance exists: no set-up inside the measured call
    statuses: list[int] = []
    thread = threading.Thread(target=lambda: statuses.append(handler.handle(HttpRequest("GET", "/")).status))
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.5)
    try:
        thread.start()
        deadline = time.monotonic() + 40
        while thread.is_alive() and time.monotonic() < deadline:
            pass  # pure Python: gives up the GIL only when the switch interval says so
        finished = not thread.is_alive()
    finally:
        sys.setswitchinterval(old)
    thread.join()
    assert finished and statuses == [200]


def test_the_soft_deadline_still_stops_a_loop(host: Host) -> None:
    handler = host.load(Bundle("export function handler(req) { for (;;) {} }", "loop.js"),
                        Limits(fuel=10**13, timeout_ms=200))
    started = time.perf_counter()
    r = handler.handle(HttpRequest("GET", "/"))
    elapsed = time.perf_counter() - started
    assert r.status == 504 and orjson.loads(r.body) == {"error": "timeout", "limitMs": 200}
    assert elapsed < 2.0
    # the instance survived the interrupt (an exception, not a trap) and serves again
    assert r.failure is not None and not r.failure.instance_discarded


def test_the_soft_deadline_never_comes_early(host: Host) -> None:
    """The epoch ticks every 10 ms, at a phase no request chooses: a deadline counted in whole ticks from the
    request's start could fire up to a tick before its time. 25 ms is not a whole number of ticks."""
    handler = host.load(Bundle("export function handler(req) { for (;;) {} }", "early.js"),
                        Limits(fuel=10**13, timeout_ms=25))
    elapsed = []
    for i in range(12):
        # each request ends at a tick: a pause of a different fraction of a tick starts the next at another phase
        time.sleep(i * 0.010 / 12)
        started = time.perf_counter()
        r = handler.handle(HttpRequest("GET", "/"))
        elapsed.append(time.perf_counter() - started)
        assert r.status == 504
    assert min(elapsed) >= 0.025, [round(e * 1000, 1) for e in elapsed]
