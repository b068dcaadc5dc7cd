"""The deploy report: what the template rests on (proven), what a person must review, what to run next."""

from __future__ import annotations

from .facts import PROPERTY_TEXT, ProvenFacts
from .sam import api_path


def render_report(facts: ProvenFacts, template_path: str, package_path: str) -> str:
    lines = ["zigttp Proven Deployment Report", f"Handler:  {facts.handler_path}", "Provider: aws (SAM, Lambda)", ""]
    lines.append("PROVEN (compiler-verified, not heuristic):")
    lines.append(f"  env vars:         {', '.join(facts.env) or '(none)'}")
    lines.append(f"  outbound hosts:   {', '.join(facts.egress) or '(none)'}")
    lines.append(f"  cache namespaces: {', '.join(facts.cache) or '(none)'}")
    lines.append(f"  sql statements:   {', '.join(facts.sql) or '(none)'}")
    if facts.routes:
        lines.append("  routes:")
        lines += [f"    {r.method:<6} {r.path}  ->  {api_path(r.path)}" for r in facts.routes]
    else:
        lines.append("  routes:           (none declared: every path goes to the function)")
    lines += ["", "NEEDS MANUAL REVIEW:"]
    warnings = facts.warnings()
    lines += [f"  - {w}" for w in warnings] or ["  (none - all sections fully proven)"]
    notes = facts.platform_notes()
    if notes:
        lines += ["", "ON LAMBDA:"] + [f"  - {n}" for n in notes]
    lines += ["", "HANDLER PROPERTIES:"]
    for name, text in PROPERTY_TEXT:
        if name in facts.properties:
            lines.append(f"  {'PROVEN' if facts.properties[name] else '---   '}  {text}")
    lines += ["", f"PROOF LEVEL: {facts.proof}", "",
              f"template: {template_path}", f"package:  {package_path}",
              "deploy:   sam build --template-file " + template_path + " && sam deploy --guided", ""]
    return "\n".join(lines)
