"""The module registry's entries and their host implementations.

Issue note: the virtual modules (zigttp:env, crypto, auth, validate, cache,
sql, fetch, io, …) are added here, one Export entry plus its implementation
each; `REGISTRY` is the single table everything else reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import Export, HostFunctions, HostTypeError

if TYPE_CHECKING:
    from .imports import CallContext

LOG_LEVELS = ("debug", "info", "warn", "error")
MAX_LOG_MESSAGE = 16 << 10

# Host-call id 0 is the console; registry exports are numbered from here.
FIRST_EXPORT_ID = 16


def console_log(ctx: CallContext, args: list[Any]) -> None:
    if len(args) != 2 or args[0] not in LOG_LEVELS or not isinstance(args[1], str):
        raise HostTypeError("console: expected (level, message)")
    text = args[1]
    if len(text) > MAX_LOG_MESSAGE:
        text = text[:MAX_LOG_MESSAGE] + f"… ({len(args[1]) - MAX_LOG_MESSAGE} more characters)"
    ctx.logger(args[0], text)


# The single module registry. Order matters: an export's host-call id is its
# position, so append new exports at the end of their module's block only
# when the guest prelude is rebuilt with the table (it always is: the table
# is pasted into the prelude at Host start).
REGISTRY: tuple[Export, ...] = ()


def exports_of(module: str) -> dict[str, Export]:
    return {e.name: e for e in REGISTRY if e.module == module}


def registry_modules() -> tuple[str, ...]:
    return tuple(sorted({e.module for e in REGISTRY}))


def builtin_functions() -> HostFunctions:
    functions = HostFunctions()
    functions.by_id[0] = ("console.log", console_log)
    functions.log_id = 0
    for offset, export in enumerate(REGISTRY):
        functions.add(export, FIRST_EXPORT_ID + offset)
    return functions
