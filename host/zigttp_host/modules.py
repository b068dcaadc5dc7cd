"""The module registry's entries and their host implementations.

`REGISTRY` is the single table of every `zigttp:*` export: the compiler
(imports, types), the verifier, the contract extractor, the tracer, `zigttp
types` and the host all read it. Each family lives in `zigttp_host.virtual_modules.<family>`
as an `EXPORTS` tuple (entry + implementation); adding an export is one
entry there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .imports import CONSOLE_FN_ID
from .registry import Export, HostCallError, HostFunction, HostFunctions, HostTypeError
from .virtual_modules import (
    auth,
    cache,
    compose,
    crypto,
    decode,
    durable,
    env,
    fetch,
    http,
    ident,
    io,
    log,
    router,
    sql,
    text,
    url,
    validate,
)
from .virtual_modules import time as time_
from .virtual_modules.runtime import ModuleRuntime

if TYPE_CHECKING:
    from .imports import CallContext
    from .virtual_modules.config import ModuleConfig

LOG_LEVELS = ("debug", "info", "warn", "error")
MAX_LOG_MESSAGE = 16 << 10

# Registry exports are numbered from here; id 0 is the console (imports.CONSOLE_FN_ID).
FIRST_EXPORT_ID = 16


def console_log(ctx: CallContext, args: list[Any]) -> None:
    if len(args) != 2 or args[0] not in LOG_LEVELS or not isinstance(args[1], str):
        raise HostTypeError("console: expected (level, message)")
    text = args[1]
    if len(text) > MAX_LOG_MESSAGE:
        text = text[:MAX_LOG_MESSAGE] + f"… ({len(args[1]) - MAX_LOG_MESSAGE} more characters)"
    ctx.log(args[0], text)


_FAMILIES = (env, crypto, auth, validate, decode, cache, sql, fetch, io, compose, router, http, url, ident, log,
             text, time_, durable)

# The single module registry. An export's host-call id is its position, and
# the table is pasted into the guest prelude (and so into every snapshot's
# cache key), so reordering is safe: ids and prelude change together.
REGISTRY: tuple[Export, ...] = tuple(e for family in _FAMILIES for e in family.EXPORTS)

# TypeScript declarations of the helper types the signatures name (for `zigttp types`).
TYPE_DECLARATIONS: str = "".join(getattr(family, "TYPES", "") for family in _FAMILIES)

# Erased by the compiler, never reach the guest: types only.
TYPE_ONLY_MODULES = ("zigttp:types",)

# Global functions that are registry exports under another name.
GLOBAL_ALIASES = {"fetchSync": ("zigttp:fetch", "fetch")}


def exports_of(module: str) -> dict[str, Export]:
    return {e.name: e for e in REGISTRY if e.module == module}


def registry_modules() -> tuple[str, ...]:
    return tuple(sorted({e.module for e in REGISTRY}))


def _not_at_module_scope(export: Export, impl: HostFunction) -> HostFunction:
    """Refuses the call while the module scope runs: its result would be frozen into the snapshot."""
    name = export.name
    target = export.capability_arg

    def guarded(ctx: CallContext, args: list[Any]) -> Any:
        if ctx.fixed_clock_ns is not None:  # virtual_modules.runtime.loading(ctx), inline: this runs for every call
            shown = args[target] if target is not None and target < len(args) else None
            call = f"{name}({shown!r})" if isinstance(shown, str) and len(shown) <= 100 else f"{name}()"
            raise HostCallError(f"{call} cannot run at module scope: the module scope runs once, into the "
                                "snapshot every instance starts from; call it inside the handler")
        return impl(ctx, args)

    guarded.__name__ = getattr(impl, "__name__", name)
    return guarded


def builtin_functions(config: ModuleConfig | None = None) -> HostFunctions:
    functions = HostFunctions(runtime=ModuleRuntime(config))
    functions.by_id[CONSOLE_FN_ID] = ("console.log", console_log)
    functions.trial_safe.add(CONSOLE_FN_ID)  # a trial holds its console lines back until it succeeds
    functions.log_id = 0
    for offset, export in enumerate(REGISTRY):
        functions.add(export, FIRST_EXPORT_ID + offset)
        if export.impl is not None and not export.allowed_at_module_scope:
            fn_id = FIRST_EXPORT_ID + offset
            label, impl = functions.by_id[fn_id]
            functions.by_id[fn_id] = (label, _not_at_module_scope(export, impl))
    return functions
