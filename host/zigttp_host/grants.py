"""What the host grants a handler, enforced at the host boundary.

A handler may read exactly the environment variables, cache namespaces and
SQL statements named in its `Grants`; anything else is a capability denial
(an uncatchable error in the guest, HTTP 500 `capability_denied`). It may
fetch exactly the origins in `Grants.egress` (`host` = https on 443 and http
on 80, `host:port` = that port; virtual_modules/egress.py): they are the egress
policy's allowlist for that handler (`GrantTable.egress_policy`), which checks
every hop, redirects and parallel/race requests included; a refused request
is a 599 response. Every denial is appended to the security log when one is
configured.

`zigttp serve` builds Grants from the handler's contract (the names the
analysis proved) plus the operator's `--allow-*` names; embedders pass them
to `Host.load(..., grants=...)`, or build them from a contract.json with
`Grants.from_contract` (this module never needs the toolchain). Least
privilege is the default: `Host.load` without grants grants nothing. Only
`Grants.unrestricted_unsafe()` skips the name checks (every env var, cache
namespace and SQL statement the Host has, and the Host's own egress
allowlist), and `Host.load` logs a warning when it is used.

The check runs in `imports.host_call` before the implementation, for the
exports whose registry entry names a capability and the argument that names
its target (`Export.capability`, `Export.capability_arg`): one dict lookup
per host call, one set lookup per capability call.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from .registry import CapabilityDenied, HostFunctions
from .virtual_modules.egress import EgressPolicy, ip_literal, normalise_grant, parse_grant

if TYPE_CHECKING:
    from .imports import CallContext

# Capabilities checked by name at the host boundary; egress is checked by the egress policy.
NAMED_CAPABILITIES = ("env", "cache", "sql")
CAPABILITIES = ("env", "egress", "cache", "sql")
# cacheStats() without a namespace reads every namespace's counters: it is
# granted only as this pseudo-name (a contract lists it for such a call).
ALL_NAMESPACES = "*"
MAX_NAME = 256
SECURITY_EVENT_BYTES = 512  # what one security-log event is charged against the request's log budget
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")
# Registrations run at module scope (no grants are active there) and name
# nothing the handler can read: the statement is checked when it is used.
_REGISTRATIONS = frozenset({("zigttp:sql", "sql")})

Implementation = Callable[["CallContext", list[Any]], Any]
Guard = Callable[["CallContext", Implementation, list[Any]], Any]


def _names(values: Iterable[str] | None) -> frozenset[str]:
    if isinstance(values, str):  # a lone string would grant its characters
        raise ValueError(f"grants are sets of names, not the string {values[:40]!r}")
    return frozenset(str(v) for v in values or ())


@dataclass(frozen=True)
class Grants:
    """The names one handler may reach. `egress` holds canonical origins: `host` or `host:port`.

    `Grants()` grants nothing. `unrestricted` (set it only through `Grants.unrestricted_unsafe()`)
    skips the env/cache/sql checks; `Host.load` gives such grants the Host's own egress allowlist.
    """

    env: frozenset[str] = frozenset()
    egress: frozenset[str] = frozenset()
    cache: frozenset[str] = frozenset()
    sql: frozenset[str] = frozenset()
    handler: str = ""  # names the handler in security-log lines
    security_log: str | None = None  # JSONL file denials are appended to
    unrestricted: bool = False

    def __post_init__(self) -> None:
        for name in CAPABILITIES:
            object.__setattr__(self, name, _names(getattr(self, name)))
        # a bad entry is an error here, at load, not a failed fetch later
        object.__setattr__(self, "egress", frozenset(normalise_grant(e) for e in self.egress))

    @classmethod
    def unrestricted_unsafe(cls, *, handler: str = "", security_log: str | None = None) -> Grants:
        """Everything the Host is configured with: for the Host's own trusted code, never a tenant's."""
        return cls(handler=handler, security_log=security_log, unrestricted=True)

    @classmethod
    def from_contract(cls, contract: object, *, handler: str = "", security_log: str | None = None) -> Grants:
        """What `zigttp serve` grants from a contract.json (version 1 or 2), less the `--allow-*` names.

        Contract egress entries that are IP addresses or `localhost` are left out (`contract_egress`): an
        operator grants those explicitly. ValueError with a clear message for anything that is not a contract.
        """
        lists = _contract_lists(contract)
        granted, _ = contract_egress(contract)
        return cls(env=lists["env"], egress=granted, cache=lists["cache"], sql=lists["sql"], handler=handler,
                   security_log=security_log)

    def allowed(self, capability: str) -> frozenset[str]:
        return getattr(self, capability)  # type: ignore[no-any-return]

    def union(self, other: Grants) -> Grants:
        return Grants(env=self.env | other.env, egress=self.egress | other.egress, cache=self.cache | other.cache,
                      sql=self.sql | other.sql, handler=self.handler or other.handler,
                      security_log=self.security_log or other.security_log,
                      unrestricted=self.unrestricted or other.unrestricted)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: sorted(getattr(self, name)) for name in CAPABILITIES}
        out["handler"] = self.handler
        out["security_log"] = self.security_log
        if self.unrestricted:  # only then: the JSON form of ordinary grants is unchanged
            out["unrestricted"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grants:
        unknown = set(data) - {*CAPABILITIES, "handler", "security_log", "unrestricted"}
        if unknown:
            raise ValueError(f"unknown grant settings: {', '.join(sorted(unknown))}")
        if data.get("unrestricted") not in (None, True, False):
            raise ValueError("the grant setting 'unrestricted' must be true or false")
        return cls(**{k: v for k, v in data.items()})


# ---------- grants from a contract ----------

CONTRACT_VERSIONS = (1, 2)  # contract.json versions a contract's capability lists are read from

def _contract_lists(contract: object) -> dict[str, list[str]]:
    """The capability lists of a contract, checked just enough to grant from them.

    Both versions list capabilities the same way: version 2 only added facts `zigttp prove` reads.
    """
    if not isinstance(contract, Mapping):
        raise ValueError("a contract must be a JSON object (contract.json from `zigttp build`)")
    if contract.get("version") not in CONTRACT_VERSIONS:
        raise ValueError(f"not a zigttp contract of version 1 or 2 (version: {contract.get('version')!r})")
    out: dict[str, list[str]] = {}
    for name in CAPABILITIES:
        value = contract.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= MAX_NAME for v in value):
            raise ValueError(f"the contract's {name!r} must be a list of strings (names of 1 to {MAX_NAME} "
                             "characters)")
        out[name] = value
    return out


def auto_grantable(entry: str) -> bool:
    """Contract egress entries granted without an operator: host names, not IP addresses or localhost."""
    host, _ = parse_grant(entry)
    return ip_literal(host) is None and host != "localhost" and not host.endswith(".localhost")


def contract_egress(contract: object) -> tuple[list[str], list[str]]:
    """The contract's egress entries (canonical): (granted from the contract, left to the operator)."""
    granted: list[str] = []
    operator: list[str] = []
    for entry in _contract_lists(contract)["egress"]:
        canonical = normalise_grant(entry)
        (granted if auto_grantable(canonical) else operator).append(canonical)
    return granted, operator


