"""Framing headers (ZTS311, warning): a handler sets a header the server owns.

The host drops `content-length`, `transfer-encoding`, `connection`,
`keep-alive`, `upgrade`, `te`, `trailer` and `proxy-*` from every response
(zigttp_host.response): the server decides where a message ends. A handler
that sets one is told so here instead of finding its value silently gone.
Found wherever the name is a literal: a `headers` object in a Response
builder's or `Headers(...)`'s init, `….headers.set/append("name", …)`, and
assignments to `….headers["name"]` / `….headers.name`.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.verifier import codes as C
from zigttp.verifier.context import Context
from zigttp_host.response import is_framing_header

_BUILDERS = frozenset({"json", "text", "html", "rawJson", "redirect"})
_HEADER_METHODS = frozenset({"set", "append"})
_CHECKED = (A.Call, A.Assign)  # the only nodes `_check` looks at: filtered before the call, for every node


def check_framing(ctx: Context) -> None:
    for module in ctx.program.modules:
        for node in ctx.owned_sites(module.path):
            if type(node) in _CHECKED:
                _check(ctx, node)
    for info in ctx.scopes.functions.values():
        for node in ctx.owned_sites(info.node):
            if type(node) in _CHECKED:
                _check(ctx, node)


def _check(ctx: Context, node: A.Node) -> None:
    kind = type(node)
    if kind is A.Call:
        callee = _unparen(node.callee)
        if _is_headers_init_call(callee):
            for argument in node.arguments[1:2] if _is_response_builder(callee) else node.arguments[:1]:
                _init_headers(ctx, argument, headers_object=not _is_response_builder(callee))
        elif (type(callee) is A.Member and callee.name in _HEADER_METHODS and _is_headers(callee.object)
              and node.arguments):
            _literal_name(ctx, node.arguments[0])
    elif kind is A.Assign:
        target = _unparen(node.target)
        if type(target) is A.Index and _is_headers(target.object):
            _literal_name(ctx, target.index)
        elif type(target) is A.Member and _is_headers(target.object):
            _report(ctx, target, target.name)


def _is_response_builder(callee: A.Node) -> bool:
    if type(callee) is A.Identifier:
        return callee.name == "Response"
    return (type(callee) is A.Member and callee.name in _BUILDERS and type(callee.object) is A.Identifier
            and callee.object.name == "Response")


def _is_headers_init_call(callee: A.Node) -> bool:
    return _is_response_builder(callee) or (type(callee) is A.Identifier and callee.name == "Headers")


def _is_headers(node: A.Node) -> bool:
    node = _unparen(node)
    return type(node) is A.Member and node.name == "headers"


def _init_headers(ctx: Context, init: A.Node, *, headers_object: bool) -> None:
    """`{headers: {...}}` (a Response init), or the headers object itself (Headers(init))."""
    init = _unparen(init)
    if type(init) is not A.ObjectLiteral:
        return
    if headers_object:
        _object_keys(ctx, init)
        return
    for prop in init.properties:
        if type(prop) is A.Property and not prop.computed and _key_name(prop.key) == "headers":
            value = _unparen(prop.value)
            if type(value) is A.ObjectLiteral:
                _object_keys(ctx, value)


def _object_keys(ctx: Context, obj: A.ObjectLiteral) -> None:
    for prop in obj.properties:
        if type(prop) is A.Property and not prop.computed:
            name = _key_name(prop.key)
            if name is not None:
                _report(ctx, prop.key, name)


def _literal_name(ctx: Context, node: A.Node) -> None:
    node = _unparen(node)
    if type(node) is A.StringLiteral:
        _report(ctx, node, node.value)


def _key_name(key: A.Node) -> str | None:
    if type(key) is A.Identifier:
        return key.name
    if type(key) is A.StringLiteral:
        return key.value
    return None


def _report(ctx: Context, node: A.Node, name: str) -> None:
    if is_framing_header(name):
        ctx.report(C.diagnostic(C.FRAMING_HEADER, node, name=name.lower()))


def _unparen(node: A.Node) -> A.Node:
    while type(node) is A.Paren:
        node = node.expression
    return node
