"""Fault coverage (upstream §4.7): does every critical I/O call have an explicit failure answer?

Critical calls are those whose registry return kind is `result` (jwtVerify,
validateJson, decodeJson, ...). A call site is covered when its failure
is tested and the failing branch answers with a literal non-2xx status:

    const r = validateJson("user", body);
    if (!r.ok) return Response.json({ error: "invalid" }, { status: 400 });   // covered
    assert r.ok, Response.text("unauthorized", { status: 401 });              // covered
    if (r.ok) { ... } else { return Response.json(..., { status: 422 }); }    // covered

The failure tests recognised are `!r.ok`, `r.ok === false` / `== false`,
`r.isErr()` and `!r.isOk()` (and their success forms for the `else` branch,
or the statements after an `if` whose success branch always returns).
`fault_covered` holds when every site in a function is covered (vacuously
when there is none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zigttp.analysis.facts.capabilities import Exports
from zigttp.analysis.facts.nodes import location
from zigttp.analysis.facts.routes import ApiReader
from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, TYPE_STATEMENTS, children_in_source_order, unparen


@dataclass
class FaultCoverage:
    total: int = 0
    covered: int = 0
    uncovered: list[str] = field(default_factory=list)  # file:line:col of each uncovered site

    @property
    def is_covered(self) -> bool:
        return self.covered == self.total


def _critical(module: A.Module, exports: Exports) -> set[str]:
    out = set()
    for imp in module.imports:
        if imp.specifier.startswith("zigttp:") and not imp.type_only:
            for s in imp.names:
                export = exports.get((imp.specifier, s.imported))
                if export is not None and export.return_kind == "result":
                    out.add(s.local.name)
    return out


def fault_coverage(program: A.Program, api: ApiReader, exports: Exports) -> FaultCoverage:
    out = FaultCoverage()
    for module in program.modules:
        names = _critical(module, exports)
        if names:
            _Scan(module, names, api, out).function_bodies()
    return out


class _Scan:
    def __init__(self, module: A.Module, names: set[str], api: ApiReader, out: FaultCoverage) -> None:
        self.module = module
        self.names = names
        self.api = api
        self.out = out
        self.covered: set[int] = set()

    def function_bodies(self) -> None:
        sites: list[A.Node] = []
        stack: list[tuple[A.Node, A.Node | None]] = [(s, None) for s in self.module.body]
        while stack:
            node, fn = stack.pop()
            if type(node) in TYPE_STATEMENTS:
                continue
            if type(node) in FUNCTION_NODES:
                fn = node
            if fn is not None and self.is_critical(node):
                sites.append(node)
            if type(node) is A.Block:
                self.block(node.body, fn)  # type: ignore[attr-defined]
            stack.extend((c, fn) for c in children_in_source_order(node))
        for call in sorted(sites, key=lambda n: n.start):
            self.out.total += 1
            if id(call) in self.covered:
                self.out.covered += 1
            else:
                self.out.uncovered.append(location(call))

    def is_critical(self, node: A.Node | None) -> bool:
        node = unparen(node)
        if type(node) is not A.Call:
            return False
        callee = unparen(node.callee)  # type: ignore[attr-defined]
        return type(callee) is A.Identifier and callee.name in self.names  # type: ignore[attr-defined]

    def block(self, statements: list[A.Statement], fn: A.Node | None) -> None:
        """Critical calls that are a statement-level declaration's initializer in this block."""
        for i, statement in enumerate(statements):
            if type(statement) is A.VariableDeclaration:
                for declarator in statement.declarations:
                    if self.is_critical(declarator.init) and type(declarator.target) is A.Identifier:
                        covered = fn is not None and self.checked(declarator.target.name, statements[i + 1:], fn)
                        self.record(declarator.init, covered)
            elif type(statement) is A.Return and type(unparen(statement.argument)) is A.Conditional:
                cond = unparen(statement.argument)
                direct = self._direct_test(cond.test)  # type: ignore[union-attr]
                if direct is not None:
                    branch = cond.consequent if direct[1] else cond.alternate  # type: ignore[union-attr]
                    self.record(direct[0], fn is not None and self._non_2xx(branch, fn))
            elif type(statement) is A.If and self._direct_test(statement.test) is not None:
                call, failing = self._direct_test(statement.test)  # type: ignore[misc]
                branch = statement.consequent if failing else statement.alternate
                rest = statements[i + 1:] if not failing and statement.alternate is None else []
                covered = fn is not None and self.fails_non_2xx(branch, rest, fn)
                self.record(call, covered)

    def record(self, call: A.Node | None, covered: bool) -> None:
        if covered and call is not None:
            self.covered.add(id(unparen(call)))

    # ---------- tests ----------

    def _direct_test(self, test: A.Node) -> tuple[A.Node, bool] | None:
        """`!call(...).ok`-style tests on a critical call itself: (call, tests failure)."""
        result = _test(test)
        if result is None:
            return None
        subject, failing = result
        return (subject, failing) if self.is_critical(subject) else None

    def checked(self, name: str, after: list[A.Statement], fn: A.Node) -> bool:
        for i, statement in enumerate(after):
            if type(statement) is A.If:
                result = _test(statement.test)
                if result is not None and _is_name(result[0], name):
                    failing = result[1]
                    if failing:
                        return self.fails_non_2xx(statement.consequent, [], fn)
                    if statement.alternate is not None:
                        return self.fails_non_2xx(statement.alternate, [], fn)
                    return _always_returns(statement.consequent) and self.fails_non_2xx(None, after[i + 1:], fn)
            elif type(statement) is A.Return and type(unparen(statement.argument)) is A.Conditional:
                cond = unparen(statement.argument)
                result = _test(cond.test)  # type: ignore[union-attr]
                if result is not None and _is_name(result[0], name):
                    branch = cond.consequent if result[1] else cond.alternate  # type: ignore[union-attr]
                    return self._non_2xx(branch, fn)
            elif type(statement) is A.Assert:
                result = _test(statement.test)
                if result is not None and _is_name(result[0], name) and not result[1]:
                    return statement.value is not None and self._non_2xx(statement.value, fn)
        return False

    def fails_non_2xx(self, branch: A.Node | None, rest: list[A.Statement], fn: A.Node) -> bool:
        """Every way out of `branch` (then `rest`) returns a literal non-2xx response."""
        statements: list[A.Statement] = []
        if branch is not None:
            statements = branch.body if type(branch) is A.Block else [branch]  # type: ignore[attr-defined,list-item]
        statements = [*statements, *rest]
        returns = [s for s in statements if type(s) is A.Return]
        if not returns:
            return False
        first = statements.index(returns[0])
        nested = [n for s in statements[:first] for n in _returns_in(s)]
        return all(self._non_2xx(r.argument, fn) for r in [*nested, returns[0]])  # type: ignore[attr-defined]

    def _non_2xx(self, value: A.Node | None, fn: A.Node) -> bool:
        statuses = self.api.statuses(value, self.module, fn)
        return bool(statuses) and all(s is not None and not 200 <= s <= 299 for s in statuses)  # type: ignore[union-attr]


