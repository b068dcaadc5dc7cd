"""Which version of the handler the workers serve: `current.json` in the server's state folder.

`zigttp serve --watch` starts at generation 0 (the bundle every worker
loads from its configuration). Each accepted change is written as a new
generation, `gen-N/bundle.js` (and its line map), and then published by
replacing `current.json` atomically, so a worker reads either the old or
the new generation, never half of one. Workers poll the file; a worker that
starts (or is respawned) after a swap begins with the current generation.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

CURRENT = "current.json"


@dataclass(frozen=True)
class Generation:
    number: int
    bundle_path: str
    bundle_name: str
    line_map_path: str | None
    grants: dict | None  # Grants.to_dict()
    contract: dict | None  # GET /_zigttp/contract's answer, with --expose-contract


def publish(state: Path, number: int, source: str, bundle_name: str, line_map: dict | None, grants: dict | None,
            contract: dict | None) -> Generation:
    """Writes generation `number` and makes it current."""
    folder = state / f"gen-{number}"
    folder.mkdir(parents=True, exist_ok=True)
    bundle = folder / "bundle.js"
    bundle.write_text(source, encoding="utf-8")
    map_path = None
    if line_map is not None:
        map_path = folder / "bundle.map.json"
        map_path.write_text(json.dumps(line_map), encoding="utf-8")
    generation = Generation(number, str(bundle), bundle_name, None if map_path is None else str(map_path), grants,
                            contract)
    fd, tmp = tempfile.mkstemp(dir=state, prefix=".current-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(generation), f)
    os.replace(tmp, state / CURRENT)
    return generation


def current(state: Path) -> Generation | None:
    """The published generation, or None before the first swap (or when the file cannot be read)."""
    try:
        data = json.loads((state / CURRENT).read_text(encoding="utf-8"))
        return Generation(**data)
    except (OSError, ValueError, TypeError):
        return None


def stamp(state: Path) -> tuple[int, int] | None:
    """What changes when a generation is published (cheap to poll)."""
    try:
        st = os.stat(state / CURRENT)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns
