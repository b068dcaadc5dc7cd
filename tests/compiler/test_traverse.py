"""The shared AST traversal (`zigttp.compiler.ast`) against a plain reference, on every example's AST."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from zigttp.compiler import ast as A
from zigttp.compiler import compile_file, compile_source

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".ts", ".tsx", ".js", ".jsx"))

# Nodes whose fields hold no values, and fields that are never value positions.
_TYPE_LEVEL = (A.TypeNode, A.TypeAlias, A.Interface, A.Ambient, A.Import, A.Pattern, A.TypeParameter,
               A.PropertySignature, A.MethodSignature, A.IndexSignature, A.CallSignature, A.TupleMember)
_NOT_VALUES = {"file", "type", "return_type", "type_parameters", "type_arguments", "pattern", "imports"}


def _reference(node: A.Node, source_order: bool) -> list[A.Node]:
    """Children by inspecting field values (not annotations), single fields before list fields."""
    if isinstance(node, _TYPE_LEVEL):
        return []
    singles: list[tuple[int, A.Node]] = []
    lists: list[tuple[int, A.Node]] = []
    for position, spec in enumerate(dataclasses.fields(node)):
        if spec.name in _NOT_VALUES:
            continue
        value = getattr(node, spec.name)
        if isinstance(value, A.Node):
            singles.append((position, value))
        elif isinstance(value, list):
            lists.extend((position, item) for item in value if isinstance(item, A.Node))
    if source_order:
        return [child for _, child in sorted(singles + lists, key=lambda pair: pair[0])]
    return [child for _, child in singles + lists]


def _all_nodes(module: A.Module) -> list[A.Node]:
    out: list[A.Node] = []
    stack: list[A.Node] = [module]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(_reference(node, False))
    return out


def _program(path: Path) -> A.Program:
    result = compile_file(path, emit=False)
    assert result.program is not None, result.render_text()
    return result.program  # type: ignore[return-value]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_children_match_the_reference(path: Path) -> None:
    for module in _program(path).modules:
        for node in _all_nodes(module):
            assert [id(c) for c in A.children(node)] == [id(c) for c in _reference(node, False)], type(node)
            assert [id(c) for c in A.children_in_source_order(node)] == [id(c) for c in _reference(node, True)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_walk_is_preorder_in_source_order(path: Path) -> None:
    for module in _program(path).modules:
        expected: list[A.Node] = []

        def visit(node: A.Node, out: list[A.Node] = expected) -> None:
            out.append(node)
            for child in _reference(node, True):
                visit(child)

        visit(module)
        assert [id(n) for n in A.walk(module)] == [id(n) for n in expected]


def test_children_skip_types_patterns_and_holes() -> None:
    source = (
        "function handler(req: Request): Response {\n"
        "  const [, b = 1] = [1, 2];\n"
        "  const r = match (req.path) { when '/a': 1, default: 2 };\n"
        "  return Response.json({ b, r });\n"
        "}\n"
    )
    module = compile_source(source, "h.ts", emit=False).program.entry  # type: ignore[union-attr]
    function = module.body[0]
    assert isinstance(function, A.FunctionDeclaration)
    kinds = [type(c) for c in A.children(function)]
    assert kinds == [A.Identifier, A.Block, A.Parameter]  # name, body, then the parameter list
    assert [type(c) for c in A.children_in_source_order(function)] == [A.Identifier, A.Parameter, A.Block]
    assert not any(isinstance(n, (A.TypeNode, A.Pattern)) for n in A.walk(module))
    pattern = function.body.body[0].declarations[0].target  # type: ignore[union-attr]
    assert A.binding_names(pattern) == ["b"]
    assert [type(c) for c in A.children(pattern)] == [A.BindingElement]


def test_every_node_is_truthy() -> None:
    """List fields drop their holes with `filter(None, ...)`: a node class must never be falsy."""
    pending = [A.Node]
    while pending:
        cls = pending.pop()
        assert "__bool__" not in vars(cls) and "__len__" not in vars(cls), cls.__name__
        pending.extend(cls.__subclasses__())


def test_unparen() -> None:
    module = compile_source("const x = ((1));\nexport function handler(r: Request) { return r; }\n", "h.ts",
                            emit=False).program.entry  # type: ignore[union-attr]
    init = module.body[0].declarations[0].init  # type: ignore[attr-defined]
    assert type(init) is A.Paren
    assert type(A.unparen(init)) is A.NumberLiteral
    assert A.unparen(None) is None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_preorder_lists_the_walk_with_each_subtree_contiguous(path: Path) -> None:
    program = _program(path)
    for module in program.modules:
        tree = A.preorder(program, module)
        assert A.preorder(program, module) is tree  # listed once per program
        assert [id(n) for n in tree.nodes] == [id(n) for n in A.walk(module)]
        for index, node in enumerate(tree.nodes):
            assert [id(n) for n in tree.nodes[index:tree.ends[index]]] == [id(n) for n in A.walk(node)]
            children = [tree.nodes[i] for i in tree.child_indices(index)]
            assert [id(c) for c in children] == [id(c) for c in A.children_in_source_order(node)]
        for kinds in (frozenset({A.Call}), frozenset({A.Identifier, A.Call, A.Return}), frozenset({A.Match})):
            expected = [i for i, n in enumerate(tree.nodes) if type(n) in kinds]
            assert tree.indices_of(kinds) == expected
            assert [id(n) for n in tree.nodes_of(kinds)] == [id(tree.nodes[i]) for i in expected]
