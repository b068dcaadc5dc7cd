"""One guest instance: a Store, an Instance, and the calls the host makes into it."""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import wasmtime
from wasmtime import _bindings as bindings
from wasmtime import _ffi as ffi

from . import deadlines, wellformed
from .abi import ABI_VERSION, GuestError, frame_size, read_frame, write_frame
from .fastcall import FastFunc, StoreBudget
from .imports import CallContext, HostFunctions, memory_size_raw, set_current
from .limits import HARD_DEADLINE_GRACE_MS

# Generous budgets while the host itself drives init/load; a runaway module
# scope is still stopped by these.
SETUP_FUEL = 50_000_000_000
SETUP_TIMEOUT_MS = 10_000
EXCHANGE_BUFFER_MIN = 4096  # glue.c ensure_xbuf: the exchange buffer, once it exists, holds at least this much
EPOCH_TICK_MS = 10

_TRAP_KINDS = {
    wasmtime.TrapCode.OUT_OF_FUEL: "cpu_limit",
    wasmtime.TrapCode.INTERRUPT: "timeout",
    wasmtime.TrapCode.STACK_OVERFLOW: "stack_overflow",
}

_ERROR_KINDS = {
    GuestError.EXCEPTION: "handler_error",
    GuestError.INTERRUPTED: "timeout",
    GuestError.OUT_OF_MEMORY: "memory_limit",
    GuestError.STACK_OVERFLOW: "stack_overflow",
    GuestError.CAPABILITY_DENIED: "capability_denied",
    GuestError.BAD_RESPONSE: "bad_response",
    GuestError.BAD_REQUEST: "bad_request",
    GuestError.NOT_READY: "internal_error",
}


class GuestFailure(Exception):
    """A guest call ended without a result. `trapped` means the instance is unusable."""

    def __init__(self, kind: str, info: dict, *, trapped: bool = False) -> None:
        super().__init__(f"{kind}: {info.get('message', '')}")
        self.kind = kind
        self.info = info
        self.trapped = trapped


# The guest's exports and their signatures (guest/glue.c); checked once per
# module by Host, so instances can skip reading types back from wasmtime.
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "abi_version": ((), ("i32",)),
    "_initialize": ((), ()),
    "init": (("i32", "i32"), ("i32",)),
    "load": (("i32", "i32", "i32", "i32"), ("i32",)),
    "lock_builtins": ((), ("i32",)),
    "buf": (("i32",), ("i32",)),
    "last_len": ((), ("i32",)),
    "handle": (("i32", "i64"), ("i64",)),
    "set_limits": (("i32", "i32", "i32"), ()),
    "reseed": (("i64",), ()),
    "memory_used": ((), ("i32",)),
    "interrupt_flag": ((), ("i32",)),
    "memory_pages_at": ((), ("i32",)),
}


@dataclass(frozen=True)
class GuestStatics:
    """Addresses of the guest's static variables that the host reads or writes in place, without a call:
    the same in every instance of a guest build, so the Host reads them once (glue.c `interrupt_flag`,
    `memory_pages_at`). 0: ask each instance (one export call on first use)."""

    interrupt_flag: int = 0
    memory_pages: int = 0


# wasmtime_instance_export_get called with plain addresses: the bindings' wrapper converts five pointer
# arguments on every call (about 5 µs an export, three of them for every new instance). PYFUNCTYPE keeps
# the GIL: the lookup is a hash probe that never blocks.
_export_get_raw = ctypes.PYFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                    ctypes.c_size_t, ctypes.c_void_p)(
    ctypes.cast(bindings._wasmtime_instance_export_get, ctypes.c_void_p).value)
_EXTERN_MEMORY = ffi.WASMTIME_EXTERN_MEMORY.value

# Store.set_limits and Memory.data_ptr through the raw C functions: the bindings' wrappers cost about 2.5 µs
# between them for every new instance. Both only read or write the store's fields: PYFUNCTYPE keeps the GIL.
_store_limiter = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                   ctypes.c_int64, ctypes.c_int64)(
    ctypes.cast(bindings._wasmtime_store_limiter, ctypes.c_void_p).value)
_memory_data = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(bindings._wasmtime_memory_data, ctypes.c_void_p).value)


def _export(store_ctx_addr: int, instance_addr: int, name: bytes) -> wasmtime.Func | wasmtime.Memory:
    # One export by name; Instance.exports() would wrap all of them (~100 µs).
    item = ffi.wasmtime_extern_t()
    if not _export_get_raw(store_ctx_addr, instance_addr, name, len(name), ctypes.addressof(item)):
        raise GuestFailure("internal_error", {"message": f"guest has no export {name.decode()!r}"})
    if item.kind == _EXTERN_MEMORY:
        return wasmtime.Memory._from_raw(item.of.memory)
    return wasmtime.Func._from_raw(item.of.func)


