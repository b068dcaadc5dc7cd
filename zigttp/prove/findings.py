"""A finding: one rule applied at one place, with the old and the new value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .rules import AREAS, Rule


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    location: str  # "METHOD /path", or the section: "env", "properties", "durable", "traces", "contract"
    path: str  # field path inside it: "responses[200].schema.properties.id", "API_KEY", "" for the whole
    old: Any  # JSON values; None: absent
    new: Any
    detail: str = ""

    @property
    def level(self) -> str:
        return self.rule.level

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        return {"rule": r.id, "name": r.name, "level": r.level, "direction": r.direction, "area": r.area,
                "kind": r.kind, "location": self.location, "path": self.path, "old": self.old, "new": self.new,
                "detail": self.detail or r.summary}

    def describe(self) -> str:
        where = self.location + (f" {self.path}" if self.path else "")
        return f"{self.rule.id} {self.rule.level:<8} {where}: {self.detail or self.rule.summary}"


def finding(rule: Rule, location: str, path: str = "", old: Any = None, new: Any = None, detail: str = "") -> Finding:
    return Finding(rule, location, path, old, new, detail)


def _value_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def sort_key(f: Finding) -> tuple[int, str, str, str, str, str]:
    """Area, place, field, rule, values: the same two contracts always give the same order."""
    return (AREAS.index(f.rule.area), f.location, f.path, f.rule.id, _value_key(f.old), _value_key(f.new))


def ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)
