"""zigttp:fetch and the global fetchSync — outbound HTTP through the egress policy.

Every failure (refused host, bad URL, DNS, connect, timeout, too large,
too many redirects) is a 599 Response with `error` and `details`, never an
exception; only wrong argument types throw (TypeError). Redirects are
followed here, each hop checked against the policy again by (scheme, host,
port). A hop to another origin than the previous one drops the credentials
(`authorization`, `cookie`, `proxy-authorization` and the handler's
`init.sensitiveHeaders`) for the rest of the chain, even when the new
origin is granted: a grant lets the handler reach a service, it does not
vouch that the service may see the credentials meant for another (browsers
and curl do the same).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

import orjson

from ..registry import Export, HostInterrupted, HostTypeError, Param
from . import args as a
from . import fetchcache
from .config import ModuleConfig
from .egress import EgressError, EgressPolicy, Target
from .runtime import ModuleRuntime, runtime_of

if TYPE_CHECKING:
    import httpx

    from ..imports import CallContext

MAX_REQUEST_BODY = 8 << 20
MAX_RESPONSE_CAP = 8 << 20
MAX_HEADERS = 100
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\r\n\0]")
_REDIRECTS = (301, 302, 303, 307, 308)
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
USER_AGENT = "zigttp"

FETCH_JS = """(call, lib) => function fetch(url, init) {
  return lib.fetchResponse(call(lib.fetchArgs(url, init)));
}"""
PENDING = "inside parallel() or race(): the request is sent when every thunk has returned"


class RequestSpec(NamedTuple):
    url: str
    method: str
    headers: list[tuple[str, str]]
    body: bytes | None
    timeout_ms: int | None
    max_bytes: int | None
    sensitive: frozenset[str] = CREDENTIAL_HEADERS  # dropped on a redirect to another origin


def _headers(fn: str, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, dict) and a.BYTES_KEY not in value:
        items = list(value.items())
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        items = [(p[0], p[1]) for p in value]
    else:
        raise HostTypeError(f"{fn}(): init.headers must be an object of strings or an array of [name, value]")
    if len(items) > MAX_HEADERS:
        raise HostTypeError(f"{fn}(): init.headers has more than {MAX_HEADERS} entries")
    out = []
    for k, v in items:
        if v is None:
            continue
        if isinstance(v, int | float) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(k, str) or not _TOKEN.match(k) or not isinstance(v, str) or _BAD_VALUE.search(v):
            raise HostTypeError(f"{fn}(): init.headers has an invalid header {str(k)[:40]!r}")
        if k.lower() in ("host", "content-length", "transfer-encoding", "connection"):
            continue  # set by the client
        out.append((k.lower(), v))
    return out


def _sensitive(fn: str, value: Any) -> frozenset[str]:
    """The credentials plus the header names the handler marks sensitive (`init.sensitiveHeaders`)."""
    if value is None:
        return CREDENTIAL_HEADERS
    if (not isinstance(value, list) or len(value) > MAX_HEADERS
            or not all(isinstance(n, str) and _TOKEN.match(n) for n in value)):
        raise HostTypeError(f"{fn}(): init.sensitiveHeaders must be an array of header names")
    return CREDENTIAL_HEADERS | {n.lower() for n in value}


def _query(fn: str, url: str, value: Any) -> str:
    if value is None:
        return url
    if not isinstance(value, dict) or a.BYTES_KEY in value:
        raise HostTypeError(f"{fn}(): init.query must be an object")
    pairs: list[tuple[str, str]] = []
    for k, v in value.items():
        for one in v if isinstance(v, list) else [v]:
            if one is None:
                continue
            if isinstance(one, bool):
                one = "true" if one else "false"
            if not isinstance(one, str | int | float):
                raise HostTypeError(f"{fn}(): init.query.{k} must be a string, number or boolean")
            pairs.append((k, str(one)))
    if not pairs:
        return url
    base, _, fragment = url.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{urlencode(pairs)}" + (f"#{fragment}" if fragment else "")


def request_spec(fn: str, url: Any, init: Any) -> RequestSpec:
    if not isinstance(url, str):
        raise HostTypeError(f"{fn}(): parameter 'url' must be a string, got {a.describe(url)}")
    if init is None:
        init = {}
    if not isinstance(init, dict) or a.BYTES_KEY in init:
        raise HostTypeError(f"{fn}(): parameter 'init' must be an object, got {a.describe(init)}")
    method = init.get("method", "GET")
    if not isinstance(method, str) or not _TOKEN.match(method):
        raise HostTypeError(f"{fn}(): init.method must be an HTTP method name")
    body = init.get("body")
    raw: bytes | None = None
    if body is not None:
        raw = a.data(fn, [body], 0, "init.body", max_len=MAX_REQUEST_BODY)
    timeout = a.field(fn, init, "timeoutMs", (int, float), "a number of milliseconds", "init")
    cap = a.field(fn, init, "maxResponseBytes", int, "a whole number of bytes", "init")
    if timeout is not None and timeout <= 0:
        raise HostTypeError(f"{fn}(): init.timeoutMs must be positive")
    if cap is not None and not 0 < cap <= MAX_RESPONSE_CAP:
        raise HostTypeError(f"{fn}(): init.maxResponseBytes must be between 1 and {MAX_RESPONSE_CAP}")
    return RequestSpec(url=_query(fn, url, init.get("query")), method=method.upper(),
                       headers=_headers(fn, init.get("headers")), body=raw,
                       timeout_ms=None if timeout is None else int(timeout), max_bytes=cap,
                       sensitive=_sensitive(fn, init.get("sensitiveHeaders")))


# ---------- performing ----------

class Failed(Exception):
    def __init__(self, code: str, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


def failure(code: str, details: str, url: str = "") -> dict[str, Any]:
    return {"status": 599, "statusText": "Network Error", "headers": [["content-type", "application/json"]],
            "body": orjson.dumps({"error": code, "details": details}).decode(), "error": code, "details": details,
            "url": url}


def _client(config: ModuleConfig) -> httpx.Client:
    import httpx

    return httpx.Client(trust_env=False, follow_redirects=False, http2=False,
                        limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                        headers={"user-agent": USER_AGENT})


_NO_EGRESS = EgressPolicy(())


def egress_policy(ctx: CallContext) -> EgressPolicy:
    """The origins this handler may reach: its grants' (zigttp_host.grants); none outside a request."""
    grants = ctx.grants
    return grants.egress_policy if grants is not None else _NO_EGRESS


