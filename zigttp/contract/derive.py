"""The contract: a pure rendering of one analysis's facts (zigttp.analysis).

`render_contract(analysis)` turns an `Analysis` into contract.json's
content; `derive(path)` analyses a handler and renders it, returning the
`Derived` view `zigttp build` and the tests read. `derive` never raises for
bad input: front-end errors come back as diagnostics with no contract. The
verifier always runs (its facts are the properties); whether its errors fail
a build is the caller's choice (`zigttp build -Dverify`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zigttp.analysis import Analysis, analyze
from zigttp.analysis.facts.capabilities import CAPABILITIES, Extraction
from zigttp.analysis.facts.faults import FaultCoverage
from zigttp.analysis.facts.properties import PROPERTY_KEYS, Facts
from zigttp.analysis.facts.routes import Api
from zigttp.analysis.facts.spec import SpecResult
from zigttp.compiler.codes import INTERNAL
from zigttp.compiler.diagnostics import Diagnostic
from zigttp.contract.files import display_path, handler_files, sha256_file

if TYPE_CHECKING:
    from zigttp.compiler.linemap import LineMap
    from zigttp.verifier.api import VerifyResult

CONTRACT_VERSION = 2
CONTRACT_KEYS = ("version", "handler", "env", "egress", "cache", "sql", "dynamic", "sqlQueries", "modules",
                 "functions", "routes", "routesDynamic", "schemasDynamic", "behaviors", "behaviorsExhaustive",
                 "properties", "proof")


@dataclass
class Derived:
    path: str  # as shown in the contract
    ok: bool  # the front end accepted the handler (there is a contract)
    diagnostics: list[Diagnostic]  # front end, verifier and Spec discharge
    sources: dict[str, str] = field(default_factory=dict)
    js: str = ""
    line_map: LineMap | None = None
    files: list[str] = field(default_factory=list)
    contract: dict[str, Any] | None = None
    extraction: Extraction | None = None
    facts: Facts | None = None
    api: Api | None = None
    spec: SpecResult | None = None
    faults: FaultCoverage | None = None
    verified: VerifyResult | None = None
    unreadable: bool = False
    analysis: Analysis | None = None

    @property
    def verification_ok(self) -> bool:
        """The verifier ran without errors and every declared Spec property was discharged."""
        return self.verified is not None and self.verified.ok and self.spec is not None and self.spec.ok

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def derive(path: str | os.PathLike[str], *, emit: bool = True) -> Derived:
    return derived_from(analyze(path, emit=emit))


def derived_from(analysis: Analysis) -> Derived:
    """The build's view of an analysis, with its contract rendered."""
    compiled = analysis.compiled
    shown = display_path(analysis.path)
    facts = analysis.contract
    if not analysis.ok or facts is None:
        return Derived(shown, False, list(analysis.diagnostics), dict(compiled.sources), files=list(compiled.files),
                       unreadable=analysis.unreadable, analysis=analysis)
    return Derived(shown, True, list(analysis.diagnostics), dict(compiled.sources), compiled.js, compiled.line_map,
                   list(compiled.files), render_contract(analysis), facts.extraction, facts.properties, facts.api,
                   facts.spec, facts.faults, analysis.verification, analysis=analysis)


def proof_level(analysis: Analysis) -> str:
    """none: nothing proven (no verifier facts); complete: verification passed and no capability is dynamic."""
    facts = analysis.contract
    if facts is None or not facts.properties.ran:
        return "none"
    verification = analysis.verification
    if verification is None or any(d.code == INTERNAL.code for d in verification.diagnostics):
        return "none"  # a checker crashed: its facts are missing
    if verification.ok and facts.spec.ok and not any(facts.extraction.dynamic.values()):
        return "complete"
    return "partial"


def render_contract(analysis: Analysis) -> dict[str, Any]:
    """contract.json's content, from the analysis's facts alone."""
    facts = analysis.contract
    assert facts is not None, "no contract without the front end's program"
    ex = facts.extraction
    entry = analysis.path
    handler = {"path": display_path(entry), "sha256": sha256_file(entry),
               "files": handler_files(entry, analysis.compiled.files)}
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
        "routes": [r.to_dict() for r in facts.api.routes],
        "routesDynamic": facts.api.routes_dynamic,
        "schemasDynamic": facts.api.schemas_dynamic,
        "behaviors": [b.to_dict() for b in facts.behaviours.paths],
        "behaviorsExhaustive": facts.behaviours.exhaustive,
        "properties": {k: facts.properties.properties[k] for k in PROPERTY_KEYS},
        "proof": proof_level(analysis),
    }
    assert tuple(contract) == CONTRACT_KEYS
    if facts.durable is not None:  # only handlers that use zigttp:durable have the section
        contract["durable"] = facts.durable.to_dict(handler["path"])
    return contract
