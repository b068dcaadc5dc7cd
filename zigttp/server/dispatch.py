"""Runs handler calls on worker threads and hands results back to the event loop cheaply.

asyncio's run_in_executor wakes the loop once per result and wraps two
futures per call; at tens of thousands of requests per second that costs
more than the sandboxed handler itself. Here results queue up and the loop
is woken once per batch: under load one wake-up delivers many responses.

Each thread owns its own sandbox instance (a wasmtime Store is
single-threaded) and wasm runs with the GIL released, so a slow handler
occupies one thread, never the event loop. Threads are added on demand: one
thread keeps GIL hand-offs to a minimum while handlers are quick, and when
work is waiting while every thread has been stuck in its current job for more
than GROW_AFTER_SECONDS, another starts, up to the configured maximum — so a
long handler delays the others by milliseconds, not by its own duration.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

GROW_AFTER_SECONDS = 0.002
_STOP = object()


class ThreadDispatcher:
    def __init__(self, loop: asyncio.AbstractEventLoop, max_threads: int, *,
                 thread_init: Callable[[], None] | None = None, name: str = "zigttp-handler") -> None:
        self._loop = loop
        self._max = max_threads
        self._thread_init = thread_init
        self._name = name
        self._jobs: SimpleQueue[Any] = SimpleQueue()
        self._done: deque[tuple[asyncio.Future[Any], bool, Any]] = deque()
        self._lock = threading.Lock()
        self._wake_pending = False
        self._threads: list[threading.Thread] = []
        # per thread: when its current job started (None while idle)
        self._started: list[float | None] = []
        self._idle = 0
        self._queued = 0
        self._grow_scheduled = False
        self._start_thread(wait=True)

    @property
    def threads(self) -> int:
        return len(self._threads)

    def _start_thread(self, *, wait: bool = False) -> None:
        ready = threading.Event()
        index = len(self._threads)
        t = threading.Thread(target=self._work, args=(ready, index), name=f"{self._name}-{index}", daemon=True)
        with self._lock:
            self._started.append(None)
        self._threads.append(t)
        t.start()
        if wait:
            ready.wait(timeout=60)

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        fut = self._loop.create_future()
        with self._lock:
            self._queued += 1
            busy = self._idle < self._queued
        self._jobs.put((fut, fn, args))
        if busy and not self._grow_scheduled and len(self._threads) < self._max:
            # re-checked after GROW_AFTER_SECONDS: only threads stuck in one job justify another
            self._grow_scheduled = True
            self._loop.call_later(GROW_AFTER_SECONDS, self._maybe_grow)
        return fut

    def _maybe_grow(self) -> None:
        self._grow_scheduled = False
        now = time.monotonic()
        with self._lock:
            stuck = all(t is not None and now - t >= GROW_AFTER_SECONDS for t in self._started)
            starved = self._queued > self._idle and stuck
        if starved and len(self._threads) < self._max:
            self._start_thread()
            if len(self._threads) < self._max:
                self._grow_scheduled = True
                self._loop.call_later(GROW_AFTER_SECONDS, self._maybe_grow)

    def _work(self, ready: threading.Event, index: int) -> None:
        if self._thread_init is not None:
            self._thread_init()
        ready.set()
        while True:
            with self._lock:
                self._idle += 1
                self._started[index] = None
            job = self._jobs.get()
            with self._lock:
                self._idle -= 1
                self._queued -= 1
                self._started[index] = time.monotonic()
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
        with self._lock:
            self._queued += len(self._threads)
        for _ in self._threads:
            self._jobs.put(_STOP)
