"""Low-overhead calls into the guest's numeric exports.

wasmtime-py's Func.__call__ re-reads the function type, converts every
argument and result through Val and enters a generator-based context manager
on each call (~10 µs). FastFunc fixes the signature once and calls
wasmtime_func_call_unchecked with a preallocated raw value array. Traps are
raised as wasmtime.Trap, as Func.__call__ would. This relies on wasmtime-py
internals, which is why wasmtime is pinned to one exact version.
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

_call_unchecked = bindings._wasmtime_func_call_unchecked
_set_fuel = bindings._wasmtime_context_set_fuel
_set_epoch_deadline = bindings._wasmtime_context_set_epoch_deadline
_get_fuel = bindings._wasmtime_context_get_fuel


class FastFunc:
    """A typed export bound to one store: call it with ints, get an int (or None) back."""

    __slots__ = ("_ctx", "_fref", "_n", "_pack", "_raw", "_trap", "_trap_ref", "_unpack", "_view")

    def __init__(self, func: wasmtime.Func, store: wasmtime.Store,
                 signature: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> None:
        # Reading the type back from wasmtime costs ~40 µs; callers that know
        # the ABI pass `signature` = (param kinds, result kinds).
        if signature is None:
            ty = func.type(store)
            signature = (tuple(str(p) for p in ty.params), tuple(str(r) for r in ty.results))
        self._n, raw_array, self._pack, self._unpack = _shape(signature)
        self._ctx = store._context()
        self._fref = byref(func._func)
        self._raw = raw_array()
        self._view = memoryview(self._raw).cast("B")
        self._trap = POINTER(ffi.wasm_trap_t)()
        self._trap_ref = byref(self._trap)

    def __call__(self, *args: int) -> int | None:
        # the arguments go in with one pack_into and the result comes out with one unpack_from: a
        # ctypes union object per slot (raw[i].i32 = ...) costs more than the rest of the call's Python
        self._pack(self._view, 0, *args)
        err = _call_unchecked(self._ctx, self._fref, self._raw, self._n, self._trap_ref)
        if err:
            _maybe_raise_last_exn()
            raise wasmtime.WasmtimeError._from_ptr(err)
        if self._trap:
            trap = wasmtime.Trap._from_ptr(self._trap)
            self._trap = POINTER(ffi.wasm_trap_t)()
            self._trap_ref = byref(self._trap)
            _maybe_raise_last_exn()
            raise trap
        unpack = self._unpack
        return None if unpack is None else unpack(self._view)[0]


# Each raw slot is a 16-byte wasmtime_val_raw_t union whose i32 and i64 members both start at its first
# byte (little-endian): an argument is written as a signed 64-bit value, of which an i32 parameter reads
# the low 32 bits, as the union's i32 member would have been set.
_SLOT = struct.calcsize("<q8x")


@functools.cache
def _shape(signature: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[int, type, Callable[..., None],
                                                                         Callable[..., tuple[int]] | None]:
    """(raw slots, raw array type, argument packer, result unpacker or None) of a signature, worked out
    once: a fresh instance binds its exports on every request."""
    params, results = signature
    if any(k not in ("i32", "i64") for k in params + results) or len(results) > 1:
        raise TypeError("FastFunc handles i32/i64 signatures with at most one result")
    if ctypes.sizeof(ffi.wasmtime_val_raw_t) != _SLOT:
        raise TypeError("wasmtime_val_raw_t is not the 16-byte union this packing assumes")
    n = max(len(params), len(results), 1)
    pack = struct.Struct("<" + "q8x" * len(params)).pack_into
    unpack = None if not results else struct.Struct("<i" if results[0] == "i32" else "<q").unpack_from
    return n, ffi.wasmtime_val_raw_t * n, pack, unpack


# wasmtime_context_set_fuel and _set_epoch_deadline called with a plain address, for the same reason as
# get_fuel below: both run before every request, and each only writes a field of the store.
_set_fuel_raw = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64)(
    ctypes.cast(_set_fuel, ctypes.c_void_p).value)
_set_epoch_deadline_raw = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64)(
    ctypes.cast(_set_epoch_deadline, ctypes.c_void_p).value)


def set_budget(ctx_addr: int, fuel: int, epoch_ticks: int) -> None:
    """Store.set_fuel + set_epoch_deadline (ctx_addr: the address of store._context()) without the
    wrappers' overhead."""
    err = _set_fuel_raw(ctx_addr, fuel)
    if err:
        raise wasmtime.WasmtimeError._from_ptr(ctypes.cast(err, POINTER(ffi.wasmtime_error_t)))
    _set_epoch_deadline_raw(ctx_addr, epoch_ticks)


# wasmtime_context_get_fuel called with plain addresses: the bindings' prototype checks and converts
# its pointer arguments on every call, which costs as much again as the call (read once per metered
# request). PYFUNCTYPE keeps the GIL: the call reads one field and never blocks.
_get_fuel_raw = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(_get_fuel, ctypes.c_void_p).value)


class FuelGauge:
    """Store.get_fuel for one store (ctx = store._context()) without the wrapper's overhead."""

    __slots__ = ("_ctx", "_ctx_addr", "_left", "_left_addr")

    def __init__(self, ctx: ctypes._Pointer) -> None:
        self._ctx = ctx  # kept alive: _ctx_addr points into it
        self._ctx_addr = ctypes.cast(ctx, ctypes.c_void_p).value
        self._left = ctypes.c_uint64(0)
        self._left_addr = ctypes.addressof(self._left)

    def __call__(self) -> int:
        err = _get_fuel_raw(self._ctx_addr, self._left_addr)
        if err:
            raise wasmtime.WasmtimeError._from_ptr(ctypes.cast(err, POINTER(ffi.wasmtime_error_t)))
        return self._left.value
