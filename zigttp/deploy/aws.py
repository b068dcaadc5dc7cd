"""`-Ddeploy=aws`: template.json, the Lambda package and the report, under DIR/deploy/aws/."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .facts import ProvenFacts, facts_from_contract
from .package import write_package
from .report import render_report
from .sam import render_template

TARGETS = ("aws",)


@dataclass(frozen=True)
class DeployResult:
    folder: Path
    template: Path
    package: Path
    report_path: Path
    report: str
    facts: ProvenFacts


def write_deployment(target: str, out: Path, contract: dict[str, Any], contract_text: str, bundle_js: str,
                     zigttp_version: str) -> DeployResult:
    """Writes the deployment of `target` under OUT/deploy/TARGET; DeployError when the contract cannot go there."""
    if target not in TARGETS:
        raise ValueError(f"unknown deploy target {target!r} (known: {', '.join(TARGETS)})")
    facts = facts_from_contract(contract)
    folder = out / "deploy" / target
    folder.mkdir(parents=True, exist_ok=True)
    package = folder / "package"
    write_package(package, bundle_js, contract_text)
    template = folder / "template.json"
    document = render_template(facts, zigttp_version=zigttp_version, code_uri="package")
    template.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    report = render_report(facts, str(template), str(package))
    report_path = folder / "deploy-report.txt"
    report_path.write_text(report, encoding="utf-8")
    return DeployResult(folder, template, package, report_path, report, facts)
