"""What the host grants a handler, enforced at the host boundary.

A handler may read exactly the environment variables, cache namespaces and
SQL statements named in its `Grants`; anything else is a capability denial
(an uncatchable error in the guest, HTTP 500 `capability_denied`). It may
fetch exactly the hosts in `Grants.egress`: they become the egress policy's
allowlist for that handler (`with_egress_grants`), which checks every hop,
redirects and parallel/race requests included; a refused request is a 599
response. Every denial is appended to the security log when one is
configured.

`zigttp serve` builds Grants from the handler's contract (the names the
analysis proved) plus the operator's `--allow-*` names; embedders pass them
to `Host.load(..., grants=...)`. No Grants (None): nothing is checked here.

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

if TYPE_CHECKING:
    from .imports import CallContext

# Capabilities checked by name at the host boundary; egress is checked by the egress policy.
NAMED_CAPABILITIES = ("env", "cache", "sql")
CAPABILITIES = ("env", "egress", "cache", "sql")
# cacheStats() without a namespace reads every namespace's counters: it is
# granted only as this pseudo-name (a contract lists it for such a call).
ALL_NAMESPACES = "*"
MAX_NAME = 256
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")
# Registrations run at module scope (no grants are active there) and name
# nothing the handler can read: the statement is checked when it is used.
_REGISTRATIONS = frozenset({("zigttp:sql", "sql")})

Implementation = Callable[["CallContext", list[Any]], Any]
Guard = Callable[["CallContext", Implementation, list[Any]], Any]


def _names(values: Iterable[str] | None) -> frozenset[str]:
    return frozenset(str(v) for v in values or ())


@dataclass(frozen=True)
class Grants:
    """The names one handler may reach. `egress` holds normalised host names."""

    env: frozenset[str] = frozenset()
    egress: frozenset[str] = frozenset()
    cache: frozenset[str] = frozenset()
    sql: frozenset[str] = frozenset()
    handler: str = ""  # names the handler in security-log lines
    security_log: str | None = None  # JSONL file denials are appended to

    def __post_init__(self) -> None:
        for name in CAPABILITIES:
            object.__setattr__(self, name, _names(getattr(self, name)))

    def allowed(self, capability: str) -> frozenset[str]:
        return getattr(self, capability)  # type: ignore[no-any-return]

    def union(self, other: Grants) -> Grants:
        return Grants(env=self.env | other.env, egress=self.egress | other.egress, cache=self.cache | other.cache,
                      sql=self.sql | other.sql, handler=self.handler or other.handler,
                      security_log=self.security_log or other.security_log)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: sorted(getattr(self, name)) for name in CAPABILITIES}
        out["handler"] = self.handler
        out["security_log"] = self.security_log
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grants:
        unknown = set(data) - {*CAPABILITIES, "handler", "security_log"}
        if unknown:
            raise ValueError(f"unknown grant settings: {', '.join(sorted(unknown))}")
        return cls(**{k: v for k, v in data.items()})


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
        self.guards: dict[int, Guard] = {}
        for spec, names in functions.modules.items():
            exports = exports_of(spec)
            for name, fn_id in names.items():
                export = exports.get(name)
                if export is None or (spec, name) in _REGISTRATIONS:
                    continue
                capability = export.capability
                if capability in NAMED_CAPABILITIES:
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
                if isinstance(r, dict) and r.get("error") == "EgressDenied":
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
        from .vm.egress import normalise_host

        return normalise_host(host)
    except (ValueError, ImportError):
        return shown_name(host)


def with_egress_grants(functions: HostFunctions, grants: Grants | None) -> HostFunctions:
    """The host functions over a module runtime whose egress allowlist is exactly `grants.egress`.

    Shares the Host's runtime (and its resources) when the allowlists already agree, as under `zigttp serve`.
    """
    if grants is None:
        return functions
    from dataclasses import replace

    from .vm.config import ModuleConfig
    from .vm.runtime import ModuleRuntime

    config = functions.runtime.config if functions.runtime is not None else ModuleConfig()
    if set(config.outbound_hosts) == set(grants.egress):
        return functions
    return functions.bind(ModuleRuntime(replace(config, outbound_hosts=tuple(sorted(grants.egress)))))


def compile_grants(grants: Grants | None, functions: HostFunctions) -> GrantTable | None:
    return None if grants is None else GrantTable(grants, functions)
