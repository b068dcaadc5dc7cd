"""The contract's `properties`: the verifier's facts (zigttp.verifier.properties), made conservative.

The verifier derives read_only, deterministic, pure, stateless, retry_safe,
idempotent, state_isolated, result_safe, optional_safe and the flow
properties from the calls the handler can reach (upstream §5.3). The
contract does not recompute them; it only makes them falser where the
capability extraction saw something the call graph cannot follow: a
virtual-module export used as a value (aliased, stored, passed) is assumed
to be called, with its registry effect. `fault_covered` comes from
`faults.py`. Without a verifier run nothing is proven: every property is
false.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zigttp.analysis.facts.capabilities import Exports, Extraction

if TYPE_CHECKING:
    from zigttp.verifier.properties import HandlerProperties

PROPERTY_KEYS = ("pure", "read_only", "stateless", "retry_safe", "deterministic", "idempotent", "injection_safe",
                 "state_isolated", "result_safe", "optional_safe", "no_secret_leakage", "no_credential_leakage",
                 "input_validated", "fault_covered")
# Further facts a Spec may name (upstream's v1 spec set) that the contract does not list.
EXTRA_KEYS = ("pii_contained", "canonical", "cost_bounded")


@dataclass
class Facts:
    properties: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PROPERTY_KEYS, False))
    extra: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(EXTRA_KEYS, False))
    ran: bool = False  # the verifier produced facts
    causes: dict[str, str] = field(default_factory=dict)  # property → why it does not hold (when known)

    def holds(self, name: str) -> bool:
        if name in self.properties:
            return self.properties[name]
        return self.extra.get(name, False)


def derive_facts(props: HandlerProperties | None, extraction: Extraction, exports: Exports,
                 fault_covered: bool, cost_bounded: bool) -> Facts:
    """`props`: the verifier's properties (None when the verifier did not produce them: nothing is proven)."""
    facts = Facts()
    if props is None:
        return facts
    facts.ran = True
    flags = props.flags()
    for key in PROPERTY_KEYS:
        facts.properties[key] = bool(flags.get(key, False))
    facts.properties["fault_covered"] = fault_covered
    facts.extra["pii_contained"] = bool(flags.get("pii_contained", False))
    facts.extra["canonical"] = flags.get("canonical") is True
    facts.extra["cost_bounded"] = cost_bounded
    _value_uses(facts, extraction, exports)
    _causes(facts, props)
    return facts


def _value_uses(facts: Facts, extraction: Extraction, exports: Exports) -> None:
    p = facts.properties
    for module, name in sorted(extraction.value_uses):
        export = exports.get((module, name))
        effect = export.effect if export is not None else "none"
        capability = export.capability if export is not None else None
        where = f"{module}.{name} is used as a value"
        p["pure"] = False
        if effect == "write" or capability == "egress":
            for key in ("read_only", "stateless", "retry_safe", "idempotent"):
                if p[key]:
                    p[key] = False
                    facts.causes.setdefault(key, where)
        if module == "zigttp:cache" and effect == "read" and p["stateless"]:
            p["stateless"] = False
            facts.causes.setdefault("stateless", where)
        if capability in ("clock", "random"):
            for key in ("deterministic", "idempotent"):
                if p[key]:
                    p[key] = False
                    facts.causes.setdefault(key, where)
        # the flow checker cannot follow a value it does not see called: assume the worst for its sources/sinks
        labels = set(export.labels) if export is not None else set()
        flows = []
        if "secret" in labels:
            flows.append("no_secret_leakage")
        if "credential" in labels:
            flows.append("no_credential_leakage")
        if capability == "egress":
            flows += ["no_secret_leakage", "no_credential_leakage", "input_validated", "injection_safe"]
            facts.extra["pii_contained"] = False
        for key in flows:
            if p[key]:
                p[key] = False
                facts.causes.setdefault(key, where)


def _causes(facts: Facts, props: HandlerProperties) -> None:
    """The first reachable call that breaks each effect property, for Spec diagnostics."""
    for use in props.capabilities:
        where = f"{use.module}.{use.export} at {use.file}:{use.line}:{use.column}"
        if use.effect == "write" or use.capability == "egress":
            for key in ("read_only", "retry_safe", "idempotent", "stateless", "pure"):
                facts.causes.setdefault(key, f"{where} writes")
        if use.capability in ("clock", "random"):
            for key in ("deterministic", "idempotent", "pure"):
                facts.causes.setdefault(key, f"{where} is not deterministic")
        if use.module == "zigttp:cache" and use.effect == "read":
            facts.causes.setdefault("stateless", f"{where} reads the cache")
        facts.causes.setdefault("pure", f"{where} calls a virtual module")
