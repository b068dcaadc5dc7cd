"""AST node dataclasses. Every node carries its file and a source span.

Spans are character offsets (`start`, `end`); `line`, `column`, `end_line` and
`end_column` (1-based) are computed from the file's line table on demand.
Type syntax is kept in the tree (for the checkers) and erased by the emitter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, methodcaller
from typing import overload

from zigttp.compiler.source import SourceFile


@dataclass(slots=True, eq=False)
class Node:
    file: SourceFile = field(repr=False)
    start: int
    end: int

    @property
    def filename(self) -> str:
        return self.file.name

    @property
    def line(self) -> int:
        return self.file.line_of(self.start)

    @property
    def column(self) -> int:
        return self.file.line_col(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.file.line_col(self.end)[0]

    @property
    def end_column(self) -> int:
        return self.file.line_col(self.end)[1]


# ---------------------------------------------------------------- types


@dataclass(slots=True, eq=False)
class TypeNode(Node):
    pass


@dataclass(slots=True, eq=False)
class KeywordType(TypeNode):
    name: str  # string number boolean undefined null void never unknown object symbol bigint this any


@dataclass(slots=True, eq=False)
class LiteralType(TypeNode):
    value: object  # str | float | bool


@dataclass(slots=True, eq=False)
class TypeReference(TypeNode):
    name: str  # possibly qualified ("A.B")
    arguments: list[TypeNode]


@dataclass(slots=True, eq=False)
class UnionType(TypeNode):
    types: list[TypeNode]


@dataclass(slots=True, eq=False)
class IntersectionType(TypeNode):
    types: list[TypeNode]


@dataclass(slots=True, eq=False)
class ArrayType(TypeNode):
    element: TypeNode


@dataclass(slots=True, eq=False)
class TupleMember(Node):
    name: str | None
    type: TypeNode
    optional: bool
    rest: bool


@dataclass(slots=True, eq=False)
class TupleType(TypeNode):
    elements: list[TupleMember]


@dataclass(slots=True, eq=False)
class PropertySignature(Node):
    name: str
    type: TypeNode | None
    optional: bool
    readonly: bool


@dataclass(slots=True, eq=False)
class MethodSignature(Node):
    name: str
    type_parameters: list[TypeParameter]
    parameters: list[Parameter]
    return_type: TypeNode | None
    optional: bool


@dataclass(slots=True, eq=False)
class IndexSignature(Node):
    key_name: str
    key_type: TypeNode
    type: TypeNode
    readonly: bool


@dataclass(slots=True, eq=False)
class CallSignature(Node):
    type_parameters: list[TypeParameter]
    parameters: list[Parameter]
    return_type: TypeNode | None
    construct: bool


@dataclass(slots=True, eq=False)
class ObjectType(TypeNode):
    members: list[Node]


@dataclass(slots=True, eq=False)
class MappedType(TypeNode):
    parameter: str
    constraint: TypeNode
    name_type: TypeNode | None
    type: TypeNode | None
    readonly: str | None  # "+", "-", "" or None
    optional: str | None


@dataclass(slots=True, eq=False)
class FunctionType(TypeNode):
    type_parameters: list[TypeParameter]
    parameters: list[Parameter]
    return_type: TypeNode
    construct: bool


@dataclass(slots=True, eq=False)
class TypeQuery(TypeNode):
    name: str
    arguments: list[TypeNode]


@dataclass(slots=True, eq=False)
class TypeOperator(TypeNode):
    operator: str  # keyof | readonly | unique
    type: TypeNode


@dataclass(slots=True, eq=False)
class IndexedAccessType(TypeNode):
    object: TypeNode
    index: TypeNode


@dataclass(slots=True, eq=False)
class ConditionalType(TypeNode):
    check: TypeNode
    extends: TypeNode
    true_type: TypeNode
    false_type: TypeNode


@dataclass(slots=True, eq=False)
class InferType(TypeNode):
    name: str
    constraint: TypeNode | None


@dataclass(slots=True, eq=False)
class TemplateLiteralType(TypeNode):
    quasis: list[str]
    types: list[TypeNode]


@dataclass(slots=True, eq=False)
class TypePredicate(TypeNode):
    parameter: str
    type: TypeNode | None
    asserts: bool


@dataclass(slots=True, eq=False)
class TypeParameter(Node):
    name: str
    constraint: TypeNode | None
    default: TypeNode | None


# ---------------------------------------------------------- expressions


@dataclass(slots=True, eq=False)
class Expression(Node):
    pass


@dataclass(slots=True, eq=False)
class Identifier(Expression):
    name: str


@dataclass(slots=True, eq=False)
class NumberLiteral(Expression):
    value: float
    raw: str


@dataclass(slots=True, eq=False)
class StringLiteral(Expression):
    value: str
    raw: str


@dataclass(slots=True, eq=False)
class BooleanLiteral(Expression):
    value: bool


@dataclass(slots=True, eq=False)
class NullLiteral(Expression):
    """Only valid inside `comptime(...)`; rejected everywhere else."""


@dataclass(slots=True, eq=False)
class TemplateLiteral(Expression):
    quasis: list[str]  # raw text of each chunk
    cooked: list[str]
    expressions: list[Expression]


@dataclass(slots=True, eq=False)
class TaggedTemplate(Expression):
    tag: Expression
    quasi: TemplateLiteral


@dataclass(slots=True, eq=False)
class Spread(Expression):
    argument: Expression


@dataclass(slots=True, eq=False)
class ArrayLiteral(Expression):
    elements: list[Expression]


@dataclass(slots=True, eq=False)
class Property(Node):
    key: Expression  # Identifier (name), StringLiteral, NumberLiteral or computed expression
    value: Expression
    computed: bool
    shorthand: bool
    kind: str  # "init" | "get" | "set" | "method"


@dataclass(slots=True, eq=False)
class ObjectLiteral(Expression):
    properties: list[Node]  # Property | Spread


@dataclass(slots=True, eq=False)
class Parameter(Node):
    target: Node  # Identifier, or a binding pattern (rejected for functions)
    type: TypeNode | None
    default: Expression | None
    optional: bool
    rest: bool


@dataclass(slots=True, eq=False)
class FunctionExpression(Expression):
    """Method bodies in object literals (`m() {}`, getters, setters)."""

    name: str | None
    type_parameters: list[TypeParameter]
    parameters: list[Parameter]
    return_type: TypeNode | None
    body: Block


@dataclass(slots=True, eq=False)
class ArrowFunction(Expression):
    type_parameters: list[TypeParameter]
    parameters: list[Parameter]
    return_type: TypeNode | None
    body: Node  # Block or Expression


@dataclass(slots=True, eq=False)
class Unary(Expression):
    operator: str  # ! ~ + - typeof void
    argument: Expression


@dataclass(slots=True, eq=False)
class Binary(Expression):
    operator: str  # arithmetic, comparison, logical (&& || ??), bitwise, in
    left: Expression
    right: Expression


@dataclass(slots=True, eq=False)
class Assign(Expression):
    operator: str  # = += -= ...
    target: Node
    value: Expression


@dataclass(slots=True, eq=False)
class Conditional(Expression):
    test: Expression
    consequent: Expression
    alternate: Expression


@dataclass(slots=True, eq=False)
class Call(Expression):
    callee: Expression
    arguments: list[Expression]
    optional: bool
    type_arguments: list[TypeNode]


@dataclass(slots=True, eq=False)
class Member(Expression):
    object: Expression
    name: str
    name_start: int
    optional: bool


@dataclass(slots=True, eq=False)
class Index(Expression):
    object: Expression
    index: Expression
    optional: bool


@dataclass(slots=True, eq=False)
class Sequence(Expression):
    expressions: list[Expression]


@dataclass(slots=True, eq=False)
class Paren(Expression):
    expression: Expression


@dataclass(slots=True, eq=False)
class Pipe(Expression):
    """`left |> right` is `right(left)`."""

    left: Expression
    right: Expression


@dataclass(slots=True, eq=False)
class PipeCall(Expression):
    """`pipe(f1, ..., fN)` is `fN(...f2(f1())...)`."""

    functions: list[Expression]


@dataclass(slots=True, eq=False)
class GuardChain(Expression):
    """`guard(a) |> guard(b) |> handler |> guard(c)` from zigttp:compose."""

    pre_guards: list[Expression]
    handler: Expression
    post_guards: list[Expression]


@dataclass(slots=True, eq=False)
class GuardCall(Expression):
    """A `guard(fn)` outside a chain: the identity on `fn`."""

    function: Expression


@dataclass(slots=True, eq=False)
class Comptime(Expression):
    expression: Expression
    value: object
    literal: str  # the folded value as JavaScript source


@dataclass(slots=True, eq=False)
class Pattern(Node):
    pass


@dataclass(slots=True, eq=False)
class LiteralPattern(Pattern):
    value: Expression  # StringLiteral | NumberLiteral | BooleanLiteral | Identifier("undefined") | Unary("-")


@dataclass(slots=True, eq=False)
class WildcardPattern(Pattern):
    pass


@dataclass(slots=True, eq=False)
class ObjectPattern(Pattern):
    entries: list[tuple[str, Pattern]]


@dataclass(slots=True, eq=False)
class ArrayPattern(Pattern):
    elements: list[Pattern]


@dataclass(slots=True, eq=False)
class MatchArm(Node):
    pattern: Pattern
    body: Expression


@dataclass(slots=True, eq=False)
class Match(Expression):
    subject: Expression
    arms: list[MatchArm]
    default: Expression | None


@dataclass(slots=True, eq=False)
class JSXAttribute(Node):
    name: str
    value: Expression | None  # None means `true`


@dataclass(slots=True, eq=False)
class JSXSpreadAttribute(Node):
    argument: Expression


@dataclass(slots=True, eq=False)
class JSXText(Expression):
    value: str  # whitespace-normalised, entities decoded ("" when dropped)


@dataclass(slots=True, eq=False)
class JSXExpressionContainer(Expression):
    expression: Expression | None  # None for `{}` / `{/* comment */}`


@dataclass(slots=True, eq=False)
class JSXElement(Expression):
    tag: str | None  # intrinsic tag name; None for a component or a fragment
    component: Expression | None  # Identifier/Member for capitalised or dotted names
    attributes: list[Node]
    children: list[Expression]


@dataclass(slots=True, eq=False)
class Invalid(Expression):
    """A rejected construct, kept so parsing can continue (never emitted)."""

    what: str
    children: list[Node]


# ---------------------------------------------------- binding patterns


@dataclass(slots=True, eq=False)
class BindingProperty(Node):
    key: str
    target: Node  # Identifier or nested pattern
    default: Expression | None
    shorthand: bool


@dataclass(slots=True, eq=False)
class ObjectBinding(Node):
    properties: list[BindingProperty]


@dataclass(slots=True, eq=False)
class BindingElement(Node):
    target: Node
    default: Expression | None


@dataclass(slots=True, eq=False)
class ArrayBinding(Node):
    elements: list[BindingElement | None]


# ----------------------------------------------------------- statements


@dataclass(slots=True, eq=False)
class Statement(Node):
    pass


@dataclass(slots=True, eq=False)
class VariableDeclarator(Node):
    target: Node  # Identifier | ObjectBinding | ArrayBinding
    type: TypeNode | None
    init: Expression | None


@dataclass(slots=True, eq=False)
class VariableDeclaration(Statement):
    kind: str  # let | const
    declarations: list[VariableDeclarator]


@dataclass(slots=True, eq=False)
class FunctionDeclaration(Statement):
    name: Identifier
    type_parameters: list[TypeParameter]
    parameters: list[Parameter]
    return_type: TypeNode | None
    body: Block | None  # None for an overload signature


@dataclass(slots=True, eq=False)
class Block(Statement):
    body: list[Statement]


@dataclass(slots=True, eq=False)
class ExpressionStatement(Statement):
    expression: Expression


@dataclass(slots=True, eq=False)
class Return(Statement):
    argument: Expression | None


@dataclass(slots=True, eq=False)
class If(Statement):
    test: Expression
    consequent: Statement
    alternate: Statement | None


@dataclass(slots=True, eq=False)
class ForOf(Statement):
    kind: str | None  # const | let | None (assignment target)
    target: Node
    iterable: Expression
    body: Statement


@dataclass(slots=True, eq=False)
class Break(Statement):
    pass


@dataclass(slots=True, eq=False)
class Continue(Statement):
    pass


@dataclass(slots=True, eq=False)
class Empty(Statement):
    pass


@dataclass(slots=True, eq=False)
class Debugger(Statement):
    pass


@dataclass(slots=True, eq=False)
class Assert(Statement):
    """`assert cond;` halts; `assert cond, value;` returns `value` when false."""

    test: Expression
    value: Expression | None


@dataclass(slots=True, eq=False)
class ImportSpecifier(Node):
    imported: str
    local: Identifier
    type_only: bool


@dataclass(slots=True, eq=False)
class Import(Statement):
    specifier: str
    specifier_start: int
    specifier_end: int
    names: list[ImportSpecifier]
    type_only: bool


@dataclass(slots=True, eq=False)
class Export(Statement):
    declaration: Statement
    default: bool


@dataclass(slots=True, eq=False)
class TypeAlias(Statement):
    name: Identifier
    type_parameters: list[TypeParameter]
    type: TypeNode
    distinct: bool


@dataclass(slots=True, eq=False)
class Interface(Statement):
    name: Identifier
    type_parameters: list[TypeParameter]
    extends: list[TypeNode]
    members: list[Node]


@dataclass(slots=True, eq=False)
class Ambient(Statement):
    """A `declare ...` statement: type-level only, erased."""

    declaration: Node | None


@dataclass(slots=True, eq=False)
class InvalidStatement(Statement):
    """A rejected statement, kept so parsing can continue (never emitted)."""

    what: str
    children: list[Node]


# --------------------------------------------------------------- modules


@dataclass(slots=True, eq=False)
class Module(Node):
    path: str  # canonical absolute path (identity in the module graph)
    body: list[Statement]
    imports: list[Import]
    value_references: set[str]  # identifiers read in value positions
    resolved: dict[str, str] = field(default_factory=dict)  # local specifier -> canonical path

    @property
    def source(self) -> SourceFile:
        return self.file


@dataclass(slots=True, eq=False)
class Program:
    """Every module of one bundle; `modules` is in dependency order, entry last."""

    entry: Module
    modules: list[Module]
    strict: bool = False
    # Each module's nodes in `walk` order, listed on first use (`preorder`): the tree never changes once
    # bundled, and the phases that scan whole modules would otherwise each walk it again.
    preorders: dict[int, Preorder] = field(default_factory=dict, repr=False)


# ------------------------------------------------------------- traversal
#
# The one traversal every phase uses (compiler, verifier, contract extractor).
# It visits value positions only: type annotations, type-level declarations,
# imports and `match` patterns hold no values, so they contribute no children.

FUNCTION_NODES = (FunctionDeclaration, ArrowFunction, FunctionExpression)
# Statements that only exist at the type level: nothing in them is a value.
TYPE_STATEMENTS = (TypeAlias, Interface, Ambient)

_NO_VALUE_CHILDREN = (TypeNode, TypeAlias, Interface, Ambient, Import, Pattern, TypeParameter,
                      PropertySignature, MethodSignature, IndexSignature, CallSignature, TupleMember)
_NOT_VALUE_FIELDS = frozenset({"file", "start", "end", "type", "return_type", "type_parameters", "type_arguments",
                               "pattern", "value_references", "resolved", "imports"})


@dataclass(slots=True, frozen=True)
class _Fields:
    """The fields of one node class that hold value-level nodes."""

    singles: tuple[str, ...]  # one node or None
    lists: tuple[str, ...]  # a list of nodes (None entries are holes)
    ordered: tuple[tuple[str, bool], ...]  # every such field in declaration (= source) order; True for a list


_FIELDS: dict[type, _Fields] = {}


def _fields_of(cls: type) -> _Fields:
    """Read once per class from the dataclass annotations (strings: `from __future__ import annotations`)."""
    ordered: list[tuple[str, bool]] = []
    if not issubclass(cls, _NO_VALUE_CHILDREN):
        for name, spec in cls.__dataclass_fields__.items():  # type: ignore[attr-defined]
            if name in _NOT_VALUE_FIELDS:
                continue
            annotation = str(spec.type)
            if annotation.startswith("list["):
                if annotation != "list[str]" and "tuple" not in annotation:
                    ordered.append((name, True))
            elif annotation[:1].isupper() and annotation != "SourceFile":
                ordered.append((name, False))
    fields = _Fields(tuple(n for n, is_list in ordered if not is_list),
                     tuple(n for n, is_list in ordered if is_list), tuple(ordered))
    _FIELDS[cls] = fields
    return fields


# The traversal is the hottest code of the checkers, so each node class carries a function
# specialised to its field shape (most nodes have at most two node fields), installed below as
# the class attribute `_value_children`: a method call is the cheapest dispatch on the class.
# A list field drops its holes (None, in array literals and patterns) with `filter(None, ...)`, in C:
# every node is truthy (no node class defines `__bool__` or `__len__`).


def _no_children(node: Node) -> list[Node]:
    return []


def _children_function(cls: type) -> Callable[[Node], list[Node]]:
    fields = _FIELDS.get(cls) or _fields_of(cls)
    singles, lists = fields.singles, fields.lists
    shape = (len(singles), len(lists))
    fn: Callable[[Node], list[Node]]
    if shape == (0, 0):
        fn = _no_children
    elif shape == (1, 0):
        get_one = attrgetter(singles[0])

        def fn(node: Node) -> list[Node]:
            value = get_one(node)
            return [] if value is None else [value]
    elif shape == (2, 0):
        get_two = attrgetter(*singles)

        def fn(node: Node) -> list[Node]:
            first, second = get_two(node)
            if first is None:
                return [] if second is None else [second]
            return [first] if second is None else [first, second]
    elif shape == (0, 1):
        get_list = attrgetter(lists[0])

        def fn(node: Node) -> list[Node]:
            return list(filter(None, get_list(node)))
    elif shape == (1, 1):
        get_both = attrgetter(singles[0], lists[0])

        def fn(node: Node) -> list[Node]:
            value, items = get_both(node)
            out = [] if value is None else [value]
            out += filter(None, items)
            return out
    else:

        def fn(node: Node) -> list[Node]:
            out: list[Node] = []
            for name in singles:
                value = getattr(node, name)
                if value is not None:
                    out.append(value)
            for name in lists:
                out += filter(None, getattr(node, name))
            return out
    return fn


def _source_children_function(cls: type) -> Callable[[Node], list[Node]]:
    fields = _FIELDS.get(cls) or _fields_of(cls)
    if [name for name, _ in fields.ordered] == [*fields.singles, *fields.lists]:
        return _children_function(cls)  # the checkers' order is already the source order
    ordered = fields.ordered

    def fn(node: Node) -> list[Node]:
        out: list[Node] = []
        for name, is_list in ordered:
            value = getattr(node, name)
            if is_list:
                out += filter(None, value)
            elif value is not None:
                out.append(value)
        return out
    return fn


def _install_children(cls: type) -> None:
    for sub in cls.__subclasses__():
        sub._value_children = _leaf_or(_children_function(sub))  # type: ignore[attr-defined]
        sub._source_children = _leaf_or(_source_children_function(sub))  # type: ignore[attr-defined]
        fields = _FIELDS[sub]
        if [name for name, _ in fields.ordered] != [*fields.singles, *fields.lists]:
            _REORDERED.add(sub)
        _install_children(sub)


def _leaf_or(fn: Callable[[Node], list[Node]]) -> Callable[..., list[Node]]:
    """A leaf class gets `list` itself: a class attribute that is a type is not bound as a method, so
    `node._value_children()` is `list()`, a new empty list made without a Python frame (most nodes are leaves)."""
    return list if fn is _no_children else fn


_REORDERED: set[type] = set()
_install_children(Node)
REORDERED_KINDS = frozenset(_REORDERED)
"""The node classes whose `children` order differs from their source order (functions: parameters and body)."""

# `children(node)` and `children_in_source_order(node)` call the node's method from C, without a Python
# frame of their own: they are the checkers' hottest calls.
children: Callable[[Node], list[Node]] = methodcaller("_value_children")
"""Value-level child nodes: every single-node field, then every list field (the checkers' order)."""

children_in_source_order: Callable[[Node], list[Node]] = methodcaller("_source_children")
"""The same children as `children`, in the order their fields appear in the source."""


def walk(node: Node) -> Iterator[Node]:
    """Every node under `node` (itself included), pre-order in source order, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack += reversed(current._source_children())  # type: ignore[attr-defined]


@dataclass(slots=True, frozen=True)
class Preorder:
    """Every node of a subtree in `walk` order; `ends[i]` is the index just past node i's own subtree,
    so `nodes[i:ends[i]]` is that subtree and node i's children start at i + 1, then at each child's end."""

    nodes: list[Node]
    ends: list[int]
    by_kind: dict[type, list[int]]  # the indices of the nodes of each class, in walk order

    def indices_of(self, kinds: frozenset[type]) -> list[int]:
        """The indices of the nodes whose class is in `kinds`, in walk order. Read from `by_kind`: a
        whole-module scan costs what it selects, not a step per node (several scan every module)."""
        by_kind = self.by_kind
        found = [by_kind[kind] for kind in kinds if kind in by_kind]
        if len(found) == 1:
            return list(found[0])
        return sorted(chain.from_iterable(found))  # each list is sorted: the sort merges runs

    def nodes_of(self, kinds: frozenset[type]) -> list[Node]:
        """The nodes whose class is in `kinds`, in walk order (selected as by `indices_of`)."""
        return list(map(self.nodes.__getitem__, self.indices_of(kinds)))

    def child_indices(self, index: int) -> Iterator[int]:
        ends = self.ends
        child, stop = index + 1, ends[index]
        while child < stop:
            yield child
            child = ends[child]


def preorder(program: Program, module: Module) -> Preorder:
    """`module`'s nodes in `walk` order, listed once per program."""
    found = program.preorders.get(id(module))
    if found is None:
        found = program.preorders[id(module)] = _preorder(module)
    return found


def _preorder(root: Node) -> Preorder:
    nodes: list[Node] = []
    ends: list[int] = []
    stack: list[Node | int] = [root]
    by_kind: defaultdict[type, list[int]] = defaultdict(list)
    # One step per node of every module: the list methods are looked up once.
    pop, push, add_node, add_end = stack.pop, stack.append, nodes.append, ends.append
    index = 0
    while stack:
        item = pop()
        if type(item) is int:  # every node under the one at this index has been listed
            ends[item] = index
            continue
        add_node(item)  # type: ignore[arg-type]
        add_end(index + 1)
        by_kind[type(item)].append(index)
        below = item._source_children()  # type: ignore[union-attr]
        if below:
            push(index)
            below.reverse()
            stack += below
        index += 1
    return Preorder(nodes, ends, dict(by_kind))


@overload
def unparen(node: Node) -> Node: ...
@overload
def unparen(node: None) -> None: ...
def unparen(node: Node | None) -> Node | None:
    """The expression inside any number of parentheses."""
    while type(node) is Paren:
        node = node.expression  # type: ignore[union-attr]
    return node


def binding_identifiers(target: Node) -> list[Identifier]:
    """The identifiers a binding target declares: a name, or every name in a (nested) pattern."""
    kind = type(target)
    if kind is Identifier:
        return [target]  # type: ignore[list-item]
    out: list[Identifier] = []
    if kind is ObjectBinding:
        for prop in target.properties:  # type: ignore[attr-defined]
            out.extend(binding_identifiers(prop.target))
    elif kind is ArrayBinding:
        for element in target.elements:  # type: ignore[attr-defined]
            if element is not None:
                out.extend(binding_identifiers(element.target))
    return out


def binding_names(target: Node) -> list[str]:
    """The names a binding target declares, in source order."""
    return [identifier.name for identifier in binding_identifiers(target)]


def static_key(prop: Node) -> str | None:
    """The key of an object literal's `key: value` (or shorthand) entry written as a name or a string;
    None for a spread, a method, an accessor, a computed or a numeric key."""
    if type(prop) is not Property or prop.kind != "init" or prop.computed:
        return None
    key = prop.key
    if type(key) is Identifier:
        return key.name
    if type(key) is StringLiteral:
        return key.value
    return None
