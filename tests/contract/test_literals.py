"""Const-string proofs read the binder's scopes: one name resolver for the verifier and the contract."""

from __future__ import annotations

from zigttp.analysis.facts.literals import Literals
from zigttp.compiler import ast as A
from zigttp.compiler.api import compile_source
from zigttp.verifier.scope import resolve_program

SOURCE = """const KEY = "API_KEY";
function inner(): string {
  const KEY = "SHADOW";
  return KEY;
}
const ONCE = "ONCE";
export function handler(req: Request): Response {
  return Response.text(ONCE + inner());
}
"""


def test_literals_are_the_binders_bindings() -> None:
    program = compile_source(SOURCE, "handler.ts", emit=False).program
    assert isinstance(program, A.Program)
    scopes = resolve_program(program)
    literals = Literals(program, scopes)
    found = literals.declared(program.entry, "ONCE")
    assert len(found) == 1 and any(found[0] is b for b in scopes.bindings)
    once = A.Identifier(program.entry.file, 0, 0, "ONCE")
    assert literals.string(once, program.entry) == "ONCE"
    # declared twice in the module (shadowed in a function): not proven, whatever the scope rules say
    assert len(literals.declared(program.entry, "KEY")) == 2
    assert literals.string(A.Identifier(program.entry.file, 0, 0, "KEY"), program.entry) is None
