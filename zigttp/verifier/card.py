"""The proof card (upstream §4.8): text for people, a JSON envelope for tools."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from zigttp.compiler.diagnostics import render_text, summary_line

if TYPE_CHECKING:
    from zigttp.verifier.api import VerifyResult

VERIFIED_LINE = "→ all code paths verified ✓"

_VERIFICATION = ("exhaustive_returns", "result_safe", "optional_safe", "state_isolated", "no_unreachable")
_PROPERTIES = ("read_only", "deterministic", "pure", "stateless", "retry_safe", "idempotent")
_SECURITY = ("no_secret_leakage", "no_credential_leakage", "input_validated", "injection_safe", "pii_contained")


def _dots(label: str) -> str:
    return f"  {label}{'.' * max(2, 23 - len(label))} "


def _pills(flags: dict[str, bool | None], names: tuple[str, ...]) -> str:
    return "  ".join(f"[{'+' if flags.get(n) else '-'}] {n}" for n in names)


def render_card(result: VerifyResult) -> str:
    """Diagnostics (Ruff style) followed by the card; ends with the verified line when there is no error."""
    out: list[str] = []
    if result.diagnostics:
        out.append(render_text(result.diagnostics, result.sources).rstrip("\n"))
        out.append("")
    out.append(f"verify: {result.path}")
    out.append("")
    for stage, status in result.stages.items():
        out.append(_dots(stage) + status)
    props = result.properties
    if props is not None:
        flags = props.flags()
        out.append("")
        out.append(f"  Verification:    {_pills(flags, _VERIFICATION)}")
        out.append(f"  Properties:      {_pills(flags, _PROPERTIES)}")
        out.append(f"  Security:        {_pills(flags, _SECURITY)}")
        if props.virtual_modules:
            out.append(f"  Modules:         {', '.join(props.virtual_modules)}")
        if props.env_vars:
            out.append(f"  Env:             {', '.join(props.env_vars)}")
        if props.outbound_hosts:
            out.append(f"  Egress:          {', '.join(props.outbound_hosts)}")
    if result.paths is not None:
        out.append("")
        out.append(f"  Execution paths: {result.paths.describe()}")
    out.append("")
    out.append(f"  {summary_line(result.diagnostics)}")
    if result.ok and result.paths is not None:
        paths = result.paths
        count = f"{paths.count} execution path{'s' if paths.count != 1 else ''}" if paths.exhaustive else (
            f"more than {paths.count} execution paths, enumeration limit reached")
        out.append(f"{VERIFIED_LINE} ({count})")
    return "\n".join(out) + "\n"


def render_json(result: VerifyResult) -> str:
    envelope: dict[str, object] = {"success": result.ok}
    if result.properties is not None:
        props = result.properties
        envelope["proof"] = {
            "env_vars": props.env_vars,
            "outbound_hosts": props.outbound_hosts,
            "cache_namespaces": props.cache_namespaces,
            "sql_statements": props.sql_statements,
            "virtual_modules": props.virtual_modules,
            "properties": props.flags(),
            "paths": (
                {"count": result.paths.count, "exhaustive": result.paths.exhaustive}
                if result.paths is not None
                else None
            ),
            "stages": result.stages,
            "strict": result.strict,
        }
    envelope["diagnostics"] = [d.to_dict() for d in result.diagnostics]
    return json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"
