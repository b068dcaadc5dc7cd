"""Host functions the guest reaches through the `zigttp.call` import.

Issue-level note: the full virtual-module registry (zigttp:env, cache, sql, …)
grows here; each export is one table entry plus its implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import HostFunctions, HostTypeError

if TYPE_CHECKING:
    from .imports import CallContext

LOG_LEVELS = ("debug", "info", "warn", "error")
MAX_LOG_MESSAGE = 16 << 10


def console_log(ctx: CallContext, args: list[Any]) -> None:
    if len(args) != 2 or args[0] not in LOG_LEVELS or not isinstance(args[1], str):
        raise HostTypeError("console: expected (level, message)")
    text = args[1]
    if len(text) > MAX_LOG_MESSAGE:
        text = text[:MAX_LOG_MESSAGE] + f"… ({len(args[1]) - MAX_LOG_MESSAGE} more characters)"
    ctx.logger(args[0], text)


def builtin_functions() -> HostFunctions:
    functions = HostFunctions()
    functions.by_id[0] = ("console.log", console_log)
    functions.log_id = 0
    return functions
