"""Replay evidence: a trace recorded by the real server, replayed twice against NEW."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from tests.support.server import ZIGTTP, serve
from zigttp.prove.inputs import load_side
from zigttp.prove.run import Proof, prove

from .support import prove_cli

HANDLER = """export function handler(req: Request): Response {
  if (req.path === "/missing") {
    return Response.json({ error: "not found" }, { status: 404 });
  }
  return Response.json({ path: req.path, at: Date.now(), lucky: Math.random() });
}
"""
PATHS = ("/a", "/b/c", "/missing", "/d")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("prove-trace")
    handler = root / "app.ts"
    handler.write_text(HANDLER)
    traces = root / "traces"
    with serve(handler, "--trace", str(traces / "app.jsonl"), "-q") as s:
        for path in PATHS:
            assert s.get(path).status_code == (404 if path == "/missing" else 200)
    return handler, traces


def _changed(tmp_path: Path, handler: Path, old: str, new: str) -> Path:
    out = tmp_path / "new.ts"
    source = handler.read_text()
    assert old in source
    out.write_text(source.replace(old, new))
    return out


def _prove(old: Path, new: Path, traces: Path) -> Proof:
    return prove(load_side(str(old)), load_side(str(new)), traces)


def _ids(proof: Proof) -> set[str]:
    return {f.rule.id for f in proof.findings}


def test_identical_replay_keeps_the_verdict_and_reports_counts(recorded: tuple[Path, Path]) -> None:
    handler, traces = recorded
    proof = _prove(handler, handler, traces)
    assert proof.verdict.verdict == "SAFE"
    e = proof.evidence
    assert e is not None and e.replayed == len(PATHS) and e.counts["identical"] == len(PATHS)
    assert e.deterministic and [f.to_dict()["file"] for f in e.files] == ["app.jsonl"]
    # two paths: /missing (404) and every other path (200); the traces took both, each unambiguously
    assert e.coverage is not None and e.coverage.to_dict() == {"paths": 2, "covered": 2, "ambiguous": 0,
                                                               "exhaustive": True}
    assert "ZP802" not in _ids(proof)


def test_traces_that_miss_a_path_leave_it_uncovered(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, traces = recorded
    new = _changed(tmp_path, handler, 'if (req.path === "/missing") {',
                   'if (req.method === "DELETE") {\n    return Response.json({ gone: true }, { status: 202 });\n  }\n'
                   '  if (req.path === "/missing") {')
    proof = _prove(handler, new, traces)
    assert proof.evidence is not None and proof.evidence.coverage is not None
    assert proof.evidence.coverage.to_dict() == {"paths": 3, "covered": 2, "ambiguous": 0, "exhaustive": True}


def test_a_version_1_contract_has_no_path_coverage_and_says_so(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, traces = recorded
    built = tmp_path / "built"
    r = subprocess.run([*ZIGTTP, "build", str(handler), "-o", str(built)], capture_output=True, text=True,
                       timeout=180)
    assert r.returncode == 0, r.stderr
    contract = json.loads((built / "contract.json").read_text())
    for key in ("routesDynamic", "schemasDynamic", "behaviors", "behaviorsExhaustive"):
        del contract[key]
    contract["version"] = 1
    (built / "contract.json").write_text(json.dumps(contract))
    proof = _prove(handler, built, traces)
    assert proof.evidence is not None and proof.evidence.coverage is None
    [coverage] = [f for f in proof.findings if f.rule.id == "ZP802"]
    assert coverage.level == "info" and "version 1" in coverage.detail


def test_a_changed_status_is_breaking_with_the_request_and_first_difference(recorded: tuple[Path, Path],
                                                                          tmp_path: Path) -> None:
    handler, traces = recorded
    new = _changed(tmp_path, handler, "{ status: 404 }", "{ status: 410 }")
    proof = _prove(handler, new, traces)
    assert proof.verdict.verdict == "BREAKING"
    [f] = [f for f in proof.findings if f.rule.id == "ZP701"]
    assert f.location == "GET /missing" and f.path.startswith("trace app.jsonl:")
    assert f.detail == "status changed 404 -> 410"
    assert f.old["status"] == 404 and f.new["status"] == 410
    assert proof.evidence is not None and proof.evidence.counts["status_changed"] == 1


def test_replay_contradicting_a_static_equivalence_is_a_finding(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, traces = recorded
    new = _changed(tmp_path, handler, "path: req.path,", "path: req.path.toUpperCase(),")
    proof = _prove(handler, new, traces)
    assert proof.static_classification == "equivalent"
    assert {"ZP701", "ZP703"} <= _ids(proof)
    assert proof.verdict.verdict == "BREAKING"


def test_traces_of_a_stateful_handler_are_not_replayed(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, traces = recorded
    lines = []
    for line in (traces / "app.jsonl").read_text().splitlines():
        obj = json.loads(line)
        if obj["type"] == "meta":
            obj.update(state_isolated=False, isolation="pooled")
        lines.append(json.dumps(obj))
    stateful = tmp_path / "stateful.jsonl"
    stateful.write_text("\n".join(lines) + "\n")
    proof = _prove(handler, handler, stateful)
    [f] = [f for f in proof.findings if f.rule.id == "ZP704"]
    assert f.new == len(PATHS)
    assert proof.verdict.verdict == "NEEDS_REVIEW"
    assert proof.evidence is not None and proof.evidence.replayed == 0


def test_two_replays_that_differ_are_a_determinism_finding(recorded: tuple[Path, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from zigttp.replay import replay as replay_module

    handler, traces = recorded
    real = replay_module.replay_all
    calls = []

    def flaky(target, groups):  # type: ignore[no-untyped-def]
        outcomes = real(target, groups)
        calls.append(1)
        if len(calls) == 2:  # the second replay answers the first request with other bytes
            outcomes[0] = dataclasses.replace(outcomes[0], actual_body=b"{}")
        return outcomes

    monkeypatch.setattr(replay_module, "replay_all", flaky)
    proof = _prove(handler, handler, traces)
    [f] = [f for f in proof.findings if f.rule.id == "ZP702"]
    assert f.new["body"] == "{}"
    assert proof.evidence is not None and not proof.evidence.deterministic
    assert proof.verdict.verdict == "NEEDS_REVIEW"


def test_a_certificate_with_replay_evidence_verifies_and_names_its_traces(recorded: tuple[Path, Path],
                                                                           tmp_path: Path) -> None:
    handler, traces = recorded
    new = _changed(tmp_path, handler, "{ status: 404 }", "{ status: 410 }")
    made = prove_cli(handler, new, "--traces", traces, "-o", "out", cwd=tmp_path)
    assert made.returncode == 1, made.stderr
    assert "ZP701 breaking GET /missing trace app.jsonl:" in made.stdout
    statement = json.loads((tmp_path / "out" / "proof.json").read_bytes())
    assert statement["replay_result"]["status_changed"] == 1 and statement["replay_result"]["replays_per_trace"] == 2
    [trace] = statement["traces"]
    assert trace["file"] == "app.jsonl" and trace["requests"] == len(PATHS)
    check = prove_cli("--verify", "out/proof.json", handler, new, "--traces", traces, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    lines = (traces / "app.jsonl").read_text().splitlines(keepends=True)
    (fewer / "app.jsonl").write_text("".join(lines[: len(lines) // 2]))
    other = prove_cli("--verify", "out/proof.json", handler, new, "--traces", fewer, cwd=tmp_path)
    assert other.returncode == 1 and "traces" in other.stderr
    requests = [i for i, line in enumerate(lines) if '"type":"request"' in line.replace(" ", "")]
    (fewer / "app.jsonl").write_text("".join(lines[: requests[2] + 1]))  # the third group has no response
    torn = prove_cli(handler, handler, "--traces", fewer, cwd=tmp_path)
    assert torn.returncode == 0 and "warning:" in torn.stderr and "torn last group skipped" in torn.stderr


def test_a_runtime_error_names_its_file_relative_to_the_handler(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, traces = recorded
    new = _changed(tmp_path, handler, 'if (req.path === "/missing") {',
                   'if (req.path === "/d") {\n    return Response.json(JSON.parse("{"));\n  }\n'
                   '  if (req.path === "/missing") {')
    proof = _prove(handler, new, traces)
    [f] = [f for f in proof.findings if f.rule.id == "ZP701" and f.location == "GET /d"]
    assert '"at":"new.ts:3:' in f.new["body"], f.new
    assert str(tmp_path) not in json.dumps([x.to_dict() for x in proof.findings])
