"""A request's soft and hard deadlines, both from the store's epoch deadline callback.

The soft deadline reaches the guest as a flag in its memory (glue.c
`interrupt_flag`) that QuickJS reads every ~10,000 steps without calling the
host: a guest that computes never takes Python's GIL to ask whether to stop,
and the error it then raises cannot be caught by JS, so the instance survives.
The hard deadline traps, for code that never reaches the interrupt handler
(a long copy in C).

wasmtime calls the store's epoch deadline callback, on the request's own
thread, when the epoch reaches the deadline the host set. The request's
budget sets that deadline at the tick before the soft time (stage SOFT): the
callback asks again a tick later until the monotonic clock has reached the
soft time (ticks come every 10 ms at a phase no request chooses, so a count
of ticks alone could end a request up to a tick early), then raises the flag
and moves the deadline on by the grace period (stage HARD); reached again, it
stops the guest with an error (stage EXPIRED), which the instance reports as
a timeout. Calls the host makes for itself, and inline trials
(which hold the GIL), set stage HARD: their deadline stops them at once.
Nothing is registered or unregistered per request, and no other thread writes
into an instance's memory.
"""

from __future__ import annotations

import ctypes
import time

from wasmtime import _bindings as bindings

HARD, SOFT, EXPIRED = 0, 1, 2
_CONTINUE = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE
_MESSAGE = b"wasm trap: interrupt (the request's hard deadline)"


class Deadline(ctypes.Structure):
    """One store's deadline state, read by the callback through the address it was registered with."""

    _fields_ = [("flag", ctypes.c_size_t), ("grace", ctypes.c_uint64), ("soft_at", ctypes.c_double),
                ("stage", ctypes.c_int32)]


_Callback = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_error_new = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p)(
    ctypes.cast(bindings._wasmtime_error_new, ctypes.c_void_p).value)
_set_callback = ctypes.PYFUNCTYPE(None, ctypes.c_void_p, _Callback, ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(bindings._wasmtime_store_epoch_deadline_callback, ctypes.c_void_p).value)


@_Callback
def _on_deadline(_context: int, data: int, delta: int, kind: int) -> int:
    # A ctypes callback must not raise: every path returns a value (0: go on; else the error that stops the guest).
    state = Deadline.from_address(data)
    ctypes.c_uint8.from_address(kind).value = _CONTINUE
    if state.stage == SOFT:
        if time.monotonic() < state.soft_at:  # a tick before the soft time: ask again at the next
            ctypes.c_uint64.from_address(delta).value = 1
            return 0
        state.stage = HARD
        ctypes.c_int32.from_address(state.flag).value = 1
        ctypes.c_uint64.from_address(delta).value = state.grace
        return 0
    state.stage = EXPIRED
    ctypes.c_uint64.from_address(delta).value = 1  # should the error not be made: ask again a tick later
    return _error_new(_MESSAGE) or 0  # wasmtime takes ownership of the error


def install(store_ptr: object, state: Deadline) -> None:
    """Registers the callback on a store; `state` must live as long as the store (its owner keeps both)."""
    _set_callback(store_ptr, _on_deadline, ctypes.addressof(state), None)
