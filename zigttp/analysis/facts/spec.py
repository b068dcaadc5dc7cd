"""Spec discharge (upstream §4.3): `Response & Spec<"a" | "b">` on the handler's return type.

Each declared name must be a property the build proved; otherwise:
* ZTS500 spec_not_discharged — the property does not hold (with the
  per-property suggestion, and the first cause found);
* ZTS501 spec_incompatible_with_import — `read_only` declared while importing
  zigttp:cache or zigttp:sql (then no ZTS500 for read_only);
* ZTS502 spec_unknown_name — not a spec name (`did you mean ...?`).
A handler with no `Spec<...>` has no obligation: properties are derived and
reported, never demanded. The Spec may be written inline or through type
aliases (`type G = Spec<"pure">; ... Response & G`), also from a local module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zigttp.analysis.facts.nodes import module_of
from zigttp.analysis.facts.properties import Facts
from zigttp.compiler import ast as A
from zigttp.compiler.ast import FUNCTION_NODES
from zigttp.compiler.codes import (
    SPEC_INCOMPATIBLE,
    SPEC_NOT_DISCHARGED,
    SPEC_NOT_DISCHARGED_BECAUSE,
    SPEC_UNKNOWN_NAME,
    SPEC_UNKNOWN_NAME_LISTED,
    Rule,
)
from zigttp.compiler.diagnostics import ERROR, Diagnostic, make_diagnostic, nearest
from zigttp.verifier.scope import Scopes

SPEC_NAMES = ("deterministic", "read_only", "retry_safe", "idempotent", "state_isolated", "fault_covered", "pure",
              "stateless", "result_safe", "optional_safe", "no_secret_leakage", "no_credential_leakage",
              "input_validated", "pii_contained", "injection_safe", "canonical", "cost_bounded")

SUGGESTIONS = {
    "deterministic": "remove Date.now() / Math.random() or move the call inside a `durable.step`.",
    "read_only": "remove writing calls to zigttp:cache / zigttp:sql, or drop `read_only` from your Spec set.",
    "retry_safe": "wrap writes in `durable.step` so retried invocations replay deterministically.",
    "idempotent": "remove non-deterministic operations or move writes inside a `durable.step`.",
    "state_isolated": "move module-scope mutations into the handler body or behind zigttp:cache.",
    "fault_covered": "add an explicit failure path for every critical I/O call site.",
    "pure": "remove side effects (virtual-module calls, Date.now, Math.random) from the handler body.",
    "stateless": "move module-scope mutable state into the handler body or behind zigttp:cache.",
    "result_safe": "match every Result before unwrapping (no `.value` on an unchecked Result).",
    "optional_safe": "guard every optional access with `?? fallback` or an explicit `if (x != undefined)` check.",
    "no_secret_leakage": "keep secret values (zigttp:env) out of responses, logs and egress.",
    "no_credential_leakage": "keep credentials (bearer tokens, cookies, JWTs) out of responses, logs and egress.",
    "input_validated": "validate request input (zigttp:validate / zigttp:decode) before it reaches egress.",
    "pii_contained": "keep request-derived data out of egress, or drop `pii_contained` from your Spec set.",
    "injection_safe": "escape request input (zigttp:text escapeHtml) before Response.html, and validate it "
                      "before egress.",
    "canonical": "run `zigttp verify --strict` and apply the canonical rewrites it reports.",
    "cost_bounded": "bound the loop source: iterate a literal array / range(n) / .slice(0, k), add LIMIT n to the "
                    "SQL statement, or declare maxItems on the validated schema field.",
}

NOT_DISCHARGED = SPEC_NOT_DISCHARGED.code
INCOMPATIBLE = SPEC_INCOMPATIBLE.code
UNKNOWN_NAME = SPEC_UNKNOWN_NAME.code
_READ_ONLY_BLOCKERS = ("zigttp:cache", "zigttp:sql")
_MAX_ALIAS = 16


@dataclass
class SpecResult:
    declared: list[str] = field(default_factory=list)  # sorted, known names only
    diagnostics: list[Diagnostic] = field(default_factory=list)
    entries: list[dict[str, object]] = field(default_factory=list)  # {kind, code, specName, ...} for the contract

    @property
    def ok(self) -> bool:
        return not any(d.severity == ERROR for d in self.diagnostics)


def declared_specs(functions: list[A.Node], program: A.Program, scopes: Scopes) -> list[tuple[str, A.Node]]:
    """(name, node) for every string in a `Spec<...>` on the handler function's return type; type aliases are
    followed through the binder's type namespace (`Scopes.types`)."""
    out: list[tuple[str, A.Node]] = []
    modules = {m.path: m for m in program.modules}
    for fn in functions:
        rt = fn.return_type if isinstance(fn, FUNCTION_NODES) else None
        module = module_of(program, fn)
        if rt is not None and module is not None:
            _collect(rt, module, _Aliases(scopes, modules), out, 0)
    return out


