"""Many tenants in one process: the embedding host's tenant API (docs/embedding.md).

* image.py: the one runtime image every tenant instance starts from;
* tenant.py: a tenant's handler, capability providers and instances;
* pool.py: warm instances of recently used tenants within a memory budget;
* admission.py: requests in flight, requests per second and the CPU share;
* metrics.py: per-tenant counters; limits.py: TenantLimits;
* host.py: TenantHost, the API.
"""

from __future__ import annotations

from .host import Metered, TenantError, TenantHost
from .limits import TenantLimits
from .metrics import TenantMetrics
from .tenant import Providers

__all__ = ["Metered", "Providers", "TenantError", "TenantHost", "TenantLimits", "TenantMetrics"]
