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


FAILURE_STATUS = {
    "timeout": 504,
    "cpu_limit": 500,
    "memory_limit": 500,
    "stack_overflow": 500,
    "handler_error": 500,
    "capability_denied": 500,
    "response_too_large": 500,
    "response_headers_too_large": 500,
    "body_too_large": 413,
    "bad_response": 500,
    "bad_request": 400,
    "internal_error": 500,
}


def failure_response(failure: Failure) -> HttpResponse:
    body: dict[str, Any] = {"error": failure.kind}
    if failure.kind in ("handler_error", "bad_response"):
        body["message"] = failure.message
        if failure.at:
            body["at"] = failure.at
    body.update(failure.detail)
    return HttpResponse(
        status=FAILURE_STATUS.get(failure.kind, 500),
        headers=[("content-type", "application/json")],
        body=wellformed.dumps(body),
        failure=failure,
    )
