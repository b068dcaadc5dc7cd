"""Path enumeration (§4.7): how many distinct ways the handler can run.

A path is one sequence of decisions from the request to a returned Response.
Decisions are: every `if` and `match` arm, a `?:` that chooses the returned
value, `assert c, v` (pass / return v), each guard of a guard chain (respond /
pass), and every I/O boundary: a virtual-module call whose registry return
kind is `result` forks ok / error, `optional` forks defined / undefined.
A later test of that value (`if (!r.ok)`, `if (v === undefined)`, `r.isErr()`)
follows the fork instead of forking again. Calls to local functions in return
position (`return routes(req)`) are followed into the callee. A `for-of`
either skips its body or runs it (returns inside it are paths of their own).

Enumeration stops after 1,024 paths (`exhaustive` is then False).

Each path also keeps what the contract's behaviour paths need: the decisions
that tell it apart from the others (`Condition`: an I/O outcome, a test of the
request, a `match` arm) and the expression that answers the request.
Tests of other values fork without a condition: paths that differ only there
share their conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, children, unparen
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.context import Context
from zigttp.verifier.decisions import Condition, Describer

LIMIT = 1024
_MAX_INLINE_DEPTH = 12

State = dict  # binding id -> "ok" | "err" | "defined" | "undefined"; plus the two keys below
_CONDITIONS = "conditions"  # the path's decisions so far: tuple[Condition, ...]
_ANSWER = "answer"  # the expression that answers the request (None: not known)


@dataclass(frozen=True)
class PathBehaviour:
    """One path: its decisions in the order taken, and the expression it answers with."""

    conditions: tuple[Condition, ...]
    answer: A.Node | None


@dataclass(frozen=True)
class PathReport:
    count: int
    exhaustive: bool
    behaviours: tuple[PathBehaviour, ...] = field(default=(), compare=False, repr=False)

    def describe(self) -> str:
        if self.exhaustive:
            return f"{self.count} ({'exhaustive'})"
        return f"more than {LIMIT} (limit reached)"


class _Limit(Exception):
    pass


class PathEnumerator:
    def __init__(self, ctx: Context, analyzer: Analyzer) -> None:
        self.ctx = ctx
        self.analyzer = analyzer
        self.count = 0
        self.stack: list[int] = []
        self._points: dict[int, list[A.Node]] = {}  # expression id -> its fork points (walked once)
        self.describe = Describer(ctx.scopes, analyzer.expr_types)
        self.behaviours: list[PathBehaviour] = []

    def run(self) -> PathReport:
        handler = self.ctx.handler
        if handler is None or not handler.main:
            return PathReport(0, True)
        try:
            for end in self.chain(handler.pre_guards, handler.main[0], handler.post_guards):
                self.count += 1
                if self.count > LIMIT:
                    raise _Limit
                self.behaviours.append(PathBehaviour(end.get(_CONDITIONS, ()), end.get(_ANSWER)))
        except _Limit:
            return PathReport(LIMIT, False, tuple(self.behaviours))
        return PathReport(self.count, True, tuple(self.behaviours))

    # ------------------------------------------------------------ chains

    def chain(self, pre: list[A.Node], main: A.Node, post: list[A.Node]) -> Iterator[State]:
        yield from self._after_pre(pre, main, post, 0, {})

    # Methods, not nested closures: a closure that calls itself is a reference cycle (tests/test_analysis_memory.py).
    def _after_pre(self, pre: list[A.Node], main: A.Node, post: list[A.Node], index: int,
                   state: State) -> Iterator[State]:
        if index == len(pre):
            for _outcome, end in self.function(main, state):
                yield from self._after_post(post, 0, end)
            return
        for outcome, end in self.function(pre[index], state):
            if outcome == "respond":
                yield end
            else:
                yield from self._after_pre(pre, main, post, index + 1, end)

    def _after_post(self, post: list[A.Node], index: int, state: State) -> Iterator[State]:
        if index == len(post):
            yield state
            return
        for outcome, end in self.function(post[index], state):
            if outcome == "respond":
                yield end
            else:
                yield from self._after_post(post, index + 1, end)

    def function(self, fn: A.Node, state: State) -> Iterator[tuple[str, State]]:
        """(outcome, state) per path through a function: "respond" or "pass" (returned undefined)."""
        if id(fn) in self.stack or len(self.stack) > _MAX_INLINE_DEPTH:
            yield "respond", {**state, _ANSWER: None}
            return
        self.stack.append(id(fn))
        try:
            body = fn.body  # type: ignore[attr-defined]
            if type(body) is A.Block:
                for kind, end, value in self.statements(body.body, 0, dict(state)):
                    if kind == "return":
                        yield from self.returned(value, end)
                    else:
                        yield "pass", end
            elif body is not None:
                yield from self.returned(body, dict(state))
        finally:
            self.stack.pop()

    def returned(self, value: A.Node | None, state: State) -> Iterator[tuple[str, State]]:
        """The alternatives of a returned expression."""
        if value is None:
            yield "pass", state
            return
        kind = type(value)
        if kind is A.Paren:
            yield from self.returned(value.expression, state)
            return
        if kind is A.Identifier and value.name == "undefined":
            yield "pass", state
            return
        if kind is A.Conditional:
            for branch, end in self.test(value.test, state):
                yield from self.returned(value.consequent if branch else value.alternate, end)
            return
        if kind is A.Match:
            for end in self.forks(value.subject, state):
                for arm in value.arms:
                    yield from self.returned(arm.body, self._arm(end, value, arm.pattern))
                if value.default is not None:
                    yield from self.returned(value.default, self._arm(end, value, None))
            return
        if kind is A.Binary and value.operator == "??":
            for end in self.forks(value.left, state):
                yield "respond", {**end, _ANSWER: value.left}
                yield from self.returned(value.right, dict(end))
            return
        if kind is A.Call:
            callee = self.analyzer.callees.get(id(value))
            if callee is not None and callee.kind == "local" and callee.function is not None:
                for end in self.forks_many(value.arguments, state):
                    yield from self.function(callee.function, end)
                return
        for end in self.forks(value, state):
            yield "respond", {**end, _ANSWER: value}

    # -------------------------------------------------------- statements

    def statements(self, statements: list[A.Statement], index: int, state: State) -> Iterator[tuple]:
        """(kind, state, value) with kind in return | fall | break | continue."""
        if index == len(statements):
            yield "fall", state, None
            return
        for kind, end, value in self.statement(statements[index], state):
            if kind == "fall":
                yield from self.statements(statements, index + 1, end)
            else:
                yield kind, end, value

    def statement(self, node: A.Node, state: State) -> Iterator[tuple]:
        kind = type(node)
        if kind is A.Return:
            if node.argument is None:
                yield "return", state, None
            else:
                yield "return", state, node.argument
            return
        if kind is A.If:
            for branch, end in self.test(node.test, state):
                if branch:
                    yield from self.statement(node.consequent, end)
                elif node.alternate is not None:
                    yield from self.statement(node.alternate, end)
                else:
                    yield "fall", end, None
            return
        if kind is A.Block:
            yield from self.statements(node.body, 0, state)
            return
        if kind is A.ForOf:
            for end in self.forks(node.iterable, state):
                yield "fall", end, None  # zero iterations (and every iteration that completes)
                for body_kind, body_end, value in self.statement(node.body, dict(end)):
                    if body_kind == "return":
                        yield "return", body_end, value
            return
        if kind is A.Assert:
            for branch, end in self.test(node.test, state):
                if branch:
                    yield "fall", end, None
                elif node.value is not None:
                    yield "return", end, node.value
            return
        if kind in (A.Break, A.Continue):
            yield ("break" if kind is A.Break else "continue"), state, None
            return
        if kind is A.VariableDeclaration:
            yield from self.declarations(node.declarations, 0, state)
            return
        if kind is A.ExpressionStatement:
            for end in self.forks(node.expression, state):
                yield "fall", end, None
            return
        if kind is A.Export:
            yield from self.statement(node.declaration, state)
            return
        yield "fall", state, None

    def declarations(self, declarators: list[A.VariableDeclarator], index: int, state: State) -> Iterator[tuple]:
        if index == len(declarators):
            yield "fall", state, None
            return
        declarator = declarators[index]
        init = declarator.init
        target = declarator.target
        boundary = self.boundary(init) if init is not None else None
        if boundary is not None and type(target) is A.Identifier:
            binding = self.ctx.scopes.declared.get(id(target))
            for end in self.forks_many(init.arguments, state):  # type: ignore[union-attr]
                for outcome in _OUTCOMES[boundary]:
                    forked = self._io(end, init, outcome)
                    if binding is not None:
                        forked[id(binding)] = outcome
                    yield from self.declarations(declarators, index + 1, forked)
            return
        for end in self.forks(init, state) if init is not None else [state]:
            yield from self.declarations(declarators, index + 1, end)

    # ------------------------------------------------------------ forks

    def boundary(self, node: A.Node) -> str | None:
        """'result' / 'optional' when the expression is an I/O call that can fail."""
        node = unparen(node)
        if type(node) is not A.Call:
            return None
        callee = self.analyzer.callees.get(id(node))
        if callee is None or callee.kind != "export" or callee.export is None:
            return None
        kind = callee.export.return_kind
        return kind if kind in ("result", "optional") else None

    def forks(self, node: A.Node | None, state: State) -> Iterator[State]:
        """One state per combination of the I/O boundaries and matches inside an expression."""
        points = self._fork_points(node) if node is not None else None
        if not points:  # the usual expression, with no I/O boundary or match: one state, no `_expand`
            yield state
            return
        yield from self._expand(points, 0, state)

    def forks_many(self, nodes: list[A.Node], state: State) -> Iterator[State]:
        points: list[A.Node] = []
        for node in nodes:
            points.extend(self._fork_points(node))
        yield from self._expand(points, 0, state)

    def _fork_points(self, node: A.Node) -> list[A.Node]:
        found = self._points.get(id(node))
        if found is not None:
            return found
        points: list[A.Node] = []
        stack = [node]
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind in FUNCTION_NODES:
                continue
            if kind is A.Match or (kind is A.Call and self.boundary(current) is not None):
                points.append(current)
            stack.extend(children(current))
        self._points[id(node)] = points
        return points

    def _expand(self, points: list[A.Node], index: int, state: State) -> Iterator[State]:
        if index == len(points):
            yield state
            return
        point = points[index]
        if type(point) is A.Match:
            patterns: list[A.Node | None] = [arm.pattern for arm in point.arms]
            if point.default is not None:
                patterns.append(None)
            for pattern in patterns or [None]:
                yield from self._expand(points, index + 1, self._arm(state, point, pattern))
            return
        for outcome in _OUTCOMES[self.boundary(point) or "result"]:
            yield from self._expand(points, index + 1, self._io(state, point, outcome))

    def _io(self, state: State, call: A.Node, outcome: str) -> State:
        callee = self.analyzer.callees.get(id(unparen(call)))
        name = f"{callee.export.module}.{callee.export.name}" if callee is not None and callee.export else "?"
        return _with(state, Condition("io", name, outcome))

    def _arm(self, state: State, match: A.Match, pattern: A.Node | None) -> State:
        """The state on one arm of a match (`pattern` None: its default)."""
        chosen = "default" if pattern is None else self.describe(pattern)
        return _with(state, Condition("match", self.describe(match.subject), chosen))

    def test(self, node: A.Node, state: State) -> Iterator[tuple[bool, State]]:
        """(branch taken, state) for a condition; a test decided by an earlier fork does not fork again."""
        for end in self.forks(node, state):
            decided = self.decide(node, end)
            if decided is not None:
                yield decided, end
            elif self.describe.reads_request(node):
                test = self.describe(node)
                yield True, _with(end, Condition("request", test, "true"))
                yield False, _with(end, Condition("request", test, "false"))
            else:
                yield True, end
                yield False, dict(end)

    def decide(self, node: A.Node, state: State) -> bool | None:
        node = unparen(node)
        kind = type(node)
        if kind is A.Unary and node.operator == "!":
            inner = self.decide(node.argument, state)
            return None if inner is None else not inner
        if kind is A.Binary and node.operator in ("&&", "||"):
            left = self.decide(node.left, state)
            right = self.decide(node.right, state)
            if node.operator == "&&":
                if left is False or right is False:
                    return False
                return True if left is True and right is True else None
            if left is True or right is True:
                return True
            return False if left is False and right is False else None
        if kind is A.Binary and node.operator in ("===", "!=="):
            result = self._compare(node, state)
            if result is None:
                return None
            return result if node.operator == "===" else not result
        if kind is A.Member and node.name == "ok":
            outcome = self._assumed(node.object, state)
            return None if outcome is None else outcome == "ok"
        if kind is A.Call and type(node.callee) is A.Member and node.callee.name in ("isOk", "isErr"):
            outcome = self._assumed(node.callee.object, state)
            if outcome is None:
                return None
            return (outcome == "ok") == (node.callee.name == "isOk")
        if self._assumed(node, state) == "undefined":
            return False
        return None  # a defined value may still be "" or 0: the test really forks

    def _compare(self, node: A.Binary, state: State) -> bool | None:
        for a, b in ((node.left, node.right), (node.right, node.left)):
            if type(b) is A.Identifier and b.name == "undefined":
                outcome = self._assumed(a, state)
                if outcome in ("defined", "undefined"):
                    return outcome == "undefined"
            if type(b) is A.BooleanLiteral and type(a) is A.Member and a.name == "ok":
                outcome = self._assumed(a.object, state)
                if outcome is not None:
                    return (outcome == "ok") == b.value
        return None

    def _assumed(self, node: A.Node, state: State) -> str | None:
        node = unparen(node)
        if type(node) is not A.Identifier:
            return None
        binding = self.ctx.scopes.binding_of(node)
        return state.get(id(binding)) if binding is not None else None


_OUTCOMES = {"result": ("ok", "err"), "optional": ("defined", "undefined")}


def _with(state: State, condition: Condition) -> State:
    """A copy of `state` with one more decision."""
    return {**state, _CONDITIONS: (*state.get(_CONDITIONS, ()), condition)}


def enumerate_paths(ctx: Context, analyzer: Analyzer) -> PathReport:
    return PathEnumerator(ctx, analyzer).run()
