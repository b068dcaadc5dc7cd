"""The durable workflow: run keys, steps, timers, signals, and the graph of each run body.

Read from the program's shared preorder and the binder (Literals), like every
other fact: the calls of `zigttp:durable` exports are found where the
module's imports bind them; a `run(key, fn)` whose `fn` is a function the
binder can name gives the graph of its body, in source order — every step,
sleep and waitSignal and the other `zigttp:*` calls between them, those of
the local functions it calls included, where it calls them. The proof
level says how much that graph can be trusted:

* complete: one literal run key, literal step and signal names, and no
  durable call under a condition, a loop or a nested function;
* partial: a graph exists, but a key or name is dynamic, or a call sits
  under a condition or loop (the graph then lists it once, in source order);
* none: no run body could be identified statically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zigttp.analysis.facts.literals import Literals
from zigttp.compiler import ast as A

DURABLE = "zigttp:durable"
GRAPH_KINDS = frozenset({"step", "stepWithTimeout", "sleep", "sleepUntil", "waitSignal", "signal", "signalAt"})
TIMERS = frozenset({"sleep", "sleepUntil", "stepWithTimeout", "signalAt"})
_BRANCHING = (A.If, A.Conditional, A.Match, A.ForOf, A.Binary)
_NESTED = (A.FunctionExpression, A.ArrowFunction, A.FunctionDeclaration)


@dataclass
class Names:
    literal: set[str] = field(default_factory=set)
    dynamic: bool = False

    def add(self, value: str | None) -> None:
        if value is None:
            self.dynamic = True
        else:
            self.literal.add(value)

    def to_dict(self) -> dict[str, Any]:
        return {"literal": sorted(self.literal), "dynamic": self.dynamic}


@dataclass
class DurableFacts:
    used: bool = False
    keys: Names = field(default_factory=Names)
    steps: list[str] = field(default_factory=list)
    timers: bool = False
    signals: Names = field(default_factory=Names)
    producer_keys: Names = field(default_factory=Names)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    bodies: int = 0  # run bodies whose graph was built

    def proof_level(self) -> str:
        if not self.bodies:
            return "none"
        return "partial" if self.reasons else "complete"

    def to_dict(self, handler: str) -> dict[str, Any]:
        key = next(iter(self.keys.literal)) if len(self.keys.literal) == 1 and not self.keys.dynamic else None
        edges = [{"from": a["id"], "to": b["id"]} for a, b in
                 zip([{"id": "start"}, *self.nodes], [*self.nodes, {"id": "return"}], strict=True)]
        return {
            "used": self.used,
            "keys": self.keys.to_dict(),
            "steps": self.steps,
            "timers": self.timers,
            "signals": self.signals.to_dict(),
            "producerKeys": self.producer_keys.to_dict(),
            "workflow": {
                "workflowId": None if key is None else f"{handler}#{key}",
                "proofLevel": self.proof_level(),
                "reasons": self.reasons if self.bodies else ["no durable run body was statically identified"],
                "nodes": self.nodes,
                "edges": edges if self.bodies else [],
            },
        }


def durable_facts(program: A.Program, literals: Literals) -> DurableFacts | None:
    """The durable section's facts, or None when no module imports zigttp:durable."""
    out = DurableFacts()
    for module in program.modules:
        bound = _bindings(module)
        if any(spec == DURABLE for spec, _ in bound.values()):
            out.used = True
            _scan(program, module, bound, literals, out)
    return out if out.used else None


def _bindings(module: A.Module) -> dict[str, tuple[str, str]]:
    """Local name -> (module specifier, export) for every zigttp:* value import."""
    out = {}
    for imp in module.imports:
        if imp.specifier.startswith("zigttp:") and not imp.type_only:
            for spec in imp.names:
                if not spec.type_only:
                    out[spec.local.name] = (imp.specifier, spec.imported)
    return out


def _calls(nodes: list[A.Node], bound: dict[str, tuple[str, str]]) -> list[tuple[A.Call, str, str]]:
    found = []
    for node in nodes:
        if type(node) is A.Call and type(node.callee) is A.Identifier and node.callee.name in bound:
            spec, export = bound[node.callee.name]
            found.append((node, spec, export))
    return sorted(found, key=lambda c: c[0].start)


