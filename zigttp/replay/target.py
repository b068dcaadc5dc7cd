"""A handler loaded for replay and tests: the real sandbox, a fresh instance per request, no live secrets."""

from __future__ import annotations

import shutil
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
    durable_dir: Path | None = None  # tests: zigttp:durable's folder, emptied before each case

    def fresh_durable_folder(self) -> None:
        """Each test case starts with no durable runs, signals or timers."""
        if self.durable_dir is not None:
            shutil.rmtree(self.durable_dir, ignore_errors=True)

    @property
    def state_isolated(self) -> bool | None:
        """The analysis's verdict: does the handler keep module state across requests? None: not analysed."""
        contract = self.loaded.contract
        if contract is None:
            return None
        value = contract.get("properties", {}).get("state_isolated")
        return value if isinstance(value, bool) else None


def load_target(path: Path, *, verify: bool = True, limits: Limits | None = None,
                durable_dir: Path | None = None) -> ReplayTarget:
    """Loads `path` as serve would (analysis, bundle, grants from its contract), each request in a fresh instance.

    No environment reaches it: a replay or test answers env() from the journal. `durable_dir`: where
    zigttp:durable keeps runs (tests give a temporary folder). Raises zigttp.loader.LoadError.
    """
    return target_for(load_handler(path, verify=verify), limits=limits, durable_dir=durable_dir)


def target_for(loaded: LoadedSource, *, limits: Limits | None = None, durable_dir: Path | None = None) -> ReplayTarget:
    """A target for a bundle already at hand (`zigttp prove` replays a built bundle with its contract)."""
    grants = Grants() if loaded.contract is None else Grants.from_contract(loaded.contract)
    modules = ModuleConfig(env={}, outbound_hosts=tuple(sorted(grants.egress)),
                           durable_dir=None if durable_dir is None else str(durable_dir))
    host = Host(modules=modules)
    handler = host.load(loaded.bundle, limits or Limits(), isolation="fresh", grants=grants)
    return ReplayTarget(loaded, host, handler, known_exports(host.functions), durable_dir)