class GuestInstance:
    """A live QuickJS runtime inside its own Store. Used by one thread at a time."""

    def __init__(self, engine: wasmtime.Engine, pre: wasmtime.InstancePre, functions: HostFunctions,
                 *, memory_limit: int, logger: Callable[[str, str], None], fresh_module: bool,
                 statics: GuestStatics = GuestStatics()) -> None:
        self.store = wasmtime.Store(engine)
        _store_limiter(self.store.ptr(), memory_limit, -1, -1, -1, -1)  # Store.set_limits(memory_size=...)
        self._store_ctx = self.store._context()
        self._store_ctx_addr = ctypes.cast(self._store_ctx, ctypes.c_void_p).value
        self._budget = StoreBudget(self._store_ctx)
        self._set_budget = self._budget.set
        self.fuel_left: Callable[[], int] = self._budget.left  # the fuel the store has left
        self._deadline = deadlines.Deadline()  # stage HARD: set-up calls stop at their deadline
        deadlines.install(self.store.ptr(), self._deadline)
        self._set_budget(SETUP_FUEL, SETUP_TIMEOUT_MS // EPOCH_TICK_MS)
        try:
            self.instance = pre.instantiate(self.store)
        except wasmtime.WasmtimeError as e:
            # the pooling allocator's slots are all taken (EngineConfig.pool_instances), or no memory is left
            kind = "instances_exhausted" if "concurrent limit" in str(e) else "internal_error"
            raise GuestFailure(kind, {"message": str(e)}) from None
        self._instance_addr = ctypes.addressof(self.instance._instance)
        self.memory: wasmtime.Memory = _export(self._store_ctx_addr, self._instance_addr,  # type: ignore[assignment]
                                               b"memory")
        self._handle = self._func("handle")
        self.base: int = _memory_data(self._store_ctx_addr, ctypes.addressof(self.memory._memory))
        self.ctx = CallContext(memory=self.memory, base=self.base, functions=functions, logger=logger)
        self._statics = statics
        # the guest's static variables, when the Host knows where they are (else looked up on first use)
        if statics.interrupt_flag:
            self._interrupt = ctypes.c_int32.from_address(self.base + statics.interrupt_flag)
            self._deadline.flag = self.base + statics.interrupt_flag
        if statics.memory_pages:
            self._memory_pages = ctypes.c_int32.from_address(self.base + statics.memory_pages)
        self._buf_ptr = 0
        self._buf_cap = 0
        self.requests = 0
        self.retired = False  # a pool must not hand it out again (trapped, or its tenant unloaded)
        if fresh_module:
            abi = self._func("abi_version")()
            if abi != ABI_VERSION:
                raise GuestFailure("internal_error",
                                   {"message": f"guest ABI {abi} but this host speaks {ABI_VERSION}"})
            self._call_raw(self._func("_initialize"))

    # Exports most requests never call are bound on first use: each costs
    # about 5 µs (lookup and binding), which a fresh instance per request would pay every time.
    @cached_property
    def _interrupt(self) -> ctypes.c_int32:
        # the soft-deadline flag (deadlines.py)
        at = self._statics.interrupt_flag or self._call_raw(self._func("interrupt_flag"))
        self._deadline.flag = self.base + at
        return ctypes.c_int32.from_address(self.base + at)

    @cached_property
    def _memory_pages(self) -> ctypes.c_int32:
        at = self._statics.memory_pages or self._call_raw(self._func("memory_pages_at"))
        return ctypes.c_int32.from_address(self.base + at)

    @cached_property
    def _handle_holding_gil(self) -> FastFunc:
        return self._func("handle", hold_gil=True)

    @cached_property
    def _buf(self) -> FastFunc:
        # a new instance starts with its image's exchange buffer (use_buffer): most never call this
        return self._func("buf")

    @cached_property
    def _init(self) -> FastFunc:
        return self._func("init")

    @cached_property
    def _load(self) -> FastFunc:
        return self._func("load")

    @cached_property
    def _last_len(self) -> FastFunc:
        return self._func("last_len")

    @cached_property
    def _set_limits(self) -> FastFunc:
        return self._func("set_limits")

    @cached_property
    def _reseed(self) -> FastFunc:
        return self._func("reseed")

    def _func(self, name: str, *, hold_gil: bool = False) -> FastFunc:
        return FastFunc(_export(self._store_ctx_addr, self._instance_addr, name.encode()),  # type: ignore[arg-type]
                        self.store, SIGNATURES[name], hold_gil=hold_gil)

    # ---------- plumbing ----------

    def _call_raw(self, fn: FastFunc, *args: int) -> int:
        set_current(self.ctx)
        try:
            result = fn(*args)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            raise self._call_failure(e) from None
        return 0 if result is None else int(result)

    def _call_failure(self, e: wasmtime.Trap | wasmtime.WasmtimeError) -> GuestFailure:
        """What a call into the guest that raised `e` failed of."""
        if isinstance(e, wasmtime.Trap):
            return GuestFailure(_TRAP_KINDS.get(e.trap_code, "internal_error"), {"message": e.message}, trapped=True)
        # the epoch deadline callback's error: the hard deadline passed (deadlines.py)
        kind = "timeout" if self._deadline.stage == deadlines.EXPIRED else "internal_error"
        return GuestFailure(kind, {"message": str(e)}, trapped=True)

    def _host_budget(self) -> None:
        # Calls the host makes between requests (buffer growth, reading an
        # error) get their own budget: the store's last deadline may long
        # have passed while the instance sat idle in its pool.
        self._deadline.stage = deadlines.HARD
        self._set_budget(SETUP_FUEL, SETUP_TIMEOUT_MS // EPOCH_TICK_MS)

    def _ensure_buf(self, n: int) -> int:
        if n > self._buf_cap:
            self._host_budget()
            ptr = self._call_raw(self._buf, n)
            if not ptr:
                raise GuestFailure("memory_limit", {"message": "guest could not allocate the request buffer"})
            self._buf_ptr, self._buf_cap = ptr, n
        return self._buf_ptr

    def pristine_buffer(self) -> tuple[int, int]:
        """The exchange buffer and the bytes it surely holds, asked of an instance no request has used yet
        without changing it (`buf(0)`). Every instance of the same image starts with the same buffer, so a
        Handler asks its first instance and hands the answer to the others (`use_buffer`): a fresh instance
        per request then skips the call."""
        self._host_budget()
        ptr = self._call_raw(self._buf, 0)
        return ptr, (EXCHANGE_BUFFER_MIN if ptr else 0)

    def use_buffer(self, pristine: tuple[int, int]) -> None:
        """Takes what `pristine_buffer` told of another instance of the same image, not yet used."""
        self._buf_ptr, self._buf_cap = pristine

    def _put(self, data: bytes) -> int:
        ptr = self._ensure_buf(len(data) + 1)
        end = ptr + len(data)
        view = self._memory_view(end + 1)
        view[ptr:end] = data
        view[end] = 0
        return ptr

    def _error_info(self, code: int) -> GuestFailure:
        # the exchange buffer may have moved while the guest described the error
        self._host_budget()
        self._buf_ptr = self._call_raw(self._buf, 0)
        n = self._call_raw(self._last_len)
        at = self._buf_ptr
        raw = bytes(self._memory_view(at + n)[at:at + n]) if n > 0 else b"{}"  # both from the guest: bounded
        try:
            info = wellformed.loads(raw)
        except wellformed.MalformedJson:
            info = {"message": raw.decode(errors="replace")}
        if not isinstance(info, dict):
            info = {"message": str(info)}
        kind = _ERROR_KINDS.get(GuestError(code) if code in GuestError._value2member_map_ else GuestError.EXCEPTION,
                                "handler_error")
        return GuestFailure(kind, info)

    # ---------- setup ----------

    def init(self, prelude: bytes, *, clock_seed_ns: int) -> None:
        """Creates the JS runtime and evaluates the prelude (clock frozen at clock_seed_ns)."""
        self.ctx.fixed_clock_ns = clock_seed_ns
        try:
            ptr = self._put(prelude)
            rc = self._call_raw(self._init, ptr, len(prelude))
            if rc != 0:
                raise self._error_info(rc)
        finally:
            self.ctx.fixed_clock_ns = None

    def load(self, source: bytes, name: str, *, clock_seed_ns: int) -> None:
        """Evaluates the handler bundle (its module scope runs here) and locks down the built-ins."""
        name_b = name.encode()
        self.ctx.fixed_clock_ns = clock_seed_ns
        try:
            ptr = self._put(source + b"\0" + name_b)
            rc = self._call_raw(self._load, ptr, len(source), ptr + len(source) + 1, len(name_b))
            if rc != 0:
                raise self._error_info(rc)
        finally:
            self.ctx.fixed_clock_ns = None

    def lock_builtins(self) -> None:
        """Freezes the built-ins before any handler code exists (the tenant runtime image)."""
        rc = self._call_raw(self._func("lock_builtins"))
        if rc != 0:
            raise self._error_info(rc)

    def configure(self, *, js_stack_bytes: int) -> None:
        self._call_raw(self._set_limits, 0, js_stack_bytes, 1)

    def reseed(self) -> None:
        """Re-seeds Math.random from the OS (a journaled request brings its own seed in its frame)."""
        self._call_raw(self._reseed, int.from_bytes(os.urandom(8), "little", signed=True))

    def memory_image(self) -> bytes:
        return ctypes.string_at(self.base, self.memory.data_len(self.store))

    def memory_size(self) -> int:
        """Linear memory's size, asked of wasmtime (the raw call skips wasmtime-py's wrapper)."""
        return memory_size_raw(self._store_ctx_addr, self.ctx.memory_addr)

    def memory_size_seen(self) -> int:
        """Linear memory's size when the last request returned, as the guest's glue wrote it: read in place,
        without a call into wasmtime (about 5 k instructions), after every request to recycle an instance
        that grew. Only for that: bounds and budgets use memory_size(). Guest code that could overwrite it
        (a QuickJS memory bug) could keep its instance past the recycle size, never past the memory limit,
        which wasmtime enforces."""
        return self._memory_pages.value << 16

    # ---------- requests ----------

    def handle(self, meta: bytes, body: bytes, *, timeout_ms: int, fuel: int,
               soft_timeout_ms: float | None = None, seed: int = 0, hold_gil: bool = False) -> tuple[bytes, bytes]:
        """Runs one request (the abi frame layout, written in place); returns the response frame's
        (meta JSON, body).

        A `seed` other than 0 (a signed 64-bit value) re-seeds Math.random
        before the handler runs: a journaled request's recorded seed.

        The guest is interrupted after `soft_timeout_ms` (default: `timeout_ms`)
        and trapped by the epoch deadline after `timeout_ms` plus a grace period.
        With `hold_gil` (only where Engine.native_epochs) the call keeps the GIL:
        no Python thread can interrupt it, so the epoch traps it at the soft
        deadline itself, and `fuel` must bound it to about a millisecond.
        """
        size = frame_size(meta, body)
        ptr = self._buf_ptr if size <= self._buf_cap else self._ensure_buf(size)
        view = self.ctx.view
        write_frame(view if ptr + size <= len(view) else self._memory_view(ptr + size), ptr, meta, body)
        soft_ms = timeout_ms if soft_timeout_ms is None else soft_timeout_ms
        self.requests += 1
        soft_at = self.ctx.soft_deadline = time.monotonic() + soft_ms / 1000.0  # no host call starts past it
        deadline = self._deadline
        if hold_gil:  # a trial: its deadline stops it (up to a tick early does no harm: it runs again)
            soft_ticks = int(soft_ms) // EPOCH_TICK_MS + 1
            deadline.stage = deadlines.HARD
            fn = self._handle_holding_gil
        else:  # the soft deadline raises the guest's interrupt flag, the hard one traps (deadlines.py)
            whole_ms = int(soft_ms)
            soft_ticks = max(1, whole_ms // EPOCH_TICK_MS)
            deadline.stage = deadlines.SOFT
            deadline.soft_at = soft_at
            deadline.grace = max(1, (timeout_ms + HARD_DEADLINE_GRACE_MS - whole_ms) // EPOCH_TICK_MS + 1)
            self._interrupt.value = 0
            fn = self._handle
        set_current(self.ctx)
        try:
            r = fn.call_with_budget(fuel, soft_ticks, size, seed)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            raise self._call_failure(e) from None
        finally:
            self.ctx.soft_deadline = None
        if r < 0:
            raise self._error_info(r)
        out = self._buf_ptr = r >> 32
        length = r & 0xFFFFFFFF
        end = out + length  # from the guest: checked against the memory's size before any read
        return read_frame(view if end <= len(view) else self._memory_view(end), out, length)

    def _memory_view(self, end: int) -> memoryview:
        """The call context's view of linear memory (CallContext.memory_view), reaching at least `end`:
        slicing it copies bytes in or out without a ctypes call. `end` comes from the guest, so past the
        memory's size, as wasmtime reports it, is an error, never a read or write outside it."""
        view = self.ctx.view
        if end > len(view):
            size = self.memory_size()
            if end > size:
                raise GuestFailure("internal_error", {"message": "guest frame lies outside its memory"},
                                   trapped=True)
            view = self.ctx.memory_view(size)
        return view
