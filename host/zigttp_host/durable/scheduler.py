"""The durable scheduler: fires due timers and scheduled signals, delivers waiting signals, recovers runs.

One per store, not one per worker: every worker process starts a
Scheduler, and each tries to take the store's lead (the file store: an
exclusive lock on `DIR/scheduler.lock`); the one that holds it does the work, the others retry every second, so when
that worker dies another takes over. A run is resumed by serving its
recorded request again through the Handler, which replays the oplog up to
where it stopped — the same path a client's retry takes. A run whose resume
keeps failing (a 500, not a 202 or a 409) is retried with exponential backoff
and parked as a dead run after MAX_ATTEMPTS (a 503 from a store out of reach
is backed off the same way but never parks a run), until an operator replays or
discards it (`zigttp admin`). Every minute it removes completed runs older
than the retention and resumes runs that stopped without waiting for
anything (a request that failed, a worker that died while the others went
on) or whose timer is due.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import wellformed
from ..http import HttpRequest, HttpResponse
from .store import SLEEP_NAME, DurableStore, Scheduled, StoreUnavailable

log = logging.getLogger("zigttp.durable")

POLL_S = 0.2
SWEEP_S = 60.0  # how often completed runs past retention are looked for
LOCK_RETRY_S = 1.0
MAX_ATTEMPTS = 10
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 60.0


@dataclass
class _Failing:
    attempts: int  # failures of the run itself: MAX_ATTEMPTS of them park it
    next_at: float
    unreachable: int = 0  # 503 durable_unavailable: the store was out of reach; backed off, never parked for


class Scheduler:
    """Resumes runs of one store through `serve` (a Handler's handle, on this thread)."""

    def __init__(self, store: DurableStore, serve: Callable[[HttpRequest], HttpResponse],
                 retention_s: float = 7 * 24 * 3600) -> None:
        self.store = store
        self.serve = serve
        self.retention_s = retention_s
        self._next_sweep = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lead: Any = None  # the store's token of leadership, while this scheduler leads
        self._failing: dict[str, _Failing] = {}
        self._complaints: dict[str, str] = {}  # run key -> what was last logged as wrong with it
        self.resumed = 0

    # ---------- life cycle ----------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="zigttp-durable-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Takes no more work; waits for the resume in progress (the server then drains)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._lead is not None:
            self.store.release_lead(self._lead)
            self._lead = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self._leader():
                    self._stop.wait(LOCK_RETRY_S)
                    continue
                self.tick()
            except Exception as e:  # the scheduler outlives any one bad run, and a store out of reach
                log.error("durable scheduler: %s: %s", type(e).__name__, e)
                self._stop.wait(LOCK_RETRY_S)
                continue
            if not self._stop.is_set():
                self.store.wait_for_work(POLL_S)  # a store that notifies (PostgreSQL) wakes it sooner

    def _leader(self) -> bool:
        if self._lead is not None:
            if self.store.keep_lead(self._lead):
                return True
            log.warning("durable scheduler: another scheduler took the lead over")
            self._lead = None
            return False
        self._lead = self.store.take_lead()
        if self._lead is None:
            return False
        self.recover()
        return True

    # ---------- work ----------

    def recover(self) -> None:
        """On taking the lead: every run not completed is resumed once (a waiting one just waits again)."""
        self._each(self.store.incomplete_keys(), self.resume)

    def tick(self) -> None:
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_S
            self._sweep()
        now_ms = int(time.time() * 1000)
        if not self._each(self.store.due(now_ms), self._fire):
            return
        if not self._each(self.store.waiting_signal_keys(), self._deliver):
            return
        if not self._each(self.store.orphaned_keys(), self.resume):  # an owner died or was cut off holding the run
            return
        self._each([key for key, failing in self._failing.items() if time.monotonic() >= failing.next_at],
                   self.resume)

    def _each(self, items: Iterable[Any], action: Callable[[Any], object]) -> bool:
        """`action` on every item; False once stopping. A run whose files make it fail (a hand-edited signal,
        timer or oplog) is logged and passed over, so it cannot hold up every run after it on every tick."""
        for item in items:
            if self._stop.is_set():
                return False
            try:
                action(item)
            except StoreUnavailable:
                raise  # the whole store is out of reach: the loop backs off
            except Exception as e:
                self._complain(getattr(item, "key", item), f"{type(e).__name__}: {e}")
        return True

    def _complain(self, key: str, message: str) -> None:
        """Logs what is wrong with a run once, not on every tick (five times a second) while it stays wrong."""
        if self._complaints.get(key) != message:
            self._complaints[key] = message
            log.error("durable run %r: %s", key, message)

    def _sweep(self) -> None:
        removed = self.store.remove_completed(self.retention_s)
        if removed:
            log.info("durable scheduler: %d completed runs past retention removed", removed)
        now_ms = int(time.time() * 1000)
        self._each(self.store.incomplete_keys(), lambda key: self._resume_stalled(key, now_ms))

    def _resume_stalled(self, key: str, now_ms: int) -> None:
        oplog = self._oplog(key)
        wait = None if oplog is None else oplog.waiting()
        if oplog is not None and (wait is None or (wait["type"] == "timer" and (wait["until"] or 0) <= now_ms)):
            self.resume(key)  # stalled: nothing will wake it otherwise (one executing now answers 409)

    def _deliver(self, key: str) -> None:
        if self._signal_awaited(key):
            self.resume(key)

    def _signal_awaited(self, key: str) -> bool:
        """The run waits for a signal that is there: resuming it delivers one (any other wait stays put)."""
        oplog = self._oplog(key)
        wait = None if oplog is None else oplog.waiting()
        return wait is not None and wait["type"] == "signal" and bool(self.store.signals(key, wait["name"]))

    def _fire(self, item: Scheduled) -> None:
        # the signal's id comes from the timer: fired again after a crash (or by a second scheduler), it is
        # the same signal, and a run that recorded its delivery does not take it twice
        if item.name != SLEEP_NAME and not self.store.put_signal(item.key, item.name, item.payload,
                                                                 timer_signal_id(item)):
            log.warning("durable scheduler: signalAt for an unknown or completed run %r dropped", item.key)
        self.store.unschedule(item)
        self.resume(item.key)

    def _oplog(self, key: str) -> Any:
        try:
            return self.store.read(key)
        except ValueError as e:
            self._complain(key, f"unreadable oplog: {e}")
            return None

    def resume(self, key: str) -> HttpResponse | None:
        """Serves the run's recorded request again; counts failures toward a dead run."""
        if self.store.is_dead(key):
            return None
        failing = self._failing.get(key)
        if failing is not None and time.monotonic() < failing.next_at:
            return None
        oplog = self._oplog(key)
        if oplog is None or oplog.complete:
            return None
        response = self.serve(request_of(oplog.request))
        self.resumed += 1
        if response.status >= 500:
            self._failed(key, response)
        else:
            self._failing.pop(key, None)
            self._complaints.pop(key, None)  # mended: a later fault of its own is logged again
        return response

    def _failed(self, key: str, response: HttpResponse) -> None:
        failing = self._failing.setdefault(key, _Failing(0, 0.0))
        if response.status == 503 and b'"durable_unavailable"' in response.body:
            failing.unreachable += 1
        else:
            failing.attempts += 1
        reason = response.body.decode(errors="replace")[:500]
        if failing.attempts >= MAX_ATTEMPTS:
            self.store.park(key, reason, failing.attempts)
            self._failing.pop(key, None)
            log.error("durable run %r parked as dead after %d attempts: %s", key, failing.attempts, reason)
            return
        delay = min(FIRST_BACKOFF_S * 2 ** min(failing.attempts + failing.unreachable - 1, 16), MAX_BACKOFF_S)
        failing.next_at = time.monotonic() + delay * (0.5 + 0.5 * (os.urandom(1)[0] / 255))


def timer_signal_id(item: Scheduled) -> str:
    """A signalAt's signal id, fixed by its timer (sorted among others by its due time, in ns)."""
    digest = hashlib.sha256(wellformed.dumps([item.key, item.name, item.at_ms])).hexdigest()[:16]
    return f"{item.at_ms * 1_000_000:020d}-t{digest}"


def request_of(line: dict[str, Any]) -> HttpRequest:
    """The HttpRequest of an oplog's request line."""
    headers: list[tuple[str, str]] = []
    for name, value in (line.get("headers") or {}).items():
        for one in value if isinstance(value, list) else [value]:
            headers.append((str(name), str(one)))
    body = b""
    if isinstance(line.get("body_base64"), str):
        body = base64.b64decode(line["body_base64"])
    elif isinstance(line.get("body"), str):
        body = line["body"].encode()
    return HttpRequest(str(line.get("method", "GET")), str(line.get("url", "/")), headers, body)


def dead_record(key: str, reason: str, attempts: int) -> bytes:
    now = int(time.time() * 1000)
    return wellformed.dumps({"key": key, "reason": reason, "attempts": attempts, "dead_at_ms": now,
                             "state": "dead"})


__all__ = ["Scheduler", "dead_record", "request_of", "timer_signal_id"]
