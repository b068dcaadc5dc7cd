"""zigttp:time — ISO 8601 and HTTP dates from and to epoch milliseconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..registry import Export, Param
from . import args as a

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_MS = 8.64e15  # the range of a JS Date
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                  r"(Z|z|[+-]\d{2}:?\d{2})?)?$")


def _ms(fn: str, args: list[Any], i: int = 0) -> float:
    return a.number(fn, args, i, "epochMs", low=-MAX_MS, high=MAX_MS)


def _utc(ms: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(ms // 1))


def format_iso(ctx: CallContext, args: list[Any]) -> str:
    a.arity("formatIso", args, 1)
    d = _utc(_ms("formatIso", args))
    if not 0 <= d.year <= 9999:
        raise a.HostRangeError("formatIso(): the date is outside years 0000-9999")
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}." \
           f"{d.microsecond // 1000:03d}Z"


def format_http(ctx: CallContext, args: list[Any]) -> str:
    a.arity("formatHttp", args, 1)
    from email.utils import formatdate

    return formatdate(_ms("formatHttp", args) / 1000, usegmt=True)


def parse_iso(ctx: CallContext, args: list[Any]) -> float | None:
    a.arity("parseIso", args, 1)
    m = _ISO.match(a.string("parseIso", args, 0, "text", max_len=64).strip())
    if not m:
        return None
    year, month, day, hh, mm, ss, frac, tz = m.groups()
    try:
        offset = UTC
        if tz and tz not in ("Z", "z"):
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                return None
            offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
        d = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0),
                     int((frac or "0").ljust(6, "0")[:6]), tzinfo=offset)
    except ValueError:
        return None
    delta = d - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def add_seconds(ctx: CallContext, args: list[Any]) -> float:
    a.arity("addSeconds", args, 2)
    ms = a.number("addSeconds", args, 0, "epochMs")
    seconds = a.number("addSeconds", args, 1, "seconds")
    return max(-MAX_MS, min(MAX_MS, ms + seconds * 1000))


M = "zigttp:time"
MS = Param("epochMs", "number")
EXPORTS = (
    Export(M, "formatIso", (MS,), "string", impl=format_iso, doc="YYYY-MM-DDTHH:MM:SS.mmmZ."),
    Export(M, "formatHttp", (MS,), "string", impl=format_http, doc="An HTTP date: Sun, 06 Nov 1994 08:49:37 GMT."),
    Export(M, "parseIso", (Param("text", "string"),), "number | undefined", return_kind="optional",
           failure="soft", impl=parse_iso,
           doc="Epoch milliseconds of an ISO 8601 date or date-time (Z, ±HH:MM or ±HHMM; local time is UTC); "
               "undefined when invalid (day of month checked)."),
    Export(M, "addSeconds", (MS, Param("seconds", "number")), "number", impl=add_seconds,
           doc="epochMs + seconds, saturating at the JS date range."),
)
