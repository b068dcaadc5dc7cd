"""The `zigttp:*` virtual modules a handler may import.

This list is a stand-in: it will be replaced by the module registry owned by the
host (`zigttp_host`), which also carries every export's signature. Keep it the
only place in the compiler that names the modules.
"""

from __future__ import annotations

VIRTUAL_MODULE_PREFIX = "zigttp:"

VIRTUAL_MODULES: tuple[str, ...] = (
    "auth",
    "cache",
    "compose",
    "crypto",
    "decode",
    "durable",
    "env",
    "fetch",
    "http",
    "id",
    "io",
    "log",
    "queue",
    "ratelimit",
    "router",
    "scope",
    "service",
    "sql",
    "text",
    "time",
    "types",
    "url",
    "validate",
    "websocket",
    "workflow",
)

_KNOWN = frozenset(VIRTUAL_MODULES)

# Imports from these modules never reach the guest: `zigttp:types` holds only
# types (Spec/Proof/Effects) and `zigttp:compose` is desugared by the parser.
ERASED_MODULES = frozenset({"types", "compose"})


def is_virtual_specifier(specifier: str) -> bool:
    return specifier.startswith(VIRTUAL_MODULE_PREFIX)


def virtual_module_name(specifier: str) -> str:
    return specifier[len(VIRTUAL_MODULE_PREFIX) :]


def is_known_virtual_module(specifier: str) -> bool:
    return is_virtual_specifier(specifier) and virtual_module_name(specifier) in _KNOWN


def is_erased_virtual_module(specifier: str) -> bool:
    return virtual_module_name(specifier) in ERASED_MODULES


def module_signatures(name: str) -> dict[str, object] | None:
    """Export signatures of a virtual module.

    Returns None until the host registry exists; callers must treat None as
    "unknown exports, do not check names".
    """
    del name
    return None


def allowed_specifiers_text() -> str:
    names = ", ".join(f"'zigttp:{n}'" for n in VIRTUAL_MODULES)
    return f"relative paths such as './utils.ts', or a virtual module: {names}"
