"""Handler properties and capability facts, derived from what the handler can reach.

Reusable by the contract extractor: `derive_properties` needs only the
verification context, the typed analysis, the flow facts and the diagnostics.
Nothing here is *demanded* of a handler (that is Spec discharge, ZTS500–502);
the facts are computed and reported.

Definitions (upstream §5.3, over every function the handler can reach):
* read_only — no reachable write-effect call (registry `effect == "write"`, or egress).
* deterministic — no `Date.now()`, `Math.random()`, `performance.now()`, nor an
  export whose capability is `clock` or `random`.
* pure — no virtual-module call, no egress, and deterministic.
* stateless — read_only and no zigttp:cache read.
* retry_safe — read_only (durable steps are not modelled yet, so writes are never retry-safe).
* idempotent — deterministic and retry_safe.
* state_isolated / result_safe / optional_safe / exhaustive_returns / no_unreachable —
  no ZTS310 / ZTS303 / ZTS308–309 / ZTS302 / ZTS304.
* flow properties — from the flow checker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen
from zigttp.compiler.diagnostics import Diagnostic
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.context import Context
from zigttp.verifier.flow import FlowFacts

NONDETERMINISTIC_BUILTINS = frozenset({"Date.now", "Math.random", "performance.now"})
EGRESS_BUILTINS = frozenset({"fetchSync"})

# The canonical profile's codes: none reported means the handler is canonical.
_STRICT_CODES = C.codes_in("strict")


@dataclass(frozen=True)
class CapabilityUse:
    """One reachable call of a virtual-module export (or builtin egress)."""

    module: str  # "zigttp:env", or "global" for fetchSync
    export: str
    capability: str | None
    target: str | None  # the literal capability argument (env name, namespace, URL, statement name)
    effect: str  # none | read | write
    file: str
    line: int
    column: int


@dataclass
class HandlerProperties:
    read_only: bool = True
    deterministic: bool = True
    pure: bool = True
    stateless: bool = True
    retry_safe: bool = True
    idempotent: bool = True
    has_egress: bool = False
    state_isolated: bool = True
    result_safe: bool = True
    optional_safe: bool = True
    exhaustive_returns: bool = True
    no_unreachable: bool = True
    no_secret_leakage: bool = True
    no_credential_leakage: bool = True
    input_validated: bool = True
    injection_safe: bool = True
    pii_contained: bool = True
    canonical: bool | None = None  # only known when the strict profile ran
    env_vars: list[str] = field(default_factory=list)
    outbound_hosts: list[str] = field(default_factory=list)
    cache_namespaces: list[str] = field(default_factory=list)
    sql_statements: list[str] = field(default_factory=list)
    virtual_modules: list[str] = field(default_factory=list)
    dynamic_targets: list[str] = field(default_factory=list)  # capabilities reached with a non-literal target
    capabilities: list[CapabilityUse] = field(default_factory=list)

    def flags(self) -> dict[str, bool | None]:
        data = asdict(self)
        return {k: v for k, v in data.items() if isinstance(v, bool) or v is None}

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["capabilities"] = [asdict(c) for c in self.capabilities]
        return data


_CALLS = frozenset({A.Call, A.Pipe})


def reachable_calls(ctx: Context) -> list[A.Node]:
    """Call sites inside functions the handler can run (nested functions count as their own)."""
    calls: list[A.Node] = []
    for info in ctx.scopes.functions.values():
        if id(info.node) in ctx.reachable:
            calls += [n for n in ctx.owned_sites(info.node) if type(n) in _CALLS]
    return calls


def derive_properties(
    ctx: Context,
    analyzer: Analyzer,
    flow: FlowFacts | None,
    diagnostics: list[Diagnostic],
    strict_ran: bool,
) -> HandlerProperties:
    props = HandlerProperties()
    codes = {d.code for d in diagnostics if d.severity == "error" or d.code == C.UNREACHABLE.code}
    modules: set[str] = set()
    cache_read = False
    for call in reachable_calls(ctx):
        callee = analyzer.callees.get(id(call))
        if callee is None:
            continue
        if callee.kind == "builtin":
            if callee.name in NONDETERMINISTIC_BUILTINS:
                props.deterministic = False
            elif callee.name in EGRESS_BUILTINS:
                props.has_egress = True
                props.read_only = False
                target = _literal_arg(call, 0)
                _add_use(props, call, "global", callee.name, "egress", target, "write")
                _add_host(props, target or _url_prefix(call, 0))
            continue
        if callee.kind != "export":
            continue
        module, _, name = callee.name.partition(".")
        modules.add(module)
        export = callee.export
        if export is None:
            continue
        effect = export.effect
        capability = export.capability
        index = export.capability_arg
        target = _literal_arg(call, index) if index is not None else None
        _add_use(props, call, module, name, capability, target, effect)
        if effect == "write":
            props.read_only = False
        if capability in ("clock", "random"):
            props.deterministic = False
        if module == "zigttp:cache" and effect == "read":
            cache_read = True
        if capability is not None and index is not None and target is None:
            props.dynamic_targets.append(f"{module}.{name}")
        if capability == "env" and target is not None:
            props.env_vars.append(target)
        elif capability == "cache" and target is not None:
            props.cache_namespaces.append(target)
        elif capability == "sql" and target is not None:
            props.sql_statements.append(target)
        elif capability == "egress":
            props.has_egress = True
            props.read_only = False
            _add_host(props, target or _url_prefix(call, index or 0))
    props.virtual_modules = sorted(modules)
    props.pure = not modules and not props.has_egress and props.deterministic
    props.stateless = props.read_only and not cache_read
    props.retry_safe = props.read_only
    props.idempotent = props.deterministic and props.retry_safe
    props.state_isolated = C.MODULE_SCOPE_MUTATION.code not in codes
    props.result_safe = C.UNCHECKED_RESULT.code not in codes
    props.optional_safe = not ({C.UNCHECKED_OPTIONAL_USE.code, C.UNCHECKED_OPTIONAL_ACCESS.code} & codes)
    props.exhaustive_returns = C.MISSING_RETURN.code not in codes
    props.no_unreachable = C.UNREACHABLE.code not in codes
    if flow is not None:
        props.no_secret_leakage = flow.no_secret_leakage
        props.no_credential_leakage = flow.no_credential_leakage
        props.input_validated = flow.input_validated
        props.injection_safe = flow.injection_safe
        props.pii_contained = flow.pii_contained
    if strict_ran:
        props.canonical = not any(d.code in _STRICT_CODES for d in diagnostics)
    for name in ("env_vars", "outbound_hosts", "cache_namespaces", "sql_statements", "dynamic_targets"):
        setattr(props, name, sorted(set(getattr(props, name))))
    return props


def _literal_arg(call: A.Node, index: int) -> str | None:
    arguments = call.arguments if type(call) is A.Call else [call.left]  # type: ignore[attr-defined]
    if index >= len(arguments):
        return None
    node = arguments[index]
    node = unparen(node)
    if type(node) is A.StringLiteral:
        return node.value
    if type(node) is A.TemplateLiteral:
        return node.cooked[0] if not node.expressions else None
    return None


def _url_prefix(call: A.Node, index: int) -> str | None:
    """The literal head of a template URL (`https://host/path/${id}`) when it already names the host."""
    arguments = call.arguments if type(call) is A.Call else []  # type: ignore[attr-defined]
    if index >= len(arguments) or type(arguments[index]) is not A.TemplateLiteral:
        return None
    head = arguments[index].cooked[0] if arguments[index].cooked else ""  # type: ignore[attr-defined]
    _scheme, sep, rest = head.partition("://")
    if not sep or not any(ch in rest for ch in "/?#"):
        return None
    return head


def _add_use(props: HandlerProperties, call: A.Node, module: str, name: str, capability: str | None,
             target: str | None, effect: str) -> None:
    props.capabilities.append(
        CapabilityUse(module, name, capability, target, effect, call.file.name, call.line, call.column)
    )


def _add_host(props: HandlerProperties, url: str | None) -> None:
    if url is None:
        return
    host = urlsplit(url).hostname
    if host:
        props.outbound_hosts.append(host)
