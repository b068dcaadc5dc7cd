"""ModuleRuntime: one Host's module configuration and the live resources built from it.

Created with the Host (ctx.functions.runtime); resources are created on
first use, once, under a lock, and are safe to share between the threads
that run requests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..registry import HostInterrupted
from .config import ModuleConfig

if TYPE_CHECKING:
    from ..imports import CallContext

T = TypeVar("T")


class LruDict(OrderedDict):
    """A bounded mapping for host-side caches (compiled schemas, parsed keys)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.lock = threading.Lock()

    def get_or_make(self, key: Any, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self:
                self.move_to_end(key)
                return self[key]
        value = make()
        with self.lock:
            self[key] = value
            while len(self) > self.limit:
                self.popitem(last=False)
        return value

    def lookup(self, key: Any) -> Any:
        with self.lock:
            value = super().get(key)
            if value is not None:
                self.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self[key] = value
            while len(self) > self.limit:
                self.popitem(last=False)


class ModuleRuntime:
    def __init__(self, config: ModuleConfig | None = None) -> None:
        self.config = config or ModuleConfig()
        self._lock = threading.Lock()
        self._resources: dict[str, Any] = {}
        self.schemas = LruDict(512)  # content key → compiled validator (zigttp:validate)
        self.keys = LruDict(256)  # (alg family, key text) → parsed key (zigttp:auth)
        self.statements = LruDict(1024)  # statement text → checked statement (zigttp:sql)
        self.routes = LruDict(256)  # route keys → parsed routes (zigttp:router)

    def durable_store(self) -> Any:
        """The zigttp:durable store (durable/store.py), or None without durable_dir or durable_url."""
        if self.config.durable_dir is None and self.config.durable_url is None:
            return None

        def make(config: ModuleConfig) -> Any:
            from ..durable.store import open_store

            return open_store(config.durable_url or config.durable_dir or "", replay_only=config.durable_replay_only,
                              lease_s=config.durable_lease_s, schema=config.durable_schema)

        return self.resource("durable", make)

    def resource(self, name: str, make: Callable[[ModuleConfig], T]) -> T:
        """The named shared resource, made from the configuration on first use."""
        found = self._resources.get(name)
        if found is not None:
            return found
        with self._lock:
            found = self._resources.get(name)
            if found is None:
                found = self._resources[name] = make(self.config)
        return found

    def close(self) -> None:
        with self._lock:
            resources, self._resources = self._resources, {}
        for r in resources.values():
            close = getattr(r, "close", None)
            if close is not None:
                close()


_DEFAULT = ModuleRuntime()


def runtime_of(ctx: CallContext) -> ModuleRuntime:
    rt = ctx.functions.runtime
    return rt if rt is not None else _DEFAULT


def loading(ctx: CallContext) -> bool:
    """True while the handler's module scope runs (the snapshot is being built).

    The host freezes the guest clock exactly while it runs init and load.
    """
    return ctx.fixed_clock_ns is not None


# ---------- the request's time budget ----------

# How many Budget.tick() calls pass between two looks at the clock: a tick is
# a decrement, so loops over client data can tick per element.
TICK_STRIDE = 64


class Budget:
    """The rest of the request's time, for host work that loops over client-sized data.

    The guest's interrupt handler cannot stop the guest while a host call
    runs, so a host call that loops over a large body checks this itself
    and raises HostInterrupted once the deadline has passed: the guest then
    stops as if interrupted (504), instead of answering late.
    """

    __slots__ = ("ctx", "deadline", "fn", "left")

    def __init__(self, ctx: CallContext | None, fn: str) -> None:
        self.ctx = ctx
        self.fn = fn
        self.deadline = None if ctx is None else ctx.soft_deadline
        self.left = TICK_STRIDE

    def check(self) -> None:
        if self.expired():
            raise self.interrupted()

    def tick(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.left = TICK_STRIDE
            self.check()

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None outside a request."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def interrupted(self) -> HostInterrupted:
        """The error that ends the call (for the caller to raise)."""
        ctx = self.ctx
        if ctx is not None and ctx.trial:
            # A trial (handle_inline) has a deadline of a few milliseconds:
            # running out of it means "run this request on a thread", never
            # a failure, whatever the guest makes of the interruption.
            ctx.trial_stopped = True
        return HostInterrupted(f"{self.fn}(): interrupted: the request's time limit was reached")


# Pure-Python host work over client-sized data (schema validation, coercion)
# holds the GIL while it runs. One such call at a time per process: the event
# loop, which answers /_health and hands out requests, then competes for the
# GIL with at most one busy thread instead of every handler thread. Nothing is
# lost: GIL-bound work cannot run in parallel anyway.
_GIL_HEAVY = threading.Lock()


class gil_heavy:
    """Runs the body under the process-wide gate for GIL-bound host work, waiting at most the budget."""

    __slots__ = ("b",)

    def __init__(self, b: Budget) -> None:
        self.b = b

    def __enter__(self) -> None:
        remaining = self.b.remaining()
        if not _GIL_HEAVY.acquire(timeout=-1 if remaining is None else remaining):
            raise self.b.interrupted()

    def __exit__(self, *exc: object) -> None:
        _GIL_HEAVY.release()


def budget(ctx: CallContext, fn: str) -> Budget:
    """The budget of the call `fn` makes; HostInterrupted at once when the deadline has already passed."""
    b = Budget(ctx, fn)
    b.check()
    return b
