"""Type annotations (AST type nodes) to verifier types.

Handles aliases and interfaces (also imported from local modules), generics,
the utility types (Partial, Required, Readonly, Pick, Omit, Record,
NonNullable), keyof, indexed access, mapped types over finite key sets,
tuples, function types, type predicates and `distinct type`. Anything else
(conditional types, `infer`, template literal types) resolves to a safe
approximation: `unknown` or the base primitive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from zigttp.compiler import ast as A
from zigttp.compiler.parser import parse_source
from zigttp.compiler.source import SourceFile
from zigttp.verifier.builtins import named_builtin, result_type
from zigttp.verifier.scope import Scopes, TypeDecl
from zigttp.verifier.typemodel import (
    BOOLEAN,
    NEVER,
    NUMBER,
    OBJECT,
    STRING,
    UNDEFINED,
    UNKNOWN,
    VOID,
    Arr,
    Distinct,
    Fn,
    FnParam,
    Lit,
    Obj,
    Prop,
    Tup,
    TVar,
    Type,
    Union,
    members,
    strip_undefined,
    substitute,
    union,
)

_KEYWORDS: dict[str, Type] = {
    "string": STRING,
    "number": NUMBER,
    "boolean": BOOLEAN,
    "undefined": UNDEFINED,
    "void": VOID,
    "never": NEVER,
    "unknown": UNKNOWN,
    "object": OBJECT,
    "any": UNKNOWN,
    "null": UNDEFINED,
}

# Marker types from zigttp:types: erased for typing (Spec/Proof/Effects are for the contract checkers).
MARKER_TYPES = frozenset({"Spec", "Proof", "Effects"})

Env = dict[str, Type]


class TypeResolver:
    def __init__(self, scopes: Scopes, typeof: Callable[[str, A.Module], Type]) -> None:
        """`typeof(name, module)` answers a `typeof name` query: the type of a module-scope binding."""
        self.scopes = scopes
        self.typeof = typeof
        self.cache: dict[tuple[int, tuple[Type, ...]], Type] = {}
        self.in_progress: set[tuple[int, tuple[Type, ...]]] = set()
        self.text_cache: dict[str, Type] = {}
        self.node_cache: dict[int, Type] = {}

    # ------------------------------------------------------------ entry

    def resolve(self, node: A.Node | None, module: A.Module | None, env: Env | None = None) -> Type:
        if node is None:
            return UNKNOWN
        if not env:
            cached = self.node_cache.get(id(node))
            if cached is not None:
                return cached
            result = self._resolve(node, module, {})
            self.node_cache[id(node)] = result
            return result
        return self._resolve(node, module, env)

    def from_text(self, text: str, module: A.Module | None = None) -> Type:
        """A TypeScript type written as text (module registry signatures), named types from `module`."""
        found = self.text_cache.get(text)
        if found is not None:
            return found
        node = _parse_type_text(text)
        try:
            result = self._resolve(node, module, {}) if node is not None else UNKNOWN
        except Exception:  # a malformed registry entry must not break verification
            result = UNKNOWN
        self.text_cache[text] = result
        return result

    def function_type(
        self,
        node: A.Node,
        module: A.Module,
        env: Env | None = None,
        param_types: list[Type] | None = None,
    ) -> Fn:
        """The declared signature of a function node (unannotated parts are unknown / inferred)."""
        env = dict(env or {})
        tparams = tuple(tp.name for tp in getattr(node, "type_parameters", []) or [])
        for name in tparams:
            env[name] = TVar(name)
        params: list[FnParam] = []
        predicate: tuple[int, Type] | None = None
        for i, parameter in enumerate(node.parameters):  # type: ignore[attr-defined]
            if parameter.type is not None:
                ptype = self._resolve(parameter.type, module, env)
            elif param_types is not None and i < len(param_types):
                ptype = param_types[i]
            else:
                ptype = UNKNOWN
            optional = parameter.optional or parameter.default is not None
            if parameter.optional and parameter.type is not None:
                ptype = union((ptype, UNDEFINED))
            name = parameter.target.name if type(parameter.target) is A.Identifier else "arg"
            params.append(FnParam(name, ptype, optional, parameter.rest))
        ret: Type | None = None
        return_node = getattr(node, "return_type", None)
        if return_node is not None:
            if type(return_node) is A.TypePredicate:
                ret = BOOLEAN if not return_node.asserts else VOID
                if return_node.type is not None and not return_node.asserts:
                    index = next((i for i, p in enumerate(params) if p.name == return_node.parameter), -1)
                    if index >= 0:
                        predicate = (index, self._resolve(return_node.type, module, env))
            else:
                ret = self._resolve(return_node, module, env)
        name = node.name.name if type(node) is A.FunctionDeclaration else None
        declared = node if type(node) in (A.FunctionDeclaration, A.ArrowFunction, A.FunctionExpression) else None
        return Fn(tuple(params), ret, tparams, predicate, name, node=declared)

    # ------------------------------------------------------------ nodes

    def _resolve(self, node: A.Node, module: A.Module | None, env: Env) -> Type:
        kind = type(node)
        if kind is A.KeywordType:
            return _KEYWORDS.get(node.name, UNKNOWN)
        if kind is A.LiteralType:
            value = node.value
            if value is None:
                return UNDEFINED
            if isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            return Lit(value)  # type: ignore[arg-type]
        if kind is A.TypeReference:
            return self.reference(node.name, node.arguments, module, env)
        if kind is A.UnionType:
            return union(self._resolve(t, module, env) for t in node.types)
        if kind is A.IntersectionType:
            return self.intersection([self._resolve(t, module, env) for t in node.types])
        if kind is A.ArrayType:
            return Arr(self._resolve(node.element, module, env))
        if kind is A.TupleType:
            elems = []
            for member in node.elements:
                t = self._resolve(member.type, module, env)
                if member.rest:
                    return Arr(t.elem if type(t) is Arr else UNKNOWN)
                elems.append(union((t, UNDEFINED)) if member.optional else t)
            return Tup(tuple(elems))
        if kind is A.ObjectType:
            obj = Obj(None)
            self.fill_members(obj, node.members, module, env)
            return obj
        if kind is A.FunctionType:
            return self.function_type(node, module, env)  # type: ignore[arg-type]
        if kind is A.TypeOperator:
            inner = self._resolve(node.type, module, env)
            if node.operator == "keyof":
                return self.keyof(inner)
            return inner
        if kind is A.IndexedAccessType:
            return self.indexed(self._resolve(node.object, module, env), self._resolve(node.index, module, env))
        if kind is A.MappedType:
            return self.mapped(node, module, env)
        if kind is A.TemplateLiteralType:
            return STRING
        if kind is A.TypeQuery:
            if module is not None and "." not in node.name:
                return self.typeof(node.name, module)
            return UNKNOWN
        if kind is A.TypePredicate:
            return BOOLEAN
        return UNKNOWN

    def fill_members(self, obj: Obj, nodes: list[A.Node], module: A.Module | None, env: Env) -> None:
        for member in nodes:
            kind = type(member)
            if kind is A.PropertySignature:
                t = self._resolve(member.type, module, env) if member.type is not None else UNKNOWN
                if member.optional:
                    t = union((t, UNDEFINED))
                obj.props[member.name] = Prop(t, member.optional, member.readonly)
            elif kind is A.MethodSignature:
                fn = self.function_type(member, module, env)  # type: ignore[arg-type]
                obj.props[member.name] = Prop(union((fn, UNDEFINED)) if member.optional else fn, member.optional)
            elif kind is A.IndexSignature:
                obj.index = self._resolve(member.type, module, env)
            elif kind is A.CallSignature:
                obj.call = self.function_type(member, module, env)  # type: ignore[arg-type]

    # ------------------------------------------------------- references

    def reference(self, name: str, args: list[A.TypeNode], module: A.Module | None, env: Env) -> Type:
        if name in env and not args:
            return env[name]
        arg_types = tuple(self._resolve(a, module, env) for a in args)
        if module is not None:
            decl = self.scopes.types.get(module.path, {}).get(name)
            if decl is not None:
                return self.declared(decl, arg_types, name)
        return self.builtin_reference(name, arg_types)

    def declared(self, decl: TypeDecl, args: tuple[Type, ...], name: str, depth: int = 0) -> Type:
        if decl.node is None:
            if decl.source is None or depth > 16:
                return UNKNOWN
            path, imported = decl.source
            target = self.scopes.types.get(path, {}).get(imported)
            if target is None:
                return UNKNOWN
            return self.declared(target, args, imported, depth + 1)
        node = decl.node
        key = (id(node), args)
        found = self.cache.get(key)
        if found is not None:
            return found
        if key in self.in_progress:
            return UNKNOWN
        params = node.type_parameters  # type: ignore[attr-defined]
        env: Env = {}
        for i, tp in enumerate(params):
            if i < len(args):
                env[tp.name] = args[i]
            elif tp.default is not None:
                env[tp.name] = self._resolve(tp.default, decl.module, env)
            else:
                env[tp.name] = UNKNOWN
        label = name if not args else f"{name}<{', '.join(_short(a) for a in args)}>"
        if type(node) is A.Interface or (type(node) is A.TypeAlias and type(node.type) is A.ObjectType):
            obj = Obj(label)
            self.cache[key] = obj
            if type(node) is A.Interface:
                for base in node.extends:
                    resolved = self._resolve(base, decl.module, env)
                    if type(resolved) is Obj:
                        obj.props.update(resolved.props)
                        obj.index = obj.index or resolved.index
                        obj.call = obj.call or resolved.call
                self.fill_members(obj, node.members, decl.module, env)
            else:
                self.fill_members(obj, node.type.members, decl.module, env)  # type: ignore[attr-defined]
            return obj
        self.in_progress.add(key)
        try:
            result = self._resolve(node.type, decl.module, env)  # type: ignore[attr-defined]
        finally:
            self.in_progress.discard(key)
        result = Distinct(name, result) if type(node) is A.TypeAlias and node.distinct else _named(result, label)
        self.cache[key] = result
        return result

    def builtin_reference(self, name: str, args: tuple[Type, ...]) -> Type:
        arg0 = args[0] if args else UNKNOWN
        if name in ("Array", "ReadonlyArray"):
            return Arr(arg0)
        if name in ("Request", "Response", "Headers", "Error"):
            return named_builtin(name)
        if name == "Result":
            return result_type(arg0, args[1] if len(args) > 1 else UNKNOWN)
        if name in MARKER_TYPES:
            return arg0 if name in ("Proof", "Effects") else UNKNOWN
        if name == "Record":
            return self.record(arg0, args[1] if len(args) > 1 else UNKNOWN)
        if name == "Partial":
            return _map_props(arg0, optional=True)
        if name == "Required":
            return _map_props(arg0, optional=False)
        if name == "Readonly":
            return _map_props(arg0, readonly=True)
        if name == "NonNullable":
            return strip_undefined(arg0)
        if name in ("Pick", "Omit") and type(arg0) is Obj and len(args) > 1:
            keys = {m.value for m in members(args[1]) if type(m) is Lit}
            if any(type(m) is not Lit for m in members(args[1])):
                return UNKNOWN
            keep = (lambda k: k in keys) if name == "Pick" else (lambda k: k not in keys)
            return Obj(None, {k: Prop(p.type, p.optional, p.readonly) for k, p in arg0.props.items() if keep(k)},
                       arg0.index if name == "Omit" else None)
        if name in ("JSX.Element", "JSXNode"):
            return named_builtin("JSXNode")
        return UNKNOWN

    def record(self, keys: Type, value: Type) -> Type:
        literal_keys = [m for m in members(keys) if type(m) is Lit]
        if literal_keys and len(literal_keys) == len(members(keys)):
            return Obj(None, {_key(k.value): Prop(value) for k in literal_keys})
        return Obj(None, {}, value)

    def intersection(self, parts: list[Type]) -> Type:
        concrete = [p for p in parts if p is not UNKNOWN]
        if not concrete:
            return UNKNOWN
        if len(concrete) == 1:
            return concrete[0]
        if all(type(p) is Obj for p in concrete):
            builtin = next((p for p in concrete if p.kind == "builtin"), None)  # type: ignore[union-attr]
            if builtin is not None:
                return builtin
            tagged = next((p for p in concrete if p.kind != "plain"), None)  # a Result variant keeps its kind
            merged = Obj(tagged.name if tagged is not None else None, kind=tagged.kind if tagged else "plain")  # type: ignore[union-attr]
            for p in concrete:
                merged.props.update(p.props)  # type: ignore[union-attr]
                merged.index = merged.index or p.index  # type: ignore[union-attr]
                merged.call = merged.call or p.call  # type: ignore[union-attr]
            return merged
        unions = [p for p in concrete if type(p) is Union]
        if len(unions) == 1 and all(type(p) is Obj for p in concrete if p is not unions[0]):
            # (A | B) & O  ==  (A & O) | (B & O)
            rest = [p for p in concrete if p is not unions[0]]
            return union(self.intersection([m, *rest]) for m in unions[0].members)
        if unions:
            return UNKNOWN
        return concrete[0]

    def keyof(self, t: Type) -> Type:
        if type(t) is Obj:
            if t.index is not None:
                return STRING
            return union(Lit(k) for k in t.props) if t.props else NEVER
        return STRING

    def indexed(self, obj: Type, index: Type) -> Type:
        if type(obj) is Arr and (index is NUMBER or (type(index) is Lit and isinstance(index.value, float))):
            return obj.elem
        if type(obj) is Tup and type(index) is Lit and isinstance(index.value, float):
            i = int(index.value)
            return obj.elems[i] if 0 <= i < len(obj.elems) else UNDEFINED
        if type(obj) is Obj:
            out = []
            for key in members(index):
                if type(key) is Lit and isinstance(key.value, str) and key.value in obj.props:
                    out.append(obj.props[key.value].type)
                elif obj.index is not None:
                    out.append(obj.index)
                else:
                    return UNKNOWN
            return union(out)
        return UNKNOWN

    def mapped(self, node: A.MappedType, module: A.Module | None, env: Env) -> Type:
        keys = self._resolve(node.constraint, module, env)
        literal_keys = [m for m in members(keys) if type(m) is Lit]
        optional = node.optional in ("+", "")
        readonly = node.readonly in ("+", "")
        if not literal_keys or len(literal_keys) != len(members(keys)):
            inner = dict(env)
            inner[node.parameter] = STRING
            value = self._resolve(node.type, module, inner) if node.type is not None else UNKNOWN
            return Obj(None, {}, value)
        obj = Obj(None)
        for key in literal_keys:
            inner = dict(env)
            inner[node.parameter] = key
            value = self._resolve(node.type, module, inner) if node.type is not None else UNKNOWN
            if node.optional == "-":
                value = strip_undefined(value)
            elif optional:
                value = union((value, UNDEFINED))
            obj.props[_key(key.value)] = Prop(value, optional, readonly)
        return obj


@cache
def _parse_type_text(text: str) -> A.Node | None:
    try:
        module, diagnostics = parse_source(SourceFile("<registry>.ts", f"type __T = {text};"))
    except Exception:
        return None
    if diagnostics or not module.body or type(module.body[0]) is not A.TypeAlias:
        return None
    return module.body[0].type


def _key(value: object) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _short(t: Type) -> str:
    from zigttp.verifier.typemodel import describe

    text = describe(t, 2)
    return text if len(text) <= 40 else "..."


def _named(t: Type, label: str) -> Type:
    """Give an alias name to anonymous object types (and to union variants) for messages."""
    if type(t) is Obj and t.name is None and t.kind == "plain":
        t.name = label
    elif type(t) is Union:
        for m in t.members:
            if type(m) is Obj and m.name is None and m.kind == "plain":
                m.name = label
    return t


def _map_props(t: Type, optional: bool | None = None, readonly: bool | None = None) -> Type:
    if type(t) is not Obj:
        return t
    out = Obj(None, {}, t.index, t.call)
    for name, prop in t.props.items():
        new_optional = prop.optional if optional is None else optional
        value = prop.type
        if optional is True:
            value = union((value, UNDEFINED))
        elif optional is False:
            value = strip_undefined(value)
        out.props[name] = Prop(value, new_optional, prop.readonly if readonly is None else readonly)
    return out


__all__ = ["MARKER_TYPES", "TypeResolver", "substitute"]