class _Aliases:
    """Type aliases by name, as the binder recorded each module's type namespace."""

    def __init__(self, scopes: Scopes, modules: dict[str, A.Module]) -> None:
        self.scopes = scopes
        self.modules = modules

    def target(self, module: A.Module, name: str, depth: int = 0) -> tuple[A.Module, A.Node] | None:
        """The module and type a (non-distinct) alias `name` of `module` stands for, through local imports."""
        decl = self.scopes.types.get(module.path, {}).get(name)
        if decl is None or depth > _MAX_ALIAS:
            return None
        node = decl.node
        if node is not None:
            return (decl.module, node.type) if type(node) is A.TypeAlias and not node.distinct else None
        target = self.modules.get(decl.source[0]) if decl.source is not None else None
        return self.target(target, decl.source[1], depth + 1) if target is not None and decl.source else None


def _collect(t: A.Node, module: A.Module, aliases: _Aliases, out: list[tuple[str, A.Node]], depth: int) -> None:
    if depth > _MAX_ALIAS:
        return
    kind = type(t)
    if kind in (A.IntersectionType, A.UnionType):
        for member in t.types:  # type: ignore[attr-defined]
            _collect(member, module, aliases, out, depth + 1)
        return
    if kind is not A.TypeReference:
        return
    name = t.name  # type: ignore[attr-defined]
    if name == "Spec" or name.endswith(".Spec"):
        for arg in t.arguments:  # type: ignore[attr-defined]
            _literals_of(arg, out)
        return
    alias = aliases.target(module, name)
    if alias is not None:
        target_module, alias_type = alias
        _collect(alias_type, target_module, aliases, out, depth + 1)


def _literals_of(t: A.Node, out: list[tuple[str, A.Node]]) -> None:
    if type(t) is A.LiteralType and isinstance(t.value, str):  # type: ignore[attr-defined]
        out.append((t.value, t))  # type: ignore[attr-defined]
    elif type(t) is A.UnionType:
        for member in t.types:  # type: ignore[attr-defined]
            _literals_of(member, out)


def discharge(declared: list[tuple[str, A.Node]], facts: Facts, imported_modules: set[str]) -> SpecResult:
    result = SpecResult()
    seen: set[str] = set()
    for name, node in declared:
        if name in seen:
            continue
        seen.add(name)
        if name not in SPEC_NAMES:
            _unknown(result, name, node)
            continue
        result.declared.append(name)
        if name == "read_only":
            blocker = next((m for m in _READ_ONLY_BLOCKERS if m in imported_modules), None)
            if blocker is not None:
                text = SPEC_INCOMPATIBLE.text(name=name, module=blocker)
                result.diagnostics.append(make_diagnostic(node.file, node.start, node.end, INCOMPATIBLE, text))
                result.entries.append({"kind": "incompatible_with_import", "code": INCOMPATIBLE, "specName": name,
                                       "incompatibleModule": blocker,
                                       "suggestion": _suggestion(SPEC_INCOMPATIBLE, name=name, module=blocker)})
                continue
        if facts.holds(name):
            continue
        cause = facts.causes.get(name) if facts.ran else "the verifier did not run"
        suggestion = SUGGESTIONS[name]
        if cause:
            text = SPEC_NOT_DISCHARGED_BECAUSE.text(name=name, cause=cause, suggestion=suggestion)
        else:
            text = SPEC_NOT_DISCHARGED.text(name=name, suggestion=suggestion)
        result.diagnostics.append(make_diagnostic(node.file, node.start, node.end, NOT_DISCHARGED, text))
        result.entries.append({"kind": "not_discharged", "code": NOT_DISCHARGED, "specName": name,
                               "suggestion": suggestion})
    result.declared.sort()
    return result


def _unknown(result: SpecResult, name: str, node: A.Node) -> None:
    guess = _closest(name)
    if guess:
        text = SPEC_UNKNOWN_NAME.text(name=name, guess=guess)
    else:
        text = SPEC_UNKNOWN_NAME_LISTED.text(name=name, known=", ".join(sorted(SPEC_NAMES)))
    result.diagnostics.append(make_diagnostic(node.file, node.start, node.end, UNKNOWN_NAME, text))
    result.entries.append({"kind": "unknown_name", "code": UNKNOWN_NAME, "specName": name,
                           **({"suggestion": _suggestion(SPEC_UNKNOWN_NAME, guess=guess)} if guess else {})})


def _suggestion(rule: Rule, **values: str) -> str:
    """The suggestion a rule's message ends with (after "; "), as the contract's proof entry records it."""
    return rule.message.partition("; ")[2].format(**values)


def _closest(name: str) -> str | None:
    return nearest(name, SPEC_NAMES)
