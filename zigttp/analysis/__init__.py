"""One analysis of a handler: compile, bind, check and derive every fact once.

`analyze(path)` compiles the handler and its local imports, binds its names
(zigttp.verifier.scope), locates the handler and what it reaches, runs every
verifier check, and derives the contract's facts (capabilities, routes,
faults, cost, the declared `Spec<...>` and its discharge). `zigttp verify`
renders the proof card from the result, `zigttp build` renders contract.json
and OpenAPI from it (zigttp.contract.derive / openapi: renderers only; the
facts are derived here, in zigttp.analysis.facts), and `zigttp serve`
takes both the bundle and the grants from one result (zigttp.loader), so a
cold start compiles and verifies exactly once.

`analyze` never raises for bad input: an unreadable file or a front-end error
comes back as diagnostics (and the verifier's card of them) with no contract facts.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zigttp.compiler import ast as A
from zigttp.compiler.api import CompileResult, compile_file, compile_source
from zigttp.compiler.codes import CANNOT_READ_FILE, INTERNAL, codes_in
from zigttp.compiler.diagnostics import ERROR, Diagnostic, file_diagnostic, sort_key

if TYPE_CHECKING:
    from zigttp.analysis.facts import ContractFacts
    from zigttp.verifier.analyzer import Analyzer
    from zigttp.verifier.api import VerifyResult
    from zigttp.verifier.context import Context
    from zigttp.verifier.handler import HandlerInfo

__all__ = ["Analysis", "analyze", "analyze_source", "handler_functions"]

# The strict profile's own codes: a handler whose Spec declares `canonical` is analysed strictly for its
# contract, but what serve refuses is what `zigttp verify` (not strict) refuses.
_STRICT_CODES = codes_in("strict")
_CANONICAL = "canonical"


@dataclass(frozen=True)
class Analysis:
    path: str  # as given
    compiled: CompileResult
    strict: bool  # the strict profile ran
    verification: VerifyResult | None  # None: the verifier crashed outright
    contract: ContractFacts | None  # None: the front end failed, or contract facts were not asked for
    diagnostics: tuple[Diagnostic, ...]  # front end, verifier and Spec discharge, sorted, each once
    strict_requested: bool = False  # strict was asked for (not only implied by a `canonical` Spec)

    @property
    def ok(self) -> bool:
        """The front end accepted the handler."""
        return self.compiled.ok and self.program is not None

    @property
    def unreadable(self) -> bool:
        return any(d.code == CANNOT_READ_FILE.code for d in self.compiled.diagnostics)

    @property
    def program(self) -> A.Program | None:
        program = self.compiled.program
        return program if isinstance(program, A.Program) else None

    @property
    def context(self) -> Context | None:
        """Scopes and bindings, the handler, and the functions it reaches."""
        return self.verification.context if self.verification is not None else None

    @property
    def handler(self) -> HandlerInfo | None:
        return self.context.handler if self.context is not None else None

    @property
    def analyzer(self) -> Analyzer | None:
        return self.verification.analyzer if self.verification is not None else None

    @property
    def verification_passed(self) -> bool:
        """The verifier ran and found no error (the strict profile counts only when asked for)."""
        return self.verification is not None and not any(d.severity == ERROR for d in self.verifier_diagnostics)

    @property
    def verifier_diagnostics(self) -> list[Diagnostic]:
        """Front end and verifier diagnostics as `zigttp verify` (strict only when asked) reports them."""
        if self.verification is None:
            return list(self.compiled.diagnostics)
        found = self.verification.diagnostics
        if self.strict and not self.strict_requested:
            found = [d for d in found if d.code not in _STRICT_CODES]
        return list(found)


def analyze(path: str | os.PathLike[str], *, strict: bool | None = None, sql_schema: str | None = None,
            emit: bool = True, contract: bool = True) -> Analysis:
    """The one analysis of a handler file.

    `strict=None` runs the strict profile exactly when the handler's Spec declares `canonical` (the
    contract must prove it); `emit=False` skips code generation; `contract=False` skips the contract facts.
    """
    name = os.fspath(path)
    with cyclic_gc_paused():
        return _analyze(compile_file(name, strict=bool(strict), emit=emit), name, strict, sql_schema, contract)


def analyze_source(source: str, filename: str = "handler.ts", *, strict: bool | None = None,
                   sql_schema: str | None = None, emit: bool = True, contract: bool = True) -> Analysis:
    with cyclic_gc_paused():
        compiled = compile_source(source, filename, strict=bool(strict), emit=emit)
        return _analyze(compiled, filename, strict, sql_schema, contract)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while one analysis runs, and none of its result when it ends.

    An analysis allocates hundreds of thousands of objects and holds no
    reference cycles (tests/test_analysis_memory.py): what it drops is freed
    by reference counting at once, and what it returns lives as long as the
    caller keeps it. The collector, triggered by the allocation count alone,
    would scan those objects over and over while the analysis runs, and
    once more when it ends (about 30,000 objects, 5-8 ms on a 2,000-line
    handler), to free nothing. So it is paused while the analysis runs, and
    at the end everything still young is handed to the oldest generation
    without a scan (`gc.freeze()` then `gc.unfreeze()`), where the next full
    collection looks at it as at any long-lived object. Skipped when the
    caller froze objects of its own (a pre-fork server): unfreezing would
    hand them back to the collector.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _analyze(compiled: CompileResult, name: str, strict: bool | None, sql_schema: str | None,
             contract: bool) -> Analysis:
    program = compiled.program if isinstance(compiled.program, A.Program) else None
    if not compiled.ok or program is None:  # the verifier only reports the front end's failure (its card)
        failed = _verify(compiled, name, bool(strict), sql_schema, None)
        return Analysis(name, compiled, bool(strict), failed, None, tuple(sorted(compiled.diagnostics, key=sort_key)),
                        bool(strict))
    from zigttp.verifier.context import build_context

    try:
        ctx: Context | None = build_context(program)
    except Exception:  # name resolution failed: the verifier reports it (ZTS999) when it retries
        ctx = None
    functions = handler_functions(ctx)
    specs = _declared_specs(functions, program, ctx) if contract else []
    effective = strict if strict is not None else any(n == _CANONICAL for n, _ in specs)
    if ctx is not None:
        ctx.strict = effective
    verification = _verify(compiled, name, effective, sql_schema, ctx)
    diagnostics = _merged(compiled.diagnostics, verification)
    facts = None
    if contract:
        from zigttp.analysis.facts import contract_facts

        # the verifier computed them to discharge a declared Spec: reuse, never twice
        reused = verification.obligations if verification is not None else None
        facts = reused if reused is not None else contract_facts(program, verification, specs, functions)
        seen = {_key(d) for d in diagnostics}
        diagnostics.extend(d for d in facts.spec.diagnostics if _key(d) not in seen)
    return Analysis(name, compiled, effective, verification, facts, tuple(sorted(diagnostics, key=sort_key)),
                    bool(strict))


def handler_functions(ctx: Context | None) -> tuple[A.Node, ...]:
    """The functions that return the Response, as the binder's handler locator found them."""
    if ctx is None or ctx.handler is None:
        return ()
    return tuple(ctx.handler.main)


