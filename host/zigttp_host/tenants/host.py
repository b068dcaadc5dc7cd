"""TenantHost: many tenants in one process over one Host, one compiled guest and one runtime image."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from ..bundle import Bundle
from ..grants import Grants
from ..host import Host
from ..http import Failure, HttpRequest, HttpResponse, failure_response
from .image import RuntimeImage, runtime_image
from .limits import TenantLimits
from .metrics import Metered, TenantMetrics
from .pool import WarmPool
from .scheduling import SliceRequester
from .tenant import Providers, TenantHandler

DEFAULT_WARM_BUDGET = 256 << 20
TENANT_ID_MAX = 256
_new_tuple = tuple.__new__


class TenantError(ValueError):
    """A tenant that cannot be loaded: a bad id, a bundle folder without handler.js, a bad contract."""


class TenantHost:
    """Loads tenants and serves their requests; safe to call from any number of threads.

    >>> tenants = TenantHost(Host())
    >>> tenants.load("acme", Bundle("export function handler(req) { return Response.text('hi') }"))
    >>> tenants.invoke("acme", HttpRequest("GET", "/")).body
    b'hi'

    A loaded tenant costs its code, grants and counters: no compiled module
    and no instance until its first request. Instances of recently used
    tenants stay warm within `warm_budget_bytes` of linear memory (least
    recently used evicted first).
    """

    def __init__(self, host: Host, *, warm_budget_bytes: int = DEFAULT_WARM_BUDGET,
                 thread_slice_us: float | None = None) -> None:
        """`thread_slice_us` (Linux 6.12 and later): each thread serving tenants asks the kernel for a scheduler
        slice this short at its first request, so it runs soon after it wakes even where a neighbour's long
        guest call holds the CPU (scheduling.py; docs/embedding.md, "Noisy neighbours"). None: the default."""
        self.host = host
        self.image: RuntimeImage = runtime_image(host)
        setup = None if thread_slice_us is None else SliceRequester(thread_slice_us)
        self.pool = WarmPool(warm_budget_bytes, on_evict=self._evicted, thread_setup=setup)
        self._tenants: dict[str, TenantHandler] = {}
        self._lock = threading.Lock()

    # ---------- loading ----------

    def load(self, tenant: str, bundle: Bundle, *, contract: dict[str, Any] | None = None,
             limits: TenantLimits | None = None, providers: Providers | None = None,
             isolation: str = "pooled", check: bool = True) -> None:
        """Loads (or replaces) `tenant`. Its grants come from `contract` (contract.json's content):
        without one it reaches nothing. `check` loads its code once now, so a syntax error or a
        throwing module scope is a HandlerLoadError here rather than a 500 at its first request."""
        _check_id(tenant)
        _check_bundle(tenant, bundle)
        try:
            grants = Grants.from_contract(contract, handler=tenant) if contract is not None else Grants(handler=tenant)
        except ValueError as e:
            raise TenantError(f"tenant {tenant!r}: {e}") from None
        handler = TenantHandler(self.host, self.image, self.pool, tenant, bundle, limits or TenantLimits(), grants,
                                providers or Providers(), isolation)
        if check:
            handler.load_check()
        with self._lock:
            old = self._tenants.get(tenant)
            self._tenants[tenant] = handler
        if old is not None:
            self._retire(old)

    def load_built(self, tenant: str, folder: str | Path, **options: Any) -> None:
        """Loads what `zigttp build` wrote: FOLDER/handler.js and, when present, FOLDER/contract.json."""
        root = Path(folder)
        try:
            source = (root / "handler.js").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise TenantError(f"tenant {tenant!r}: cannot read {root / 'handler.js'}: {e}") from None
        contract = None
        path = root / "contract.json"
        if path.exists():
            try:
                contract = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as e:
                raise TenantError(f"tenant {tenant!r}: cannot read {path}: {e}") from None
        self.load(tenant, Bundle(source, "handler.js"), contract=contract, **options)

    def unload(self, tenant: str) -> bool:
        """Forgets `tenant`; requests in flight finish. False when it was not loaded."""
        with self._lock:
            handler = self._tenants.pop(tenant, None)
        if handler is None:
            return False
        self._retire(handler)
        return True

    def close(self) -> None:
        """Unloads every tenant and drops the warm instances now (requests in flight finish), not whenever the
        garbage collector reaches them: on a pooling Host each one holds a slot until it is dropped. An
        instance another thread keeps for the tenant it served last goes at that thread's next request or exit."""
        with self._lock:
            handlers = list(self._tenants.values())
            self._tenants.clear()
        for handler in handlers:
            self._retire(handler)
        state = self.pool.threads.state
        if state is not None:
            state.clear()

    def __enter__(self) -> TenantHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _retire(self, handler: TenantHandler) -> None:
        handler.unloaded = True
        self.pool.drop(handler.tenant)

    def tenants(self) -> list[str]:
        with self._lock:
            return sorted(self._tenants)

    # ---------- requests ----------

    def invoke(self, tenant: str, request: HttpRequest) -> HttpResponse:
        handler = self._tenants.get(tenant)
        return self._not_found(tenant) if handler is None else handler.serve(request)[0]

    def invoke_metered(self, tenant: str, request: HttpRequest) -> Metered:
        """One request and what it cost: the fuel its guest code used (0 when it did not run) and the wall
        time in microseconds. What billing reads: safe with concurrent requests, unlike `last_fuel`."""
        handler = self._tenants.get(tenant)  # one dict read: atomic under the GIL, no lock needed
        if handler is None:
            return Metered(self._not_found(tenant), 0, 0)
        # tuple.__new__ is what Metered(...) runs, minus the generated Python __new__ around it
        return _new_tuple(Metered, handler.serve(request))  # type: ignore[return-value]

    @staticmethod
    def _not_found(tenant: str) -> HttpResponse:
        return failure_response(Failure("tenant_not_found", detail={"tenant": tenant[:TENANT_ID_MAX]}))

    # ---------- metrics ----------

    def metrics(self, tenant: str) -> TenantMetrics | None:
        """A copy of `tenant`'s counters (None: not loaded)."""
        with self._lock:
            handler = self._tenants.get(tenant)
        if handler is None:
            return None
        return handler.settled_metrics()

    def _evicted(self, tenant: str) -> None:
        with self._lock:
            handler = self._tenants.get(tenant)
        if handler is not None:
            with handler.lock:
                handler.metrics.instances_evicted += 1


def _check_id(tenant: str) -> None:
    if not isinstance(tenant, str) or not 0 < len(tenant) <= TENANT_ID_MAX or not tenant.isprintable():
        raise TenantError(f"a tenant id is 1 to {TENANT_ID_MAX} printable characters, not {tenant!r:.80}")


def _check_bundle(tenant: str, bundle: Bundle) -> None:
    """A bundle the guest can be handed: its source and name are text that UTF-8 can encode (a lone surrogate,
    from a file read with errors="surrogateescape", cannot be; it would fail deep in the load otherwise)."""
    if not isinstance(bundle, Bundle) or not isinstance(bundle.source, str) or not isinstance(bundle.name, str):
        raise TenantError(f"tenant {tenant!r}: the code is a Bundle(source: str, name: str), not {bundle!r:.80}")
    try:
        bundle.source.encode()
        bundle.name.encode()
    except UnicodeEncodeError as e:
        raise TenantError(f"tenant {tenant!r}: the bundle is not valid text: {e}") from None
