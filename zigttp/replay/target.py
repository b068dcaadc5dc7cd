"""A handler loaded for replay and tests: the real sandbox, a fresh instance per request, no live secrets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zigttp.loader import LoadedSource, load_handler
from zigttp_host import Grants, Handler, Host, Limits, ModuleConfig
from zigttp_host.tracefile import known_exports


@dataclass
class ReplayTarget:
    loaded: LoadedSource
    host: Host
    handler: Handler
    known: frozenset[tuple[str, str]]  # every (module, fn) an io line may name

    @property
    def state_isolated(self) -> bool | None:
        """The analysis's verdict: does the handler keep module state across requests? None: not analysed."""
        contract = self.loaded.contract
        if contract is None:
            return None
        value = contract.get("properties", {}).get("state_isolated")
        return value if isinstance(value, bool) else None


def load_target(path: Path, *, verify: bool = True, limits: Limits | None = None) -> ReplayTarget:
    """Loads `path` as serve would (analysis, bundle, grants from its contract), each request in a fresh instance.

    No environment reaches it: a replay or test answers env() from the journal. Raises zigttp.loader.LoadError.
    """
    loaded = load_handler(path, verify=verify)
    grants = Grants() if loaded.contract is None else Grants.from_contract(loaded.contract)
    modules = ModuleConfig(env={}, outbound_hosts=tuple(sorted(grants.egress)))
    host = Host(modules=modules)
    handler = host.load(loaded.bundle, limits or Limits(), isolation="fresh", grants=grants)
    return ReplayTarget(loaded, host, handler, known_exports(host.functions))
