"""Capability sets (env names, egress hosts, cache namespaces, SQL queries) and whether each is static."""

from __future__ import annotations

from . import rules as R
from .findings import Finding, finding
from .view import CAPABILITY_SECTIONS, ContractView


def capability_findings(old: ContractView, new: ContractView) -> list[Finding]:
    out: list[Finding] = []
    changed_sql = _changed_statements(old, new)
    for section in CAPABILITY_SECTIONS:
        before, after = set(old.names(section)), set(new.names(section))
        for name in before - after:
            out.append(finding(R.CAPABILITY_REMOVED, section, name, name, None))
        for name in after - before:
            out.append(finding(R.CAPABILITY_ADDED, section, name, None, name))
        out.extend(_dynamic_finding(section, old.dynamic(section), new.dynamic(section)))
    out.extend(changed_sql)
    return out


def _changed_statements(old: ContractView, new: ContractView) -> list[Finding]:
    before, after = old.sql_statements(), new.sql_statements()
    return [finding(R.SQL_STATEMENT_CHANGED, "sql", name, before[name], after[name])
            for name in sorted(before.keys() & after.keys()) if before[name] != after[name]]


def _dynamic_finding(section: str, was: bool, now: bool) -> list[Finding]:
    if was == now:
        return []
    rule = R.CAPABILITY_BECAME_DYNAMIC if now else R.CAPABILITY_BECAME_STATIC
    return [finding(rule, "dynamic", section, was, now)]
