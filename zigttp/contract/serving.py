"""What `zigttp serve` grants a handler: its contract (derived, or `--contract FILE`) plus `--allow-*` names.

    --contract FILE      use a built contract (refused unless its handler sha256 matches the handler)
    --allow-env NAME     (repeatable) grant what the analysis could not prove, by name
    --allow-egress HOST  (repeatable) a host fetch may reach (like --outbound-host)
    --allow-cache NS     (repeatable)
    --allow-sql NAME     (repeatable)
    --no-env-check       do not require the contract's env vars to be set at start
    --security-log FILE  append every capability denial as a JSON line
    --expose-contract    answer GET /_zigttp/contract with the running contract and grants

Without a contract (`--no-verify` plain JavaScript) only the `--allow-*` names are granted.
Contract egress hosts that are IP addresses or `localhost` are not granted automatically: an
operator grants them with --allow-egress (or --outbound-host).
"""

from __future__ import annotations

import argparse
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _host(text: str) -> str:
    from zigttp_host.vm.egress import normalise_host

    try:
        return normalise_host(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _name(text: str) -> str:
    if not text or len(text) > 256:
        raise argparse.ArgumentTypeError(f"expected a name of 1 to 256 characters, got {text!r}")
    return text


def add_contract_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contract", type=Path, default=None, metavar="FILE",
                   help="grant what this contract.json (from `zigttp build`) lists instead of deriving it; refused "
                        "unless its handler.sha256 matches the handler")
    p.add_argument("--allow-env", action="append", default=[], type=_name, metavar="NAME",
                   help="also grant the environment variable NAME (repeatable): for access the analysis could not "
                        "prove")
    p.add_argument("--allow-egress", action="append", default=[], type=_host, metavar="HOST",
                   help="also let fetch reach HOST (repeatable; IP addresses and localhost need this even when the "
                        "contract lists them)")
    p.add_argument("--allow-cache", action="append", default=[], type=_name, metavar="NS",
                   help="also grant the zigttp:cache namespace NS (repeatable)")
    p.add_argument("--allow-sql", action="append", default=[], type=_name, metavar="NAME",
                   help="also grant the SQL statement NAME (repeatable)")
    p.add_argument("--no-env-check", action="store_true",
                   help="start even when an environment variable the contract lists is not set")
    p.add_argument("--security-log", type=Path, default=None, metavar="FILE",
                   help="append every capability denial (env, cache, sql, egress) as one JSON line (safe with "
                        "several workers)")
    p.add_argument("--expose-contract", action="store_true",
                   help="answer GET /_zigttp/contract with the running contract and the effective grants")


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


def serve_grants(args: argparse.Namespace, handler: Path, verified: bool, bundle_name: str) -> ServeGrants:
    from zigttp.contract.hosts import auto_grantable
    from zigttp.contract.schema import ContractError, load_contract
    from zigttp_host.grants import Grants

    contract: dict[str, Any] | None
    if args.contract is not None:
        try:
            contract = load_contract(args.contract)
        except ContractError as e:
            raise ServeContractError(f"error: --contract {e}", 2) from None
        check_contract_matches(contract, handler)
        source = "file"
    elif verified:
        contract = derive_for_serve(handler)
        source = "derived"
    else:
        contract, source = None, "none"
    egress = {*args.allow_egress, *getattr(args, "outbound_host", [])}  # --outbound-host is an egress grant too
    names: dict[str, set[str]] = {"env": set(args.allow_env), "egress": egress,
                                  "cache": set(args.allow_cache), "sql": set(args.allow_sql)}
    not_auto: list[str] = []
    if contract is not None:
        names["env"] |= set(contract["env"])
        names["cache"] |= set(contract["cache"])
        names["sql"] |= set(contract["sql"])
        for host in contract["egress"]:
            if auto_grantable(host):
                names["egress"].add(host)
            elif host not in names["egress"]:
                not_auto.append(host)
        if not args.no_env_check:
            missing = [n for n in contract["env"] if n not in os.environ]
            if missing:
                raise ServeContractError(
                    f"error: the handler reads environment variable{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} (proven by its contract), but {'they are' if len(missing) > 1 else 'it is'}"
                    " not set; set it, or start with --no-env-check", 1)
    log = str(args.security_log.resolve()) if args.security_log is not None else None
    if log is not None:
        try:
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as e:
            raise ServeContractError(f"error: --security-log {args.security_log}: {e}", 2) from None
    grants = Grants(env=names["env"], egress=names["egress"], cache=names["cache"], sql=names["sql"],
                    handler=bundle_name, security_log=log)
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


def with_egress_grants(modules: dict[str, Any], granted: ServeGrants) -> dict[str, Any]:
    """The ModuleConfig settings with the granted egress hosts added to the egress allowlist."""
    out = dict(modules)
    hosts = list(out.get("outbound_hosts") or [])
    out["outbound_hosts"] = list(dict.fromkeys([*hosts, *granted.grants["egress"]]))
    return out
