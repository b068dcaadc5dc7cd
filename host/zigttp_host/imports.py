"""Everything the guest can import: the `zigttp` host calls and stub WASI calls.

One Linker is shared by every instance in the process (wasmtime-py's function
slab is not safe to grow per instance), so host functions find the instance
they serve through a thread-local CallContext set around each guest call.
The WASI functions wasi-libc links against are answered here with no
filesystem, environment, socket or host randomness behind them.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import wasmtime

from .abi import CallStatus, pack_call_result
from .registry import CapabilityDenied, HostCallError, HostFunctions, HostRangeError, HostTypeError

log = logging.getLogger("zigttp.guest")

I32 = wasmtime.ValType.i32()
I64 = wasmtime.ValType.i64()

WASI = "wasi_snapshot_preview1"
WASI_ESUCCESS = 0
WASI_EBADF = 8
WASI_EINVAL = 28
CLOCK_REALTIME = 0

# Host calls may not move unbounded data across the boundary.
MAX_CALL_ARGS_BYTES = 16 << 20
MAX_CALL_RESULT_BYTES = 16 << 20
MAX_LOG_LINE_BYTES = 16 << 10


@dataclass
class CallContext:
    """The per-thread state host functions act on while the guest runs."""

    memory: wasmtime.Memory
    base: int
    functions: HostFunctions
    logger: Callable[[str, str], None]
    soft_deadline: float | None = None
    fixed_clock_ns: int | None = None
    pending: bytes | None = None
    denied: CapabilityDenied | None = None
    state: dict[str, Any] = field(default_factory=dict)


_local = threading.local()


def current() -> CallContext:
    return _local.ctx


def set_current(ctx: CallContext | None) -> None:
    _local.ctx = ctx


def _read(ctx: CallContext, caller: wasmtime.Caller, ptr: int, n: int) -> bytes:
    if n <= 0:
        return b""
    if ptr < 0 or ptr + n > ctx.memory.data_len(caller):
        raise HostTypeError("guest passed an out-of-bounds buffer")
    return ctypes.string_at(ctx.base + ptr, n)


def _write(ctx: CallContext, caller: wasmtime.Caller, ptr: int, data: bytes) -> None:
    if ptr < 0 or ptr + len(data) > ctx.memory.data_len(caller):
        raise HostTypeError("guest passed an out-of-bounds buffer")
    ctypes.memmove(ctx.base + ptr, data, len(data))


def _answer(ctx: CallContext, caller: wasmtime.Caller, status: CallStatus, data: bytes, out: int, cap: int) -> int:
    if len(data) <= cap:
        _write(ctx, caller, out, data)
    else:
        ctx.pending = data
    return pack_call_result(status, len(data))


def host_call(caller: wasmtime.Caller, fn_id: int, ptr: int, length: int, out: int, cap: int) -> int:
    # Nothing may escape this function: a Python exception would become a
    # wasm trap and cost the instance.
    ctx = current()
    name = f"#{fn_id}"
    try:
        if length > MAX_CALL_ARGS_BYTES:
            raise HostRangeError(f"host call arguments exceed {MAX_CALL_ARGS_BYTES} bytes")
        entry = ctx.functions.by_id.get(fn_id)
        if entry is None:
            raise HostTypeError(f"unknown host function {name}")
        name, fn = entry
        args = orjson.loads(_read(ctx, caller, ptr, length))
        result = fn(ctx, args)
        data = b"" if result is None else orjson.dumps(result)
        if len(data) > MAX_CALL_RESULT_BYTES:
            raise HostRangeError(f"{name}() result exceeds {MAX_CALL_RESULT_BYTES} bytes")
        return _answer(ctx, caller, CallStatus.OK, data, out, cap)
    except CapabilityDenied as e:
        ctx.denied = e
        return _answer(ctx, caller, CallStatus.DENIED, str(e).encode(), out, cap)
    except HostCallError as e:
        return _answer(ctx, caller, e.status, str(e).encode(), out, cap)
    except Exception as e:  # a bug in a host function must not kill the instance
        log.exception("host function %s failed", name)
        return _answer(ctx, caller, CallStatus.ERROR, f"{name}() failed: {type(e).__name__}".encode(), out, cap)


def host_take(caller: wasmtime.Caller, out: int, cap: int) -> int:
    ctx = current()
    data = ctx.pending or b""
    ctx.pending = None
    try:
        _write(ctx, caller, out, data[:cap])
    except HostCallError:
        return -1
    return min(len(data), cap)


def should_interrupt() -> int:
    deadline = current().soft_deadline
    return 1 if deadline is not None and time.monotonic() > deadline else 0


def clock_time_get(caller: wasmtime.Caller, clock_id: int, precision: int, out: int) -> int:
    ctx = current()
    if ctx.fixed_clock_ns is not None:
        # While a snapshot is being made the clock is a fixed value, so the
        # image holds no host time.
        ns = ctx.fixed_clock_ns
    else:
        # Millisecond resolution: enough for Date.now and performance.now, too
        # coarse for timing side channels.
        ns = time.time_ns() if clock_id == CLOCK_REALTIME else time.monotonic_ns()
        ns -= ns % 1_000_000
    try:
        _write(ctx, caller, out, ns.to_bytes(8, "little"))
    except HostCallError:
        return WASI_EINVAL
    return WASI_ESUCCESS


def fd_write(caller: wasmtime.Caller, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
    # QuickJS writes to stderr only for engine-internal complaints; they go to
    # the host log, bounded.
    ctx = current()
    try:
        raw = _read(ctx, caller, iovs, 8 * iovs_len)
        total = 0
        chunks = []
        for i in range(iovs_len):
            p = int.from_bytes(raw[8 * i : 8 * i + 4], "little")
            n = int.from_bytes(raw[8 * i + 4 : 8 * i + 8], "little")
            chunks.append(_read(ctx, caller, p, min(n, MAX_LOG_LINE_BYTES)))
            total += n
        if fd in (1, 2):
            ctx.logger("warn", b"".join(chunks).decode(errors="replace").rstrip("\n"))
        _write(ctx, caller, nwritten, total.to_bytes(4, "little"))
    except HostCallError:
        return WASI_EINVAL
    return WASI_ESUCCESS


def make_linker(engine: wasmtime.Engine) -> wasmtime.Linker:
    linker = wasmtime.Linker(engine)
    ft = wasmtime.FuncType
    linker.define_func("zigttp", "call", ft([I32, I32, I32, I32, I32], [I64]), host_call, access_caller=True)
    linker.define_func("zigttp", "take", ft([I32, I32], [I32]), host_take, access_caller=True)
    linker.define_func("zigttp", "should_interrupt", ft([], [I32]), should_interrupt)
    linker.define_func(WASI, "clock_time_get", ft([I32, I64, I32], [I32]), clock_time_get, access_caller=True)
    linker.define_func(WASI, "fd_write", ft([I32, I32, I32, I32], [I32]), fd_write, access_caller=True)
    linker.define_func(WASI, "fd_close", ft([I32], [I32]), lambda fd: WASI_EBADF)
    linker.define_func(WASI, "fd_fdstat_get", ft([I32, I32], [I32]), lambda fd, p: WASI_EBADF)
    linker.define_func(WASI, "fd_seek", ft([I32, I64, I32, I32], [I32]), lambda fd, o, w, p: WASI_EBADF)
    return linker
