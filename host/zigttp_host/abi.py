"""The guest ABI: constants and the wire format shared with guest/glue.c."""

from __future__ import annotations

import struct
from enum import IntEnum

ABI_VERSION = 3

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


# The request and response frame, both ways: u32 meta length | meta JSON | raw body.
# The host writes a request's frame straight into guest memory (no joined copy of
# the body).

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
