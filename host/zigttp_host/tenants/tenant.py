"""One tenant: its code, grants, limits, capability providers and counters, and how its instances are made.

`TenantHandler` is a Handler whose instances come from the shared runtime
image with the tenant's code loaded into them (image.py), and live in the
host's warm pool between requests instead of in a thread's slot.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..handler import Handler
from ..http import Failure, HttpRequest, HttpResponse, failure_response
from ..instance import GuestFailure, GuestInstance
from ..tracefile import TraceWriter
from ..virtual_modules.config import ModuleConfig
from ..virtual_modules.runtime import ModuleRuntime
from .admission import Admission
from .limits import TenantLimits
from .metrics import TenantMetrics

_perf_counter_ns = time.perf_counter_ns
_SETTLE_EVERY = 1024  # requests recorded before the recording thread folds them into the counters

if TYPE_CHECKING:
    import wasmtime

    from ..bundle import Bundle
    from ..grants import Grants
    from ..host import Host
    from .image import RuntimeImage
    from .pool import WarmPool


@dataclass(frozen=True)
class Providers:
    """What a tenant's `zigttp:*` calls reach, its own unless the platform wires tenants to one thing.

    `modules` configures them as for a Host: env values (`env`), the cache
    (an in-memory store of this tenant's own by default, or `cache_path` for
    a SQLite file, or `cache_backend="redis"` with `cache_url`), the SQLite
    database (`sqlite_path`), the durable runs folder (`durable_dir`). The
    tenant's grants still decide which names it may reach. `trace_path`
    records every request's I/O to a trace file of the tenant's own
    (docs/replay.md; `zigttp replay` reads it).

    On Redis a tenant's keys start with `cache_prefix` and its `cache_scope`
    (default: the tenant id), so tenants on one Redis never see each other's
    entries or counters; tenants given the same `cache_scope` share them.
    """

    modules: ModuleConfig = field(default_factory=ModuleConfig)
    trace_path: str | None = None
    trace_max_bytes: int = 64 << 20
    cache_scope: str | None = None

    def modules_for(self, tenant: str) -> ModuleConfig:
        """The tenant's module configuration: on Redis, its keys under the prefix and its cache scope."""
        if self.modules.cache_backend != "redis":
            return self.modules
        scope = self.cache_scope if self.cache_scope is not None else tenant
        # the scope's byte length keeps "a" + "b:…" apart from "a:b" + "…"
        prefix = f"{self.modules.cache_prefix}tenant:{len(scope.encode())}:{scope}:"
        return dataclasses.replace(self.modules, cache_prefix=prefix)


