"""Routes, their parameters, request schemas and responses (contract `routes`, OpenAPI `paths`).

Routes come from
* `routerMatch({ "METHOD /path": fn, ... }, req)` tables with literal keys
  (inline or a `const` object), each route analysed in its function;
* `match` on the request: a subject object of `req.method` / `req.path`
  (or `req.url`) with literal object-pattern arms, or `match (req.path)`
  with literal arms (any method: `"*"`).
Anything else that selects on the request is not a route: `routes_dynamic`.

Per route: path parameters from `:name` segments; query parameters from
`req.query.x`; header parameters from `req.headers.get("x")`,
`req.headers.x` or `req.headers["x"]`; the request schema from
`validateJson/validateObject/coerceJson/decodeJson/decodeForm(name, ...)`
with a `schemaCompile(name, literal)` registration (`decodeQuery` types the
query parameters instead); responses from every `Response.*` the route can
return (through conditionals, `match`, `const` bindings and local function
calls), with the literal `init.status` (default 200) and the payload's schema
(the validated schema for `<validated>.value`, else `shapes.ShapeReader`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zigttp.analysis.facts.literals import Literals, const_declarator
from zigttp.analysis.facts.nodes import module_of
from zigttp.analysis.facts.shapes import ShapeReader, dedupe
from zigttp.analysis.facts.values import UNKNOWN, literal_value, property_key
from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, TYPE_STATEMENTS, children_in_source_order, unparen, walk
from zigttp.verifier.weak import weak_method

if TYPE_CHECKING:
    from zigttp.verifier import typemodel as T
    from zigttp.verifier.handler import HandlerInfo

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_ROUTE_KEY = re.compile(r"^\s*([A-Za-z]+|\*)\s+(/\S*)\s*$")
_BODY_SCHEMA_CALLS = {"validateJson": "application/json", "coerceJson": "application/json",
                      "validateObject": "application/json", "decodeJson": "application/json",
                      "decodeForm": "application/x-www-form-urlencoded"}
_CONTENT_TYPES = {"json": "application/json", "rawJson": "application/json",
                  "text": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8"}
_MAX_FOLLOW = 12
# zigttp:auth exports that authenticate a request, by the kind a route's `auth` names.
_AUTH_CALLS = {"parseBearer": "bearer", "jwtVerify": "jwt", "verifyWebhookSignature": "signature"}
AUTH_KINDS = ("bearer", "jwt", "signature")
# The kinds each whole-module scan acts on (Preorder.nodes_of): it visits no other node.
_CALL = frozenset({A.Call})
_ROUTING = frozenset({A.Call, A.Match})
_ASSIGN = frozenset({A.Assign})
_FUNCTIONS = frozenset(FUNCTION_NODES)


@dataclass
class Response:
    status: int | None  # None: not a literal
    content_type: str | None
    schema: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "contentType": self.content_type, "schema": self.schema}


@dataclass
class Route:
    method: str
    path: str
    params: list[dict[str, Any]] = field(default_factory=list)
    request_schema: dict[str, Any] | None = None  # {name, contentType, schema}
    responses: list[Response] = field(default_factory=list)
    responses_dynamic: bool = False
    auth: set[str] = field(default_factory=set)  # AUTH_KINDS the route checks before answering

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "params": self.params,
                "requestSchema": self.request_schema, "responses": [r.to_dict() for r in self.responses],
                "auth": {kind: kind in self.auth for kind in AUTH_KINDS}}


@dataclass
class Api:
    routes: list[Route] = field(default_factory=list)
    routes_dynamic: bool = False
    schemas: dict[str, Any] = field(default_factory=dict)  # schemaCompile name → literal schema
    schemas_dynamic: bool = False


def _virtual_locals(module: A.Module, spec: str) -> dict[str, str]:
    """local name → export name for the value imports of one virtual module."""
    out = {}
    for imp in module.imports:
        if imp.specifier == spec and not imp.type_only:
            for s in imp.names:
                if not s.type_only:
                    out[s.local.name] = s.imported
    return out


def _callee_export(node: A.Node, names: dict[str, str]) -> str | None:
    callee = node.callee if type(node) is A.Call else None  # type: ignore[attr-defined]
    callee = unparen(callee)
    if type(callee) is A.Identifier:
        return names.get(callee.name)  # type: ignore[attr-defined]
    return None


class ApiReader:
    def __init__(self, program: A.Program, literals: Literals, types: dict[int, T.Type] | None,
                 handler: HandlerInfo | None = None) -> None:
        self.program = program
        self.literals = literals
        self.handler = handler
        self.shapes = ShapeReader(types, weak_method(self._known))
        self._where: tuple[A.Module, A.Node | None] | None = None  # context of the payload being read
        self.api = Api()
        self.validators: dict[str, dict[str, str]] = {}  # module path → local → export (validate + decode)
        self.authenticators: dict[str, dict[str, str]] = {}  # module path → local → zigttp:auth export
        self._schemas_wanted = True  # False while only statuses and content types are read
        self._mutations: dict[str, set[str]] = {}

    def run(self) -> Api:
        for module in self.program.modules:
            self.validators[module.path] = {**_virtual_locals(module, "zigttp:validate"),
                                            **_virtual_locals(module, "zigttp:decode")}
            self.authenticators[module.path] = _virtual_locals(module, "zigttp:auth")
            self._schemas(module)
        for module in self.program.modules:
            self._routers(module)
        self._guards()
        return self.api

    def _guards(self) -> None:
        """A guard chain's pre- and post-guards can answer any route: their responses belong to every one."""
        chain = self.handler.chain if self.handler is not None else None
        if chain is None or not self.api.routes:
            return
        probe = Route("*", "/")
        entry = self._module_of(chain, self.program.entry)
        for guard in [*chain.pre_guards, *chain.post_guards]:
            fn = self.literals.function(guard, entry)
            if fn is None:
                probe.responses_dynamic = True
                continue
            home = self._module_of(fn, entry)
            for value in _returned(fn):
                if _is_undefined(value):
                    continue  # "pass": the next step answers
                self._responses(probe, value, home, fn, 0)
            if guard in chain.pre_guards:  # post-guards see the Response
                for route in self.api.routes:
                    self._requests(route, fn, home)
        for route in self.api.routes:
            route.responses.extend(probe.responses)
            route.responses_dynamic = route.responses_dynamic or probe.responses_dynamic
            route.responses = [Response(r["status"], r["contentType"], r["schema"])
                               for r in dedupe([r.to_dict() for r in route.responses])]

    # ---------- schemaCompile registrations ----------

    def _schemas(self, module: A.Module) -> None:
        names = _virtual_locals(module, "zigttp:validate")
        if "schemaCompile" not in names.values():
            return  # no call in this module can register a schema
        for node in A.preorder(self.program, module).nodes_of(_CALL):
            if _callee_export(node, names) == "schemaCompile":
                args = node.arguments  # type: ignore[attr-defined]
                name = self.literals.string(args[0], module) if args else None
                value = literal_value(args[1], module, self.literals) if len(args) > 1 else UNKNOWN
                if isinstance(value, str):
                    try:
                        import json

                        value = json.loads(value)
                    except ValueError:
                        value = UNKNOWN
                if name is None or not isinstance(value, dict):
                    self.api.schemas_dynamic = True
                    continue
                self.api.schemas[name] = value

    # ---------- route tables ----------

    def _routers(self, module: A.Module) -> None:
        router = _virtual_locals(module, "zigttp:router")
        for node in A.preorder(self.program, module).nodes_of(_ROUTING):
            kind = type(node)
            if kind is A.Call and _callee_export(node, router) == "routerMatch":
                self._table(node, module)
            elif kind is A.Match:
                self._match(node, module)

    def _object(self, node: A.Node | None, module: A.Module) -> A.ObjectLiteral | None:
        for _ in range(_MAX_FOLLOW):
            node = unparen(node)
            if type(node) is A.ObjectLiteral:
                return node  # type: ignore[return-value]
            if type(node) is not A.Identifier:
                return None
            declarator = self._const(module, node.name)  # type: ignore[union-attr]
            if declarator is None or type(declarator.target) is not A.Identifier:
                return None
            if node.name in self._mutated(module):  # type: ignore[union-attr]
                return None  # `const t = {}; t[k] = ...`: the literal is not the whole story
            node = declarator.init
        return None

    def _mutated(self, module: A.Module) -> set[str]:
        """Names whose object is assigned into somewhere in the module (`x.a = ...`, `x[k] = ...`)."""
        found = self._mutations.get(module.path)
        if found is None:
            found = set()
            for n in A.preorder(self.program, module).nodes_of(_ASSIGN):
                target = unparen(n.target)  # type: ignore[attr-defined]
                while type(target) in (A.Member, A.Index):
                    target = unparen(target.object)  # type: ignore[union-attr]
                if type(target) is A.Identifier:
                    found.add(target.name)  # type: ignore[union-attr]
            self._mutations[module.path] = found
        return found

    def _table(self, call: A.Node, module: A.Module) -> None:
        args = call.arguments  # type: ignore[attr-defined]
        table = self._object(args[0] if args else None, module)
        if table is None:
            self.api.routes_dynamic = True
            return
        for prop in table.properties:
            key = property_key(prop) if type(prop) is A.Property else None
            m = _ROUTE_KEY.match(key) if key is not None else None
            if m is None:
                self.api.routes_dynamic = True
                continue
            method = m.group(1).upper()
            path = m.group(2)
            route = Route(method, path, params=_path_params(path))
            fn = self.literals.function(prop.value, module)  # type: ignore[union-attr]
            if fn is None:
                route.responses_dynamic = True
            else:
                self._analyse_function(route, fn, self._module_of(fn, module))
            self._add(route)

    def _match(self, node: A.Node, module: A.Module) -> None:
        subject = unparen(node.subject)  # type: ignore[attr-defined]
        request = self._request_fields(subject)
        if request is None:
            return
        fn = self._enclosing_function(node, module)
        for arm in node.arms:  # type: ignore[attr-defined]
            method, path = self._arm_route(arm.pattern, request)
            if path is None:
                self.api.routes_dynamic = True
                continue
            route = Route(method or "*", path, params=_path_params(path))
            self._analyse_expression(route, arm.body, module, fn)
            self._add(route)

    def _request_fields(self, subject: A.Node | None) -> dict[str, str] | str | None:
        """A match subject that selects on the request: {"method": key, "path": key} or "path"."""
        if _request_member(subject) in ("path", "url"):
            return "path"
        if type(subject) is not A.ObjectLiteral:
            return None
        fields: dict[str, str] = {}
        for prop in subject.properties:  # type: ignore[attr-defined]
            if type(prop) is not A.Property:
                return None
            member = _request_member(prop.value)
            key = property_key(prop)
            if member in ("method", "path", "url") and key is not None:
                fields[key] = "path" if member == "url" else member
        return fields or None

    def _arm_route(self, pattern: A.Node, request: dict[str, str] | str) -> tuple[str | None, str | None]:
        if request == "path":
            if type(pattern) is A.LiteralPattern and type(pattern.value) is A.StringLiteral:  # type: ignore[attr-defined]
                return None, pattern.value.value  # type: ignore[attr-defined]
            return None, None
        if type(pattern) is not A.ObjectPattern:
            return None, None
        method = path = None
        for key, sub in pattern.entries:  # type: ignore[attr-defined]
            role = request.get(key)  # type: ignore[union-attr]
            if role is None or type(sub) is not A.LiteralPattern or type(sub.value) is not A.StringLiteral:
                continue
            if role == "method":
                method = sub.value.value.upper()  # type: ignore[attr-defined]
            elif role == "path":
                path = sub.value.value  # type: ignore[attr-defined]
        return method, path

    def _add(self, route: Route) -> None:
        route.responses = [Response(r["status"], r["contentType"], r["schema"])
                           for r in dedupe([r.to_dict() for r in route.responses])]
        self.api.routes.append(route)

    # ---------- functions ----------

    def _const(self, module: A.Module, name: str) -> A.VariableDeclarator | None:
        """The declarator of `name` when its module declares it once, as a `const`."""
        decls = self.literals.declared(module, name)
        return const_declarator(decls[0]) if len(decls) == 1 else None

    def _module_of(self, node: A.Node, default: A.Module) -> A.Module:
        """The module a (possibly imported) function node belongs to."""
        return module_of(self.program, node) or default

    def _enclosing_function(self, target: A.Node, module: A.Module) -> A.Node | None:
        best = None
        for node in A.preorder(self.program, module).nodes_of(_FUNCTIONS):
            inside = node.start <= target.start and target.end <= node.end
            if inside and (best is None or node.start >= best.start):
                best = node
        return best

    def _analyse_function(self, route: Route, fn: A.Node, module: A.Module) -> None:
        self._requests(route, fn, module)
        for value in _returned(fn):
            self._responses(route, value, module, fn, 0)

    def _analyse_expression(self, route: Route, expr: A.Node, module: A.Module, fn: A.Node | None) -> None:
        self._requests(route, expr, module, fn)
        self._responses(route, expr, module, fn, 0)

    # ---------- requests ----------

    def _requests(self, route: Route, node: A.Node, module: A.Module, fn: A.Node | None = None,
                  followed: set[int] | None = None) -> None:
        fn = fn if fn is not None else node
        followed = followed if followed is not None else {id(fn)}
        request = _first_param(fn)
        validators = self.validators.get(module.path, {})
        authenticators = self.authenticators.get(module.path, {})
        seen = {(p["name"], p["in"]) for p in route.params}
        for n in walk(node):
            kind = type(n)
            if kind is A.Call:
                auth = _AUTH_CALLS.get(_callee_export(n, authenticators) or "")
                if auth is not None:
                    route.auth.add(auth)
                target = self.literals.function(n.callee, module)  # type: ignore[attr-defined]
                if target is not None and id(target) not in followed and len(followed) < _MAX_FOLLOW:
                    followed.add(id(target))
                    self._requests(route, target, self._module_of(target, module), target, followed)
                    seen = {(p["name"], p["in"]) for p in route.params}
                export = _callee_export(n, validators)
                args = n.arguments  # type: ignore[attr-defined]
                name = self.literals.string(args[0], module) if export and args else None
                if export in _BODY_SCHEMA_CALLS and name is not None and route.request_schema is None:
                    route.request_schema = {"name": name, "contentType": _BODY_SCHEMA_CALLS[export],
                                            "schema": self.api.schemas.get(name)}
                elif export == "decodeQuery" and name is not None:
                    schema = self.api.schemas.get(name) or {}
                    required = set(schema.get("required", []))
                    for pname, pschema in (schema.get("properties") or {}).items():
                        if (pname, "query") not in seen and isinstance(pschema, dict):
                            seen.add((pname, "query"))
                            route.params.append({"name": pname, "in": "query", "required": pname in required,
                                                 "schema": pschema})
                header = _header_get(n, request)
                if header is not None and (header, "header") not in seen:
                    seen.add((header, "header"))
                    route.params.append({"name": header, "in": "header", "required": False,
                                         "schema": {"type": "string"}})
            elif kind in (A.Member, A.Index) and request is not None:
                location, pname = _request_param(n, request)
                if location is not None and pname is not None and (pname, location) not in seen:
                    seen.add((pname, location))
                    route.params.append({"name": pname, "in": location, "required": False,
                                         "schema": {"type": "string"}})

    # ---------- responses ----------

    def _responses(self, route: Route, node: A.Node | None, module: A.Module, fn: A.Node | None,
                   depth: int) -> None:
        node = unparen(node)
        if node is None or depth > _MAX_FOLLOW:
            route.responses_dynamic = True
            return
        kind = type(node)
        if kind is A.Conditional:
            self._responses(route, node.consequent, module, fn, depth + 1)  # type: ignore[attr-defined]
            self._responses(route, node.alternate, module, fn, depth + 1)  # type: ignore[attr-defined]
            return
        if kind is A.Match:
            for arm in node.arms:  # type: ignore[attr-defined]
                self._responses(route, arm.body, module, fn, depth + 1)
            if node.default is not None:  # type: ignore[attr-defined]
                self._responses(route, node.default, module, fn, depth + 1)  # type: ignore[attr-defined]
            return
        if kind is A.Identifier:
            declarator = self._const(module, node.name)  # type: ignore[attr-defined]
            if declarator is not None and type(declarator.target) is A.Identifier:
                self._responses(route, declarator.init, module, fn, depth + 1)
                return
            route.responses_dynamic = True
            return
        if kind is not A.Call:
            route.responses_dynamic = True
            return
        helper = _response_helper(node.callee)  # type: ignore[attr-defined]
        args = node.arguments  # type: ignore[attr-defined]
        if helper is not None:
            route.responses.append(self._response(helper, args, module, fn))
            return
        target = self.literals.function(node.callee, module)  # type: ignore[attr-defined]
        if target is not None and depth < _MAX_FOLLOW:
            home = self._module_of(target, module)
            for value in _returned(target):
                self._responses(route, value, home, target, depth + 1)
            return
        route.responses_dynamic = True

    def _response(self, helper: str, args: list[A.Node], module: A.Module, fn: A.Node | None) -> Response:
        if helper == "redirect":
            status = _literal_status(args[1]) if len(args) > 1 else 302
            return Response(status, None, None)
        init = args[1] if len(args) > 1 else None
        status = self._status(init, module)
        if helper == "Response":
            content_type = self._content_type(init, module) or "text/plain; charset=utf-8"
            schema = {"type": "string"} if not content_type.startswith("application/json") else None
            return Response(status, content_type, schema)
        content_type = _CONTENT_TYPES[helper]
        if helper in ("text", "html"):
            return Response(status, content_type, {"type": "string"})
        if helper == "rawJson":
            return Response(status, content_type, None)
        if not args:
            return Response(status, content_type, {"type": "object"})
        return Response(status, content_type, self._payload(args[0], module, fn))

    def _payload(self, node: A.Node, module: A.Module, fn: A.Node | None) -> dict[str, Any] | None:
        if not self._schemas_wanted:
            return None
        self._where = (module, fn)
        try:
            return self.shapes.schema(node)
        finally:
            self._where = None

    def _known(self, node: A.Node) -> dict[str, Any] | None:
        """`r.value` (and `r.value.a.b`) of a validated request: the registered schema (or its part)."""
        if self._where is None:
            return None
        path: list[str] = []
        while type(node) is A.Member and node.name != "value":  # type: ignore[attr-defined]
            path.append(node.name)  # type: ignore[attr-defined]
            node = unparen(node.object)  # type: ignore[attr-defined,assignment]
        schema = self._validated_value(node, *self._where)
        for name in reversed(path):
            props = schema.get("properties") if isinstance(schema, dict) else None
            schema = props.get(name) if isinstance(props, dict) else None
        return schema if isinstance(schema, dict) else None

    def _validated_value(self, node: A.Node, module: A.Module, fn: A.Node | None) -> dict[str, Any] | None:
        """`r.value` where `r` was bound to a request-schema call with a literal, registered schema."""
        node = unparen(node)
        if type(node) is not A.Member or node.name != "value" or type(node.object) is not A.Identifier:  # type: ignore[attr-defined]
            return None
        declarator = self._const(module, node.object.name)  # type: ignore[attr-defined]
        if declarator is None:
            return None
        init = unparen(declarator.init)
        validators = self.validators.get(module.path, {})
        if type(init) is not A.Call or _callee_export(init, validators) not in (*_BODY_SCHEMA_CALLS, "decodeQuery"):
            return None
        args = init.arguments  # type: ignore[attr-defined]
        name = self.literals.string(args[0], module) if args else None
        return self.api.schemas.get(name) if name is not None else None

    def answers(self, node: A.Node, module: A.Module) -> tuple[list[Response], bool]:
        """The responses (status and content type, no schema) an expression can answer with, and whether
        it can answer with others not known."""
        probe = Route("*", "/")
        self._schemas_wanted = False
        try:
            self._responses(probe, node, module, None, 0)
        finally:
            self._schemas_wanted = True
        return probe.responses, probe.responses_dynamic

    def statuses(self, node: A.Node | None, module: A.Module, fn: A.Node | None) -> list[int | None] | None:
        """The statuses a returned expression can answer with (None: not known)."""
        probe = Route("*", "/")
        self._responses(probe, node, module, fn, 0)
        if probe.responses_dynamic:
            return None
        return [r.status for r in probe.responses]

    def _status(self, init: A.Node | None, module: A.Module) -> int | None:
        if init is None:
            return 200
        obj = self._object(init, module)
        if obj is None:
            return None
        for prop in obj.properties:
            if type(prop) is not A.Property:
                return None
            if property_key(prop) == "status":
                return _literal_status(prop.value)
        return 200

    def _content_type(self, init: A.Node | None, module: A.Module) -> str | None:
        obj = self._object(init, module) if init is not None else None
        if obj is None:
            return None
        for prop in obj.properties:
            if type(prop) is A.Property and property_key(prop) == "headers":
                headers = literal_value(prop.value, module, self.literals)
                if isinstance(headers, dict):
                    for k, v in headers.items():
                        if k.lower() == "content-type" and isinstance(v, str):
                            return v
        return None


