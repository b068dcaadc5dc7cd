"""What each tenant used: counted by the embedding host, read with TenantHost.metrics()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections import deque

    from ..http import HttpResponse

# Failure kinds that mean a limit was reached (the rest are the handler's own errors or bad input).
LIMIT_KINDS = frozenset({"timeout", "cpu_limit", "memory_limit", "stack_overflow", "body_too_large",
                         "response_too_large", "response_headers_too_large", "tenant_busy", "rate_limited",
                         "cpu_share_exceeded"})


class Metered(NamedTuple):
    """One request and what it cost."""

    response: HttpResponse
    fuel: int  # the fuel this request's guest code used: identical for the same request on a fresh instance
    wall_us: int


@dataclass
class TenantMetrics:
    """Counters of one tenant since it was loaded.

    `last_fuel` is the fuel the last request used: the guest's instruction
    count, identical on every run of the same request from a fresh instance
    of the same guest build; `guest_sha256` names that build, since another
    counts differently.
    """

    tenant: str
    guest_sha256: str
    requests: int = 0
    fuel_used: int = 0
    wall_us: int = 0
    last_fuel: int | None = None
    limit_hits: dict[str, int] = field(default_factory=dict)
    denials: int = 0
    instances_created: int = 0
    instances_evicted: int = 0

    def count_all(self, unsettled: deque[tuple[str | None, int, int, bool]]) -> None:
        """Counts every request in `unsettled` (kind, fuel, wall µs, whether its guest code ran), taken from
        the left while requests may still append on the right. Summed in locals first: the tenant's
        requests pay for this fold, one per request, so it is kept to a few bytecodes each."""
        requests = fuel_used = wall = denials = 0
        last_fuel, hits, take = self.last_fuel, self.limit_hits, unsettled.popleft
        for _ in range(len(unsettled)):
            kind, fuel, wall_us, ran = take()
            requests += 1
            wall += wall_us
            if ran:
                fuel_used += fuel
                last_fuel = fuel
            if kind is None:
                continue
            if kind in LIMIT_KINDS:
                hits[kind] = hits.get(kind, 0) + 1
            elif kind == "capability_denied":
                denials += 1
        self.requests += requests
        self.fuel_used += fuel_used
        self.wall_us += wall
        self.denials += denials
        self.last_fuel = last_fuel

    def to_dict(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "guestSha256": self.guest_sha256, "requests": self.requests,
                "fuelUsed": self.fuel_used, "wallUs": self.wall_us, "lastFuel": self.last_fuel,
                "limitHits": dict(sorted(self.limit_hits.items())), "denials": self.denials,
                "instancesCreated": self.instances_created, "instancesEvicted": self.instances_evicted}
