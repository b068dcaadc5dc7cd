"""Low-overhead calls into the guest's numeric exports.

wasmtime-py's Func.__call__ re-reads the function type, converts every
argument and result through Val and enters a generator-based context manager
on each call (~10 µs). FastFunc fixes the signature once and calls
wasmtime_func_call_unchecked with a preallocated raw value array. Traps are
raised as wasmtime.Trap, as Func.__call__ would. FastFunc.call_with_budget sets
the store's fuel and epoch deadline and calls, in one native call where the
host's native helpers are built (native.py, _native/budgeted_call.c).
StoreBudget sets a store's fuel and epoch deadline from Python and reads the
fuel left after a call.
This relies on wasmtime-py internals, which is why wasmtime is pinned to one
exact version.
"""

from __future__ import annotations

import ctypes
import functools
import struct
from collections.abc import Callable
from ctypes import POINTER, byref

import wasmtime
from wasmtime import _bindings as bindings
from wasmtime import _ffi as ffi
from wasmtime._func import maybe_raise_last_exn as _maybe_raise_last_exn

from . import native

_address = native.address


# The C functions called on every request, through prototypes without argument types, always with ctypes
# objects: ctypes then passes each object as it is, where the bindings' argtypes convert and check every
# argument again on every call, which costs as much as the call itself. The guest runs under a CFUNCTYPE
# (the GIL is released while it runs), or under a PYFUNCTYPE for a call bounded by fuel and by an epoch
# deadline that a native thread advances (FastFunc's hold_gil); the store's fuel and deadline are set and
# read under PYFUNCTYPE (each writes or reads one field of the store and never blocks, so the GIL stays held).
_call_unchecked = ctypes.CFUNCTYPE(ctypes.c_void_p)(_address(bindings._wasmtime_func_call_unchecked))
_call_unchecked_holding_gil = ctypes.PYFUNCTYPE(ctypes.c_void_p)(_address(bindings._wasmtime_func_call_unchecked))
_set_fuel = ctypes.PYFUNCTYPE(ctypes.c_void_p)(_address(bindings._wasmtime_context_set_fuel))
_set_epoch_deadline = ctypes.PYFUNCTYPE(None)(_address(bindings._wasmtime_context_set_epoch_deadline))
_get_fuel = ctypes.PYFUNCTYPE(ctypes.c_void_p)(_address(bindings._wasmtime_context_get_fuel))


class _BudgetedCall(ctypes.Structure):
    """_native/budgeted_call.c's struct zigttp_budgeted_call: one export bound to one store."""

    _fields_ = (("set_fuel", ctypes.c_void_p), ("set_deadline", ctypes.c_void_p), ("call", ctypes.c_void_p),
                ("context", ctypes.c_void_p), ("func", ctypes.c_void_p), ("slots", ctypes.c_ulong),
                ("trap", ctypes.c_void_p))


def _budgeted_entry() -> tuple[ctypes._CFuncPtr, ctypes._CFuncPtr] | None:
    """zigttp_budgeted_call as (GIL released, GIL held), or None without the native helpers."""
    lib = native.library()
    try:
        fn = _address(lib.zigttp_budgeted_call) if lib is not None else None
    except AttributeError:  # a library built before the helper existed
        fn = None
    if fn is None:
        return None
    return ctypes.CFUNCTYPE(ctypes.c_void_p)(fn), ctypes.PYFUNCTYPE(ctypes.c_void_p)(fn)


_BUDGETED = _budgeted_entry()
_BUDGET_SLOTS = 2  # the frame's fuel and epoch-deadline words, ahead of the raw slots


def _error(err: int) -> wasmtime.WasmtimeError:
    return wasmtime.WasmtimeError._from_ptr(ctypes.cast(err, POINTER(ffi.wasmtime_error_t)))