def _charset(content_type: str | None) -> str:
    if content_type:
        m = re.search(r"charset=\"?([A-Za-z0-9._-]+)", content_type)
        if m:
            return m.group(1)
    return "utf-8"


def _send(client: httpx.Client, target: Target, method: str, body: bytes | None,
          headers: list[tuple[str, str]], deadline: float, cap: int) -> tuple[httpx.Response, bytes]:
    import httpx

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Failed("Timeout", "the request's time ran out")
    extensions = {"sni_hostname": target.sni} if target.sni and target.url.scheme == "https" else {}
    response = None
    for i, address in enumerate(target.addresses):
        request = client.build_request(method, target.url_for(address),
                                       headers=[*headers, ("host", target.host_header)], content=body,
                                       timeout=httpx.Timeout(max(deadline - time.monotonic(), 0.001)),
                                       extensions=extensions)
        try:
            response = client.send(request, stream=True)
            break
        except httpx.ConnectError:
            if i == len(target.addresses) - 1:
                raise
    assert response is not None
    try:
        if response.status_code in _REDIRECTS and response.headers.get("location"):
            return response, b""
        chunks, total = [], 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > cap:
                raise Failed("ResponseTooLarge", f"the response is larger than {cap} bytes")
            if time.monotonic() > deadline:
                raise Failed("Timeout", "the response did not arrive in time")
            chunks.append(chunk)
        return response, b"".join(chunks)
    finally:
        response.close()