# ---------- the security log ----------

class SecurityLog:
    """Appends one JSON line per event to a file shared by every worker process.

    The file is opened with O_APPEND and each line is written with a single
    write(2), so lines from several processes never interleave. Events carry
    names (variable names, namespaces, host names), never values.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()

    def write(self, event: Mapping[str, Any]) -> None:
        line = orjson.dumps(dict(event)) + b"\n"
        with self._lock:
            try:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
                os.write(self._fd, line)
            except OSError:
                import logging

                logging.getLogger("zigttp.security").warning("cannot write the security log %s", self.path)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _timestamp() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def shown_name(name: object) -> str:
    """A denied name as responses and logs show it: strings (bounded), other values by type."""
    if isinstance(name, str):
        return name if len(name) <= MAX_NAME else name[:MAX_NAME] + "…"
    return f"<{'undefined' if name is None else type(name).__name__}>"


# ---------- the check at the host boundary ----------

class GrantTable:
    """Grants compiled against one host's function ids: host-call id → guard."""

    def __init__(self, grants: Grants, functions: HostFunctions) -> None:
        from .modules import exports_of

        self.grants = grants
        self.log = SecurityLog(grants.security_log) if grants.security_log else None
        # the egress policy's allowlist is exactly the granted origins (Host.load put the Host's own
        # allowlist into unrestricted grants); the Host's resolver is a test hook
        resolver = functions.runtime.config.resolver if functions.runtime is not None else None
        self.egress_policy = EgressPolicy(grants.egress, resolver)
        self.guards: dict[int, Guard] = {}
        for spec, names in functions.modules.items():
            exports = exports_of(spec)
            for name, fn_id in names.items():
                export = exports.get(name)
                if export is None or (spec, name) in _REGISTRATIONS:
                    continue
                capability = export.capability
                if capability in NAMED_CAPABILITIES and not grants.unrestricted:
                    # no argument names the target: only a grant of "*" covers it
                    self.guards[fn_id] = self._named(capability, export.capability_arg, f"{spec}.{name}")
                elif capability == "egress":
                    self.guards[fn_id] = self._egress(f"{spec}.{name}")

    def report(self, capability: str, name: str, reason: str, **extra: Any) -> None:
        if self.log is None:
            return
        event = {"ts": _timestamp(), "event": "capability_denied", "capability": capability, "name": name,
                 "handler": self.grants.handler, "reason": reason, **extra, "pid": os.getpid()}
        self.log.write(event)

    def _named(self, capability: str, index: int | None, function: str) -> Guard:
        allowed = self.grants.allowed(capability)
        report = self.report

        def guard(ctx: CallContext, impl: Implementation, args: list[Any]) -> Any:
            name = args[index] if index is not None and index < len(args) else None
            if name is None and (capability == "cache" or index is None):
                name = ALL_NAMESPACES
            if type(name) is str and name in allowed:
                return impl(ctx, args)
            shown = shown_name(name)
            if capability == "env" and type(name) is str and not _ENV_NAME.match(name):
                shown = f"<not a variable name, {len(name)} characters>"  # could be a value: never shown
            report(capability, shown, "not granted by the contract or an --allow flag", function=function)
            raise CapabilityDenied(capability, shown)

        return guard

    def _egress(self, function: str) -> Guard:
        """Logs the refusals of the egress policy (fetch, and parallel/race results)."""
        report = self.report

        def guard(ctx: CallContext, impl: Implementation, args: list[Any]) -> Any:
            result = impl(ctx, args)
            for r in result if isinstance(result, list) else (result,):
                # a refusal is catchable (599), so a loop could write one event per call: the
                # events count against the request's log budget like its own lines
                if isinstance(r, dict) and r.get("error") == "EgressDenied" and ctx.charge_log(SECURITY_EVENT_BYTES):
                    report("egress", egress_host(r.get("url")), str(r.get("details", ""))[:512],
                           function=function)
            return result

        return guard


def egress_host(url: object) -> str:
    """The host a URL names (the part after any user@), normalised when possible; never the path or query."""
    if not isinstance(url, str):
        return shown_name(url)
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return "<invalid URL>"
    try:
        from .virtual_modules.egress import normalise_host

        return normalise_host(host)
    except (ValueError, ImportError):
        return shown_name(host)


def compile_grants(grants: Grants | None, functions: HostFunctions) -> GrantTable | None:
    return None if grants is None else GrantTable(grants, functions)
