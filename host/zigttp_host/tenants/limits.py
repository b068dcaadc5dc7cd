"""What one tenant may use: per request (Limits) and over time (concurrency, rate, CPU share)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..limits import Limits


@dataclass(frozen=True)
class TenantLimits:
    """A tenant's limits. Per request: `request` (fuel, wall clock, memory, body sizes, log budget).

    Over time, each refused with 429 and `Retry-After` (docs/embedding.md):
    `max_concurrent` requests in flight; `requests_per_second` (None: no limit);
    `fuel_per_second`, the tenant's CPU share: fuel is the guest's instruction
    count, so a share in fuel is the same on every machine (None: no share).
    Both rates allow a burst of `burst_seconds` worth.
    """

    request: Limits = field(default_factory=Limits)
    max_concurrent: int = 8
    requests_per_second: float | None = None
    fuel_per_second: int | None = None
    burst_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        if self.requests_per_second is not None and self.requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive (None: no limit)")
        if self.fuel_per_second is not None and self.fuel_per_second <= 0:
            raise ValueError("fuel_per_second must be positive (None: no share)")
        if self.burst_seconds <= 0:
            raise ValueError("burst_seconds must be positive")
