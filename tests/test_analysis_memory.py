"""An analysis frees itself by reference counting: nothing it builds waits for the cycle collector.

`analyze` pauses the cycle collector while it runs and hands what it built to the oldest generation
without scanning it (zigttp.analysis.cyclic_gc_paused). That is only sound when the analysis leaves
no reference cycles behind: a cycle would then wait for the next full collection instead of the next
young one. So every object an analysis allocates, its result included, must be freed the moment the
last reference goes, which these tests check with the collector off.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zigttp.analysis import analyze, analyze_source
from zigttp.contract.derive import derive

REPO = Path(__file__).resolve().parent.parent
LARGE = REPO / "scripts/bench_fixtures/large/handler.tsx"
SMALL = REPO / "scripts/bench_fixtures/small/handler.tsx"


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


def _cyclic_garbage(run: Callable[[], object]) -> Counter[str]:
    """The kinds of object that `run` left in reference cycles after its result was dropped."""
    run()  # imports and module-level caches settle on the first run
    gc.collect()
    run()
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    found = Counter(type(obj).__qualname__ for obj in gc.garbage)
    gc.set_debug(0)
    gc.garbage.clear()
    return found


@pytest.mark.usefixtures("collector_off")
@pytest.mark.parametrize("entry", [SMALL, LARGE], ids=["small", "large"])
def test_analysis_and_contract_leave_no_cycles(entry: Path) -> None:
    assert _cyclic_garbage(lambda: derive(entry, emit=False)) == Counter()


@pytest.mark.usefixtures("collector_off")
def test_verification_with_emit_leaves_no_cycles() -> None:
    assert _cyclic_garbage(lambda: analyze(LARGE, emit=True)) == Counter()


@pytest.mark.usefixtures("collector_off")
def test_rejected_source_leaves_no_cycles() -> None:
    bad = "export function handler(req: Request): Response {\n  const x = ;\n  return Response.json({});\n}\n"
    assert _cyclic_garbage(lambda: analyze_source(bad)) == Counter()


def test_analysis_leaves_the_collector_as_it_found_it() -> None:
    gc.disable()
    try:
        analyze(SMALL)
        assert not gc.isenabled()
    finally:
        gc.enable()
    analyze(SMALL)
    assert gc.isenabled()


def test_a_finished_analysis_is_not_scanned_by_the_young_collection() -> None:
    analyze(SMALL)
    gc.collect()
    before = gc.get_stats()[0]["collections"]
    result = analyze(LARGE)
    assert gc.get_stats()[0]["collections"] == before
    assert gc.get_count()[0] < 700  # nothing pending that would start a collection at the next allocation
    assert result.verification_passed


def test_objects_the_caller_froze_stay_frozen() -> None:
    kept = [object()]  # a container the collector tracks
    gc.freeze()
    try:
        analyze(SMALL)
        # frozen objects are in no generation the collector scans: get_objects() does not list them
        assert all(obj is not kept for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())
