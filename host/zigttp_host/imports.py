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
import struct
import threading
import time
from collections.abc import Callable
from ctypes import byref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import wasmtime
from wasmtime import _bindings as bindings

from . import wellformed
from .abi import CallStatus, pack_call_result
from .logtext import escape_controls
from .registry import (
    CapabilityDenied,
    HostCallError,
    HostFatal,
    HostFunctions,
    HostInterrupted,
    HostRangeError,
    HostTypeError,
)

if TYPE_CHECKING:
    from .grants import GrantTable
    from .http import HttpRequest
    from .journal import Journal

log = logging.getLogger("zigttp.guest")

I32 = wasmtime.ValType.i32()
I64 = wasmtime.ValType.i64()

WASI = "wasi_snapshot_preview1"
WASI_ESUCCESS = 0
WASI_EBADF = 8
WASI_EINVAL = 28
CLOCK_REALTIME = 0

# Host-call id 0 is the console (modules.py); registry exports are numbered above it.
CONSOLE_FN_ID = 0

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
    fatal: HostFatal | None = None  # set when the host stopped the request (registry.HostFatal)
    grants: GrantTable | None = None  # what the handler may reach (grants.py); None only outside requests
    state: dict[str, Any] = field(default_factory=dict)
    memory_addr: int = 0  # address of the wasmtime_memory_t handle, for the raw callbacks
    memory_seen: int = 0  # linear memory size last observed (it never shrinks)
    # Set while a request runs on trial (Handler.handle_inline): a host call
    # outside functions.trial_safe stops the guest with a trap before it
    # takes effect.
    trial: bool = False
    trial_stopped: bool = False
    # The request's log budget (Limits.log_lines / log_bytes), reset per
    # request by the Handler; outside requests nothing is charged.
    log_lines_left: int = 1 << 62
    log_bytes_left: int = 1 << 62
    log_dropped: int = 0
    # The request's I/O journal (journal.py), when it is recorded or played back.
    journal: Journal | None = None
    # The request being served, and what runs after it (a durable run releases its claim).
    request: HttpRequest | None = None
    after_request: list[Callable[[CallContext], None]] = field(default_factory=list)
    bundle_sha256: str = ""
    # The monotonic clock the guest reads: clock_origin_ns at clock_start_ns (time.monotonic_ns()).
    clock_origin_ns: int = 0
    clock_start_ns: int = 0
    # A view of linear memory for copies in and out without a ctypes call (memory_view).
    view: memoryview = field(default_factory=lambda: memoryview(b""), repr=False)

    def __post_init__(self) -> None:
        self.memory_addr = ctypes.addressof(self.memory._memory)

    def memory_view(self, size: int) -> memoryview:
        """A view of at least the first `size` bytes of linear memory, made again only when the memory grew
        past the last one (it never moves or shrinks). `size` must not exceed the memory's size: callers pass
        the `limit` they bounds-check against, which is at most what wasmtime last reported."""
        view = self.view
        if size > len(view):
            view = self.view = memoryview((ctypes.c_ubyte * size).from_address(self.base)).cast("B")
        return view

    def charge_log(self, size: int) -> bool:
        """Charges one log line of `size` bytes to the request; False: over budget, drop it (counted)."""
        if self.log_lines_left > 0 and size <= self.log_bytes_left:
            self.log_lines_left -= 1
            self.log_bytes_left -= size
            return True
        # once over, every later line of the request is dropped too
        self.log_lines_left = 0
        self.log_dropped += 1
        return False

    def log(self, level: str, text: str) -> None:
        """A console line of the handler: escaped, charged, then to the logger."""
        line = escape_controls(text)
        if self.charge_log(len(line) if line.isascii() else len(line.encode())):
            self.logger(level, line)


_local = threading.local()


def current() -> CallContext:
    return _local.ctx


def set_current(ctx: CallContext | None) -> None:
    _local.ctx = ctx


