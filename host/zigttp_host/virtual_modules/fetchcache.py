"""fetch(url, { durable: { key, retries, backoff, ttl_s } }): responses kept in the durable store by hash.

The entry is keyed by hash(key, method, url, body): the same call with the
same key answers the stored response without reaching upstream, until
`ttl_s` passes. A network failure (599) or a 5xx is retried up to `retries`
times (`backoff` "exponential": 100 ms doubling, within the request's time);
only a response that is not a 599 is stored. Misuse answers 599
`InvalidDurable`; without `--durable`, 599 `DurableNotConfigured` (upstream's
codes, upstream-spec §6.2).
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import wellformed

if TYPE_CHECKING:
    from .egress import EgressPolicy
    from .fetch import RequestSpec
    from .runtime import ModuleRuntime

MAX_RETRIES = 16
MAX_TTL_S = 604_800
FIRST_BACKOFF_S = 0.1


@dataclass(frozen=True)
class DurableFetch:
    key: str
    retries: int = 0
    exponential: bool = False
    ttl_s: int = MAX_TTL_S


def options(value: Any) -> DurableFetch | str | None:
    """init.durable as options; a string: why it is invalid; None: not asked for."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return "init.durable must be an object { key, retries?, backoff?, ttl_s? }"
    key = value.get("key")
    if not isinstance(key, str) or not key:
        return "init.durable.key must be a non-empty string"
    retries = value.get("retries", 0)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        return f"init.durable.retries must be a whole number from 0 to {MAX_RETRIES}"
    backoff = value.get("backoff", "none")
    if backoff not in ("none", "exponential"):
        return 'init.durable.backoff must be "none" or "exponential"'
    ttl = value.get("ttl_s", MAX_TTL_S)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 < ttl <= MAX_TTL_S:
        return f"init.durable.ttl_s must be a whole number of seconds from 1 to {MAX_TTL_S}"
    return DurableFetch(key, retries, backoff == "exponential", ttl)


def entry_digest(opts: DurableFetch, spec: RequestSpec) -> str:
    body = base64.b64encode(spec.body or b"").decode()
    return hashlib.sha256(wellformed.dumps([opts.key, spec.method, spec.url, body])).hexdigest()


def cached(raw: bytes | None, opts: DurableFetch) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        doc = wellformed.loads(raw)
    except wellformed.MalformedJson:
        return None
    if not isinstance(doc, dict) or doc.get("key") != opts.key:
        return None
    if time.time() * 1000 > doc.get("stored_ms", 0) + opts.ttl_s * 1000:
        return None
    response = doc.get("response")
    return response if isinstance(response, dict) else None


def durable_fetch(rt: ModuleRuntime, policy: EgressPolicy, spec: RequestSpec, opts: DurableFetch,
                  soft_deadline: float | None) -> dict[str, Any]:
    from .fetch import perform

    store = rt.durable_store()
    digest = entry_digest(opts, spec)
    hit = cached(store.fetch_entry(digest), opts)
    if hit is not None:
        return hit
    result = perform(rt, policy, spec, soft_deadline)
    for attempt in range(opts.retries):
        if result.get("status", 599) < 500 or result.get("error") == "Timeout":
            break
        pause = FIRST_BACKOFF_S * (2 ** attempt if opts.exponential else 1)
        if soft_deadline is not None and time.monotonic() + pause >= soft_deadline:
            break
        time.sleep(pause)
        result = perform(rt, policy, spec, soft_deadline)
    if result.get("status") != 599:
        store.put_fetch_entry(digest, wellformed.dumps({"key": opts.key, "method": spec.method, "url": spec.url,
                                               "stored_ms": int(time.time() * 1000), "response": result}))
    return result