# ---------- helpers ----------

def _literal_status(node: A.Node | None) -> int | None:
    """A literal status within 100..599, the contract's range; None for any other: the runtime refuses it
    (a RangeError, answered 500), so the handler never answers with it."""
    node = unparen(node)
    if type(node) is A.NumberLiteral and float(node.value).is_integer():  # type: ignore[union-attr]
        status = int(node.value)  # type: ignore[union-attr]
        return status if 100 <= status <= 599 else None
    return None


def _path_params(path: str) -> list[dict[str, Any]]:
    return [{"name": seg[1:], "in": "path", "required": True, "schema": {"type": "string"}}
            for seg in path.split("/") if seg.startswith(":") and len(seg) > 1]


def _response_helper(callee: A.Node) -> str | None:
    callee = unparen(callee)  # type: ignore[assignment]
    if type(callee) is A.Identifier and callee.name == "Response":  # type: ignore[attr-defined]
        return "Response"
    if (type(callee) is A.Member and type(callee.object) is A.Identifier  # type: ignore[attr-defined]
            and callee.object.name == "Response"  # type: ignore[attr-defined]
            and callee.name in ("json", "text", "html", "rawJson", "redirect")):  # type: ignore[attr-defined]
        return callee.name  # type: ignore[attr-defined]
    return None


