"""zigttp:log — one NDJSON line per call: {"level","ts","msg",...fields}."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import orjson

from ..registry import Export, Param
from . import args as a
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_LINE = 16 << 10
_RESERVED = ("level", "ts", "msg")
_stderr_lock = threading.Lock()


def _stderr(line: str) -> None:
    with _stderr_lock:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def line(level: str, message: str, fields: dict[str, Any]) -> str:
    record: dict[str, Any] = {"level": level, "ts": time.time_ns() // 1_000_000, "msg": message}
    for k, v in fields.items():
        if k not in _RESERVED and v is not None:
            record[k] = v
    text = orjson.dumps(record).decode()
    if len(text) > MAX_LINE:
        record = {"level": level, "ts": record["ts"], "msg": message[: MAX_LINE // 2], "truncated": True}
        text = orjson.dumps(record).decode()
    return text


def _logger(level: str, fn: str) -> Any:
    def log(ctx: CallContext, args: list[Any]) -> None:
        a.arity(fn, args, 2)
        message = a.string(fn, args, 0, "message")
        fields = a.opt_obj(fn, args, 1, "fields")
        text = line(level, message, fields)  # JSON: no raw control characters remain
        if ctx.charge_log(len(text)):
            sink = runtime_of(ctx).config.log_sink or _stderr
            sink(text)

    log.__name__ = fn
    return log


M = "zigttp:log"
PARAMS = (Param("message", "string"), Param("fields", "Record<string, unknown>", optional=True))
EXPORTS = tuple(
    Export(M, fn, PARAMS, "void", effect="write", traced=False, impl=_logger(level, fn),
           module_scope=True, doc=f"Writes one NDJSON line at level {level!r} to the server log.")
    for fn, level in (("logDebug", "debug"), ("logInfo", "info"), ("logWarn", "warn"), ("logError", "error"))
)
