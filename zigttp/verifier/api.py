"""Public entry points: `verify_file`, `verify_source`, `verify_compiled`.

Never raise for bad input: an unreadable file is a ZTS000 diagnostic (the
CLI turns it into exit 2), a front-end error stops verification with the
compiler's diagnostics, and a crashing checker is one ZTS999 diagnostic while
the other checkers still run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.compiler.api import CompileResult, compile_file, compile_source
from zigttp.compiler.diagnostics import ERROR, Diagnostic, file_diagnostic, has_errors, sort_key
from zigttp.compiler.trace import trace
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.card import render_card, render_json
from zigttp.verifier.checks import guarded, run_typed
from zigttp.verifier.context import Context, build_context
from zigttp.verifier.flow import FlowChecker, FlowFacts
from zigttp.verifier.framing import check_framing
from zigttp.verifier.paths import PathReport, enumerate_paths
from zigttp.verifier.properties import HandlerProperties, derive_properties
from zigttp.verifier.reachability import check_reachability
from zigttp.verifier.returns import check_returns
from zigttp.verifier.schemapatterns import check_schema_patterns
from zigttp.verifier.sqlcheck import check_sql
from zigttp.verifier.state import check_state
from zigttp.verifier.strict import check_strict
from zigttp.verifier.undefined import check_undefined
from zigttp.verifier.unused import check_unused

if TYPE_CHECKING:
    from zigttp.analysis.facts import ContractFacts

__all__ = ["VerifyResult", "verify_compiled", "verify_file", "verify_source"]

# Which stage of the card (the table's category) counts which codes, in the card's order.
_STAGES = (
    ("Types", "types"),
    ("Sound mode", "sound"),
    ("Handler verifier", "verifier"),
    ("Flow", "flow"),
    ("Strict ZigTS", "strict"),
    ("Spec", "spec"),
)


@dataclass
class VerifyResult:
    path: str
    ok: bool
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    program: A.Program | None = None
    properties: HandlerProperties | None = None
    paths: PathReport | None = None
    flow: FlowFacts | None = None
    stages: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    compiled: CompileResult | None = None
    unreadable: bool = False  # the input could not be read at all (CLI exit 2)
    # The typed analysis (expression types in `.expr_types`, call targets in `.callees`) and the shared
    # context (names, handler, reachability), for tools built on the verifier (contracts, OpenAPI).
    analyzer: Analyzer | None = None
    context: Context | None = None
    # The declared Spec<...> discharged, with the contract facts it was read from
    # (zigttp.analysis.facts.ContractFacts): `build` and `serve` reuse them.
    obligations: ContractFacts | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]

    def render_text(self) -> str:
        return render_card(self)

    def render_json(self) -> str:
        return render_json(self)


def verify_file(path: str | os.PathLike[str], *, strict: bool = False, sql_schema: str | None = None) -> VerifyResult:
    """Compile (without emitting) and verify a handler file with its local imports."""
    compiled = compile_file(path, strict=strict, emit=False)
    return verify_compiled(compiled, strict=strict, path=os.fspath(path), sql_schema=sql_schema)


def verify_source(
    source: str, filename: str = "handler.ts", *, strict: bool = False, sql_schema: str | None = None
) -> VerifyResult:
    compiled = compile_source(source, filename, strict=strict, emit=False)
    return verify_compiled(compiled, strict=strict, path=filename, sql_schema=sql_schema)


def verify_compiled(
    compiled: CompileResult, *, strict: bool = False, path: str | None = None, sql_schema: str | None = None,
    context: Context | None = None,
) -> VerifyResult:
    """Verify what the front end produced; `context`: its names already bound (zigttp.analysis binds once)."""
    trace("verify")
    name = path or (compiled.files[0] if compiled.files else "handler")
    program = compiled.program if isinstance(compiled.program, A.Program) else None
    result = VerifyResult(name, False, list(compiled.diagnostics), dict(compiled.sources), list(compiled.files),
                          program, strict=strict, compiled=compiled)
    lines = sum(text.count("\n") + (0 if text.endswith("\n") else 1) for text in compiled.sources.values())
    if has_errors(compiled.diagnostics) or program is None:
        result.unreadable = any(d.code == C.CANNOT_READ_FILE.code for d in compiled.diagnostics)
        count = sum(1 for d in compiled.diagnostics if d.severity == ERROR)
        result.stages = {"Parse": f"FAIL ({count} error{'s' if count != 1 else ''})"}
        result.diagnostics.sort(key=sort_key)
        return result
    ctx = context if context is not None else _bind(program, strict)
    declared = _declared(program, ctx)
    # A declared `canonical` is proven by the strict profile: `build` and `serve` run it too.
    strict = result.strict = strict or any(name == "canonical" for name, _ in declared)
    if ctx is not None:
        ctx.strict = strict
    diagnostics = _run_checks(program, strict, result, sql_schema, ctx)
    if declared:
        diagnostics += _discharge(program, result, declared)
    result.diagnostics = sorted(list(compiled.diagnostics) + diagnostics, key=sort_key)
    result.ok = not has_errors(result.diagnostics)
    files = len(compiled.files)
    result.stages = {"Parse": f"OK ({lines} lines, {files} file{'s' if files != 1 else ''})"}
    for stage, category in _STAGES:
        if stage == "Strict ZigTS" and not strict:
            result.stages[stage] = "skipped (use --strict)"
            continue
        if stage == "Spec" and not declared:
            continue
        errors = sum(1 for d in diagnostics if d.severity == ERROR and C.category_of(d.code) == category)
        warnings = sum(1 for d in diagnostics if d.severity != ERROR and C.category_of(d.code) == category)
        if errors:
            result.stages[stage] = f"FAIL ({errors} error{'s' if errors != 1 else ''})"
        elif warnings:
            result.stages[stage] = f"OK ({warnings} warning{'s' if warnings != 1 else ''})"
        else:
            result.stages[stage] = "OK"
    if any(d.code == C.INTERNAL.code for d in diagnostics):
        result.stages["Internal"] = "FAIL (verifier bug, see ZTS999)"
    return result


def _bind(program: A.Program, strict: bool) -> Context | None:
    """The binder's names; None when binding fails (_run_checks then reports it as ZTS999)."""
    try:
        return build_context(program, strict)
    except Exception:
        return None