def _returned(fn: A.Node) -> list[A.Node | None]:
    body = fn.body  # type: ignore[attr-defined]
    if body is None:
        return []
    if type(body) is not A.Block:
        return [body]
    out: list[A.Node | None] = []
    stack: list[A.Node] = [body]
    while stack:
        node = stack.pop()
        if type(node) in FUNCTION_NODES or type(node) in TYPE_STATEMENTS:
            continue
        if type(node) is A.Return:
            out.append(node.argument)  # type: ignore[attr-defined]
            continue
        if type(node) is A.Assert and node.value is not None:  # type: ignore[attr-defined]
            out.append(node.value)  # type: ignore[attr-defined]
        stack.extend(reversed(children_in_source_order(node)))
    return out


def _first_param(fn: A.Node | None) -> str | None:
    if fn is None or type(fn) not in FUNCTION_NODES or not fn.parameters:  # type: ignore[attr-defined]
        return None
    target = fn.parameters[0].target  # type: ignore[attr-defined]
    return target.name if type(target) is A.Identifier else None  # type: ignore[attr-defined]


def _request_member(node: A.Node | None) -> str | None:
    node = unparen(node)
    if type(node) is A.Member and type(node.object) is A.Identifier:  # type: ignore[attr-defined]
        return node.name  # type: ignore[attr-defined]
    return None


