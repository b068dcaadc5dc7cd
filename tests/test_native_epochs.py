"""Trials keep the GIL; a native thread advances the epoch so their deadline still comes.

Releasing the GIL around a trial's few microseconds of guest code handed it to
the server's I/O thread, and taking it back cost two context switches: about a
fifth of a served request's CPU. While a call holds the GIL no Python thread
runs, the Python ticker included, so the epoch is advanced by a native loop
(host/zigttp_host/_native/ticker.c) that never needs the GIL.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from zigttp_host import Bundle, Handler, Host, HttpRequest, Limits
from zigttp_host.abi import request_meta
from zigttp_host.epochticker import NativeEpochTicker
from zigttp_host.instance import GuestFailure
from zigttp_host.native import NATIVE_LIBRARY

LOOP = "export function handler(req) { for (;;) {} }"
# a fraction of a trial's millisecond of fuel: long enough that a thread waiting for the GIL would get it
BRIEF = "export function handler(req) { let s = 0; for (let i = 0; i < 10000; i++) s += i; return Response.json(s) }"
FOREVER = Limits(fuel=10**13, timeout_ms=600_000)  # neither fuel nor the request's time ends it soon
META = request_meta("GET", "/", [])


def _instance(handler: Handler):
    # without the native ticker a call holding the GIL would run until its fuel ends: minutes
    assert handler.host.engine.native_epochs, "no native epoch ticker in this process"
    return handler._acquire()  # the handler's own pooled instance on this thread


def test_the_native_ticker_runs_where_it_is_built(host: Host) -> None:
    """pip install -e . builds it on every 64-bit POSIX machine; CI must not fall back silently."""
    if os.name == "nt":
        pytest.skip("no native ticker on Windows")
    assert NATIVE_LIBRARY.exists(), "the native helpers were not built: pip install -e . builds them with the guest"
    assert host.engine.native_epochs


def test_a_call_holding_the_gil_is_stopped_by_the_epoch(host: Host) -> None:
    """An endless loop with fuel for minutes: only the epoch, advanced natively, can end the call."""
    inst = _instance(host.load(Bundle(LOOP, "loop-held.js"), FOREVER))
    started = time.perf_counter()
    with pytest.raises(GuestFailure) as failed:
        inst.handle(META, b"", timeout_ms=FOREVER.timeout_ms, fuel=FOREVER.fuel, soft_timeout_ms=30, hold_gil=True)
    elapsed = time.perf_counter() - started
    assert failed.value.kind == "timeout" and failed.value.trapped
    assert 0.015 <= elapsed < 5  # two ticks of 10 ms at least; far from the minutes the fuel allows


@pytest.fixture
def counting_thread() -> Iterator[list[int]]:
    """A Python thread that counts whenever this one lets go of the GIL (and lets go itself at each step)."""
    count = [0]
    stop = threading.Event()

    def count_up() -> None:
        while not stop.is_set():
            count[0] += 1
            time.sleep(0)

    thread = threading.Thread(target=count_up, daemon=True)
    old = sys.getswitchinterval()
    sys.setswitchinterval(5.0)  # the test's thread keeps the GIL unless a call gives it up
    # a collection while counting would finalize earlier tests' wasmtime objects, whose ctypes calls let go
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    thread.start()
    try:
        yield count
    finally:
        stop.set()
        if collecting:
            gc.enable()
        sys.setswitchinterval(old)
        thread.join()


@pytest.mark.parametrize("hold_gil", [True, False])
def test_whether_a_call_gives_up_the_gil(host: Host, counting_thread: list[int], hold_gil: bool) -> None:
    inst = _instance(host.load(Bundle(LOOP, f"loop-{hold_gil}.js"), FOREVER))
    before = counting_thread[0]
    with pytest.raises(GuestFailure):
        inst.handle(META, b"", timeout_ms=50, fuel=FOREVER.fuel, soft_timeout_ms=50, hold_gil=hold_gil)
    counted = counting_thread[0] - before
    if hold_gil:
        assert counted < 10  # nothing else ran for the call's 50 ms (reading the trap's message lets go)
    else:
        assert counted > 100


def test_trials_hold_the_gil_and_still_answer(host: Host, counting_thread: list[int]) -> None:
    h = host.load(Bundle(BRIEF, "brief-trial.js"))
    assert h.handle_inline(HttpRequest("GET", "/")) is not None  # the instance exists
    before = counting_thread[0]
    for _ in range(50):
        r = h.handle_inline(HttpRequest("GET", "/"))
        assert r is not None and r.status == 200 and r.body == b"49995000"
    assert counting_thread[0] - before < 10


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_ticks_its_own_epoch(host: Host) -> None:
    """A server's workers may be forked: the parent's ticker thread does not exist in the child."""
    inst = _instance(host.load(Bundle(LOOP, "loop-fork.js"), FOREVER))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, never return into pytest
        code = 1
        try:
            os.close(r)
            alive = host.engine.native_epochs
            host.engine.ensure_ticker()
            try:
                inst.handle(META, b"", timeout_ms=FOREVER.timeout_ms, fuel=FOREVER.fuel, soft_timeout_ms=30,
                            hold_gil=True)
            except GuestFailure as e:
                os.write(w, f"{alive} {host.engine.native_epochs} {e.kind}".encode())
                code = 0
        finally:
            os._exit(code)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(r) as f:
        report = f.read()
    assert os.waitstatus_to_exitcode(status) == 0
    assert report == "False True timeout"


def test_without_the_native_ticker_trials_release_the_gil() -> None:
    """ZIGTTP_NATIVE_TICKER=0 (or a machine without the library): the Python ticker advances the epoch."""
    code = f"""
import time
from zigttp_host import Bundle, Host, HttpRequest, Limits
host = Host()
h = host.load(Bundle({LOOP!r}, "loop.js"), Limits(fuel=10**13, timeout_ms=100))
r = h.handle(HttpRequest("GET", "/"))
print(host.engine.native_epochs, r.status, h.handle_inline(HttpRequest("GET", "/")))
"""
    env = dict(os.environ, ZIGTTP_NATIVE_TICKER="0")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "504", "None"]


def test_a_library_that_does_not_load_means_no_native_ticker(host: Host, tmp_path) -> None:
    """A package copied to another machine (zigttp deploy) may carry a ticker built for another architecture."""
    broken = tmp_path / "native.so"
    broken.write_bytes(b"\x7fELF not really")
    assert NativeEpochTicker.load(host.engine.wasmtime, 0.01, library=broken) is None
    assert NativeEpochTicker.load(host.engine.wasmtime, 0.01, library=tmp_path / "absent.so") is None


def test_with_the_native_loop_no_python_thread_ticks(host: Host) -> None:
    """Deadlines come from the store's epoch callback: nothing in Python wakes every tick to take the GIL."""
    assert host.engine.native_epochs
    names = {t.name for t in threading.enumerate()}
    assert "zigttp-epoch-native" in names and "zigttp-epoch" not in names
