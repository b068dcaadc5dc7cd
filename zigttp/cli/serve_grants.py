"""What `zigttp serve` grants a handler: its contract (derived, or `--contract FILE`) plus `--allow-*` names.

The flags (declared in serve.add_grant_arguments):

    --contract FILE      use a built contract (refused unless its handler sha256 matches the handler)
    --allow-env NAME     (repeatable) grant what the analysis could not prove, by name
    --allow-egress HOST  (repeatable) an origin fetch may reach, `host` (https 443, http 80) or `host:port`
                         (like --outbound-host)
    --allow-cache NS     (repeatable)
    --allow-sql NAME     (repeatable)
    --no-env-check       do not require the contract's env vars to be set at start
    --security-log FILE  append every capability denial as a JSON line
    --expose-contract    answer GET /_zigttp/contract with the running contract and grants

Every path builds explicit Grants, never "unchecked": with a contract, the contract's names
(`Grants.from_contract`, shared with embedders) plus the `--allow-*` names; without one (`--no-verify`
plain JavaScript) only the `--allow-*` names; `--no-env-check` only skips the start-up check that the
contract's variables are set. Contract egress entries that are IP addresses or `localhost` are not
granted automatically: an operator grants them with --allow-egress (or --outbound-host).
"""

from __future__ import annotations

import argparse
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

CACHE_MODE = "contract"


class ServeContractError(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class ServeGrants:
    contract: dict[str, Any] | None  # None: no contract (--no-verify)
    grants: dict[str, Any]  # zigttp_host.grants.Grants.to_dict()
    not_auto_granted: list[str]  # contract egress hosts that need an explicit grant
    source: str  # "derived", "file", "none"

    def exposed(self) -> dict[str, Any]:
        """GET /_zigttp/contract (--expose-contract): the running contract and what is granted."""
        return {"contract": self.contract,
                "grants": {c: self.grants[c] for c in ("env", "egress", "cache", "sql")}}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_contract_matches(contract: dict[str, Any], handler: Path) -> None:
    """Refuses a contract built from other sources than the handler being served."""
    try:
        digest = _sha256(handler)
    except OSError as e:
        raise ServeContractError(f"error: cannot read {handler}: {e}", 2) from None
    if contract["handler"]["sha256"] != digest:
        raise ServeContractError(
            f"error: the contract was built from another version of {handler} (its handler.sha256 "
            f"{contract['handler']['sha256'][:12]}… is not the file's {digest[:12]}…); rebuild it with "
            f"`zigttp build {handler}`", 1)
    base = handler.resolve().parent
    for rel, expected in contract["handler"]["files"].items():
        try:
            found = _sha256(base / rel)
        except OSError:
            found = None
        if found != expected:
            raise ServeContractError(
                f"error: the contract was built from another version of {rel} (imported by {handler}); rebuild "
                f"it with `zigttp build {handler}`", 1)


def derive_for_serve(handler: Path) -> dict[str, Any]:
    """The handler's contract, from the content-addressed cache when its files are unchanged."""
    from zigttp import compile_cache
    from zigttp.contract.files import display_path
    from zigttp_host.paths import cache_dir

    root = cache_dir() / "compiled"
    cached = compile_cache.lookup(root, handler, CACHE_MODE)
    if cached is not None and isinstance(cached.get("contract"), dict):
        contract = cached["contract"]
        contract["handler"]["path"] = display_path(handler)
        return contract  # type: ignore[no-any-return]
    from zigttp.contract.derive import derive

    try:
        derived = derive(handler, emit=False)
    except Exception as error:  # a bug in the analysis: fail closed, never a traceback
        raise ServeContractError(f"internal error: cannot derive the contract of {handler}: "
                                 f"{type(error).__name__}: {error}", 1) from None
    if derived.contract is None:
        from zigttp.compiler import render_text

        raise ServeContractError(render_text(derived.diagnostics, derived.sources).rstrip(), 1)
    compile_cache.store(root, handler, CACHE_MODE, derived.files, {"contract": derived.contract})
    return derived.contract


def _contract(args: argparse.Namespace, handler: Path, verified: bool,
              derived: Derivation | None) -> tuple[dict[str, Any] | None, str]:
    """The contract to grant from and where it came from: `--contract FILE`, derived, or none (--no-verify)."""
    from zigttp.contract.schema import ContractError, load_contract

    if args.contract is not None:
        try:
            contract = load_contract(args.contract)
        except ContractError as e:
            raise ServeContractError(f"error: --contract {e}", 2) from None
        check_contract_matches(contract, handler)
        return contract, "file"
    if not verified:
        return None, "none"
    if derived is None:
        return derive_for_serve(handler), "derived"
    if derived.contract is None:
        raise ServeContractError(derived.contract_error or f"internal error: no contract for {handler}", 1)
    return derived.contract, "derived"


def _check_env(contract: dict[str, Any]) -> None:
    missing = [n for n in contract["env"] if n not in os.environ]
    if missing:
        raise ServeContractError(
            f"error: the handler reads environment variable{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (proven by its contract), but {'they are' if len(missing) > 1 else 'it is'}"
            " not set; set it, or start with --no-env-check", 1)


def _security_log(args: argparse.Namespace) -> str | None:
    if args.security_log is None:
        return None
    log = str(args.security_log.resolve())
    try:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as e:
        raise ServeContractError(f"error: --security-log {args.security_log}: {e}", 2) from None
    return log


class Derivation(Protocol):
    """The contract the loader derived from the same analysis as the bundle (zigttp.loader.LoadedSource)."""

    contract: dict[str, Any] | None
    contract_error: str | None


def serve_grants(args: argparse.Namespace, handler: Path, verified: bool, bundle_name: str,
                 derived: Derivation | None = None) -> ServeGrants:
    """`derived`: the loaded handler, whose analysis already rendered the contract (else it is derived here)."""
    from zigttp_host.grants import Grants, contract_egress

    contract, source = _contract(args, handler, verified, derived)
    egress = {*args.allow_egress, *getattr(args, "outbound_host", [])}  # --outbound-host is an egress grant too
    grants = Grants(env=args.allow_env, egress=egress, cache=args.allow_cache, sql=args.allow_sql)
    not_auto: list[str] = []
    if contract is not None:
        try:
            grants = grants.union(Grants.from_contract(contract))
            not_auto = [e for e in contract_egress(contract)[1] if e not in grants.egress]
        except ValueError as e:  # a contract file can hold what the schema allows but the host refuses
            raise ServeContractError(f"error: the contract cannot be granted: {e}", 2) from None
        if not args.no_env_check:
            _check_env(contract)
    grants = replace(grants, handler=bundle_name, security_log=_security_log(args))
    return ServeGrants(contract, grants.to_dict(), sorted(not_auto), source)


def describe(granted: ServeGrants) -> str:
    """One line for the start-up banner."""
    g = granted.grants
    parts = [f"{c} [{', '.join(g[c])}]" for c in ("env", "egress", "cache", "sql")]
    if granted.contract is None:
        head = "grants (no contract: only --allow-* names)"
    else:
        head = f"grants from the {'given' if granted.source == 'file' else 'derived'} contract " \
               f"(proof: {granted.contract['proof']})"
    line = f"zigttp: {head}: {'; '.join(parts)}"
    if granted.not_auto_granted:
        line += (f"\nzigttp: contract egress {', '.join(granted.not_auto_granted)} is not granted automatically "
                 "(IP address or localhost): grant it with --allow-egress")
    return line

