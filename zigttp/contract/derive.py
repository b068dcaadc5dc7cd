"""From a handler file to its contract: compile, verify, extract, discharge, assemble.

`derive(path)` never raises for bad input: front-end errors come back as
diagnostics with no contract. The verifier always runs (its facts are the
properties); whether its errors fail a build is the caller's choice
(`zigttp build -Dverify`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from zigttp.compiler import ast as A
from zigttp.compiler.diagnostics import Diagnostic, file_diagnostic, sort_key
from zigttp.contract.cost import unbounded_io
from zigttp.contract.extract import CAPABILITIES, Extraction, _registry_exports, extract
from zigttp.contract.faults import FaultCoverage, fault_coverage
from zigttp.contract.files import display_path, handler_files, sha256_file
from zigttp.contract.handler import handler_functions
from zigttp.contract.literals import Literals
from zigttp.contract.properties import PROPERTY_KEYS, Facts, derive_facts
from zigttp.contract.routes import Api, ApiReader
from zigttp.contract.spec import SpecResult, declared_specs, discharge

CONTRACT_VERSION = 1
CONTRACT_KEYS = ("version", "handler", "env", "egress", "cache", "sql", "dynamic", "sqlQueries", "modules",
                 "functions", "routes", "properties", "proof")


@dataclass
class Derived:
    path: str  # as shown in the contract
    ok: bool  # the front end accepted the handler (there is a contract)
    diagnostics: list[Diagnostic]  # front end, verifier and Spec discharge
    sources: dict[str, str] = field(default_factory=dict)
    js: str = ""
    line_map: Any = None
    files: list[str] = field(default_factory=list)
    contract: dict[str, Any] | None = None
    extraction: Extraction | None = None
    facts: Facts | None = None
    api: Api | None = None
    spec: SpecResult | None = None
    faults: FaultCoverage | None = None
    verified: Any = None  # zigttp.verifier.VerifyResult
    unreadable: bool = False

    @property
    def verification_ok(self) -> bool:
        """The verifier ran without errors and every declared Spec property was discharged."""
        return (self.verified is not None and bool(getattr(self.verified, "ok", False))
                and self.spec is not None and self.spec.ok)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def derive(path: str | os.PathLike[str], *, emit: bool = True) -> Derived:
    from zigttp.compiler import compile_file

    name = os.fspath(path)
    compiled = compile_file(name, emit=emit)
    shown = display_path(name)
    diagnostics = list(compiled.diagnostics)
    program = compiled.program if isinstance(compiled.program, A.Program) else None
    if not compiled.ok or program is None:
        return Derived(shown, False, sorted(diagnostics, key=sort_key), dict(compiled.sources),
                       files=list(compiled.files), unreadable=any(d.code == "ZTS000" for d in diagnostics))
    derived = Derived(shown, True, diagnostics, dict(compiled.sources), compiled.js if emit else "",
                      compiled.line_map, list(compiled.files))
    verified = _verify(compiled, strict=False)
    derived.verified = verified
    if verified is not None:
        seen = {(d.code, d.file, d.line, d.column, d.message) for d in diagnostics}
        for d in verified.diagnostics:
            if (d.code, d.file, d.line, d.column, d.message) not in seen:
                diagnostics.append(d)
    found = getattr(verified, "obligations", None)
    if isinstance(found, Obligations):
        obligations = found  # the verifier discharged the Spec; its diagnostics came with the others
    else:  # the verifier did not run: nothing is proven, every declared property is reported
        obligations = discharge_obligations(program, verified, declared_obligations(program))
        diagnostics.extend(obligations.spec.diagnostics)
    analysis = obligations.analysis or contract_analysis(program, verified)
    derived.diagnostics = sorted(diagnostics, key=sort_key)
    derived.extraction, derived.facts, derived.api = analysis.extraction, analysis.facts, analysis.api
    derived.spec, derived.faults = obligations.spec, analysis.faults
    derived.contract = assemble(derived, name)
    return derived


@dataclass
class ContractAnalysis:
    """What the contract and the Spec discharge are read from, beyond the verifier's own result."""

    extraction: Extraction
    api: Api
    faults: FaultCoverage
    facts: Facts


