"""Warm instances of recently used tenants, least recently used evicted first, within a memory budget.

An instance is in the pool only while idle: a request takes it out and puts
it back after. Evicting one drops its Store, and with it the tenant's heap
and module state; the next request of that tenant starts a new instance from
the runtime image.

In front of the pool, each thread keeps the instance of the tenant it served
last (`ThreadState.kept`), as `serve` keeps one instance per thread: a thread
serving one tenant request after request never touches the shared pool, its
lock or its LRU order. A kept instance goes into the pool when its thread
serves another tenant. Kept instances are outside the budget, at most one
per thread; one larger than the whole budget is never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..instance import GuestInstance


class ThreadState:
    """What one thread keeps between tenant requests: the instance of the tenant it served last (`kept`, with
    its tenant handler as `owner`; both None when it keeps none), and the fuel its last request used.
    TenantHandler takes the instance back and keeps the next one itself (`_acquire`, `_released`): the
    request path calls no method of the pool while a thread serves one tenant. Two slots rather than a
    tuple: a request allocates nothing for it."""

    __slots__ = ("fuel", "kept", "owner")

    def __init__(self) -> None:
        self.owner: Any = None
        self.kept: GuestInstance | None = None
        self.fuel = 0

    def clear(self) -> None:
        self.owner = self.kept = None


class PerThread(threading.local):
    """Each thread's ThreadState. Reading an attribute of a thread-local costs about as much as a small
    function call, so a request reads `state` once where it needs it and works on that plain object.
    A thread's first read finds None (the class default): `start` makes its state then, after running
    `setup` on that thread (scheduling.py), so only threads that serve tenants are set up, never the one
    that made the pool."""

    state: ThreadState | None = None

    def __init__(self, setup: Callable[[], None] | None = None) -> None:
        self._setup = setup

    def start(self) -> ThreadState:
        if self._setup is not None:
            self._setup()
        state = self.state = ThreadState()
        return state


class WarmPool:
    def __init__(self, budget_bytes: int, on_evict: Callable[[str], None] | None = None,
                 thread_setup: Callable[[], None] | None = None) -> None:
        self.budget_bytes = budget_bytes
        self.bytes = 0
        self._idle: OrderedDict[str, list[tuple[GuestInstance, int]]] = OrderedDict()
        self._lock = threading.Lock()
        self._on_evict = on_evict
        self.threads = PerThread(thread_setup)  # each thread's kept instance

    def take(self, tenant: str) -> GuestInstance | None:
        with self._lock:
            stack = self._idle.get(tenant)
            if not stack:
                return None
            inst, size = stack.pop()  # an emptied stack stays: its tenant is likely back soon
            self.bytes -= size
            return inst

    def put(self, tenant: str, inst: GuestInstance, size: int, *, keep: int) -> None:
        """Returns an idle instance (at most `keep` idle per tenant), then evicts down to the budget."""
        evicted: list[str] = []
        with self._lock:
            stack = self._idle.get(tenant)
            if stack is None:
                stack = self._idle[tenant] = []
            else:
                self._idle.move_to_end(tenant)
            if len(stack) >= keep:
                evicted.append(tenant)
            else:
                stack.append((inst, size))
                self.bytes += size
            if self.bytes > self.budget_bytes:
                self._evict(evicted, budget=self.budget_bytes)
        self._notify(evicted)

    def _evict(self, evicted: list[str], *, budget: int, most: int = -1) -> None:
        """Drops the least recently used idle instances while the pool holds more than `budget` bytes, at most
        `most` of them (-1: no bound); lock held. Each dropped instance's tenant goes into `evicted`."""
        for oldest in list(self._idle):
            idle = self._idle[oldest]
            while idle and self.bytes > budget and most != 0:
                _, dropped = idle.pop(0)
                self.bytes -= dropped
                evicted.append(oldest)
                most -= 1
            if not idle:
                del self._idle[oldest]
            if self.bytes <= budget or most == 0:
                return

    def _notify(self, evicted: list[str]) -> None:
        if self._on_evict is not None:
            for name in evicted:
                self._on_evict(name)

    def evict_oldest(self) -> bool:
        """Drops the least recently used idle instance, whatever its tenant, to free its pooling-allocator slot
        for a new one; False when none is idle."""
        evicted: list[str] = []
        with self._lock:
            self._evict(evicted, budget=-1, most=1)
        self._notify(evicted)
        return bool(evicted)

    def drop(self, tenant: str) -> int:
        """Forgets every idle instance of `tenant` (unloaded); how many."""
        with self._lock:
            stack = self._idle.pop(tenant, [])
            self.bytes -= sum(size for _, size in stack)
            return len(stack)

    def idle(self, tenant: str | None = None) -> int:
        with self._lock:
            if tenant is not None:
                return len(self._idle.get(tenant, []))
            return sum(len(s) for s in self._idle.values())
