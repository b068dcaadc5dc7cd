"""Shared by the prove tests: the fixture pairs, a minimal contract, the CLI in a real process."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

from tests.support.server import ZIGTTP

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The handler most fixture pairs start from or end at: a folder without old.ts or new.ts means this one.
BASE = FIXTURES / "base.ts"


def side_of(folder: Path, name: str) -> Path:
    """A fixture pair's old.ts or new.ts, BASE where the folder leaves that side out."""
    path = folder / name
    return path if path.exists() else BASE

# A minimal valid version-2 contract: a contract-dict fixture (pair.json) overrides its top-level keys.
BASE_CONTRACT: dict[str, Any] = {
    "version": 2,
    "handler": {"path": "app.ts", "sha256": "0" * 64, "files": {"app.ts": "0" * 64}},
    "env": [], "egress": [], "cache": [], "sql": [],
    "dynamic": {"env": False, "egress": False, "cache": False, "sql": False},
    "sqlQueries": [], "modules": [], "functions": {}, "routes": [],
    "routesDynamic": False, "schemasDynamic": False, "behaviors": [], "behaviorsExhaustive": True,
    "properties": {"pure": True, "deterministic": True},
    "proof": "complete",
}
# What version 2 added: a fixture that sets "version": 1 gets a contract without them.
V2_KEYS = ("routesDynamic", "schemasDynamic", "behaviors", "behaviorsExhaustive")


def contract(**overrides: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE_CONTRACT)
    out.update(copy.deepcopy(overrides))
    if out["version"] == 1:
        for key in V2_KEYS:
            out.pop(key, None)
        for route in out["routes"]:
            route.pop("auth", None)
    return out


def fixture_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("ZP"))


def prove_cli(*args: str | Path, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`zigttp prove ...` in its own process, run from `cwd`."""
    return subprocess.run([*ZIGTTP, "prove", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
