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

    __slots__ = ("_ctx", "_fref", "_kinds", "_n", "_nres", "_raw", "_result_kind", "_trap", "_trap_ref")

    def __init__(self, func: wasmtime.Func, store: wasmtime.Store,
                 signature: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> None:
        # Reading the type back from wasmtime costs ~40 µs; callers that know
        # the ABI pass `signature` = (param kinds, result kinds).
        if signature is None:
            ty = func.type(store)
            signature = (tuple(str(p) for p in ty.params), tuple(str(r) for r in ty.results))
        self._kinds, self._nres, self._result_kind, self._n, raw_array = _shape(signature)
        self._ctx = store._context()
        self._fref = byref(func._func)
        self._raw = raw_array()
        self._trap = POINTER(ffi.wasm_trap_t)()
        self._trap_ref = byref(self._trap)

    def __call__(self, *args: int) -> int | None:
        raw = self._raw
        for i, kind in enumerate(self._kinds):
            if kind == "i32":
                raw[i].i32 = args[i]
            else:
                raw[i].i64 = args[i]
        err = _call_unchecked(self._ctx, self._fref, raw, self._n, self._trap_ref)
        if err:
            _maybe_raise_last_exn()
            raise wasmtime.WasmtimeError._from_ptr(err)
        if self._trap:
            trap = wasmtime.Trap._from_ptr(self._trap)
            self._trap = POINTER(ffi.wasm_trap_t)()
            self._trap_ref = byref(self._trap)
            _maybe_raise_last_exn()
            raise trap
        if self._result_kind is None:
            return None
        return raw[0].i32 if self._result_kind == "i32" else raw[0].i64


@functools.cache
def _shape(signature: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[tuple[str, ...], int, str | None, int, type]:
    """(param kinds, result count, result kind, raw slots, raw array type) of a signature, worked out once: a
    fresh instance binds its exports on every request."""
    params, results = signature
    if any(k not in ("i32", "i64") for k in params + results) or len(results) > 1:
        raise TypeError("FastFunc handles i32/i64 signatures with at most one result")
    n = max(len(params), len(results), 1)
    return tuple(params), len(results), results[0] if results else None, n, ffi.wasmtime_val_raw_t * n


def set_budget(ctx: ctypes._Pointer, fuel: int, epoch_ticks: int) -> None:
    """Store.set_fuel + set_epoch_deadline (ctx = store._context()) without the wrappers' overhead."""
    err = _set_fuel(ctx, fuel)
    if err:
        raise wasmtime.WasmtimeError._from_ptr(err)
    _set_epoch_deadline(ctx, epoch_ticks)


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
