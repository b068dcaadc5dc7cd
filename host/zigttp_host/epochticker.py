"""The engine's epoch advanced by native code, so that it runs while Python's GIL is held.

A handler trial (Handler.handle_inline) calls into the guest holding the GIL:
releasing it around a call of a few microseconds hands it to granian's I/O
thread, and getting it back costs two context switches, a fifth of a served
request's CPU. While the GIL is held no Python thread runs, the Python ticker
included, so the epoch deadline would never come. _native/ticker.c loops on a
thread of its own: sleep (libc's nanosleep), wasmtime_engine_increment_epoch,
until told to stop; it enters that loop through a ctypes call that releases
the GIL and never needs it again until it stops.

Where the host's native library (native.py) was not built (it is built with
the guest) or cannot be loaded, or ZIGTTP_NATIVE_TICKER=0,
`NativeEpochTicker.load` answers None:
the Python ticker advances the epoch and every call into the guest releases
the GIL.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import threading
import weakref
from pathlib import Path

import wasmtime
from wasmtime import _bindings as bindings

from . import native

log = logging.getLogger("zigttp.engine")


class _Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


# Started tickers, stopped at exit before wasmtime's engine can be freed under a loop still ticking it.
_RUNNING: weakref.WeakSet[NativeEpochTicker] = weakref.WeakSet()


class NativeEpochTicker:
    """Advances one engine's epoch every `interval_s` from native code, on its own thread."""

    def __init__(self, loop: ctypes._CFuncPtr, sleep: int, engine: wasmtime.Engine, interval_s: float) -> None:
        self._loop = loop
        self._sleep = sleep
        self._engine = engine  # held: the loop ticks it until stopped
        self._interval = _Timespec(int(interval_s), int(interval_s % 1 * 1e9))
        self._stop = ctypes.c_int(0)
        self._thread: threading.Thread | None = None
        self.running = False  # ticking in this process: read on every trial, so a plain attribute

    @classmethod
    def load(cls, engine: wasmtime.Engine, interval_s: float,
             library: Path = native.NATIVE_LIBRARY) -> NativeEpochTicker | None:
        """A ticker for `engine`, or None where there is no native ticker here."""
        if os.environ.get("ZIGTTP_NATIVE_TICKER") == "0":
            return None
        lib = native.library(library)
        if lib is None:
            return None
        try:
            libc = ctypes.CDLL(None)
            sleep = ctypes.cast(libc.nanosleep, ctypes.c_void_p).value
            loop = lib.zigttp_tick_loop
        except (OSError, AttributeError) as e:
            log.warning("native epoch ticker not loaded (%s): trials release the GIL", e)
            return None
        if not sleep:
            return None
        loop.restype = None
        loop.argtypes = (ctypes.c_void_p,) * 5
        return cls(loop, sleep, engine, interval_s)

    def start(self) -> None:
        if self.running:
            return
        self._stop.value = 0
        self._thread = threading.Thread(target=self._run, name="zigttp-epoch-native", daemon=True)
        self._thread.start()
        self.running = True
        _RUNNING.add(self)

    def _run(self) -> None:
        tick = ctypes.cast(bindings._wasmtime_engine_increment_epoch, ctypes.c_void_p).value
        engine = ctypes.cast(self._engine.ptr(), ctypes.c_void_p).value
        self._loop(tick, engine, self._sleep, ctypes.byref(self._interval), ctypes.byref(self._stop))

    def stop(self) -> None:
        """Ends the loop (within one interval) and waits for its thread."""
        self._stop.value = 1
        thread, self._thread = self._thread, None
        if thread is not None and self.running:
            thread.join(timeout=1)
        self.running = False


@atexit.register
def _stop_all() -> None:
    for ticker in list(_RUNNING):
        ticker.stop()


def _forked() -> None:
    """A forked child has none of its parent's threads: its tickers start again (Engine.ensure_ticker)."""
    for ticker in list(_RUNNING):
        ticker.running = False
        ticker._thread = None


os.register_at_fork(after_in_child=_forked)
