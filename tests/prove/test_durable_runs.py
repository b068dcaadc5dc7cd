"""`zigttp prove --durable DIR`: in-flight runs replayed against NEW, on a copy, with nothing run live."""

from __future__ import annotations

from pathlib import Path

import pytest

from zigttp.loader import load_handler
from zigttp.prove.inputs import load_side
from zigttp.prove.run import prove
from zigttp_host import Grants, Host, HttpRequest, Limits, ModuleConfig

from ..support.server import REPO, run_cli

APPROVAL = REPO / "examples" / "durable" / "approval.ts"


@pytest.fixture
def in_flight(tmp_path: Path) -> Path:
    """A durable folder holding one run of the approval example, waiting for its signal."""
    folder = tmp_path / "durable"
    loaded = load_handler(APPROVAL)
    host = Host(modules=ModuleConfig(durable_dir=str(folder)))
    try:
        handler = host.load(loaded.bundle, Limits(), grants=Grants.from_contract(loaded.contract or {}))
        assert handler.handle(HttpRequest("GET", "/orders/42")).status == 202
    finally:
        host.engine.close()
    return folder


def _version(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    new = tmp_path / "new" / "approval.ts"
    new.parent.mkdir(exist_ok=True)
    text = APPROVAL.read_text()
    if edit is not None:
        assert edit[0] in text
        text = text.replace(*edit)
    new.write_text(text)
    return new


def _oplogs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.jsonl")}


def test_the_same_version_replays_every_run_and_touches_nothing(in_flight: Path, tmp_path: Path) -> None:
    before = _oplogs(in_flight)
    proof = prove(load_side(str(APPROVAL)), load_side(str(_version(tmp_path))), durable=in_flight)
    assert proof.durable_runs is not None and [r.replays for r in proof.durable_runs] == [True]
    assert proof.verdict.verdict == "SAFE"
    assert _oplogs(in_flight) == before


def test_a_run_that_does_not_replay_on_new_is_breaking(in_flight: Path, tmp_path: Path) -> None:
    before = _oplogs(in_flight)
    new = _version(tmp_path, ('step("createDraft"', 'step("makeDraft"'))
    proof = prove(load_side(str(APPROVAL)), load_side(str(new)), durable=in_flight)
    assert proof.verdict.verdict == "BREAKING"
    [run] = [f for f in proof.findings if f.rule.id == "ZP607"]
    assert run.location == "run order:42"
    assert 'recorded step_start("createDraft")' in run.detail and 'step_start("makeDraft")' in run.detail
    assert _oplogs(in_flight) == before


def test_a_step_appended_after_the_wait_still_replays(in_flight: Path, tmp_path: Path) -> None:
    appended = '    const noted = step("note", () => true);\n    return Response.json({ ...confirmed, noted });'
    new = _version(tmp_path, ("    return Response.json(confirmed);", appended))
    proof = prove(load_side(str(APPROVAL)), load_side(str(new)), durable=in_flight)
    assert proof.durable_runs is not None and all(r.replays for r in proof.durable_runs)
    assert "ZP607" not in [f.rule.id for f in proof.findings]


def test_the_cli_names_the_run_and_exits_1(in_flight: Path, tmp_path: Path) -> None:
    new = _version(tmp_path, ('step("createDraft"', 'step("makeDraft"'))
    r = run_cli("prove", str(APPROVAL), str(new), "--durable", str(in_flight), "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert '"durable_runs"' in r.stdout and "order:42" in r.stdout


@pytest.mark.parametrize("damage", ["garbage", "not-utf8", "a-folder", "empty"])
def test_a_run_whose_oplog_cannot_be_read_is_not_proved_safe(in_flight: Path, tmp_path: Path, damage: str) -> None:
    # a proof that skipped the runs it cannot read would call them safe without having replayed them
    broken = in_flight / "runs" / "broken-run"
    broken.mkdir(parents=True)
    oplog = broken / "oplog.jsonl"
    if damage == "garbage":
        oplog.write_bytes(b"this is not json\n")
    elif damage == "not-utf8":
        oplog.write_bytes(b'{"key": "\xff\xfe"}\n')
    elif damage == "a-folder":
        oplog.mkdir()
    else:
        oplog.write_bytes(b"")
    proof = prove(load_side(str(APPROVAL)), load_side(str(_version(tmp_path))), durable=in_flight)
    assert proof.verdict.verdict == "BREAKING"
    [run] = [f for f in proof.findings if f.rule.id == "ZP607"]
    assert run.location == "run folder broken-run" and "cannot be read" in run.detail
    assert proof.durable_runs is not None and [r.replays for r in proof.durable_runs] == [True, False]


def test_a_run_whose_oplog_is_corrupt_past_its_first_line_is_not_proved_safe(in_flight: Path,
                                                                                tmp_path: Path) -> None:
    [oplog] = (in_flight / "runs").glob("*/oplog.jsonl")
    oplog.write_bytes(oplog.read_bytes() + b"{not json\n" + b'{"type": "step_start"}\n')
    proof = prove(load_side(str(APPROVAL)), load_side(str(_version(tmp_path))), durable=in_flight)
    assert proof.verdict.verdict == "BREAKING"
    [run] = [f for f in proof.findings if f.rule.id == "ZP607"]
    assert run.location == "run order:42" and "cannot be read" in run.detail, run.detail
