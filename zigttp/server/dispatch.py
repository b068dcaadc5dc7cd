"""Runs handler calls on worker threads and hands results back to the event loop cheaply.

asyncio's run_in_executor wakes the loop once per result and wraps two
futures per call; at tens of thousands of requests per second that costs
more than the sandboxed handler itself. Here results queue up and the loop
is woken once per batch: under load one wake-up delivers many responses.
Each thread owns its own sandbox instance (the Store is single-threaded) and
wasm runs with the GIL released, so a slow handler occupies one thread and
never the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

_STOP = object()


class ThreadDispatcher:
    def __init__(self, loop: asyncio.AbstractEventLoop, threads: int, *,
                 thread_init: Callable[[], None] | None = None, name: str = "zigttp-handler") -> None:
        self._loop = loop
        self._jobs: SimpleQueue[Any] = SimpleQueue()
        self._done: deque[tuple[asyncio.Future[Any], bool, Any]] = deque()
        self._wake_pending = False
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, args=(thread_init,), name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        ready = threading.Barrier(threads + 1)
        self._ready = ready
        for t in self._threads:
            t.start()
        ready.wait(timeout=60)

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        fut = self._loop.create_future()
        self._jobs.put((fut, fn, args))
        return fut

    def _work(self, thread_init: Callable[[], None] | None) -> None:
        if thread_init is not None:
            thread_init()
        self._ready.wait(timeout=60)
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            fut, fn, args = job
            try:
                outcome = (fut, True, fn(*args))
            except BaseException as e:  # delivered to the awaiting request, not lost
                outcome = (fut, False, e)
            with self._lock:
                self._done.append(outcome)
                wake = not self._wake_pending
                self._wake_pending = True
            if wake:
                try:
                    self._loop.call_soon_threadsafe(self._deliver)
                except RuntimeError:  # loop closed during shutdown
                    return

    def _deliver(self) -> None:
        with self._lock:
            done = list(self._done)
            self._done.clear()
            self._wake_pending = False
        for fut, ok, value in done:
            if fut.cancelled():
                continue
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)

    def shutdown(self) -> None:
        for _ in self._threads:
            self._jobs.put(_STOP)
