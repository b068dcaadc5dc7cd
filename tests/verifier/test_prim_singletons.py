"""`Prim` equality is identity: it holds only while the type model's constants are the only `Prim`s made."""

from __future__ import annotations

import gc
from pathlib import Path

from zigttp.analysis import analyze
from zigttp.verifier import typemodel as T

ROOT = Path(__file__).resolve().parents[2]
CONSTANTS = {id(value) for value in vars(T).values() if type(value) is T.Prim}


def test_an_analysis_uses_only_the_prim_constants() -> None:
    result = analyze(ROOT / "scripts/bench_fixtures/large/handler.tsx", emit=False)
    assert result.verification is not None
    made = [o for o in gc.get_objects() if type(o) is T.Prim]
    assert made and all(id(o) in CONSTANTS for o in made)
    assert len({o.name for o in made}) == len(made)  # one per name
