"""`zigttp build HANDLER -Dprove=OLD[:TRACES]`: the build proven against the version it replaces."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.server import REPO, run_cli

ROUTER = REPO / "examples" / "modules" / "router.ts"


def _copy(tmp: Path, edit: tuple[str, str] | None = None) -> Path:
    handler = tmp / "router.ts"
    shutil.copy(ROUTER, handler)
    if edit is not None:
        text = handler.read_text()
        assert edit[0] in text
        handler.write_text(text.replace(edit[0], edit[1]))
    return handler


def test_the_old_contract_in_the_same_folder_is_read_before_the_build_writes_over_it(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert run_cli("build", str(_copy(tmp_path)), "-o", str(out)).returncode == 0
    handler = _copy(tmp_path, ('"POST /users"', '"PUT /users"'))
    r = run_cli("build", str(handler), "-o", str(out), f"-Dprove={out / 'contract.json'}")
    assert r.returncode == 1, r.stdout + r.stderr  # BREAKING
    assert "ZP101 breaking POST /users" in r.stdout
    statement = json.loads((out / "proof.json").read_text())
    assert statement["classification"] == "breaking"
    assert {p.name for p in out.iterdir()} >= {"proof.json", "proof-report.txt", "upgrade-manifest.json"}
    assert json.loads((out / "contract.json").read_text())["routes"][2]["method"] == "PUT"  # the build was written


def test_an_additive_build_is_safe_and_proves_against_a_bundle_folder(tmp_path: Path) -> None:
    old = tmp_path / "old"
    assert run_cli("build", str(_copy(tmp_path)), "-o", str(old)).returncode == 0
    handler = _copy(tmp_path, ("{ created: true }", '{ created: true, at: "now" }'))
    r = run_cli("build", str(handler), "-o", str(tmp_path / "new"), f"-Dprove={old}")
    assert r.returncode == 0, r.stdout + r.stderr
    manifest = json.loads((tmp_path / "new" / "upgrade-manifest.json").read_text())
    assert manifest["verdict"] == "SAFE_WITH_ADDITIONS"


@pytest.mark.parametrize("switch, message", [
    ("-Dprove", "-Dprove takes the old version"),
    ("-Dprove=/nonexistent/contract.json", "no such file"),
])
def test_a_bad_prove_switch_is_a_usage_error(tmp_path: Path, switch: str, message: str) -> None:
    r = run_cli("build", str(_copy(tmp_path)), "-o", str(tmp_path / "out"), switch)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out" / "handler.js").exists()  # nothing written when OLD cannot be read