class FastFunc:
    """A typed export bound to one store: call it with ints, get an int (or None) back."""

    __slots__ = (
        "_budget",
        "_budgeted",
        "_budgeted_ref",
        "_call",
        "_ctx",
        "_frame",
        "_fref",
        "_invoke",
        "_n",
        "_pack",
        "_pack_budgeted",
        "_raw",
        "_trap",
        "_trap_ref",
        "_unpack",
        "_view",
    )

    def __init__(self, func: wasmtime.Func, store: wasmtime.Store,
                 signature: tuple[tuple[str, ...], tuple[str, ...]] | None = None, *, hold_gil: bool = False,
                 native_budget: bool = True) -> None:
        """`hold_gil`: every call keeps the GIL, for calls that fuel and an epoch deadline bound, with the
        epoch advanced natively (Engine.native_epochs). No other Python thread runs until such a call returns.
        `native_budget=False` sets call_with_budget's budget from Python even where the native helper exists."""
        # Reading the type back from wasmtime costs ~40 µs; callers that know
        # the ABI pass `signature` = (param kinds, result kinds).
        if signature is None:
            ty = func.type(store)
            signature = (tuple(str(p) for p in ty.params), tuple(str(r) for r in ty.results))
        n, self._pack, self._pack_budgeted, self._unpack = _shape(signature)
        self._n = ctypes.c_size_t(n)
        self._ctx = store._context()
        self._fref = byref(func._func)
        # the budget's two words, then the raw slots: one buffer, so call_with_budget packs it all at once
        self._frame = (ctypes.c_uint64 * (_BUDGET_SLOTS + n * _SLOT // 8))()
        self._raw = (ffi.wasmtime_val_raw_t * n).from_buffer(self._frame, _BUDGET_SLOTS * 8)
        self._view = memoryview(self._frame).cast("B")
        self._trap = POINTER(ffi.wasm_trap_t)()
        self._trap_ref = byref(self._trap)
        self._invoke = _call_unchecked_holding_gil if hold_gil else _call_unchecked
        self._budget: StoreBudget | None = None
        self._budgeted = self._call = self._budgeted_ref = None
        if _BUDGETED is not None and native_budget:
            self._budgeted = _BUDGETED[1] if hold_gil else _BUDGETED[0]
            self._call = _BudgetedCall(_address(bindings._wasmtime_context_set_fuel),
                                       _address(bindings._wasmtime_context_set_epoch_deadline),
                                       _address(bindings._wasmtime_func_call_unchecked), _address(self._ctx),
                                       _address(self._fref), n, ctypes.addressof(self._trap))
            self._budgeted_ref = byref(self._call)

    def __call__(self, *args: int) -> int | None:
        # the arguments go in with one pack_into and the result comes out with one unpack_from: a
        # ctypes union object per slot (raw[i].i32 = ...) costs more than the rest of the call's Python
        self._pack(self._view, _BUDGET_SLOTS * 8, *args)
        return self._result(self._invoke(self._ctx, self._fref, self._raw, self._n, self._trap_ref))

    def call_with_budget(self, fuel: int, epoch_ticks: int, *args: int) -> int | None:
        """Sets the store's fuel and epoch deadline (in ticks from now), then calls: StoreBudget.set and
        __call__ in one native call where the host's native helpers are built."""
        if self._budgeted is None:
            if self._budget is None:
                self._budget = StoreBudget(self._ctx)
            self._budget.set(fuel, epoch_ticks)
            return self(*args)
        self._pack_budgeted(self._view, 0, fuel, epoch_ticks, *args)
        return self._result(self._budgeted(self._budgeted_ref, self._frame))

    def _result(self, err: int | None) -> int | None:
        if err:
            _maybe_raise_last_exn()
            raise _error(err)
        if self._trap:
            trap = wasmtime.Trap._from_ptr(self._trap)  # keeps this pointer object: the next call gets its own
            self._trap = POINTER(ffi.wasm_trap_t)()
            self._trap_ref = byref(self._trap)
            if self._call is not None:
                self._call.trap = ctypes.addressof(self._trap)
            _maybe_raise_last_exn()
            raise trap
        unpack = self._unpack
        return None if unpack is None else unpack(self._view, _BUDGET_SLOTS * 8)[0]


# Each raw slot is a 16-byte wasmtime_val_raw_t union whose i32 and i64 members both start at its first
# byte (little-endian): an argument is written as a signed 64-bit value, of which an i32 parameter reads
# the low 32 bits, as the union's i32 member would have been set.
_SLOT = struct.calcsize("<q8x")


@functools.cache
def _shape(signature: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[int, Callable[..., None], Callable[..., None],
                                                                         Callable[..., tuple[int]] | None]:
    """(raw slots, argument packer, packer of the budget and the arguments, result unpacker or None) of a
    signature, worked out once: a fresh instance binds its exports on every request."""
    params, results = signature
    if any(k not in ("i32", "i64") for k in params + results) or len(results) > 1:
        raise TypeError("FastFunc handles i32/i64 signatures with at most one result")
    if ctypes.sizeof(ffi.wasmtime_val_raw_t) != _SLOT:
        raise TypeError("wasmtime_val_raw_t is not the 16-byte union this packing assumes")
    n = max(len(params), len(results), 1)
    pack = struct.Struct("<" + "q8x" * len(params)).pack_into
    pack_budgeted = struct.Struct("<" + "Q" * _BUDGET_SLOTS + "q8x" * len(params)).pack_into
    unpack = None if not results else struct.Struct("<i" if results[0] == "i32" else "<q").unpack_from
    return n, pack, pack_budgeted, unpack


class StoreBudget:
    """One store's fuel and epoch deadline: set before each call into the guest, the fuel read after."""

    __slots__ = ("_ctx", "_fuel", "_left", "_left_ref", "_ticks")

    def __init__(self, ctx: ctypes._Pointer) -> None:
        self._ctx = ctx  # store._context(): passed as the pointer it is
        self._fuel = ctypes.c_uint64(0)
        self._ticks = ctypes.c_uint64(0)
        self._left = ctypes.c_uint64(0)
        self._left_ref = byref(self._left)

    def set(self, fuel: int, epoch_ticks: int) -> None:
        """Store.set_fuel(fuel) and set_epoch_deadline(epoch_ticks)."""
        self._fuel.value = fuel
        self._ticks.value = epoch_ticks
        err = _set_fuel(self._ctx, self._fuel)
        if err:
            raise _error(err)
        _set_epoch_deadline(self._ctx, self._ticks)

    def left(self) -> int:
        """Store.get_fuel(): the fuel the store has left."""
        err = _get_fuel(self._ctx, self._left_ref)
        if err:
            raise _error(err)
        return self._left.value
