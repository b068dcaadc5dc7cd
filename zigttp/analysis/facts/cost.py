"""cost_bounded (for `Spec<"cost_bounded">`): no I/O call repeats a number of times the request decides.

An I/O call is a call of a virtual-module export with an effect (read or
write) or egress. It is *repeated* when it sits in a `for...of` body, or in
a function passed to an array method (`map`, `forEach`, `filter`, ...), or
in a local function called from there. A loop over a literal array,
`range(<number>)` or `x.slice(0, <number>)` is bounded and does not count.
"""

from __future__ import annotations

from zigttp.analysis.facts.capabilities import Exports
from zigttp.analysis.facts.literals import Literals
from zigttp.analysis.facts.nodes import location
from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, children_in_source_order, unparen

_ITERATION_METHODS = frozenset({"map", "forEach", "filter", "flatMap", "reduce", "reduceRight", "some", "every",
                                "find", "findIndex", "findLast", "findLastIndex", "sort"})


def unbounded_io(program: A.Program, literals: Literals, exports: Exports) -> list[str]:
    """Locations of I/O calls that can repeat an unbounded number of times (empty: cost_bounded holds)."""
    out: list[str] = []
    for module in program.modules:
        io = _io_names(module, exports)
        if not io:
            continue
        for node in _repeated_calls(A.preorder(program, module)):
            if _does_io(node, module, io, literals, set()):
                out.append(location(node))
    return out


def _io_names(module: A.Module, exports: Exports) -> set[str]:
    names = {"fetchSync"}
    for imp in module.imports:
        if imp.specifier.startswith("zigttp:") and not imp.type_only:
            for s in imp.names:
                export = exports.get((imp.specifier, s.imported))
                if export is not None and (export.effect != "none" or export.capability == "egress"):
                    names.add(s.local.name)
    return names


def _bounded(iterable: A.Node | None) -> bool:
    node = unparen(iterable)
    if type(node) is A.ArrayLiteral:
        return not any(type(e) is A.Spread for e in node.elements)  # type: ignore[attr-defined]
    if type(node) is A.Call:
        callee = unparen(node.callee)  # type: ignore[attr-defined]
        args = node.arguments  # type: ignore[attr-defined]
        if type(callee) is A.Identifier and callee.name == "range":  # type: ignore[attr-defined]
            return bool(args) and all(type(unparen(a)) is A.NumberLiteral for a in args)
        if type(callee) is A.Member and callee.name == "slice" and len(args) == 2:  # type: ignore[attr-defined]
            return all(type(unparen(a)) is A.NumberLiteral for a in args)
    return False


_LOOP_KINDS = frozenset({A.ForOf, A.Call})  # what `_repeated_calls` acts on; no other node marks or is marked


def _repeated_calls(tree: A.Preorder) -> list[A.Node]:
    """The calls in an unbounded `for...of` body or in a function an iterating method is given, in source order.

    Each such body is a contiguous run of the preorder, so it is marked at once; a `for...of` target is a
    binding, not code the loop runs, and is passed over with everything in it.
    """
    nodes, ends = tree.nodes, tree.ends
    repeated = bytearray(len(nodes))
    skip_until = 0
    out: list[A.Node] = []
    for i in tree.indices_of(_LOOP_KINDS):
        if i < skip_until:
            continue
        node = nodes[i]
        kind = type(node)
        if kind is A.ForOf:
            unbounded = not _bounded(node.iterable)  # type: ignore[attr-defined]
            for j in tree.child_indices(i):
                if nodes[j] is node.target:  # type: ignore[attr-defined]
                    skip_until = ends[j]
                elif nodes[j] is node.body and unbounded:  # type: ignore[attr-defined]
                    repeated[j:ends[j]] = b"\x01" * (ends[j] - j)
        elif kind is A.Call:
            if repeated[i]:
                out.append(node)
            callee = unparen(node.callee)  # type: ignore[attr-defined]
            if (type(callee) is A.Member and callee.name in _ITERATION_METHODS  # type: ignore[attr-defined]
                    and not _bounded(callee.object)):  # type: ignore[attr-defined]
                _, *arguments = tree.child_indices(i)
                for j in arguments:
                    if type(unparen(nodes[j])) in FUNCTION_NODES:
                        repeated[j:ends[j]] = b"\x01" * (ends[j] - j)
    return out


def _does_io(call: A.Node, module: A.Module, io: set[str], literals: Literals, seen: set[int]) -> bool:
    callee = unparen(call.callee)  # type: ignore[attr-defined]
    if type(callee) is not A.Identifier:
        return False
    if callee.name in io:  # type: ignore[attr-defined]
        return True
    fn = literals.function(callee, module)
    if fn is None or id(fn) in seen:
        return False
    seen.add(id(fn))
    stack = children_in_source_order(fn)
    while stack:
        node = stack.pop()
        if type(node) is A.Call and _does_io(node, module, io, literals, seen):
            return True
        stack.extend(children_in_source_order(node))
    return False