def _declared(program: A.Program, ctx: Context | None) -> list[tuple[str, A.Node]]:
    """Every name in a `Spec<...>` on the handler's return type, with its node."""
    from zigttp.analysis import handler_functions
    from zigttp.analysis.facts.spec import declared_specs

    return declared_specs(list(handler_functions(ctx)), program, ctx.scopes) if ctx is not None else []


def _discharge(program: A.Program, result: VerifyResult, declared: list[tuple[str, A.Node]]) -> list[Diagnostic]:
    """The Spec obligations (ZTS500-502) for a declared `Spec<...>`, through the facts `zigttp build` renders."""
    from zigttp.analysis import handler_functions
    from zigttp.analysis.facts import contract_facts

    try:
        result.obligations = contract_facts(program, result, declared, handler_functions(result.context))
    except Exception as error:  # a bug in the discharge: one ZTS999, the verdict stays an error
        return [file_diagnostic(program.entry.file.name, C.INTERNAL.code,
                                C.INTERNAL.text(detail=f"spec discharge: {type(error).__name__}: {error}"))]
    return list(result.obligations.spec.diagnostics)


def _run_checks(program: A.Program, strict: bool, result: VerifyResult, sql_schema: str | None,
                context: Context | None) -> list[Diagnostic]:
    try:
        ctx = context if context is not None else build_context(program, strict)
    except Exception as error:  # name resolution itself failed: a verifier bug
        return [file_diagnostic(program.entry.file.name, C.INTERNAL.code,
                                C.INTERNAL.text(detail=f"name resolution: {type(error).__name__}: {error}"))]
    failed: list[str] = []
    analyzer = run_typed(ctx, failed)
    result.analyzer, result.context = analyzer, ctx
    guarded(ctx, "undefined names", lambda: check_undefined(ctx), failed)
    guarded(ctx, "returns", lambda: check_returns(ctx, analyzer.resolver), failed)
    guarded(ctx, "reachability", lambda: check_reachability(ctx), failed)
    guarded(ctx, "unused variables", lambda: check_unused(ctx), failed)
    guarded(ctx, "state isolation", lambda: check_state(ctx), failed)
    guarded(ctx, "framing headers", lambda: check_framing(ctx), failed)
    flow = guarded(ctx, "flow", lambda: FlowChecker(ctx, analyzer).run(), failed)
    if strict:
        guarded(ctx, "strict profile", lambda: check_strict(ctx, analyzer), failed)
    guarded(ctx, "schema patterns", lambda: check_schema_patterns(ctx, analyzer), failed)
    if sql_schema is not None:
        guarded(ctx, "sql statements", lambda: check_sql(ctx, analyzer, sql_schema), failed)
    paths = guarded(ctx, "path enumeration", lambda: enumerate_paths(ctx, analyzer), failed)
    result.flow = flow if isinstance(flow, FlowFacts) else None
    result.paths = paths if isinstance(paths, PathReport) else None
    props = guarded(
        ctx, "properties", lambda: derive_properties(ctx, analyzer, result.flow, ctx.diagnostics, strict), failed
    )
    result.properties = props if isinstance(props, HandlerProperties) else None
    return ctx.diagnostics