def _read(ctx: CallContext, limit: int, ptr: int, n: int) -> bytes:
    if n <= 0:
        return b""
    if ptr < 0 or ptr + n > limit:
        raise HostTypeError("guest passed an out-of-bounds buffer")
    return bytes(ctx.memory_view(limit)[ptr:ptr + n])


def _write(ctx: CallContext, limit: int, ptr: int, data: bytes) -> None:
    if ptr < 0 or ptr + len(data) > limit:
        raise HostTypeError("guest passed an out-of-bounds buffer")
    ctx.memory_view(limit)[ptr:ptr + len(data)] = data


def _answer(ctx: CallContext, limit: int, status: CallStatus, data: bytes, out: int, cap: int) -> int:
    try:
        if len(data) <= cap:
            _write(ctx, limit, out, data)
        else:
            ctx.pending = data
    except HostCallError:
        ctx.pending = data  # the guest's buffer is bad; it can still take() the answer
    return pack_call_result(status, len(data))


_string_at = ctypes.string_at
_memmove = ctypes.memmove
_loads = wellformed.loads
_monotonic = time.monotonic
_dumps = wellformed.dumps


def host_call(limit: int, fn_id: int, ptr: int, length: int, out: int, cap: int) -> int:
    # Nothing may escape this function: a Python exception would become a
    # wasm trap and cost the instance. The success path is written out flat:
    # it runs for every virtual-module call.
    ctx = _local.ctx
    entry = ctx.functions.by_id.get(fn_id)
    try:
        if entry is None:
            raise HostTypeError(f"unknown host function #{fn_id}")
        if length > MAX_CALL_ARGS_BYTES:
            raise HostRangeError(f"{entry[0]}() arguments exceed {MAX_CALL_ARGS_BYTES} bytes")
        if ptr < 0 or length < 0 or ptr + length > limit:
            raise HostTypeError("guest passed an out-of-bounds buffer")
        deadline = ctx.soft_deadline
        if deadline is not None and _monotonic() > deadline:
            # the guest's interrupt handler cannot run during a host call: no call starts past the deadline
            if ctx.trial:
                ctx.trial_stopped = True
            raise HostInterrupted(f"{entry[0]}(): interrupted: the request's time limit was reached")
        raw = bytes(ctx.memory_view(limit)[ptr:ptr + length]) if length else b""
        args = _loads(raw) if length else []
        grants = ctx.grants
        guard = None if grants is None else grants.guards.get(fn_id)
        journal = ctx.journal
        traced = None if journal is None else ctx.functions.traced.get(fn_id)
        if traced is None:
            result = entry[1](ctx, args) if guard is None else guard(ctx, entry[1], args)
            data = b"" if result is None else _dumps(result)
        else:
            data = journal.call(ctx, traced, entry[1], guard, raw, args)  # type: ignore[union-attr]
        n = len(data)
        if n > MAX_CALL_RESULT_BYTES:
            raise HostRangeError(f"{entry[0]}() result exceeds {MAX_CALL_RESULT_BYTES} bytes")
        if n <= cap and out >= 0 and out + n <= limit:
            ctx.memory_view(limit)[out:out + n] = data
        else:
            ctx.pending = data
        return n  # status OK is 0 in the high half
    except CapabilityDenied as e:
        ctx.denied = e
        return _answer(ctx, limit, CallStatus.DENIED, str(e).encode(), out, cap)
    except HostFatal as e:
        ctx.fatal = e
        return _answer(ctx, limit, e.status, str(e).encode(), out, cap)
    except HostCallError as e:
        return _answer(ctx, limit, e.status, str(e).encode(), out, cap)
    except wellformed.MalformedJson:
        return _answer(ctx, limit, CallStatus.TYPE_ERROR, b"host call arguments are not valid JSON", out, cap)
    except Exception as e:  # a bug in a host function must not kill the instance
        name = entry[0] if entry else f"#{fn_id}"
        # One line: the data that triggered it is the guest's, and may be hostile.
        log.error("host function %s failed: %s", name, type(e).__name__)
        log.debug("host function %s failed", name, exc_info=True)
        return _answer(ctx, limit, CallStatus.ERROR, f"{name}() failed: {type(e).__name__}".encode(), out, cap)


