"""The facts a contract renders, derived once from the analysis's program, binder scopes and verifier results.

Each module derives one kind of fact from the AST, the binder's scopes and
the verifier's expression types and properties:

* capabilities.py: env names, egress hosts, cache namespaces, SQL statements;
* routes.py: routes, their parameters, request schemas, responses and auth
  (with shapes.py for payload schemas and values.py for literal JSON);
* behaviours.py: behaviour paths (the verifier's paths, with their answers);
* faults.py: fault coverage of critical I/O calls;
* cost.py: I/O calls repeated an unbounded number of times;
* properties.py: the verifier's properties made conservative;
* spec.py: the declared `Spec<...>` and its discharge (ZTS500-502);
* durable.py: run keys, steps, timers, signals and the graph of each run body.

literals.py proves const strings and function values through the binder's
scopes; hosts.py normalises egress origins like the host's policy. The
contract package (zigttp.contract) only renders these facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zigttp.analysis.facts.behaviours import Behaviours, behaviours
from zigttp.analysis.facts.capabilities import Extraction, extract, registry_exports
from zigttp.analysis.facts.cost import unbounded_io
from zigttp.analysis.facts.durable import DurableFacts, durable_facts
from zigttp.analysis.facts.faults import FaultCoverage, fault_coverage
from zigttp.analysis.facts.literals import Literals
from zigttp.analysis.facts.properties import Facts, derive_facts
from zigttp.analysis.facts.routes import Api, ApiReader
from zigttp.analysis.facts.spec import SpecResult, discharge
from zigttp.compiler import ast as A

if TYPE_CHECKING:
    from zigttp.verifier.api import VerifyResult

__all__ = ["ContractFacts", "contract_facts"]


@dataclass(frozen=True)
class ContractFacts:
    """What the contract renders, beyond the verifier's own facts."""

    extraction: Extraction  # capabilities: proven names, dynamic flags and sites, SQL queries, modules
    api: Api  # routes, their parameters, request and response schemas
    faults: FaultCoverage
    properties: Facts  # the verifier's properties made conservative, with fault_covered and cost_bounded
    spec: SpecResult  # the declared Spec<...> and its discharge
    handler_functions: tuple[A.Node, ...]  # the functions that return the Response
    behaviours: Behaviours  # behaviour paths: decisions and what each answers
    durable: DurableFacts | None = None  # None: the handler does not use zigttp:durable


def contract_facts(program: A.Program, verification: VerifyResult | None, specs: list[tuple[str, A.Node]],
                   functions: tuple[A.Node, ...]) -> ContractFacts:
    """Every contract fact of `program`, from the binder's scopes and the verifier's types and properties."""
    context = verification.context if verification is not None else None
    literals = Literals(program, context.scopes if context is not None else None)
    exports = registry_exports()
    extraction = extract(program, literals)
    analyzer = verification.analyzer if verification is not None else None
    handler = context.handler if context is not None else None
    reader = ApiReader(program, literals, analyzer.expr_types if analyzer is not None else None, handler)
    try:
        api = reader.run()
    except RecursionError:
        api = Api(routes_dynamic=True)
    faults = fault_coverage(program, reader, exports)
    properties = verification.properties if verification is not None else None
    facts = derive_facts(properties, extraction, exports, faults.is_covered,
                         not unbounded_io(program, literals, exports))
    imported = {imp.specifier for m in program.modules for imp in m.imports if not imp.type_only}
    spec = discharge(specs, facts, imported)
    paths = verification.paths if verification is not None else None
    return ContractFacts(extraction, api, faults, facts, spec, functions, behaviours(paths, program, reader),
                         durable_facts(program, literals))