class TenantHandler(Handler):
    def __init__(self, host: Host, image: RuntimeImage, pool: WarmPool, tenant: str, bundle: Bundle,
                 limits: TenantLimits, grants: Grants, providers: Providers, isolation: str) -> None:
        self.image = image
        self.pool = pool
        self._threads = pool.threads  # each thread's ThreadState: the instance it kept, its last request's fuel
        self.tenant = tenant
        self.tenant_limits = limits
        self.providers = providers
        self.lock = threading.Lock()  # the counters
        self._unsettled: deque[tuple[str | None, int, int, bool]] = deque()  # requests not yet counted
        self.unloaded = False  # set by TenantHost.unload: its instances are not pooled again
        self.admission = Admission(limits)
        self.metrics = TenantMetrics(tenant, host.guest_sha256)
        # the Host's tables (the runtime image's prelude was built from them) over the tenant's own state
        functions = host.functions.bind(ModuleRuntime(providers.modules_for(tenant)))
        trace = None
        if providers.trace_path is not None:
            meta = {"handler": bundle.name, "tenant": tenant, "isolation": isolation}
            trace = TraceWriter(providers.trace_path, functions, meta=meta, max_bytes=providers.trace_max_bytes)
        super().__init__(host, bundle, limits.request, isolation, grants, trace, functions=functions)

    def _instance_source(self) -> tuple[wasmtime.InstancePre, int]:
        return self.image.pre, self.image.initial_memory

    def _clock_seed_ns(self) -> int:
        return self.image.clock_seed_ns

    def _instantiate(self) -> GuestInstance:
        while True:
            try:
                inst = super()._instantiate()
                break
            except GuestFailure as e:
                # every pooling-allocator slot is taken: idle instances of other tenants give theirs up first
                if e.kind != "instances_exhausted" or not self.pool.evict_oldest():
                    raise
        inst.configure(js_stack_bytes=self.limits.js_stack_bytes)
        inst.load(self.bundle.source.encode(), self.bundle.name, clock_seed_ns=self.clock_origin_ns)
        return inst

    def _count_created(self) -> None:
        with self.lock:
            self.instances_created += 1
            self.metrics.instances_created += 1

    def _acquire(self) -> GuestInstance:
        if self.pooled:
            # this thread's kept instance when it is this tenant's (pool.py), else one from the pool
            state = self._threads.state or self._threads.start()
            if state.owner is self:
                inst = state.kept
                state.owner = state.kept = None  # not kept while it serves: a request from inside this one gets another
                return inst  # type: ignore[return-value]
            inst = self.pool.take(self.tenant)
            if inst is not None:
                return inst
        return self._new_instance(reseed=self.pooled)

    def _discard(self, inst: GuestInstance) -> None:
        inst.retired = True
        with self.lock:
            self.instances_discarded += 1

    def _released(self, inst: GuestInstance, fuel: int) -> None:
        state = self._threads.state or self._threads.start()
        state.fuel = fuel - inst.fuel_left()
        if not self.pooled or inst.retired or self.unloaded:
            return
        size = inst.memory_size_seen()
        if size > self.limits.recycle_memory_bytes:
            return
        if size > self.pool.budget_bytes:  # no room for it even alone: the pool evicts it, and counts that
            self.pool_idle(inst)
            return
        # kept on this thread for this tenant's next request; the one it displaces is pooled
        owner, idle = state.owner, state.kept
        state.owner, state.kept = self, inst
        if owner is not None:
            owner.pool_idle(idle)

    def pool_idle(self, inst: GuestInstance) -> None:
        """Puts an idle instance of this tenant in the warm pool, unless the tenant was unloaded since. Its
        size, which the pool's budget counts, is wasmtime's own answer, not what the guest wrote."""
        if not self.unloaded:
            self.pool.put(self.tenant, inst, inst.memory_size(), keep=self.tenant_limits.max_concurrent)

    def serve(self, request: HttpRequest) -> tuple[HttpResponse, int, int]:
        """One request through admission, the guest and the counters: (response, fuel, wall µs), a plain
        tuple (TenantHost.invoke_metered makes it a Metered; invoke, which wants the response only, does not
        pay for one)."""
        started = _perf_counter_ns()
        admission = self.admission  # its common case inline (admission.py): a place in flight, no rates
        free = admission.free
        try:
            free.pop()
        except IndexError:
            return self._refused(*admission.busy(), started)
        if admission.timed:
            refused = admission.within_rates()
            if refused is not None:
                return self._refused(*refused, started)
        fuel = 0
        kind: str | None = "internal_error"
        state = self._threads.state or self._threads.start()
        state.fuel = 0  # stays 0 when the request is refused before its guest code runs (413, no instance)
        try:
            response = self._run(request, trial_route=None, journal=None)
            fuel = state.fuel  # set by _released on this thread, just now
            failure = response.failure  # type: ignore[union-attr]
            kind = None if failure is None else failure.kind
        finally:
            wall_us = (_perf_counter_ns() - started) // 1000
            free.append(None)
            if admission.shares_cpu:
                admission.charge(fuel)
            # counted without a lock (deque.append is atomic) and folded in when read or when enough piled up
            unsettled = self._unsettled
            unsettled.append((kind, fuel, wall_us, True))
            if len(unsettled) >= _SETTLE_EVERY:
                self.settled_metrics()
        return response, fuel, wall_us

    def _refused(self, failure: Failure, retry_after: int, started: int) -> tuple[HttpResponse, int, int]:
        response = failure_response(failure)
        response.headers.append(("retry-after", str(retry_after)))
        wall_us = (_perf_counter_ns() - started) // 1000
        self._record((failure.kind, 0, wall_us, False))
        return response, 0, wall_us

    def _record(self, request: tuple[str | None, int, int, bool]) -> None:
        """Counts one request: appended without a lock (deque.append is atomic), folded into the counters
        when they are read or when enough have piled up, so a request never waits for another's counting."""
        self._unsettled.append(request)
        if len(self._unsettled) >= _SETTLE_EVERY:
            self.settled_metrics()

    def settled_metrics(self) -> TenantMetrics:
        """A copy of the counters with every request counted so far."""
        with self.lock:
            metrics = self.metrics
            metrics.count_all(self._unsettled)
            return dataclasses.replace(metrics, limit_hits=dict(metrics.limit_hits))

    def load_check(self) -> None:
        """Loads the tenant's code once into a new instance: a syntax error or a throwing module scope
        fails here, at load time, not at its first request (HandlerLoadError)."""
        try:
            inst = self._new_instance()
        except GuestFailure as e:
            raise self._load_error(e) from None
        self.pool_idle(inst)  # in the pool, not kept: the first request may come on any thread