def host_take(limit: int, out: int, cap: int) -> int:
    ctx = current()
    data = ctx.pending or b""
    ctx.pending = None
    try:
        _write(ctx, limit, out, data[:cap])
    except HostCallError:
        return -1
    return min(len(data), cap)


def clock_time_get(limit: int, clock_id: int, precision: int, out: int) -> int:
    ctx = current()
    if ctx.fixed_clock_ns is not None:
        # While a snapshot is being made the clock is a fixed value, so the
        # image holds no host time.
        ns = ctx.fixed_clock_ns
    else:
        # Millisecond resolution: enough for Date.now and performance.now, too
        # coarse for timing side channels.
        if clock_id == CLOCK_REALTIME:
            ns = time.time_ns()
            ns -= ns % 1_000_000
        else:
            # performance.now() is this minus the time origin frozen into the
            # snapshot (clock_origin_ns): count from there, from the instance's start.
            elapsed = time.monotonic_ns() - ctx.clock_start_ns
            ns = ctx.clock_origin_ns + elapsed - elapsed % 1_000_000
        if ctx.journal is not None:
            try:
                ns = ctx.journal.clock(clock_id, ns)
            except HostFatal as e:
                ctx.fatal = e  # the request fails when the guest returns (Handler)
    try:
        _write(ctx, limit, out, ns.to_bytes(8, "little"))
    except HostCallError:
        return WASI_EINVAL
    return WASI_ESUCCESS


def fd_write(limit: int, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
    # QuickJS writes to stderr only for engine-internal complaints; they go to
    # the host log, bounded.
    ctx = current()
    try:
        raw = _read(ctx, limit, iovs, 8 * iovs_len)
        total = 0
        chunks = []
        for i in range(iovs_len):
            p = int.from_bytes(raw[8 * i : 8 * i + 4], "little")
            n = int.from_bytes(raw[8 * i + 4 : 8 * i + 8], "little")
            chunks.append(_read(ctx, limit, p, min(n, MAX_LOG_LINE_BYTES)))
            total += n
        if fd in (1, 2):
            ctx.log("warn", b"".join(chunks).decode(errors="replace").rstrip("\n"))
        _write(ctx, limit, nwritten, total.to_bytes(4, "little"))
    except HostCallError:
        return WASI_EINVAL
    return WASI_ESUCCESS


# ---------- registration ----------
# The imports are defined with wasmtime's *unchecked* callback API and a plain
# ctypes callback: wasmtime-py's generic trampoline converts every value
# through Val objects and costs ~14 µs per call; this path costs a few.

_caller_context = bindings._wasmtime_caller_context
_memory_size = bindings._wasmtime_memory_data_size
_KEEP_ALIVE: list[Any] = []  # ctypes callbacks must outlive the linker

# The hot import gets plain integers instead of ctypes pointer objects: its
# five i32 arguments are read in one go, its i64 result written in one go.
# (wasmtime_val_raw_t is 16 bytes.)
_RawCallback = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
# PYFUNCTYPE, not CFUNCTYPE: these read a field of the store, never block and never call back, so
# releasing and retaking the GIL around them (what CFUNCTYPE does) would cost more than the call.
_caller_context_addr = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(bindings._wasmtime_caller_context, ctypes.c_void_p).value)
memory_size_raw = ctypes.PYFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(bindings._wasmtime_memory_data_size, ctypes.c_void_p).value)
_FIVE_I32 = struct.Struct("<i12xi12xi12xi12xi12x")
_I64 = struct.Struct("<q")


_trap_new = bindings._wasmtime_trap_new
_TRIAL_STOP = b"zigttp: host call during a trial run"


def _stop_trial(ctx: CallContext) -> int:
    # A trap unwinds the guest at once: no JS runs after the call, so the
    # host call has no effect and the trial leaves nothing outside its
    # instance, which the handler then discards.
    ctx.trial_stopped = True
    return ctypes.cast(_trap_new(_TRIAL_STOP, len(_TRIAL_STOP)), ctypes.c_void_p).value or 0


