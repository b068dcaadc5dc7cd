"""Behaviour paths (contract `behaviors`): what the handler answers under which decisions.

The verifier's path enumeration (zigttp.verifier.paths) walks every path once
and keeps, per path, its decisions (`Condition`s: I/O outcomes, tests of the
request, `match` arms) and the expression it answers with. Here each answer
becomes the responses it can be (status and content type, as the routes
read them), and paths with the same decisions are merged: tests of values
that are neither I/O results nor read from the request fork paths without a
condition, so those paths differ only in what they answer.

A behaviour's key is its set of conditions, sorted: the order two
independent tests run in is not a change a client can see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zigttp.analysis.facts.nodes import module_of

if TYPE_CHECKING:
    from zigttp.analysis.facts.routes import ApiReader
    from zigttp.compiler import ast as A
    from zigttp.verifier.decisions import Condition
    from zigttp.verifier.paths import PathReport

_FAILURE_OUTCOMES = ("err", "undefined")


@dataclass
class Behaviour:
    conditions: tuple[Condition, ...]
    responses: list[tuple[int | None, str | None]] = field(default_factory=list)

    @property
    def failure_path(self) -> bool:
        return any(c.kind == "io" and c.value in _FAILURE_OUTCOMES for c in self.conditions)

    def to_dict(self) -> dict[str, Any]:
        return {"conditions": [c.to_dict() for c in self.conditions],
                "responses": [{"status": s, "contentType": t} for s, t in self.responses],
                "failurePath": self.failure_path}


@dataclass(frozen=True)
class Behaviours:
    paths: tuple[Behaviour, ...] = ()
    exhaustive: bool = False  # every path was enumerated (False: none, or the limit was reached)


def behaviours(report: PathReport | None, program: A.Program, reader: ApiReader) -> Behaviours:
    if report is None:
        return Behaviours()
    merged: dict[tuple[Condition, ...], Behaviour] = {}
    answers: dict[int, list[tuple[int | None, str | None]]] = {}
    for path in report.behaviours:
        key = tuple(sorted(set(path.conditions), key=lambda c: (c.kind, c.test, c.value)))
        behaviour = merged.setdefault(key, Behaviour(key))
        answer = path.answer
        found = answers.get(id(answer))
        if found is None:
            found = answers[id(answer)] = _answers(answer, program, reader)
        for response in found:
            if response not in behaviour.responses:
                behaviour.responses.append(response)
    for behaviour in merged.values():
        behaviour.responses.sort(key=lambda r: (r[0] is None, r[0] or 0, r[1] or ""))
    return Behaviours(tuple(merged.values()), report.exhaustive)


def _answers(node: A.Node | None, program: A.Program, reader: ApiReader) -> list[tuple[int | None, str | None]]:
    """The (status, content type) pairs an answering expression can be; (None, None) where not known."""
    module = module_of(program, node) if node is not None else None
    if node is None or module is None:
        return [(None, None)]
    responses, dynamic = reader.answers(node, module)
    out = [(r.status, r.content_type) for r in responses]
    if dynamic or not out:
        out.append((None, None))
    return out