def _declared_specs(functions: tuple[A.Node, ...], program: A.Program,
                    ctx: Context | None) -> list[tuple[str, A.Node]]:
    from zigttp.analysis.facts.spec import declared_specs

    return declared_specs(list(functions), program, ctx.scopes) if ctx is not None else []


def _verify(compiled: CompileResult, name: str, strict: bool, sql_schema: str | None,
            ctx: Context | None) -> VerifyResult | None:
    from zigttp.verifier.api import verify_compiled

    try:
        return verify_compiled(compiled, strict=strict, path=name, sql_schema=sql_schema, context=ctx)
    except Exception as error:  # a verifier bug must not become a traceback; nothing is proven then
        compiled.diagnostics.append(file_diagnostic(compiled.files[0] if compiled.files else "handler", INTERNAL.code,
                                                    INTERNAL.text(detail=f"verifier: {type(error).__name__}: {error}")))
        return None


def _key(d: Diagnostic) -> tuple[str, str, int, int, str]:
    return d.code, d.file, d.line, d.column, d.message


def _merged(front_end: list[Diagnostic], verification: VerifyResult | None) -> list[Diagnostic]:
    """The front end's diagnostics and the verifier's, each once (the verifier repeats the front end's)."""
    out = list(front_end)
    if verification is None:
        return out
    seen = {(d.code, d.file, d.line, d.column, d.message) for d in out}
    for d in verification.diagnostics:
        if (d.code, d.file, d.line, d.column, d.message) not in seen:
            out.append(d)
    return out
