"""ModuleRuntime: one Host's module configuration and the live resources built from it.

Created with the Host (ctx.functions.runtime); resources are created on
first use, once, under a lock, and are safe to share between the threads
that run requests.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

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