@dataclass
class Obligations:
    """A handler's declared `Spec<...>` discharged against its facts (`analysis` is None without a Spec)."""

    spec: SpecResult
    analysis: ContractAnalysis | None = None


def declared_obligations(program: A.Program) -> list[tuple[str, A.Node]]:
    """Every name in a `Spec<...>` on the handler's return type, with its node."""
    literals = Literals(program)
    return declared_specs(handler_functions(program, literals), program, literals)


def contract_analysis(program: A.Program, verified: Any) -> ContractAnalysis:
    literals = Literals(program)
    exports = _registry_exports()
    extraction = extract(program)
    reader = ApiReader(program, literals, _expression_types(verified, program))
    try:
        api = reader.run()
    except RecursionError:
        api = Api(routes_dynamic=True)
    faults = fault_coverage(program, reader, exports)
    facts = derive_facts(verified, extraction, exports, faults.is_covered,
                         not unbounded_io(program, literals, exports))
    return ContractAnalysis(extraction, api, faults, facts)


def discharge_obligations(program: A.Program, verified: Any,
                          declared: list[tuple[str, A.Node]]) -> Obligations:
    """The one Spec discharge `verify`, `build` and `serve` share (ZTS500-502)."""
    if not declared:
        return Obligations(SpecResult())
    analysis = contract_analysis(program, verified)
    imported = {imp.specifier for m in program.modules for imp in m.imports if not imp.type_only}
    return Obligations(discharge(declared, analysis.facts, imported), analysis)


def _verify(compiled: Any, strict: bool) -> Any:
    try:
        from zigttp.verifier import verify_compiled
    except ImportError:  # pragma: no cover - the verifier is part of zigttp
        return None
    try:
        return verify_compiled(compiled, strict=strict)
    except Exception as error:  # a verifier bug must not become a traceback; nothing is proven then
        compiled.diagnostics.append(file_diagnostic(compiled.files[0] if compiled.files else "handler", "ZTS999",
                                                    f"internal compiler error: verifier: {type(error).__name__}: "
                                                    f"{error}"))
        return None


def _expression_types(verified: Any, program: A.Program) -> dict[int, Any] | None:
    """The verifier's inferred type per expression node, for response schemas."""
    analyzer = getattr(verified, "analyzer", None)
    if analyzer is None:
        try:
            from zigttp.verifier.checks import run_typed
            from zigttp.verifier.context import build_context

            analyzer = run_typed(build_context(program), [])
        except Exception:
            return None
    return getattr(analyzer, "expr_types", None)


def proof_level(derived: Derived) -> str:
    """none: nothing proven (no verifier facts); complete: verification passed and no capability is dynamic."""
    if derived.facts is None or not derived.facts.ran or derived.extraction is None:
        return "none"
    if any(d.code == "ZTS999" for d in getattr(derived.verified, "diagnostics", [])):
        return "none"  # a checker crashed: its facts are missing"
    if derived.verification_ok and not any(derived.extraction.dynamic.values()):
        return "complete"
    return "partial"


def assemble(derived: Derived, entry: str) -> dict[str, Any]:
    ex = derived.extraction
    assert ex is not None and derived.facts is not None and derived.api is not None
    handler = {"path": derived.path, "sha256": sha256_file(entry), "files": handler_files(entry, derived.files)}
    contract: dict[str, Any] = {
        "version": CONTRACT_VERSION,
        "handler": handler,
        "env": ex.names("env"),
        "egress": ex.names("egress"),
        "cache": ex.names("cache"),
        "sql": ex.names("sql"),
        "dynamic": {c: ex.dynamic[c] for c in CAPABILITIES},
        "sqlQueries": [{"name": q.name, "statement": q.statement, "operation": q.operation, "tables": list(q.tables)}
                       for q in ex.sql_queries],
        "modules": ex.modules,
        "functions": {m: sorted(ex.functions[m]) for m in ex.modules},
        "routes": [r.to_dict() for r in derived.api.routes],
        "properties": {k: derived.facts.properties[k] for k in PROPERTY_KEYS},
        "proof": proof_level(derived),
    }
    assert tuple(contract) == CONTRACT_KEYS
    return contract
