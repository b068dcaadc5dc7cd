"""cost_bounded: which I/O calls a loop or an iterating callback repeats a number of times the request decides."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from zigttp.contract.derive import Derived

HEAD = ('import { fetch } from "zigttp:fetch";\n'
        'const ids = (req: Request): string[] => String(req.query.ids).split(",");\n')
CASES = {
    "no loop": ('  fetch("https://api.example.com/u");', True),
    "for-of over request data": ('  for (const id of ids(req)) { fetch(`https://api.example.com/u/${id}`); }', False),
    "for-of over a literal array": ('  for (const id of ["a", "b"]) { fetch(`https://api.example.com/u/${id}`); }',
                                    True),
    "for-of over range(<number>)": ("  for (const i of range(3)) { fetch(`https://api.example.com/u/${i}`); }", True),
    "the iterable is not repeated": ('  for (const id of [fetch("https://api.example.com/u").status]) { id; }', True),
    "map callback": ("  ids(req).map((id) => fetch(`https://api.example.com/u/${id}`));", False),
    "map callback over a literal array": ('  ["a"].map((id) => fetch(`https://api.example.com/u/${id}`));', True),
    "map's receiver runs once": ('  [fetch("https://api.example.com/u").status].forEach((s) => s);', True),
    "a local function called in a loop": ("  for (const id of ids(req)) { one(id); }", False),
    "a local function called once": ('  one("a");', True),
    "a bounded loop inside an unbounded one": (
        '  for (const id of ids(req)) { for (const k of ["x"]) { fetch(`https://api.example.com/${id}/${k}`); } }',
        False),
    "a callback inside a bounded loop": (
        '  for (const k of ["x"]) { ids(req).forEach((id) => fetch(`https://api.example.com/${id}/${k}`)); }', False),
}
ONE = 'function one(id: string): number {\n  return fetch(`https://api.example.com/u/${id}`).status;\n}\n'


@pytest.mark.parametrize("case", sorted(CASES))
def test_cost_bounded(derive_files: Callable[..., Derived], case: str) -> None:
    body, bounded = CASES[case]
    d = derive_files(f"{HEAD}{ONE}export function handler(req: Request): Response {{\n{body}\n"
                     "  return Response.json({ ok: true });\n}\n")
    assert d.ok, d.diagnostics
    assert d.facts is not None
    assert d.facts.extra["cost_bounded"] is bounded