@_RawCallback
def _raw_call(env: int, caller: int, vals: int, n: int) -> int:
    ctx = _local.ctx
    fn_id, ptr, length, out, cap = _FIVE_I32.unpack(_string_at(vals, 80))
    if ctx.trial and fn_id not in ctx.functions.trial_safe:
        return _stop_trial(ctx)
    # Linear memory only grows, so the last size seen is a safe bound; ask
    # wasmtime again only when a buffer lies beyond it.
    limit = ctx.memory_seen
    if ptr + length > limit or out + cap > limit:
        limit = ctx.memory_seen = memory_size_raw(_caller_context_addr(caller), ctx.memory_addr)
    _memmove(vals, _I64.pack(host_call(limit, fn_id, ptr, length, out, cap)), 8)
    return 0


@bindings.wasmtime_func_unchecked_callback_t
def _raw_take(env: int, caller: Any, vals: Any, n: int) -> int:
    ctx = _local.ctx
    limit = _memory_size(_caller_context(caller), byref(ctx.memory._memory))
    vals[0].i32 = host_take(limit, vals[0].i32, vals[1].i32)
    return 0


@bindings.wasmtime_func_unchecked_callback_t
def _raw_clock_time_get(env: int, caller: Any, vals: Any, n: int) -> int:
    ctx = _local.ctx
    limit = _memory_size(_caller_context(caller), byref(ctx.memory._memory))
    vals[0].i32 = clock_time_get(limit, vals[0].i32, vals[1].i64, vals[2].i32)
    return 0


@bindings.wasmtime_func_unchecked_callback_t
def _raw_fd_write(env: int, caller: Any, vals: Any, n: int) -> int:
    ctx = _local.ctx
    limit = _memory_size(_caller_context(caller), byref(ctx.memory._memory))
    vals[0].i32 = fd_write(limit, vals[0].i32, vals[1].i32, vals[2].i32, vals[3].i32)
    return 0


@bindings.wasmtime_func_unchecked_callback_t
def _raw_ebadf(env: int, caller: Any, vals: Any, n: int) -> int:
    vals[0].i32 = WASI_EBADF
    return 0


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _no_finalizer(env: int) -> None:
    return None


def _define(linker: wasmtime.Linker, module: str, name: str, params: list[wasmtime.ValType],
            results: list[wasmtime.ValType], callback: Any) -> None:
    ty = wasmtime.FuncType(params, results)
    _KEEP_ALIVE.append(ty)
    m, n = module.encode(), name.encode()
    if not isinstance(callback, bindings.wasmtime_func_unchecked_callback_t):
        callback = ctypes.cast(callback, bindings.wasmtime_func_unchecked_callback_t)
    _KEEP_ALIVE.append(callback)
    err = bindings._wasmtime_linker_define_func_unchecked(linker.ptr(), m, len(m), n, len(n), ty.ptr(), callback,
                                                           None, _no_finalizer)
    if err:
        raise wasmtime.WasmtimeError._from_ptr(err)


def make_linker(engine: wasmtime.Engine) -> wasmtime.Linker:
    linker = wasmtime.Linker(engine)
    _define(linker, "zigttp", "call", [I32, I32, I32, I32, I32], [I64], _raw_call)
    _define(linker, "zigttp", "take", [I32, I32], [I32], _raw_take)
    _define(linker, WASI, "clock_time_get", [I32, I64, I32], [I32], _raw_clock_time_get)
    _define(linker, WASI, "fd_write", [I32, I32, I32, I32], [I32], _raw_fd_write)
    _define(linker, WASI, "fd_close", [I32], [I32], _raw_ebadf)
    _define(linker, WASI, "fd_fdstat_get", [I32, I32], [I32], _raw_ebadf)
    _define(linker, WASI, "fd_seek", [I32, I64, I32, I32], [I32], _raw_ebadf)
    return linker
