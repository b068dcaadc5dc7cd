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


# A header frame that passed every rule without a header dropped is remembered: most handlers send the
# same status and headers, byte for byte, on most responses, and checking them again cost more than the
# rest of the host's side of a request. Only short frames are kept, and only so many per handler.
KNOWN_FRAME_BYTES = 512
KNOWN_FRAMES = 16

# A frame's status and headers, and whether no header was dropped (so it may be remembered).
Head = tuple[int, list[tuple[str, str]], bool]


class ResponseDecoder:
    """The response of a frame's (meta JSON, body) under one handler's limits, or a failure response when it
    breaks a rule above."""

    __slots__ = ("_known", "limits", "on_dropped")

    def __init__(self, limits: Limits, on_dropped: DroppedHeader) -> None:
        self.limits = limits
        self.on_dropped = on_dropped
        self._known: dict[bytes, tuple[int, tuple[tuple[str, str], ...]]] = {}

    def __call__(self, meta_raw: bytes, body: bytes) -> HttpResponse:
        limit = self.limits.max_response_bytes
        if len(body) > limit:
            return failure_response(Failure("response_too_large", detail={"limitBytes": limit}))
        known = self._known.get(meta_raw)
        if known is not None:
            return HttpResponse(known[0], list(known[1]), body)
        head = _head(meta_raw, self.limits, self.on_dropped)
        if isinstance(head, HttpResponse):
            return head
        status, headers, clean = head
        if clean and len(meta_raw) <= KNOWN_FRAME_BYTES:
            if len(self._known) >= KNOWN_FRAMES:
                self._known.clear()
            self._known[meta_raw] = (status, tuple(headers))
        return HttpResponse(status, headers, body)


def _head(meta_raw: bytes, limits: Limits, on_dropped: DroppedHeader) -> Head | HttpResponse:
    read = _read_meta(meta_raw)
    if read is None:
        return failure_response(Failure("bad_response", message=(
            "response headers must reach the host as [name, value] pairs of strings: the Headers object's "
            "hidden list was changed")))
    status, pairs = read
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
        return status, _without_framing(headers, on_dropped), False
    return status, headers, True


def _read_meta(meta_raw: bytes) -> tuple[int, list[list[str]]] | None:
    """The frame's status and header pairs; None unless it is {"s": int, "h": [[str, str], ...]}. The guest's JS
    wrote the list (JSON.stringify of the Headers object's entries), so its shape is checked, not assumed."""
    try:
        meta = wellformed.loads(meta_raw)
    except wellformed.MalformedJson:
        return None
    if type(meta) is not dict or type(meta.get("s")) is not int:
        return None
    pairs = meta.get("h")
    if type(pairs) is not list or not all(
            type(p) is list and len(p) == 2 and type(p[0]) is str and type(p[1]) is str for p in pairs):
        return None
    return meta["s"], pairs


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
