"""Flow checker (ZTS400–407): where secrets, credentials and request input end up.

Every value carries a set of labels. Sources: registry exports' `labels`
(`zigttp:env` values are `secret` only for names that look secret — SECRET,
PASSWORD, PASSWD, KEY, TOKEN, PRIVATE, CREDENTIAL, AUTH — other literal names
are `config`; a computed name stays `secret`), anything read from a
`Request` (`user_input`), and the `authorization`/`cookie` request headers
(`credential` too). Labels follow bindings, property reads, templates,
concatenation, object/array literals and spreads, conditionals, and calls to
local functions (per-function summaries: which parameters reach the return
value and which reach a sink). A virtual-module call yields the export's own
labels (hashes, signatures and validators are opaque); an export labelled
`validated` launders request input. Numbers and booleans cannot carry an
injection, so they drop `user_input`. JSX escapes text, so it does too.

Sinks: Response bodies and headers (ZTS400 secret / ZTS401 credential),
console and zigttp:log (ZTS402 / ZTS403), egress URLs and headers
(ZTS404 / ZTS405), egress bodies (ZTS406), and unvalidated request input
into egress or into `Response.html` (ZTS407, warnings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES, children, unparen
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer, Callee
from zigttp.verifier.builtins import named_builtin
from zigttp.verifier.context import Context
from zigttp.verifier.scope import Binding
from zigttp.verifier.typemodel import base_kind

SECRET = "secret"
CREDENTIAL = "credential"
MINTED = "minted_credential"  # a credential the handler creates for the client (jwtSign)
USER_INPUT = "user_input"
VALIDATED = "validated"
SECRET_NAME_PARTS = ("SECRET", "PASSWORD", "PASSWD", "KEY", "TOKEN", "PRIVATE", "CREDENTIAL", "AUTH")
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})
# Request members that are not request-controlled data worth tracking.
_REQUEST_SAFE = frozenset({"method"})
_LABELLED_SITES = frozenset({A.Call, A.Pipe, A.JSXElement})  # the sites whose labels are worked out for their sinks
_RESPONSE_BUILDERS = frozenset({"Response", "Response.json", "Response.text", "Response.html", "Response.rawJson",
                                "Response.redirect"})
_LABEL_PRESERVING_BUILTINS = frozenset({"String", "JSON.stringify", "encodeURIComponent", "encodeURI",
                                        "decodeURIComponent", "decodeURI", "Object.values", "Object.entries",
                                        "Array.from", "Array.of"})

# A label is a str, or ("param", function id, index, escaped) while a function summary is symbolic:
# "whatever the caller passes as argument <index>" (escaped: minus request input, after HTML escaping).
Label = object
# Array methods whose callback decides, but does not produce, the result.
_PREDICATE_METHODS = frozenset({"find", "findLast", "filter", "some", "every", "findIndex", "findLastIndex",
                                "toSorted", "sort", "forEach"})
Labels = frozenset
EMPTY: frozenset = frozenset()
REQUEST = named_builtin("Request")


@dataclass
class FlowFacts:
    """Flow properties for the proof card and the contract extractor."""

    no_secret_leakage: bool = True
    no_credential_leakage: bool = True
    input_validated: bool = True
    injection_safe: bool = True
    pii_contained: bool = True
    egress_sites: int = 0


@dataclass
class _Pending:
    rule: C.Rule
    node: A.Node
    values: dict[str, object]
    need: str  # the label that makes this sink a violation


@dataclass
class _FunctionState:
    returns: set = field(default_factory=set)
    pending: dict[int, list[_Pending]] = field(default_factory=dict)  # parameter index -> sinks it reaches
    calls: list[tuple[int, list[frozenset]]] = field(default_factory=list)  # (callee id, argument labels)


class FlowChecker:
    def __init__(self, ctx: Context, analyzer: Analyzer) -> None:
        self.ctx = ctx
        self.analyzer = analyzer
        self.scopes = ctx.scopes
        self.memo: dict[int, frozenset] = {}
        self.binding_memo: dict[int, frozenset] = {}
        self.functions: dict[int, _FunctionState] = {}
        self.evaluated: set[int] = set()
        self.current: list[int] = []  # function id stack (0 = module scope)
        self.facts = FlowFacts()
        self._module_calls: list[tuple[int, list[frozenset]]] = []

    # ================================================================ run

    def run(self) -> FlowFacts:
        for module in self.ctx.program.modules:
            self.current.append(0)
            self._walk(self.ctx.owned_sites(module.path))
            self.current.pop()
        for info in list(self.scopes.functions.values()):
            self.evaluate(info.node)
        self._propagate()
        return self.facts

    def _state(self, fn_id: int) -> _FunctionState:
        """The state of one function, made on its first use (not built and dropped on every lookup)."""
        state = self.functions.get(fn_id)
        if state is None:
            state = self.functions[fn_id] = _FunctionState()
        return state

    def evaluate(self, fn: A.Node) -> _FunctionState:
        state = self._state(id(fn))
        if id(fn) in self.evaluated:
            return state
        self.evaluated.add(id(fn))
        self.current.append(id(fn))
        body = fn.body  # type: ignore[attr-defined]
        if body is not None and type(body) is not A.Block:
            state.returns |= self.labels(body)
        self._walk(self.ctx.owned_sites(fn))
        self.current.pop()
        return state

    def _walk(self, nodes: list[A.Node]) -> None:
        """Returns and every sink-bearing expression of one function (its nested functions excluded)."""
        fn_id = self.current[-1]
        for node in nodes:
            kind = type(node)
            if kind is A.Return and node.argument is not None and fn_id:
                self.functions[fn_id].returns |= self.labels(node.argument)
            elif kind is A.Assert and node.value is not None and fn_id:
                self.functions[fn_id].returns |= self.labels(node.value)
            elif kind in _LABELLED_SITES:
                self.labels(node)

    # ============================================================ labels

    def labels(self, node: A.Node) -> frozenset:
        rule = _LABEL_RULES.get(type(node))
        if rule is None:  # literals, functions, ...: never labelled
            return EMPTY
        key = id(node)
        found = self.memo.get(key)
        if found is not None:
            return found  # or EMPTY while the node's own labels are computed: a cycle adds nothing
        self.memo[key] = EMPTY
        result = rule(self, node)
        if USER_INPUT in result or CREDENTIAL in result:
            t = self.analyzer.expr_types.get(key)
            if t is not None and base_kind(t) in ("number", "boolean"):
                # A count, a length, a parsed id: neither an injection nor a token.
                result = result - {USER_INPUT, CREDENTIAL}
        self.memo[key] = result
        return result

    def _identifier_labels(self, node: A.Identifier) -> frozenset:
        binding = self.scopes.binding_of(node)
        return self.binding_labels(binding) if binding is not None else EMPTY

    def _member_labels(self, node: A.Member) -> frozenset:
        if node.name == "length":
            return EMPTY
        base = self.labels(node.object)
        if node.name in _REQUEST_SAFE and self._is_request(node.object):
            return EMPTY
        if CREDENTIAL in base and VALIDATED in base:
            # Claims read from a verified token are identity data, not the token itself.
            return base - {CREDENTIAL}
        return base

    def _children_labels(self, node: A.Node) -> frozenset:
        kind = type(node)
        if kind is A.Binary and node.operator in ("===", "!==", "<", ">", "<=", ">=", "in"):  # type: ignore[attr-defined]
            return EMPTY
        out: frozenset = EMPTY
        for child in children(node):
            if type(child) is A.MatchArm:
                out |= self.labels(child.body)  # type: ignore[attr-defined]
            elif ((kind is A.Conditional and child is node.test)  # type: ignore[attr-defined]
                  or (kind is A.Match and child is node.subject)):  # type: ignore[attr-defined]
                continue
            else:
                out |= self.labels(child)
        return out

    def _object_labels(self, node: A.ObjectLiteral) -> frozenset:
        out = EMPTY
        for prop in node.properties:
            if type(prop) is A.Property:
                out |= self.labels(prop.value)
            elif type(prop) is A.Spread:
                out |= self.labels(prop.argument)
        return out

    def _jsx_labels(self, node: A.JSXElement) -> frozenset:
        out = EMPTY
        for attribute in node.attributes:
            if type(attribute) is A.JSXAttribute and attribute.value is not None:
                out |= self.labels(attribute.value)
            elif type(attribute) is A.JSXSpreadAttribute:
                out |= self.labels(attribute.argument)
        for child in node.children:
            out |= self.labels(child)
        return _escaped(out)  # rendered text and attributes are escaped

    def _is_request(self, node: A.Node) -> bool:
        return self.analyzer.expr_types.get(id(node)) is REQUEST

    def binding_labels(self, binding: Binding) -> frozenset:
        binding = binding.resolved()
        key = id(binding)
        found = self.binding_memo.get(key)
        if found is not None:
            return found
        self.binding_memo[key] = EMPTY  # cycles through reassignment read as "nothing new"
        out: frozenset = EMPTY
        decl = binding.decl
        if binding.kind == "param":
            fn = binding.function
            index = next((i for i, p in enumerate(fn.parameters) if p is decl), -1)  # type: ignore[union-attr]
            if index >= 0 and fn is not None:
                out |= {("param", id(fn), index, False)}
            if self.analyzer.binding_types.get(binding) is REQUEST:
                out |= {USER_INPUT}
        elif type(decl) is A.VariableDeclarator and decl.init is not None:
            out |= self.labels(decl.init)
        elif type(decl) is A.ForOf:
            out |= self.labels(decl.iterable)
        for write in binding.writes:
            if type(write) is A.Assign:
                out |= self.labels(write.value)
            elif type(write) is A.ForOf:
                out |= self.labels(write.iterable)
        self.binding_memo[key] = out
        return out

    # ============================================================= calls

    def call_labels(self, node: A.Node) -> frozenset:
        callee: Callee | None = self.analyzer.callees.get(id(node))
        if type(node) is A.Pipe:
            args: list[A.Node] = [node.left]
            callee_node = node.right
        else:
            args = list(node.arguments)  # type: ignore[attr-defined]
            callee_node = node.callee  # type: ignore[attr-defined]
        callee_node = unparen(callee_node)
        arg_labels = [self.labels(a) for a in args]
        if callee is None:
            return _union(arg_labels)
        kind, name = callee.kind, callee.name
        if kind == "export" and callee.export is not None:
            self._export_sinks(node, callee, args, arg_labels)
            return self._export_labels(callee, args)
        if kind == "export":
            return EMPTY
        if kind == "builtin":
            self._builtin_sinks(node, name, args, arg_labels)
            if name in _RESPONSE_BUILDERS:
                return EMPTY
            if name.startswith("console."):
                return EMPTY
            if name == "fetchSync":
                return frozenset({"external"})  # what came back, not what was sent
            if name in _LABEL_PRESERVING_BUILTINS:
                return _union(arg_labels)
            if name == "Headers":
                return _union(arg_labels)
            return _union(arg_labels) - {USER_INPUT} if name.startswith(("Math.", "Number")) else _union(arg_labels)
        if kind == "local" and callee.function is not None:
            return self._apply_summary(callee.function, arg_labels)
        if kind == "method":
            receiver = self.labels(callee_node.object) if type(callee_node) is A.Member else EMPTY
            if type(node) is A.Call and name == "get" and self._is_headers_of_request(node):
                header = _literal(args[0]) if args else None
                extra = {CREDENTIAL} if header is not None and header.lower() in CREDENTIAL_HEADERS else set()
                return frozenset({USER_INPUT, *extra})
            if type(node) is A.Call and name in ("json", "text", "bytes") and self._receiver_is_request(node):
                return frozenset({USER_INPUT})
            out = receiver
            for argument, labels in zip(args, arg_labels, strict=True):
                if type(argument) in FUNCTION_NODES:
                    if name not in _PREDICATE_METHODS:
                        out |= self._callback_labels(argument, receiver)
                else:
                    out |= labels
            return out
        return _union(arg_labels)

    def _receiver_is_request(self, node: A.Node) -> bool:
        callee = node.callee  # type: ignore[attr-defined]
        return type(callee) is A.Member and self._is_request(callee.object)

    def _is_headers_of_request(self, node: A.Node) -> bool:
        callee = node.callee  # type: ignore[attr-defined]
        if type(callee) is not A.Member:
            return False
        headers = callee.object
        return type(headers) is A.Member and headers.name == "headers" and self._is_request(headers.object)

    def _callback_labels(self, fn: A.Node, receiver: frozenset) -> frozenset:
        state = self.evaluate(fn)
        out: frozenset = EMPTY
        for label in state.returns:
            if type(label) is tuple and label[1] == id(fn):
                out |= _escaped(receiver) if label[3] else receiver
            else:
                out |= {label}
        return out

    def _apply_summary(self, fn: A.Node, arg_labels: list[frozenset]) -> frozenset:
        state = self.evaluate(fn)
        caller = self.current[-1] if self.current else 0
        if caller:
            self._state(caller).calls.append((id(fn), arg_labels))
        else:
            self._module_calls.append((id(fn), arg_labels))
        out: set = set()
        for label in state.returns:
            if type(label) is tuple and label[1] == id(fn):
                index = label[2]
                if index < len(arg_labels):
                    out |= _escaped(arg_labels[index]) if label[3] else arg_labels[index]
            else:
                out.add(label)
        return frozenset(out)

    def _export_labels(self, callee: Callee, args: list[A.Node]) -> frozenset:
        export = callee.export
        labels = set(export.labels)  # type: ignore[union-attr]
        if CREDENTIAL in labels and export.capability == "crypto" and export.effect == "none":  # type: ignore[union-attr]
            # A token the handler signs itself (jwtSign) is meant for the client; it must still stay out of logs.
            labels.discard(CREDENTIAL)
            labels.add(MINTED)
        if SECRET in labels and export.capability == "env":  # type: ignore[union-attr]
            index = export.capability_arg or 0  # type: ignore[union-attr]
            name = _literal(args[index]) if index < len(args) else None
            if name is not None and not any(part in name.upper() for part in SECRET_NAME_PARTS):
                labels.discard(SECRET)
                labels.add("config")
        return frozenset(labels)

    # ============================================================= sinks

    def _sink(self, rule: C.Rule, node: A.Node, labels: frozenset, need: str, **values: object) -> None:
        if need in labels and not (need == USER_INPUT and VALIDATED in labels and USER_INPUT not in labels):
            self._violation(rule, need)
            self.ctx.report(C.diagnostic(rule, node, **values))
        for label in labels:
            if type(label) is tuple:
                _, fn_id, index, escaped = label
                if escaped and need == USER_INPUT:
                    continue
                state = self._state(fn_id)
                entry = _Pending(rule, node, values, need)
                pending = state.pending.setdefault(index, [])
                if not any(p.node is node and p.rule is rule for p in pending):
                    pending.append(entry)

    def _violation(self, rule: C.Rule, need: str) -> None:
        if need == SECRET:
            self.facts.no_secret_leakage = False
        elif need in (CREDENTIAL, MINTED):
            self.facts.no_credential_leakage = False
        elif need == USER_INPUT:
            self.facts.injection_safe = False
            if rule is not C.UNVALIDATED_HTML:
                self.facts.input_validated = False

    def _response_sinks(self, node: A.Node, name: str, args: list[A.Node], labels: list[frozenset]) -> None:
        if not args:
            return
        body = labels[0]
        part = "redirect URL" if name == "Response.redirect" else "body"
        self._sink(C.SECRET_IN_RESPONSE, args[0], body, SECRET, part=part)
        self._sink(C.CREDENTIAL_IN_RESPONSE, args[0], body, CREDENTIAL, part=part)
        if name == "Response.html":
            self._sink(C.UNVALIDATED_HTML, args[0], body, USER_INPUT)
        if len(args) > 1 and name != "Response.redirect":
            headers = self._init_part(args[1], "headers")
            self._sink(C.SECRET_IN_RESPONSE, args[1], headers, SECRET, part="headers")
            self._sink(C.CREDENTIAL_IN_RESPONSE, args[1], headers, CREDENTIAL, part="headers")

    def _builtin_sinks(self, node: A.Node, name: str, args: list[A.Node], labels: list[frozenset]) -> None:
        if name in _RESPONSE_BUILDERS:
            self._response_sinks(node, name, args, labels)
        elif name.startswith("console."):
            for argument, label in zip(args, labels, strict=True):
                self._sink(C.SECRET_IN_LOG, argument, label, SECRET, sink="console")
                self._sink(C.CREDENTIAL_IN_LOG, argument, label, CREDENTIAL, sink="console")
                self._sink(C.CREDENTIAL_IN_LOG, argument, label, MINTED, sink="console")
        elif name == "fetchSync":
            self._egress(node, "fetchSync", args, labels, 0)

    def _export_sinks(self, node: A.Node, callee: Callee, args: list[A.Node], labels: list[frozenset]) -> None:
        export = callee.export
        module = export.module  # type: ignore[union-attr]
        short = export.name  # type: ignore[union-attr]
        if module == "zigttp:log":
            for argument, label in zip(args, labels, strict=True):
                self._sink(C.SECRET_IN_LOG, argument, label, SECRET, sink=f"{short}()")
                self._sink(C.CREDENTIAL_IN_LOG, argument, label, CREDENTIAL, sink=f"{short}()")
                self._sink(C.CREDENTIAL_IN_LOG, argument, label, MINTED, sink=f"{short}()")
        elif export.capability == "egress" or module == "zigttp:fetch":  # type: ignore[union-attr]
            index = export.capability_arg if export.capability_arg is not None else 0  # type: ignore[union-attr]
            self._egress(node, f"{short}()", args, labels, index)

    def _egress(self, node: A.Node, sink: str, args: list[A.Node], labels: list[frozenset], url_index: int) -> None:
        self.facts.egress_sites += 1
        if url_index < len(args):
            url = labels[url_index]
            self._egress_part(args[url_index], sink, "URL", url)
        if url_index + 1 < len(args):
            init = args[url_index + 1]
            headers = self._init_part(init, "headers")
            body = self._init_part(init, "body")
            # A secret in a request header is how API keys are meant to travel: allowed.
            self._egress_part(init, sink, "request headers", headers, secrets_allowed=True)
            self._sink(C.SECRET_IN_EGRESS_BODY, init, body, SECRET, sink=sink)
            self._sink(C.UNVALIDATED_EGRESS, init, body, USER_INPUT, sink=sink, part="request body")
            if USER_INPUT in body or VALIDATED in body:
                self.facts.pii_contained = False

    def _egress_part(
        self, node: A.Node, sink: str, part: str, labels: frozenset, secrets_allowed: bool = False
    ) -> None:
        if not secrets_allowed:
            self._sink(C.SECRET_IN_EGRESS_URL, node, labels, SECRET, sink=sink, part=part)
        self._sink(C.CREDENTIAL_IN_EGRESS_URL, node, labels, CREDENTIAL, sink=sink, part=part)
        self._sink(C.UNVALIDATED_EGRESS, node, labels, USER_INPUT, sink=sink, part=part)
        if USER_INPUT in labels or VALIDATED in labels:
            self.facts.pii_contained = False

    def _init_part(self, init: A.Node, name: str) -> frozenset:
        """Labels of `init.<name>` for an options object (a spread routes to every part)."""
        init = unparen(init)
        if type(init) is not A.ObjectLiteral:
            return self.labels(init)
        out: frozenset = EMPTY
        for prop in init.properties:
            if type(prop) is A.Spread:
                out |= self.labels(prop.argument)
            elif type(prop) is A.Property and not prop.computed and _key(prop.key) == name:
                out |= self.labels(prop.value)
        return out

    # ======================================================= propagation

    def _propagate(self) -> None:
        """Report sinks reached through parameters once the arguments at call sites are known."""
        changed = True
        rounds = 0
        while changed and rounds < 32:
            changed = False
            rounds += 1
            sites = [(caller, callee, args) for caller, state in self.functions.items() for callee, args in state.calls]
            sites += [(0, callee, args) for callee, args in self._module_calls]
            for caller, callee, args in sites:
                pending = self.functions.get(callee)
                if pending is None:
                    continue
                for index, sinks in list(pending.pending.items()):
                    if index >= len(args):
                        continue
                    for sink in list(sinks):
                        labels = args[index]
                        concrete = frozenset(x for x in labels if type(x) is not tuple)
                        if sink.need in concrete:
                            self._violation(sink.rule, sink.need)
                            self.ctx.report(C.diagnostic(sink.rule, sink.node, **sink.values))
                        for label in labels:
                            if type(label) is tuple and label[3] and sink.need == USER_INPUT:
                                continue
                            if type(label) is tuple and caller:
                                target = self._state(label[1])
                                bucket = target.pending.setdefault(label[2], [])
                                if not any(p.node is sink.node and p.rule is sink.rule for p in bucket):
                                    bucket.append(sink)
                                    changed = True


def _escaped(labels: frozenset) -> frozenset:
    """What survives HTML escaping: no request input, and parameters marked as escaped."""
    out = set()
    for label in labels:
        if label == USER_INPUT:
            continue
        if type(label) is tuple:
            label = (label[0], label[1], label[2], True)
        out.add(label)
    return frozenset(out)


def _union(items: list[frozenset]) -> frozenset:
    out: frozenset = EMPTY
    for item in items:
        out |= item
    return out


def _literal(node: A.Node) -> str | None:
    node = unparen(node)
    if type(node) is A.StringLiteral:
        return node.value
    if type(node) is A.TemplateLiteral and not node.expressions:
        return node.cooked[0] if node.cooked else ""
    return None


def _key(key: A.Node) -> str | None:
    if type(key) is A.Identifier:
        return key.name
    if type(key) is A.StringLiteral:
        return key.value
    return None


def _through(field_name: str) -> Callable[[FlowChecker, Any], frozenset]:
    """The labels of the one child `field_name` holds: what a parenthesis, an index or an assignment yields."""
    def labels_of(checker: FlowChecker, node: Any) -> frozenset:
        return checker.labels(getattr(node, field_name))
    return labels_of


def _unary_labels(checker: FlowChecker, node: Any) -> frozenset:
    return EMPTY if node.operator in ("!", "typeof", "void") else checker.labels(node.argument)


# How each kind of expression gets its labels; a kind not listed has none. Plain functions, not bound
# methods: a checker holding its own methods would be a reference cycle.
_LABEL_RULES: dict[type, Callable[[FlowChecker, Any], frozenset]] = {
    A.Identifier: FlowChecker._identifier_labels,
    A.Paren: _through("expression"),
    A.Member: FlowChecker._member_labels,
    A.Index: _through("object"),
    A.Call: FlowChecker.call_labels,
    A.Pipe: FlowChecker.call_labels,
    A.ObjectLiteral: FlowChecker._object_labels,
    A.Assign: _through("value"),
    A.JSXElement: FlowChecker._jsx_labels,
    A.Unary: _unary_labels,
    **dict.fromkeys((A.TemplateLiteral, A.ArrayLiteral, A.Sequence, A.Conditional, A.Binary, A.Match,
                     A.JSXExpressionContainer, A.Spread, A.PipeCall), FlowChecker._children_labels),
}
