"""Every diff rule: its fixture pair yields it at its level, and the registry is what docs/prove.md says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zigttp.prove import rules as R
from zigttp.prove.diff import diff_contracts
from zigttp.prove.inputs import load_side

from .support import contract, fixture_dirs, side_of

# The level each rule must have: a change here is a change of the rule set (bump RULESET_VERSION).
EXPECTED_LEVELS = {
    "ZP101": "breaking", "ZP102": "additive", "ZP103": "breaking", "ZP104": "info",
    "ZP111": "breaking", "ZP112": "review",
    "ZP201": "breaking", "ZP202": "additive", "ZP203": "breaking", "ZP204": "additive", "ZP205": "review",
    "ZP206": "breaking", "ZP207": "additive",
    "ZP211": "breaking", "ZP212": "additive", "ZP213": "breaking", "ZP214": "breaking", "ZP215": "additive",
    "ZP301": "breaking", "ZP302": "additive", "ZP303": "additive", "ZP304": "breaking", "ZP305": "breaking",
    "ZP306": "breaking", "ZP307": "breaking", "ZP308": "info", "ZP309": "breaking", "ZP310": "info",
    "ZP311": "breaking", "ZP312": "breaking", "ZP313": "info",
    "ZP401": "breaking", "ZP402": "additive", "ZP403": "breaking", "ZP404": "additive", "ZP405": "info",
    "ZP501": "breaking", "ZP502": "review", "ZP503": "info", "ZP504": "info", "ZP505": "info",
    "ZP601": "additive", "ZP602": "breaking", "ZP603": "breaking", "ZP604": "breaking", "ZP605": "additive",
    "ZP606": "breaking", "ZP607": "breaking",
    "ZP701": "breaking", "ZP702": "review", "ZP703": "breaking", "ZP704": "review",
    "ZP801": "info", "ZP802": "info", "ZP803": "review",
    "ZP901": "breaking", "ZP902": "additive", "ZP903": "breaking", "ZP904": "info",
}
# Rules about replay evidence need traces, not a contract pair: the test that shows each.
EVIDENCE_TESTS = {
    "ZP701": "test_evidence.py::test_a_changed_status_is_breaking_with_the_request_and_first_difference",
    "ZP702": "test_evidence.py::test_two_replays_that_differ_are_a_determinism_finding",
    "ZP703": "test_evidence.py::test_replay_contradicting_a_static_equivalence_is_a_finding",
    "ZP704": "test_evidence.py::test_traces_of_a_stateful_handler_are_not_replayed",
    "ZP802": "test_evidence.py::test_a_version_1_contract_has_no_path_coverage_and_says_so",
    "ZP607": "test_durable_runs.py::test_a_run_that_does_not_replay_on_new_is_breaking",
}


def _findings(folder: Path) -> list:
    pair = folder / "pair.json"
    if pair.exists():
        data = json.loads(pair.read_text())
        return diff_contracts(contract(**data["old"]), contract(**data["new"]))
    old, new = load_side(str(side_of(folder, "old.ts"))), load_side(str(side_of(folder, "new.ts")))
    return diff_contracts(old.contract, new.contract)


@pytest.mark.parametrize("folder", fixture_dirs(), ids=lambda p: p.name)
def test_each_fixture_pair_yields_its_rule_at_its_level(folder: Path) -> None:
    rule_id = folder.name[:5]
    found = [f for f in _findings(folder) if f.rule.id == rule_id]
    assert found, f"{folder.name}: no {rule_id} finding"
    assert all(f.level == EXPECTED_LEVELS[rule_id] for f in found)
    for f in found:  # every finding names where and what
        assert f.location and (f.old is not None or f.new is not None)


def test_every_rule_has_a_fixture_pair_or_an_evidence_test() -> None:
    with_fixture = {p.name[:5] for p in fixture_dirs()}
    assert set(R.RULES) == with_fixture | set(EVIDENCE_TESTS)
    assert not with_fixture & set(EVIDENCE_TESTS)


def test_levels_are_the_expected_ones() -> None:
    assert {r.id: r.level for r in R.RULES.values()} == EXPECTED_LEVELS


def test_ids_are_stable_shaped_and_names_unique() -> None:
    assert all(re.fullmatch(r"ZP[1-9]\d\d", i) for i in R.RULES)
    names = [r.name for r in R.RULES.values()]
    assert len(names) == len(set(names))
    assert R.RULESET_VERSION == "2"


def test_only_capability_additions_widen_capabilities() -> None:
    widening = {r.id for r in R.RULES.values() if r.widens_capability}
    assert widening == {"ZP402", "ZP404"}
    assert all(R.RULES[i].level == "additive" for i in widening)


def test_docs_rules_table_matches_the_registry() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "prove.md").read_text()
    rows = re.findall(r"^\| (ZP\d{3}) \| `([a-z_]+)` \| (\w+) \| (\w+) \| (\w+) \| (\w+) \| (.+?) \|$", docs, re.M)
    table = {row[0]: row[1:] for row in rows}
    assert table == {r.id: (r.name, r.level, r.direction, r.area, r.kind, r.summary) for r in R.RULES.values()}
