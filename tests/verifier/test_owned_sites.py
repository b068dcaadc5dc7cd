"""The owner index (`Context.owned_sites`) is read from the preorder; its order is that of a walk over `children`.

Flow fills its memo of labels in this order, so the index must list each owner's sites exactly as a depth-first
walk over `children` that takes the last child first: the reference walk below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zigttp.compiler import ast as A
from zigttp.compiler import compile_file, compile_source
from zigttp.verifier.context import SITE_KINDS, build_context

ROOT = Path(__file__).resolve().parents[2]


def _reference(program: A.Program) -> dict[object, list[A.Node]]:
    owned: dict[object, list[A.Node]] = {}

    def sites_of(stack: list[A.Node]) -> list[A.Node]:
        sites: list[A.Node] = []
        functions: list[A.Node] = []
        while stack:
            node = stack.pop()
            if type(node) in SITE_KINDS:
                sites.append(node)
            if type(node) in A.FUNCTION_NODES:
                functions.append(node)
            else:
                stack += A.children(node)
        for function in functions:
            owned[id(function)] = sites_of(A.children(function))
        return sites

    for module in program.modules:
        if module.body:
            owned[module.path] = sites_of(list(module.body))
    return owned


def _assert_same_order(program: A.Program) -> None:
    ctx = build_context(program)
    nodes = {id(node): node for module in program.modules for node in A.walk(module)}
    for owner, sites in _reference(program).items():
        found = ctx.owned_sites(owner if isinstance(owner, str) else nodes[owner])  # type: ignore[index]
        assert [id(n) for n in found] == [id(n) for n in sites]


SOURCES = {
    "defaults before the body": """
function f(a = g(1), b = h(2)) { x(a); return y(b); }
const z = (p = q(), r = s()) => t(p, r);
export default function handler(req: Request): Response {
  const o = { m(a = u()) { return v(a); } };
  for (const item of list(w())) { use(item); }
  return Response.json(w(f(), z(), o));
}
""",
    "a match and a guard chain": """
import { guard } from "zigttp:compose";
function pick(n: number): string {
  return match (n) { when 1: one(), when 2: two(), default: other(three()) };
}
function main(req: Request): Response {
  return Response.json({ v: pick(count(req)) });
}
export const handler = guard((req: Request) => check(req)) |> main |> guard((res: Response) => after(res));
""",
}


@pytest.mark.parametrize("source", SOURCES.values(), ids=list(SOURCES))
def test_sites_keep_the_order_of_a_walk_over_children(source: str) -> None:
    compiled = compile_source(source, "handler.tsx", emit=False)
    assert isinstance(compiled.program, A.Program)
    kinds = {type(node) for module in compiled.program.modules for node in A.walk(module)}
    assert kinds & (A.REORDERED_KINDS - set(A.FUNCTION_NODES)) or A.Parameter in kinds
    _assert_same_order(compiled.program)


def test_the_large_fixture_keeps_the_order() -> None:
    compiled = compile_file(ROOT / "scripts/bench_fixtures/large/handler.tsx", emit=False)
    assert isinstance(compiled.program, A.Program)
    _assert_same_order(compiled.program)
