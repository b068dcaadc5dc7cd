"""Soft deadlines: the engine's ticker thread sets a running request's interrupt flag once its time is up.

The flag is an i32 in the guest's linear memory (glue.c `interrupt_flag`)
that QuickJS reads every ~10,000 steps without calling the host, so a guest
that computes never takes Python's GIL to ask whether to stop. The ticker
runs every EPOCH_TICK_SECONDS, so a soft deadline fires up to one tick late;
the hard (epoch) deadline behind it is unchanged.
"""

from __future__ import annotations

import ctypes
import threading


class SoftDeadlines:
    def __init__(self) -> None:
        self._watched: dict[int, tuple[ctypes.c_int32, float]] = {}  # by id(flag): ctypes values do not hash
        # Held while firing and while a request stops being watched: the ticker never writes into
        # the memory of an instance whose request has ended (its store may be dropped right after).
        self._lock = threading.Lock()

    def watch(self, flag: ctypes.c_int32, deadline: float) -> None:
        # No lock: storing one dict item is atomic under the GIL, and fire() copies the items (one C call,
        # also atomic) before it writes any flag. A request pays for one lock, in unwatch(), not two.
        self._watched[id(flag)] = (flag, deadline)

    def unwatch(self, flag: ctypes.c_int32) -> None:
        with self._lock:
            self._watched.pop(id(flag), None)

    def fire(self, now: float) -> None:
        with self._lock:
            for flag, deadline in list(self._watched.values()):
                if now >= deadline:
                    flag.value = 1


SOFT_DEADLINES = SoftDeadlines()
