"""Requests and responses as the host sees them, and the JSON bodies of failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import wellformed


@dataclass
class HttpRequest:
    method: str
    url: str  # raw request target: path plus ?query
    headers: list[tuple[str, str]] = field(default_factory=list)  # names lower-case
    body: bytes = b""


# What a server refuses before a handler runs (url_too_long, too_many_headers below); Handler refuses them
# too, for every request it is handed (the embedding host's, replay's).
MAX_TARGET_BYTES = 8192
MAX_REQUEST_HEADERS = 100


@dataclass
class Failure:
    """Why a request did not produce the handler's own response."""

    kind: str  # timeout, cpu_limit, memory_limit, stack_overflow, handler_error, capability_denied, ...
    message: str = ""
    stack: str = ""
    at: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    instance_discarded: bool = False


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    failure: Failure | None = None


@dataclass(frozen=True, slots=True)
class FailureKind:
    """One way a request can fail on the request path: its HTTP status and what its JSON body carries."""

    status: int
    what: str  # for docs and `--help`: when it happens
    # The body carries the failure's message (and, for handler code, `at`:
    # file:line:col); other kinds carry only their limit details.
    describes: bool = False


# The one table of failure kinds: the host (Handler, response decoding) and
# the server (request checks before the handler runs) answer from it, and a
# test checks the README's limits table against it.
FAILURE_KINDS: dict[str, FailureKind] = {
    "timeout": FailureKind(504, "the wall-clock limit (--timeout-ms) passed"),
    "cpu_limit": FailureKind(500, "the request used its fuel (--fuel)"),
    "memory_limit": FailureKind(500, "linear memory reached its cap (--memory)"),
    "stack_overflow": FailureKind(500, "the JS or native stack overflowed"),
    "handler_error": FailureKind(500, "an exception left the handler", describes=True),
    "capability_denied": FailureKind(500, "a host call the grants do not cover"),
    "bad_response": FailureKind(500, "the handler returned something that is not a valid Response", describes=True),
    "response_too_large": FailureKind(500, "the response body exceeds --max-response-size"),
    "response_headers_too_large": FailureKind(
        500, "the response headers exceed --max-response-headers or --max-response-header-size"),
    "body_too_large": FailureKind(413, "the request body exceeds --max-body-size"),
    "body_timeout": FailureKind(408, "the request body did not arrive whole within --body-timeout"),
    "bad_request": FailureKind(400, "a request the server cannot hand to the handler", describes=True),
    "url_too_long": FailureKind(414, "the request target exceeds 8 KiB"),
    "too_many_headers": FailureKind(431, "more than 100 request headers"),
    "journal_write_failed": FailureKind(
        500, "a write-ahead journal entry (durable oplog) could not be written", describes=True),
    "durable_error": FailureKind(500, "zigttp:durable used wrongly, or without --durable", describes=True),
    "durable_diverged": FailureKind(
        500, "a durable run's replay did not match its oplog (the oplog is left as it is)", describes=True),
    "durable_busy": FailureKind(409, "the durable run is executing in another request (Retry-After)",
                                describes=True),
    "durable_taken_over": FailureKind(
        409, "the run's lease expired and another host took it over; this request stops (Retry-After)",
        describes=True),
    "durable_unavailable": FailureKind(503, "the durable store (PostgreSQL) cannot be reached (Retry-After)",
                                       describes=True),
    "replay_ended": FailureKind(409, "a replay-only durable run reached the end of its oplog (zigttp prove "
                                     "--durable; never zigttp serve)", describes=True),
    "tenant_not_found": FailureKind(404, "no tenant is loaded under this id (embedding host)"),
    "tenant_busy": FailureKind(429, "the tenant has its maximum of requests in flight (Retry-After)"),
    "rate_limited": FailureKind(429, "the tenant's requests per second are used up (Retry-After)"),
    "cpu_share_exceeded": FailureKind(429, "the tenant used its CPU share, fuel per second (Retry-After)"),
    "instances_exhausted": FailureKind(
        503, "every instance the pooling allocator holds is in use (`--isolation fresh`: 2 x --threads + 16)"),
    "internal_error": FailureKind(500, "a fault in the host itself (logged on one line)"),
}


def failure_response(failure: Failure) -> HttpResponse:
    kind = FAILURE_KINDS.get(failure.kind, FAILURE_KINDS["internal_error"])
    body: dict[str, Any] = {"error": failure.kind}
    if kind.describes:
        body["message"] = failure.message
        if failure.at:
            body["at"] = failure.at
    body.update(failure.detail)
    return HttpResponse(
        status=kind.status,
        headers=[("content-type", "application/json")],
        body=wellformed.dumps(body),
        failure=failure,
    )
