"""FastFunc.call_with_budget: the store's fuel and epoch deadline set and the export called in one native call
(_native/budgeted_call.c), or from Python where the native helpers are absent. Both ways must bound a call
alike: the same fuel consumed, the same traps, the deadline kept, and a trap after a trap still reported."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import wasmtime

from zigttp_host import Bundle, Host, Limits, deadlines, fastcall, native
from zigttp_host.abi import frame_size, request_meta, write_frame
from zigttp_host.fastcall import FastFunc
from zigttp_host.instance import SIGNATURES, GuestInstance, _export

HELLO = 'export function handler(req) { return Response.json({ message: "Hello", path: req.path }); }'
LOOP = "export function handler(req) { for (;;) {} }"
META = request_meta("GET", "/", [("host", "127.0.0.1")])
PLENTY = 10**9


def _instance(host: Host, source: str, name: str) -> GuestInstance:
    handler = host.load(Bundle(source, name), Limits(fuel=10**13, timeout_ms=600_000))
    return handler._acquire()


def _both(inst: GuestInstance) -> dict[str, FastFunc]:
    """The instance's `handle` export bound twice: budget set natively, and from Python."""
    export = _export(inst._store_ctx_addr, inst._instance_addr, b"handle")
    return {"native": FastFunc(export, inst.store, SIGNATURES["handle"]),
            "python": FastFunc(export, inst.store, SIGNATURES["handle"], native_budget=False)}


def _call(inst: GuestInstance, fn: FastFunc, fuel: int, ticks: int = 10_000) -> int | None:
    """One GET / through `fn`, its frame written as GuestInstance.handle writes it."""
    size = frame_size(META, b"")
    ptr = inst._ensure_buf(size)
    write_frame(inst._memory_view(ptr + size), ptr, META, b"")
    inst._deadline.stage = deadlines.HARD
    return fn.call_with_budget(fuel, ticks, size, 0)


def test_the_native_helper_is_built_and_used() -> None:
    """pip install -e . builds it on every 64-bit POSIX machine: CI must not fall back silently."""
    assert native.library() is not None
    assert fastcall._BUDGETED is not None


def test_both_ways_consume_the_same_fuel(host: Host) -> None:
    inst = _instance(host, HELLO, "hello.js")
    funcs = _both(inst)
    for _ in range(5):  # kept atoms and layouts warm: later requests cost the same
        _call(inst, funcs["python"], PLENTY)
    used = {}
    for way in ("native", "python", "native"):
        assert _call(inst, funcs[way], PLENTY) > 0
        used.setdefault(way, set()).add(PLENTY - inst.fuel_left())
    assert len(used["native"]) == 1
    assert used["native"] == used["python"]


@pytest.mark.parametrize("way", ["native", "python"])
def test_fuel_runs_out_and_a_second_trap_is_reported_too(host: Host, way: str) -> None:
    inst = _instance(host, LOOP, f"loop-{way}.js")
    fn = _both(inst)[way]
    for _ in range(2):  # the trap pointer is replaced after a trap: the next trap must still be seen
        with pytest.raises(wasmtime.Trap) as caught:
            _call(inst, fn, 100_000 if _ == 0 else 10)
        assert caught.value.trap_code == wasmtime.TrapCode.OUT_OF_FUEL


@pytest.mark.parametrize("way", ["native", "python"])
def test_the_epoch_deadline_is_set(host: Host, way: str) -> None:
    """Fuel for minutes; only the deadline of two ticks ends the call."""
    inst = _instance(host, LOOP, f"deadline-{way}.js")
    fn = _both(inst)[way]
    started = time.perf_counter()
    with pytest.raises(wasmtime.WasmtimeError):
        _call(inst, fn, 10**13, ticks=2)
    assert time.perf_counter() - started < 5


def test_a_host_without_the_native_helpers_serves_and_bounds_requests() -> None:
    """Where the library is absent (not built, another platform's), the host sets budgets from Python and the
    epoch is advanced by a Python thread: answers, fuel limits and deadlines all hold."""
    code = f"""
from zigttp_host import native
native.library = lambda path=native.NATIVE_LIBRARY: None  # as if never built
from zigttp_host import Bundle, Host, HttpRequest, Limits, fastcall
host = Host()
hello = host.load(Bundle({HELLO!r}, "hello.js"))
loop = host.load(Bundle({LOOP!r}, "loop.js"), Limits(timeout_ms=200))
starved = host.load(Bundle({LOOP!r}, "starved.js"), Limits(fuel=1_000_000, timeout_ms=60_000))
print(fastcall._BUDGETED is None, host.engine.native_epochs, hello.handle(HttpRequest("GET", "/")).body.decode(),
      hello.handle_inline(HttpRequest("GET", "/x")).body.decode(), starved.handle(HttpRequest("GET", "/")).status,
      loop.handle(HttpRequest("GET", "/")).status)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False", '{"message":"Hello","path":"/"}',
                                  '{"message":"Hello","path":"/x"}', "500", "504"]
