"""The `zigttp:*` virtual modules a handler may import, read from the host's module registry.

`zigttp_host.modules.REGISTRY` is the one table of every export; this is
the compiler's view of it: module names, and per module the exports'
signatures in a plain structure the checkers and the verifier use. Keep it
the only place in the compiler that names the modules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

VIRTUAL_MODULE_PREFIX = "zigttp:"

# Imports from these modules never reach the guest: `zigttp:types` holds only
# types (Spec/Proof/Effects) and `zigttp:compose` is desugared by the parser.
ERASED_MODULES = frozenset({"types", "compose"})


@dataclass(frozen=True)
class ParamSignature:
    name: str
    type: str  # TypeScript type text
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True)
class ExportSignature:
    """One export as the type checker and the verifier see it."""

    module: str  # "zigttp:auth"
    name: str
    params: tuple[ParamSignature, ...]
    returns: str  # TypeScript type text
    return_kind: str  # value | optional | result
    effect: str  # none | read | write
    capability: str | None
    capability_arg: int | None
    failure: str  # none | soft | hard
    labels: tuple[str, ...]
    traced: bool
    module_scope: bool  # may run at module scope

    @property
    def required(self) -> int:
        return sum(1 for p in self.params if not p.optional and not p.variadic)

    @property
    def max_args(self) -> int | None:
        return None if any(p.variadic for p in self.params) else len(self.params)


@functools.cache
def _table() -> dict[str, dict[str, ExportSignature]]:
    from zigttp_host.modules import REGISTRY

    table: dict[str, dict[str, ExportSignature]] = {}
    for e in REGISTRY:
        sig = ExportSignature(
            module=e.module, name=e.name,
            params=tuple(ParamSignature(p.name, p.type, p.optional, p.variadic) for p in e.params),
            returns=e.returns, return_kind=e.return_kind, effect=e.effect, capability=e.capability,
            capability_arg=e.capability_arg, failure=e.failure, labels=e.labels, traced=e.traced,
            module_scope=e.allowed_at_module_scope,
        )
        table.setdefault(virtual_module_name(e.module), {})[e.name] = sig
    for name in ERASED_MODULES:
        table.setdefault(name, {})
    return table


def virtual_modules() -> tuple[str, ...]:
    """Every importable module name (without the `zigttp:` prefix), sorted."""
    return tuple(sorted(_table()))


def is_virtual_specifier(specifier: str) -> bool:
    return specifier.startswith(VIRTUAL_MODULE_PREFIX)


def virtual_module_name(specifier: str) -> str:
    return specifier[len(VIRTUAL_MODULE_PREFIX) :]


def is_known_virtual_module(specifier: str) -> bool:
    return is_virtual_specifier(specifier) and virtual_module_name(specifier) in _table()


def is_erased_virtual_module(specifier: str) -> bool:
    return virtual_module_name(specifier) in ERASED_MODULES


def module_signatures(name: str) -> dict[str, ExportSignature] | None:
    """Export signatures of `zigttp:<name>` (name without the prefix), or None for an unknown module.

    `zigttp:types` has no runtime exports (its names are types); callers
    should not check imported names against it.
    """
    found = _table().get(name)
    return None if found is None else dict(found)


def allowed_specifiers_text() -> str:
    names = ", ".join(f"'zigttp:{n}'" for n in virtual_modules())
    return f"relative paths such as './utils.ts', or a virtual module: {names}"