def _is_name(node: A.Node, name: str) -> bool:
    node = unparen(node)  # type: ignore[assignment]
    return type(node) is A.Identifier and node.name == name  # type: ignore[attr-defined]


def _test(test: A.Node) -> tuple[A.Node, bool] | None:
    """(subject, tests failure) for `!s.ok`, `s.ok`, `s.ok === false`, `s.isErr()`, `!s.isOk()`, ..."""
    test = unparen(test)  # type: ignore[assignment]
    negate = False
    while type(test) is A.Unary and test.operator == "!":  # type: ignore[attr-defined]
        negate = not negate
        test = unparen(test.argument)  # type: ignore[attr-defined,assignment]
    kind = type(test)
    if kind is A.Member and test.name == "ok":  # type: ignore[attr-defined]
        return test.object, negate  # type: ignore[attr-defined]
    if kind is A.Call and type(unparen(test.callee)) is A.Member and not test.arguments:  # type: ignore[attr-defined]
        member = unparen(test.callee)  # type: ignore[attr-defined]
        if member.name in ("isErr", "isOk"):  # type: ignore[union-attr]
            return member.object, (member.name == "isErr") != negate  # type: ignore[union-attr]
    if kind is A.Binary and test.operator in ("===", "==", "!==", "!="):  # type: ignore[attr-defined]
        left, right = unparen(test.left), unparen(test.right)  # type: ignore[attr-defined]
        if type(left) is A.BooleanLiteral:
            left, right = right, left
        if type(left) is A.Member and left.name == "ok" and type(right) is A.BooleanLiteral:  # type: ignore[attr-defined]
            equal = test.operator in ("===", "==")  # type: ignore[attr-defined]
            failing = (right.value is False) == equal  # type: ignore[attr-defined]
            return left.object, failing != negate  # type: ignore[attr-defined]
    return None


def _always_returns(node: A.Node) -> bool:
    if type(node) is A.Return:
        return True
    if type(node) is A.Block:
        return any(_always_returns(s) for s in node.body)  # type: ignore[attr-defined]
    if type(node) is A.If:
        return node.alternate is not None and _always_returns(node.consequent) and _always_returns(node.alternate)  # type: ignore[attr-defined]
    return False


def _returns_in(node: A.Node) -> list[A.Node]:
    out = []
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) in FUNCTION_NODES:
            continue
        if type(current) is A.Return:
            out.append(current)
            continue
        stack.extend(children_in_source_order(current))
    return out
