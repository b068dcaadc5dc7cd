"""zigttp:id — uuid (v4), ulid, nanoid from the host's CSPRNG."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from ..registry import Export, Param
from . import args as a

if TYPE_CHECKING:
    from ..imports import CallContext

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NANOID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def uuid(ctx: CallContext, args: list[Any]) -> str:
    a.arity("uuid", args, 0)
    b = bytearray(os.urandom(16))
    b[6] = b[6] & 0x0F | 0x40  # version 4
    b[8] = b[8] & 0x3F | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def ulid(ctx: CallContext, args: list[Any]) -> str:
    a.arity("ulid", args, 0)
    n = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80 | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in range(25, -1, -1))


def nanoid(ctx: CallContext, args: list[Any]) -> str:
    a.arity("nanoid", args, 1)
    size = a.opt_number("nanoid", args, 0, "size", integer=True, low=1, high=128)
    n = 21 if size is None else int(size)
    return "".join(NANOID[b & 63] for b in os.urandom(n))


M = "zigttp:id"
EXPORTS = (
    Export(M, "uuid", (), "string", effect="read", capability="random", labels=("internal",), impl=uuid,
           doc="A random UUID (version 4)."),
    Export(M, "ulid", (), "string", effect="read", capability="random", labels=("internal",), impl=ulid,
           doc="A ULID: 48-bit millisecond time + 80 random bits, Crockford base32."),
    Export(M, "nanoid", (Param("size", "number", optional=True),), "string", effect="read", capability="random",
           labels=("internal",), impl=nanoid,
           doc="A random id of `size` (default 21, at most 128) URL-safe characters."),
)