def _is_request(node: A.Node | None, request: str | None) -> bool:
    node = unparen(node)
    return request is not None and type(node) is A.Identifier and node.name == request  # type: ignore[attr-defined]


def _request_param(node: A.Node, request: str) -> tuple[str | None, str | None]:
    """("query"|"header", name) for req.query.x / req.headers.x / req.headers["x"]."""
    obj = unparen(node.object)  # type: ignore[attr-defined]
    if type(obj) is not A.Member or not _is_request(obj.object, request):  # type: ignore[attr-defined]
        return None, None
    where = {"query": "query", "headers": "header"}.get(obj.name)  # type: ignore[attr-defined]
    if where is None:
        return None, None
    if type(node) is A.Member:
        name = node.name  # type: ignore[attr-defined]
        if where == "header" and name in ("get", "has"):
            return None, None
        return where, name.lower() if where == "header" else name
    index = unparen(node.index)  # type: ignore[attr-defined]
    if type(index) is A.StringLiteral:
        return where, index.value.lower() if where == "header" else index.value  # type: ignore[attr-defined]
    return None, None


def _header_get(node: A.Node, request: str | None) -> str | None:
    callee = unparen(node.callee)  # type: ignore[attr-defined]
    if type(callee) is not A.Member or callee.name not in ("get", "has"):  # type: ignore[attr-defined]
        return None
    headers = unparen(callee.object)  # type: ignore[attr-defined]
    if type(headers) is not A.Member or headers.name != "headers" or not _is_request(headers.object, request):  # type: ignore[attr-defined]
        return None
    args = node.arguments  # type: ignore[attr-defined]
    if args and type(unparen(args[0])) is A.StringLiteral:
        return unparen(args[0]).value.lower()  # type: ignore[union-attr]
    return None


def _is_undefined(node: A.Node | None) -> bool:
    node = unparen(node)
    return node is None or (type(node) is A.Identifier and node.name == "undefined")  # type: ignore[attr-defined]