def perform(rt: ModuleRuntime, policy: EgressPolicy, spec: RequestSpec, soft_deadline: float | None) -> dict[str, Any]:
    """One request, its redirects followed through the policy; always a response dict."""
    import httpx

    config = rt.config
    client = rt.resource("http", _client)
    budget = min(spec.timeout_ms or config.fetch_timeout_ms, config.fetch_timeout_ms) / 1000
    deadline = time.monotonic() + budget
    if soft_deadline is not None:
        deadline = min(deadline, soft_deadline)
    cap = min(spec.max_bytes or config.fetch_max_response_bytes, MAX_RESPONSE_CAP)
    url, method, body, headers = spec.url, spec.method, spec.body, list(spec.headers)
    origin: tuple[str, str, int] | None = None
    try:
        for _ in range(config.fetch_max_redirects + 1):
            target = policy.check(url)
            if origin is not None and target.origin != origin:
                # once dropped they stay dropped, also when a later hop returns to the first origin
                headers = [(k, v) for k, v in headers if k not in spec.sensitive]
            origin = target.origin
            response, data = _send(client, target, method, body, headers, deadline, cap)
            status = response.status_code
            location = response.headers.get("location")
            if status in _REDIRECTS and location:
                url = str(httpx.URL(url).join(location))
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, body = ("HEAD" if method == "HEAD" else "GET"), None
                    headers = [(k, v) for k, v in headers if k not in ("content-type",)]
                continue
            if not 200 <= status <= 599:
                return failure("BadStatus", f"the server answered with status {status}", url)
            return {"status": status, "statusText": response.reason_phrase or "",
                    "headers": [[k.decode("latin-1").lower(), v.decode("latin-1")]
                                for k, v in response.headers.raw],
                    "body": data.decode(_safe_codec(_charset(response.headers.get("content-type"))), "replace"),
                    "url": url}
        return failure("TooManyRedirects", f"more than {config.fetch_max_redirects} redirects", url)
    except EgressError as e:
        return failure(e.code, e.details, url)
    except Failed as e:
        return failure(e.code, e.details, url)
    except httpx.TimeoutException:
        return failure("Timeout", "the request timed out", url)
    except httpx.HTTPError as e:
        return failure("NetworkError", str(e) or type(e).__name__, url)
    except OSError as e:
        return failure("NetworkError", str(e) or type(e).__name__, url)


def _safe_codec(name: str) -> str:
    import codecs

    try:
        codecs.lookup(name)
        return name
    except LookupError:
        return "utf-8"


def fetch(ctx: CallContext, args: list[Any]) -> dict[str, Any]:
    a.arity("fetch", args, 2)
    spec = request_spec("fetch", a.get(args, 0), a.get(args, 1))
    from .io import collector

    slots = collector(ctx)
    if slots is not None:  # inside a parallel()/race() thunk: its last request is recorded
        slots[-1] = spec
        return failure("Pending", PENDING, spec.url)
    init = a.get(args, 1)
    durable = fetchcache.options(init.get("durable") if isinstance(init, dict) else None)
    rt = runtime_of(ctx)
    if isinstance(durable, str):
        return failure("InvalidDurable", durable, spec.url)
    if durable is not None and rt.durable_store() is None:
        return failure("DurableNotConfigured", "fetch() with init.durable requires --durable <DIR>", spec.url)
    policy = egress_policy(ctx)
    result = perform(rt, policy, spec, ctx.soft_deadline) if durable is None else \
        fetchcache.durable_fetch(rt, policy, spec, durable, ctx.soft_deadline)
    deadline = ctx.soft_deadline
    if result.get("error") == "Timeout" and deadline is not None and time.monotonic() >= deadline:
        # the request's own time ran out, not the fetch timeout: end it as the deadline does (504)
        if ctx.trial:
            ctx.trial_stopped = True
        raise HostInterrupted("fetch(): interrupted: the request's time limit was reached")
    return result


TYPES = """\
interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string | Uint8Array;
  /** Merged into the URL's query, percent-encoded. */
  query?: Record<string, string | number | boolean | Array<string | number>>;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Headers dropped, like authorization, cookie and proxy-authorization, when a redirect leads to another origin. */
  sensitiveHeaders?: string[];
  /** Keep the response under --durable's fetch/ folder: the same key, method, URL and body answer it again. */
  durable?: { key: string; retries?: number; backoff?: "none" | "exponential"; ttl_s?: number };
}
/** A Response; failures (egress refused, network, timeout, size) are status 599 with `error` and `details`. */
interface FetchResponse extends Response { url: string; error?: string; details?: string }
declare function fetchSync(url: string, init?: FetchInit): FetchResponse;
"""

def replay_miss(args: list[Any]) -> dict[str, Any]:
    """What an unstubbed fetch answers in a test: upstream's 599 ReplayMiss, never a real request."""
    url = args[0] if args and isinstance(args[0], str) else ""
    return failure("ReplayMiss", "no recorded zigttp:fetch response", url)


EXPORTS = (
    Export("zigttp:fetch", "fetch", (Param("url", "string"), Param("init", "FetchInit", optional=True)),
           "FetchResponse", effect="write", capability="egress", capability_arg=0, failure="soft",
           labels=("external",), impl=fetch, js=FETCH_JS, unstubbed=replay_miss,
           doc="An HTTP request to an allowed host (also the global fetchSync). Never throws for network "
               "failures: those are 599 responses with `error` and `details`."),
)
