"""`zigttp build`: outputs, switches, console report and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from zigttp.cli import main
from zigttp.cli.build import parse_switches
from zigttp.contract.schema import validation_errors

from ..support.server import REPO, run_cli

USERS = REPO / "examples" / "contract" / "users.ts"


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["build", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_build_writes_bundle_contract_and_openapi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, err = build(capsys, str(USERS), "-o", str(out_dir), "-Dverify", "-Dcontract", "-Dopenapi")
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["contract.json", "handler.js", "openapi.json"]
    contract = json.loads((out_dir / "contract.json").read_text())
    assert validation_errors(contract) == []
    assert list(contract) == ["version", "handler", "env", "egress", "cache", "sql", "dynamic", "sqlQueries",
                              "modules", "functions", "routes", "routesDynamic", "schemasDynamic", "behaviors",
                              "behaviorsExhaustive", "properties", "proof"]
    assert contract["proof"] == "complete"
    validate(json.loads((out_dir / "openapi.json").read_text()))
    assert "export function handler" in (out_dir / "handler.js").read_text()
    # the §1.3 report
    assert "Sandbox: complete (all access statically proven)" in out
    assert "  env: restricted to [REGION] (1 proven, no dynamic access)" in out
    assert "  sql: restricted to [createTable, createUser, getUserById] (3 proven, no dynamic access)" in out
    assert "Handler Properties:" in out
    assert "  PROVEN deterministic " in out and "  ---    read_only " in out
    assert out.rstrip().endswith("→ all code paths verified ✓")


def test_default_output_folder_and_no_openapi(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text("export function handler(req: Request): Response { return Response.text('hi'); }\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = build(capsys, "h.ts")
    assert code == 0
    built = tmp_path / ".zigttp" / "build"
    assert sorted(p.name for p in built.iterdir()) == ["contract.json", "handler.js"]
    assert json.loads((built / "contract.json").read_text())["handler"]["path"] == "h.ts"
    assert "verified ✓" not in out


@pytest.mark.parametrize("switch", [["-D", "verify"], ["--verify"], ["-Dverify=true"]])
def test_verify_switch_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str], switch: list[str]) -> None:
    code, out, _ = build(capsys, str(USERS), "-o", str(tmp_path), *switch)
    assert code == 0 and "→ all code paths verified ✓" in out


def test_openapi_long_form_and_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(capsys, str(USERS), "-o", str(tmp_path / "a"), "--openapi")[0] == 0
    assert (tmp_path / "a" / "openapi.json").exists()
    assert build(capsys, str(USERS), "-o", str(tmp_path / "b"), "-Dopenapi=false")[0] == 0
    assert not (tmp_path / "b" / "openapi.json").exists()


UNVERIFIED = """import { cacheGet } from "zigttp:cache";
export function handler(req: Request): Response {
  const v = cacheGet("ns", "k");
  return Response.json({ n: v.length });
}
"""


def test_verifier_errors_fail_only_with_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text(UNVERIFIED)
    code, out, err = build(capsys, str(handler), "-o", str(tmp_path / "plain"))
    assert code == 0
    assert "note: the verifier reported" in out
    assert json.loads((tmp_path / "plain" / "contract.json").read_text())["proof"] == "partial"
    code, out, err = build(capsys, str(handler), "-o", str(tmp_path / "verified"), "-Dverify")
    assert code == 1
    assert "ZTS30" in err and "nothing written" in err
    assert not (tmp_path / "verified").exists()


def test_spec_failure_fails_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text('import type { Spec } from "zigttp:types";\n'
                       'export function handler(req: Request): Response & Spec<"deterministic"> {\n'
                       "  return Response.json({ t: Date.now() });\n}\n")
    code, _, err = build(capsys, str(handler), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "ZTS500 Spec property 'deterministic' is not proven" in err
    assert "= help: remove Date.now() / Math.random()" in err


def test_front_end_error_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text("export function handler(req: Request): Response { while (true) {} }\n")
    code, _, err = build(capsys, str(handler), "-o", str(tmp_path / "out"))
    assert code == 1 and "ZTS001" in err


@pytest.mark.parametrize("args, message", [
    (["-Dfast"], "unknown build switch -Dfast"),
    (["-Dverify=maybe"], "-Dverify takes true or false"),
    (["-Dverify="], "-Dverify takes true or false"),
])
def test_bad_switches_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                       message: str) -> None:
    code, _, err = build(capsys, str(USERS), "-o", str(tmp_path), *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_handler_and_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = build(capsys, str(tmp_path / "nope.ts"))
    assert code == 2 and "no such file" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = build(capsys, str(USERS), "-o", str(blocker / "sub"))
    assert code == 2 and "cannot write" in err


def test_parse_switches() -> None:
    assert parse_switches(["verify", "openapi=1", "contract=off"]) == {"verify": True, "openapi": True,
                                                                      "contract": False}


def test_build_as_a_process(tmp_path: Path) -> None:
    """The real command line: argparse's own usage errors are exit 2 too."""
    r = run_cli("build", str(USERS), "-o", str(tmp_path), "-Dopenapi")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "openapi.json").exists()
    r = run_cli("build")
    assert r.returncode == 2 and "usage:" in r.stderr
