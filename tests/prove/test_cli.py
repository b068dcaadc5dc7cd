"""`zigttp prove` in real processes: exit codes, outputs, bad input, and --verify of a certificate."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support.server import ZIGTTP

from .support import FIXTURES, prove_cli, side_of


def _pair(name: str, into: Path) -> tuple[Path, Path]:
    folder = next(FIXTURES.glob(f"{name}-*"))
    shutil.copy(side_of(folder, "old.ts"), into / "old.ts")
    shutil.copy(side_of(folder, "new.ts"), into / "new.ts")
    return into / "old.ts", into / "new.ts"


@pytest.mark.parametrize(("fixture", "code", "verdict"), [
    ("ZP801", 0, "SAFE"),
    ("ZP102", 0, "SAFE_WITH_ADDITIONS"),
    ("ZP101", 1, "BREAKING"),
    ("ZP205", 3, "NEEDS_REVIEW"),
])
def test_exit_codes_follow_the_verdict(tmp_path: Path, fixture: str, code: int, verdict: str) -> None:
    _pair(fixture, tmp_path)
    r = prove_cli("old.ts", "new.ts", "--json", cwd=tmp_path)
    assert r.returncode == code, r.stderr
    statement = json.loads(r.stdout)
    assert statement["verdict"] == verdict
    assert all(f["rule"].startswith("ZP") for f in statement["findings"])
    if fixture != "ZP801":
        assert fixture in {f["rule"] for f in statement["findings"]}


def test_help_documents_the_exit_codes() -> None:
    r = subprocess.run([*ZIGTTP, "prove", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for line in ("0  SAFE or SAFE_WITH_ADDITIONS", "1  BREAKING", "2  usage or invalid input", "3  NEEDS_REVIEW"):
        assert line in r.stdout


def test_outputs_in_a_folder(tmp_path: Path) -> None:
    _pair("ZP101", tmp_path)
    r = prove_cli("old.ts", "new.ts", "-o", "out", cwd=tmp_path)
    assert r.returncode == 1
    assert "PROVEN EVOLUTION REPORT" in r.stdout and "ZP101 breaking GET /health" in r.stdout
    data = (tmp_path / "out" / "proof.json").read_bytes()
    statement = json.loads(data)
    assert rfc8785.dumps(statement) == data  # canonical bytes, no newline
    assert statement["classification"] == "breaking" and statement["contract_diff"]["routes_removed"] == [
        "GET /health"]
    assert statement["old_handler"] == "old.ts" and statement["ruleset_version"] == "2"
    assert len(statement["old"]["bundle_sha256"]) == 64 and len(statement["guest_wasm_sha256"]) == 64
    manifest = json.loads((tmp_path / "out" / "upgrade-manifest.json").read_text())
    assert manifest["verdict"] == "BREAKING" and manifest["surface"]["routesRemoved"] == ["GET /health"]
    assert (tmp_path / "out" / "proof-report.txt").read_text() == r.stdout


def test_a_built_bundle_proves_like_its_source(tmp_path: Path) -> None:
    _pair("ZP801", tmp_path)
    built = subprocess.run([*ZIGTTP, "build", "old.ts", "-o", "bundle"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    r = prove_cli("bundle", "old.ts", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["old"]["input"] == "bundle" and s["new"]["input"] == "source"
    assert s["old"]["bundle_sha256"] == s["new"]["bundle_sha256"]
    assert s["old"]["contract_sha256"] == s["new"]["contract_sha256"]


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-inputs")
    _pair("ZP801", folder)
    (folder / "bad.json").write_text("{")
    (folder / "notcontract.json").write_text('{"version": 1}')
    (folder / "broken.ts").write_text("export function handler(req: Request): Response {\n")
    (folder / "folder").mkdir()
    built = subprocess.run([*ZIGTTP, "build", "old.ts", "-o", "b"], cwd=folder, capture_output=True, timeout=120)
    assert built.returncode == 0
    shutil.copy(folder / "b" / "contract.json", folder / "contract.json")
    return folder


@pytest.mark.parametrize(("args", "message"), [
    (["missing.ts", "old.ts"], "error: missing.ts: no such file or directory"),
    (["bad.json", "old.ts"], "error: bad.json is not JSON"),
    (["notcontract.json", "old.ts"], "is not a zigttp contract"),
    (["broken.ts", "old.ts"], "error: broken.ts does not compile"),
    (["folder", "old.ts"], "a bundle folder needs handler.js"),
    (["old.ts", "old.ts", "--durable", "runs"], "no such durable folder"),
    (["old.ts", "old.ts", "--sign", "key.pem"], "--sign needs -o DIR"),
    (["old.ts", "old.ts", "--traces", "none.jsonl"], "none.jsonl: no such file or directory"),
    (["old.ts", "contract.json", "--traces", "old.ts"], "has no bundle to replay"),
    (["old.ts", "old.ts", "-o", "out", "--sign", "bad.json"], "bad.json: not an unencrypted PEM PKCS#8 private key"),
    (["--verify", "none.json", "old.ts", "old.ts"], "cannot read none.json"),
    (["--verify", "bad.json", "old.ts", "old.ts", "--pubkey", "bad.json"], "bad.json: not a PEM public key"),
])
def test_bad_input_is_one_line_and_exit_2(bad_inputs: Path, args: list[str], message: str) -> None:
    r = prove_cli(*args, cwd=bad_inputs)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def _keys(tmp_path: Path) -> tuple[Path, Path, Path]:
    def write(key: Ed25519PrivateKey, name: str) -> tuple[Path, Path]:
        private, public = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub.pem"
        private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
        return private, public

    private, public = write(Ed25519PrivateKey.generate(), "key")
    _, other = write(Ed25519PrivateKey.generate(), "other")
    return private, public, other


def test_verify_reproduces_a_signed_certificate_and_rejects_tampering(tmp_path: Path) -> None:
    _pair("ZP102", tmp_path)
    private, public, other = _keys(tmp_path)
    made = prove_cli("old.ts", "new.ts", "-o", "out", "--sign", private, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    cert = tmp_path / "out" / "proof.json"
    ok = prove_cli("--verify", cert, "old.ts", "new.ts", "--pubkey", public, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "matches byte for byte" in ok.stdout and "the signature holds" in ok.stdout

    wrong_key = prove_cli("--verify", cert, "old.ts", "new.ts", "--pubkey", other, cwd=tmp_path)
    assert wrong_key.returncode == 1 and "signature does not hold" in wrong_key.stderr

    swapped = prove_cli("--verify", cert, "new.ts", "old.ts", cwd=tmp_path)
    assert swapped.returncode == 1 and "does not match" in swapped.stderr

    statement = json.loads(cert.read_bytes())
    statement["verdict"] = "SAFE"
    cert.write_bytes(rfc8785.dumps(statement))
    tampered = prove_cli("--verify", cert, "old.ts", "new.ts", "--pubkey", public, cwd=tmp_path)
    assert tampered.returncode == 1
    assert "differs in: verdict" in tampered.stderr and "signature does not hold" in tampered.stderr


def test_a_certificate_does_not_depend_on_where_it_is_made(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two" / "deeper"
    for folder in (first, second):
        folder.mkdir(parents=True)
        _pair("ZP303", folder)
    made = prove_cli("old.ts", "new.ts", "-o", "out", cwd=first)
    assert made.returncode == 0
    again = prove_cli(second / "old.ts", second / "new.ts", "-o", second / "out", cwd=tmp_path)
    assert again.returncode == 0
    assert (first / "out" / "proof.json").read_bytes() == (second / "out" / "proof.json").read_bytes()
    check = prove_cli("--verify", first / "out" / "proof.json", "deeper/old.ts", "deeper/new.ts",
                      cwd=second.parent)
    assert check.returncode == 0, check.stderr
