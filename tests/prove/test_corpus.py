"""The soundness corpus (tests/prove/corpus.py): every pair gets its expected class, known gaps excepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import CORPUS, KNOWN_GAPS, classify


def test_the_corpus_has_a_hundred_pairs_of_both_kinds() -> None:
    assert len(CORPUS) >= 100
    assert len({p.name for p in CORPUS}) == len(CORPUS)
    assert {p.kind for p in CORPUS} == {"mutant", "refactor"}
    assert set(KNOWN_GAPS) <= {p.name for p in CORPUS}


@pytest.mark.parametrize("pair", CORPUS, ids=[p.name for p in CORPUS])
def test_each_pair_is_classified_as_expected(pair, tmp_path: Path) -> None:
    outcome = classify(pair, tmp_path)
    if pair.gap:
        # a gap that closes must leave KNOWN_GAPS (and docs/prove.md) with it
        assert not outcome.exact, f"{pair.name} is classified exactly now: remove it from KNOWN_GAPS"
        return
    assert outcome.exact, f"{pair.name}: expected {pair.expected}, got {outcome.got} {outcome.rules}"