def _scan(program: A.Program, module: A.Module, bound: dict[str, tuple[str, str]], literals: Literals,
          out: DurableFacts) -> None:
    order = A.preorder(program, module)
    for call, spec, export in _calls(order.nodes, bound):
        if spec != DURABLE:
            continue
        first = call.arguments[0] if call.arguments else None
        if export == "run":
            out.keys.add(literals.string(first, module))
            body = literals.function(call.arguments[1] if len(call.arguments) > 1 else None, module)
            if body is not None:
                _graph(program, body, bound, literals, out)
        elif export in ("step", "stepWithTimeout"):
            name = literals.string(first, module)
            out.steps.append(name if name is not None else "?")
        elif export == "waitSignal":
            out.signals.add(literals.string(first, module))
        elif export in ("signal", "signalAt"):
            out.producer_keys.add(literals.string(first, module))
            out.signals.add(literals.string(call.arguments[1] if len(call.arguments) > 1 else None, module))
        if export in TIMERS:
            out.timers = True


def _graph(program: A.Program, body: A.Node, bound: dict[str, tuple[str, str]], literals: Literals,
           out: DurableFacts) -> None:
    """The run body's calls in source order, flagged when one sits under a branch, loop or nested function."""
    if _module_of(program, body) is None:
        return
    out.bodies += 1
    _walk(program, body, literals, out, (body,), False)


def _module_of(program: A.Program, node: A.Node) -> A.Module | None:
    return next((m for m in program.modules if m.file is node.file), None)


def _walk(program: A.Program, fn: A.Node, literals: Literals, out: DurableFacts, stack: tuple[A.Node, ...],
          under_guard: bool) -> None:
    """The graph nodes of function `fn`, in source order; a local function it calls is walked where it is called,
    since its steps run there too (`stack`: the functions being walked, so recursion is walked once)."""
    module = _module_of(program, fn)
    order = A.preorder(program, module) if module is not None else None
    start = None if order is None else next((i for i, n in enumerate(order.nodes) if n is fn), None)
    if module is None or order is None or start is None:
        return
    bound = _bindings(module)
    guarded = _guarded(order, start)
    for call in _all_calls(order.nodes[start + 1:order.ends[start]]):
        callee = call.callee
        assert type(callee) is A.Identifier
        if callee.name in bound:
            spec, export = bound[callee.name]
            _node(call, spec, export, module, literals, out, under_guard or id(call) in guarded)
            continue
        helper = literals.function(callee, module)
        if helper is None:
            continue
        if helper in stack:
            _reason(out, f"{callee.name}() calls itself: the graph lists its durable calls once")
            continue
        _walk(program, helper, literals, out, (*stack, helper), under_guard or id(call) in guarded)


def _all_calls(nodes: list[A.Node]) -> list[A.Call]:
    """Calls of a plain name (a zigttp:* import or a local function), in source order."""
    found = [n for n in nodes if type(n) is A.Call and type(n.callee) is A.Identifier]
    return sorted(found, key=lambda c: c.start)


def _node(call: A.Call, spec: str, export: str, module: A.Module, literals: Literals, out: DurableFacts,
          guarded: bool) -> None:
    if spec == DURABLE and export not in GRAPH_KINDS:
        return
    first = call.arguments[0] if call.arguments else None
    named = spec == DURABLE and export not in ("sleep", "sleepUntil")
    name = literals.string(first, module) if named else None
    if spec != DURABLE:
        kind, label = "call", f"{spec.partition(':')[2]}.{export}"
    elif named:
        kind, label = export, name if name is not None else "?"
    else:
        kind, label = export, f"{first.value:g} ms" if type(first) is A.NumberLiteral else "?"
    out.nodes.append({"id": f"n{len(out.nodes) + 1}", "kind": kind, "label": label,
                      "at": f"{call.file.name}:{call.line}:{call.column}"})
    if named and name is None:
        _reason(out, f"{export}() at line {call.line} has a name that is not a literal")
    if spec == DURABLE and guarded:
        _reason(out, f"{export}() at line {call.line} runs under a condition, loop or nested function")


def _guarded(order: A.Preorder, start: int) -> set[int]:
    """Nodes of the body at `start` that sit under a branch, loop or nested function within it."""
    out: set[int] = set()
    for i in range(start + 1, order.ends[start]):
        node = order.nodes[i]
        if isinstance(node, A.Binary) and node.operator not in ("&&", "||", "??"):
            continue
        if isinstance(node, (*_BRANCHING, *_NESTED)):
            out.update(id(n) for n in order.nodes[i + 1:order.ends[i]])
    return out


def _reason(out: DurableFacts, text: str) -> None:
    if text not in out.reasons:
        out.reasons.append(text)
