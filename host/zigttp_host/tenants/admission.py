"""Admission per tenant: requests in flight, requests per second and the CPU share (fuel per second).

Token buckets refilled by the clock. The CPU share is charged after a
request with the fuel it really used, so a bucket can go below zero: a
tenant that spent more than its share waits until the refill brings it back
above zero, however long its last request ran. Callers hold the tenant's lock.
"""

from __future__ import annotations

import math
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
    def __init__(self, limits: TenantLimits) -> None:
        now = time.monotonic()
        self.limits = limits
        self.in_flight = 0
        rps, fps = limits.requests_per_second, limits.fuel_per_second
        burst = limits.burst_seconds
        self._requests = _Bucket(rps, max(1.0, rps * burst), max(1.0, rps * burst), now) if rps else None
        self._fuel = _Bucket(float(fps), fps * burst, fps * burst, now) if fps else None

    def admit(self) -> tuple[Failure, int] | None:
        """None: admitted (one more in flight); else the refusal and its Retry-After in seconds."""
        if self.in_flight >= self.limits.max_concurrent:
            return Failure("tenant_busy", detail={"limit": self.limits.max_concurrent}), 1
        if self._fuel is None and self._requests is None:
            self.in_flight += 1
            return None
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
        self.in_flight += 1
        return None

    def done(self, fuel: int) -> None:
        self.in_flight -= 1
        if self._fuel is not None:
            self._fuel.refill(time.monotonic())
            self._fuel.tokens -= fuel


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
