"""The build's console report (upstream §1.3): the sandbox derived from the contract, and the properties."""

from __future__ import annotations

from typing import Any

from zigttp.analysis.facts.capabilities import CAPABILITIES, Extraction
from zigttp.analysis.facts.properties import PROPERTY_KEYS
from zigttp_host.grants import auto_grantable

DESCRIPTIONS = {
    "pure": "handler is a deterministic function of the request",
    "read_only": "no state mutations via virtual modules",
    "stateless": "read_only and no cache reads",
    "retry_safe": "safe to retry: no writes that a retry would repeat",
    "deterministic": "no Date.now, Math.random or other clock/random sources",
    "idempotent": "deterministic and retry_safe",
    "injection_safe": "no unvalidated request input in HTML or egress",
    "state_isolated": "no module-scope state mutated across requests",
    "result_safe": "every Result is checked before .value",
    "optional_safe": "every optional value is checked before use",
    "no_secret_leakage": "secrets never reach responses, logs or egress",
    "no_credential_leakage": "credentials never reach responses, logs or egress",
    "input_validated": "request input is validated before egress",
    "fault_covered": "every critical I/O failure has an explicit non-2xx answer",
}
ALLOW_FLAGS = {"env": "--allow-env", "egress": "--allow-egress", "cache": "--allow-cache", "sql": "--allow-sql"}


def _list(names: list[str]) -> str:
    return "[" + ", ".join(names) + "]"


def sandbox_lines(contract: dict[str, Any], extraction: Extraction | None = None) -> list[str]:
    dynamic = contract["dynamic"]
    if not any(dynamic.values()):
        lines = ["Sandbox: complete (all access statically proven)"]
    else:
        lines = ["Sandbox derived from contract:"]
    for capability in CAPABILITIES:
        names = contract[capability]
        count = f"{len(names)} proven" if names else "none proven"
        if dynamic[capability]:
            where = ""
            if extraction is not None:
                sites = extraction.dynamic_sites(capability)
                if sites:
                    where = f" at {sites[0].at}" + (f" and {len(sites) - 1} more" if len(sites) > 1 else "")
            lines.append(f"  {capability}: restricted to {_list(names)} ({count}; dynamic access{where} is denied "
                         f"unless granted with {ALLOW_FLAGS[capability]})")
        else:
            lines.append(f"  {capability}: restricted to {_list(names)} ({count}, no dynamic access)")
    manual = [h for h in contract["egress"] if not auto_grantable(h)]
    if manual:
        lines.append(f"  note: egress to {', '.join(manual)} (IP address or localhost) is granted only by "
                     "--allow-egress")
    return lines


def property_lines(properties: dict[str, bool]) -> list[str]:
    lines = ["Handler Properties:"]
    for key in PROPERTY_KEYS:
        mark = "PROVEN" if properties.get(key) else "---   "
        lines.append(f"  {mark} {key:<22}{DESCRIPTIONS[key]}")
    return lines


def report(contract: dict[str, Any], extraction: Extraction | None = None) -> str:
    lines = sandbox_lines(contract, extraction)
    lines += property_lines(contract["properties"])
    lines.append(f"Proof: {contract['proof']}")
    return "\n".join(lines) + "\n"
