"""What the diff reads from a contract, in one place: a later contract version changes this module only.

A fact a contract does not carry reads as None, and the diff reports it as
not compared (rule ZP801) instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KNOWN_VERSIONS = (1, 2)
CAPABILITY_SECTIONS = ("env", "egress", "cache", "sql")
# Facts a version-2 contract carries and a version-1 contract does not: the key, and how a finding names
# them. A contract that lacks one is compared without it (rule ZP801 says so).
OPTIONAL_FACTS = {"routesDynamic": "whether the routes are statically known",
                  "schemasDynamic": "whether the schemas are statically known",
                  "auth": "each route's authentication",
                  "behaviors": "behaviour paths"}


@dataclass(frozen=True)
class ContractView:
    raw: dict[str, Any]

    @property
    def version(self) -> Any:
        return self.raw.get("version")

    @property
    def handler_path(self) -> str:
        handler = self.raw.get("handler")
        return str(handler.get("path", "")) if isinstance(handler, dict) else ""

    def routes(self) -> dict[str, dict[str, Any]]:
        """"METHOD /path" → route, in contract order (the first of two routes with one key wins)."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.raw.get("routes") or []:
            out.setdefault(f"{r.get('method', '*')} {r.get('path', '')}", r)
        return out

    def names(self, section: str) -> list[str]:
        return [str(n) for n in self.raw.get(section) or []]

    def dynamic(self, section: str) -> bool:
        return bool((self.raw.get("dynamic") or {}).get(section, False))

    def sql_statements(self) -> dict[str, str]:
        return {str(q.get("name")): str(q.get("statement")) for q in self.raw.get("sqlQueries") or []}

    def properties(self) -> dict[str, bool]:
        return {k: v for k, v in (self.raw.get("properties") or {}).items() if isinstance(v, bool)}

    @property
    def proof(self) -> str | None:
        value = self.raw.get("proof")
        return value if isinstance(value, str) else None

    @property
    def durable(self) -> dict[str, Any] | None:
        value = self.raw.get("durable")
        return value if isinstance(value, dict) and value.get("used", True) else None

    def optional_fact(self, key: str) -> Any:
        """A fact of OPTIONAL_FACTS, or None when this contract does not carry it.

        `auth` is carried per route: the fact is every route's auth, by route key.
        """
        if key == "auth":
            routes = self.routes()
            if not all(isinstance(r.get("auth"), dict) for r in routes.values()):
                return None
            if not routes and "behaviors" not in self.raw:
                return None  # a version-1 contract without routes
            return {k: r["auth"] for k, r in routes.items()}
        return self.raw.get(key)

    def behaviours(self) -> dict[str, dict[str, Any]] | None:
        """Behaviour paths by key (their sorted conditions), or None when the contract has none."""
        paths = self.raw.get("behaviors")
        if not isinstance(paths, list):
            return None
        out: dict[str, dict[str, Any]] = {}
        for path in paths:
            if isinstance(path, dict):
                out.setdefault(behaviour_key(path.get("conditions") or []), path)
        return out

    @property
    def behaviours_exhaustive(self) -> bool:
        return self.raw.get("behaviorsExhaustive") is True


def behaviour_key(conditions: list[Any]) -> str:
    """One behaviour's identity: its conditions as `kind test = value`, sorted and joined."""
    parts = sorted(f"{c.get('kind')} {c.get('test')} = {c.get('value')}" for c in conditions if isinstance(c, dict))
    return " & ".join(parts) if parts else "(no conditions)"
