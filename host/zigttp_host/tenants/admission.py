"""Admission per tenant: requests in flight, requests per second and the CPU share (fuel per second).

Requests in flight are bounded without a lock: a list holds one entry per
free place, a request pops one and gives it back after (list.pop and
list.append are atomic), so the common tenant, without a rate or a share,
is admitted without waiting on anything. The rates are token buckets
refilled by the clock, under this admission's lock. The CPU share is charged
after a request with the fuel it really used, so a bucket can go below
zero: a tenant that spent more than its share waits until the refill brings
it back above zero, however long its last request ran.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from ..http import Failure
from .limits import TenantLimits


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    at: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def wait_s(self, need: float) -> float:
        return max(0.0, (need - self.tokens) / self.rate)


class Admission:
    """A tenant's admission. The request path (TenantHandler.serve) runs the common case itself, without a
    call: `free.pop()` to enter (IndexError: `busy()`), then `within_rates()` only when `timed`, and
    `free.append(None)` to leave, then `charge(fuel)` only when `shares_cpu`."""

    def __init__(self, limits: TenantLimits) -> None:
        now = time.monotonic()
        self.limits = limits
        self.free: list[None] = [None] * limits.max_concurrent  # one entry per request that may still start
        self._lock = threading.Lock()  # the buckets
        rps, fps = limits.requests_per_second, limits.fuel_per_second
        burst = limits.burst_seconds
        self._requests = _Bucket(rps, max(1.0, rps * burst), max(1.0, rps * burst), now) if rps else None
        self._fuel = _Bucket(float(fps), fps * burst, fps * burst, now) if fps else None
        self.timed = self._requests is not None or self._fuel is not None
        self.shares_cpu = self._fuel is not None

    @property
    def in_flight(self) -> int:
        return self.limits.max_concurrent - len(self.free)

    def busy(self) -> tuple[Failure, int]:
        return Failure("tenant_busy", detail={"limit": self.limits.max_concurrent}), 1

    def within_rates(self) -> tuple[Failure, int] | None:
        """After a place was taken: None, or the rate's refusal (the place given back)."""
        with self._lock:
            refused = self._over_rate()
        if refused is not None:
            self.free.append(None)
        return refused

    def charge(self, fuel: int) -> None:
        """Charges a finished request's fuel to the CPU share."""
        assert self._fuel is not None
        with self._lock:
            self._fuel.refill(time.monotonic())
            self._fuel.tokens -= fuel

    def _over_rate(self) -> tuple[Failure, int] | None:
        now = time.monotonic()
        if self._fuel is not None:
            self._fuel.refill(now)
            if self._fuel.tokens <= 0:
                return (Failure("cpu_share_exceeded", detail={"fuelPerSecond": self.limits.fuel_per_second}),
                        _seconds(self._fuel.wait_s(1.0)))
        if self._requests is not None:
            self._requests.refill(now)
            if self._requests.tokens < 1:
                return (Failure("rate_limited", detail={"limit": self.limits.requests_per_second}),
                        _seconds(self._requests.wait_s(1.0)))
            self._requests.tokens -= 1
        return None


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
