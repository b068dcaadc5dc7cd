"""How long a request may take to send its body: one periodic sweep, not a timer per request.

A client that sends its headers and then part of a body, or nothing, would
otherwise hold its request (and one of the worker's in-flight slots) for as
long as it kept the connection open. asyncio.timeout() would bound that too,
but costs a timer per request (about 6 µs, more than the rest of a small
request's Python); here a request costs a dict entry, and one sweep a
second cancels the reads that are past their deadline.
"""

from __future__ import annotations

import asyncio

SWEEP_S = 0.25  # a stalled body is answered between its deadline and this much later


class BodyDeadlines:
    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        self.seconds = seconds
        self._loop = loop
        self._due: dict[asyncio.Task, float] = {}
        self._expired: set[asyncio.Task] = set()
        self._sweeping = False

    def start(self) -> asyncio.Task | None:
        """Puts the current task's body read under the deadline; its handle for `finish`."""
        task = asyncio.current_task()
        if task is None:  # not run as a task: nothing to cancel, no deadline
            return None
        self._due[task] = self._loop.time() + self.seconds
        if not self._sweeping:
            self._sweeping = True
            self._loop.call_later(SWEEP_S, self._sweep)
        return task

    def finish(self, task: asyncio.Task | None) -> bool:
        """Ends the deadline of `task`'s read; True when the sweep cancelled it (the read was too slow)."""
        if task is None:
            return False
        self._due.pop(task, None)
        if task in self._expired:
            self._expired.discard(task)
            task.uncancel()  # the cancellation was ours and is answered: the request goes on to respond
            return True
        return False

    def _sweep(self) -> None:
        now = self._loop.time()
        for task, due in list(self._due.items()):
            if due <= now:
                del self._due[task]
                self._expired.add(task)
                task.cancel()
        self._sweeping = bool(self._due)
        if self._sweeping:
            self._loop.call_later(SWEEP_S, self._sweep)
