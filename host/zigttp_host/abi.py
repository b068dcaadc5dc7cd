"""The guest ABI: constants and the wire format shared with guest/glue.c."""

from __future__ import annotations

import itertools
import struct
from enum import IntEnum

from . import wellformed

ABI_VERSION = 4

_U32 = struct.Struct("<I")


class GuestError(IntEnum):
    """Negative return values of the guest's init/load/handle exports."""

    EXCEPTION = -1
    INTERRUPTED = -2
    OUT_OF_MEMORY = -3
    STACK_OVERFLOW = -4
    CAPABILITY_DENIED = -5
    BAD_RESPONSE = -6
    BAD_REQUEST = -7
    NOT_READY = -8


class CallStatus(IntEnum):
    """Status of a host call, in the high 32 bits of `zigttp.call`'s result."""

    OK = 0
    TYPE_ERROR = 1
    ERROR = 2
    DENIED = 3
    RANGE_ERROR = 4
    # The request's deadline passed before or during the call: the guest stops
    # as its interrupt handler would (504 timeout), uncatchable by the handler.
    INTERRUPTED = 5


def pack_call_result(status: CallStatus, length: int) -> int:
    return (int(status) << 32) | length


# The request and response frame, both ways: u32 meta length | meta | raw body. A
# request's meta is its method, target and header fields, each UTF-8 and ended by a
# NUL (the guest builds `req` from them without parsing JSON); a response's meta is
# JSON. The host writes a request's frame straight into guest memory (no joined
# copy of the body).

_chain = itertools.chain.from_iterable


def request_meta(method: str, url: str, headers: list[tuple[str, str]]) -> bytes | None:
    """A request's meta: method, target, then each header's name and value, each ended by a NUL.
    None when a part holds a NUL itself, which no HTTP method, target or field value may."""
    parts = [method, url, *_chain(headers), ""]
    text = "\0".join(parts)
    if text.count("\0") != len(parts) - 1:
        return None
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (from the embedding API): U+FFFD, as everywhere else
        return wellformed.text(text).encode()


_pack_u32 = _U32.pack_into


def frame_size(meta: bytes, body: bytes) -> int:
    return 4 + len(meta) + len(body)


def write_frame(memory: memoryview, at: int, meta: bytes, body: bytes) -> None:
    """Writes the frame into `memory` (a view of the guest's linear memory) at `at`."""
    _pack_u32(memory, at, len(meta))
    start = at + 4
    end = start + len(meta)
    memory[start:end] = meta
    if body:
        memory[end:end + len(body)] = body


def read_frame(memory: memoryview, at: int, length: int) -> tuple[bytes, bytes]:
    """The (meta, body) of the `length`-byte frame at `at` in `memory`, copied out; ValueError if malformed."""
    if length < 4:
        raise ValueError("frame shorter than its header")
    (n,) = _U32.unpack_from(memory, at)
    if 4 + n > length:
        raise ValueError("frame meta length exceeds the frame")
    start = at + 4
    return bytes(memory[start:start + n]), bytes(memory[start + n:at + length])
