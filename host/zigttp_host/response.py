"""The guest's response frame → the HttpResponse a server may put on the wire.

The one place every response passes on its way out, for `zigttp serve` and
the embedding host alike:

* framing belongs to the server: headers that decide where a message ends
  or what the connection does (`content-length`, `transfer-encoding`,
  `connection`, `keep-alive`, `upgrade`, `te`, `trailer`, `proxy-*`) are
  dropped, so a handler cannot smuggle a second response into a reused
  connection;
* header names must be tokens and values free of CR, LF and NUL;
* the number of headers and their total size are capped;
* the body is capped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import wellformed
from .http import Failure, HttpResponse, failure_response
from .limits import Limits

FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                             "trailer"})
FRAMING_PREFIXES = ("proxy-",)

_BAD_HEADER_CHARS = re.compile(r"[\r\n\0]")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Header names joined by NUL: every one a token (so none empty).
_TOKENS = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:\0[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$")
_FRAMING = re.compile("(?:^|\0)(?:" + "|".join(sorted(FRAMING_HEADERS)) + "|proxy-[^\0]*)(?=\0|$)", re.IGNORECASE)

# Called with each framing header name a response carried (once per name is enough for a log).
DroppedHeader = Callable[[str], None]


def is_framing_header(name: str) -> bool:
    lower = name.lower()
    return lower in FRAMING_HEADERS or lower.startswith(FRAMING_PREFIXES)


def decode_response(meta_raw: bytes, body: bytes, limits: Limits, on_dropped: DroppedHeader) -> HttpResponse:
    """The response of a frame's (meta JSON, body), or a failure response when it breaks a rule above."""
    if len(body) > limits.max_response_bytes:
        return failure_response(Failure("response_too_large", detail={"limitBytes": limits.max_response_bytes}))
    meta = wellformed.loads(meta_raw)
    pairs = meta["h"]
    # The encoded metadata bounds the headers' size: exact sizes only when it is large.
    cap = limits.max_response_header_bytes
    if len(pairs) > limits.max_response_headers or (len(meta_raw) > cap and _header_bytes(pairs) > cap):
        return failure_response(Failure("response_headers_too_large", detail={
            "limitHeaders": limits.max_response_headers, "limitBytes": limits.max_response_header_bytes}))
    # one pass over all names and one over all values; per-header work only to name a culprit
    names = "\0".join([p[0] for p in pairs])
    if pairs and (not _TOKENS.match(names) or names.count("\0") != len(pairs) - 1
                  or _BAD_HEADER_CHARS.search("".join([p[1] for p in pairs]))):
        return failure_response(Failure("bad_response", message=(
            f"response header {_invalid_header(pairs)!r} has an invalid name or a CR, LF or NUL in its value")))
    headers = [(p[0], p[1]) for p in pairs]
    if _FRAMING.search(names):
        headers = _without_framing(headers, on_dropped)
    return HttpResponse(status=meta["s"], headers=headers, body=body)


def _invalid_header(pairs: list[list[str]]) -> str:
    """The first header whose name is not a token or whose value holds CR, LF or NUL."""
    return next((p[0] for p in pairs if not _TOKEN.match(p[0]) or _BAD_HEADER_CHARS.search(p[1])), "")


def _header_bytes(pairs: list[list[str]]) -> int:
    return sum(len(p[0].encode()) + len(p[1].encode()) for p in pairs)


def _without_framing(headers: list[tuple[str, str]], on_dropped: DroppedHeader) -> list[tuple[str, str]]:
    kept = []
    for name, value in headers:
        if is_framing_header(name):
            on_dropped(name.lower())
        else:
            kept.append((name, value))
    return kept
