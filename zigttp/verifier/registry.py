"""The verifier's view of the module registry (`zigttp_host.modules.REGISTRY`).

Read at run time, never copied: every `zigttp:*` export's signature (TS type
text), return kind, effect, capability and labels come from the one table the
host owns. An export that is not registered (yet) is typed `unknown` and
checked by nothing, so a growing registry only ever adds precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from zigttp.compiler import ast as A
from zigttp.compiler.parser import parse_source
from zigttp.compiler.source import SourceFile
from zigttp.verifier.builtins import is_result_variant, result_type
from zigttp.verifier.resolve import TypeResolver
from zigttp.verifier.scope import TypeDecl
from zigttp.verifier.typemodel import UNDEFINED, UNKNOWN, Fn, FnParam, Obj, Type, members, union

DECLARATIONS_PATH = "<zigttp-module-types>"


@dataclass(frozen=True, slots=True)
class ModuleExport:
    module: str  # "zigttp:env"
    name: str
    export: Any  # zigttp_host.registry.Export
    type: Fn

    @property
    def return_kind(self) -> str:
        return str(getattr(self.export, "return_kind", "value"))

    @property
    def effect(self) -> str:
        return str(getattr(self.export, "effect", "none"))

    @property
    def capability(self) -> str | None:
        return getattr(self.export, "capability", None)

    @property
    def capability_arg(self) -> int | None:
        return getattr(self.export, "capability_arg", None)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(getattr(self.export, "labels", ()) or ())


def _registry() -> tuple[Any, ...]:
    try:
        from zigttp_host.modules import REGISTRY
    except Exception:  # the host package is optional for analysis
        return ()
    return tuple(REGISTRY)


def exports_by_key() -> dict[tuple[str, str], Any]:
    """Every registered export by (module, name): the untyped facts (effect, capability) need no resolver."""
    return {(str(getattr(export, "module", "")), str(getattr(export, "name", ""))): export for export in _registry()}


def _declarations_text() -> str:
    try:
        from zigttp_host import modules
    except Exception:
        return ""
    return str(getattr(modules, "TYPE_DECLARATIONS", "") or "")


@cache
def _parse_declarations(text: str) -> A.Module | None:
    """The registry's helper types (`interface FetchInit {...}`), parsed once per process."""
    try:
        module, diagnostics = parse_source(SourceFile(f"{DECLARATIONS_PATH}.ts", text), DECLARATIONS_PATH)
    except Exception:
        return None
    del diagnostics  # a declaration the parser rejects is skipped; the rest still types the signatures
    return module


class ModuleRegistry:
    def __init__(self, resolver: TypeResolver) -> None:
        self.resolver = resolver
        self.by_key = exports_by_key()
        self.cache: dict[tuple[str, str], ModuleExport | None] = {}
        self.types_module: A.Module | None = None
        self.ambient: dict[str, Fn] = {}  # `declare function` globals (fetchSync)
        self._load_declarations()

    def _load_declarations(self) -> None:
        module = _parse_declarations(_declarations_text())
        if module is None:
            return
        self.types_module = module
        table: dict[str, TypeDecl] = {}
        self.resolver.scopes.types[module.path] = table
        for statement in module.body:
            node = statement.declaration if type(statement) is A.Export else statement
            if type(node) in (A.TypeAlias, A.Interface):
                table[node.name.name] = TypeDecl(node.name.name, node, module)
        for statement in module.body:
            if type(statement) is A.Ambient and type(statement.declaration) is A.FunctionDeclaration:
                decl = statement.declaration
                signature = self.resolver.function_type(decl, module)
                signature.node = None  # a declaration, not a body to analyse
                self.ambient[decl.name.name] = signature

    def lookup(self, module: str, name: str) -> ModuleExport | None:
        key = (module, name)
        if key in self.cache:
            return self.cache[key]
        export = self.by_key.get(key)
        found = None if export is None else ModuleExport(module, name, export, self.signature(export))
        self.cache[key] = found
        return found

    def signature(self, export: Any) -> Fn:
        context = self.types_module
        params = tuple(
            FnParam(p.name, self.resolver.from_text(p.type, context), bool(p.optional))
            for p in getattr(export, "params", ())
        )
        returns = self.resolver.from_text(str(getattr(export, "returns", "unknown")), context)
        kind = getattr(export, "return_kind", "value")
        if kind == "optional":
            returns = union((returns, UNDEFINED))
        elif kind == "result" and not all(is_result_variant(m) for m in members(returns)):
            returns = result_type(_field(returns, "value"), _field(returns, "error"))
        return Fn(params, returns, name=f"{getattr(export, 'module', '')}.{getattr(export, 'name', '')}")


def _field(t: Type, name: str) -> Type:
    found = [m.props[name].type for m in members(t) if type(m) is Obj and name in m.props]
    return union(found) if found else UNKNOWN
