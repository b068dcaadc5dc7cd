"""`zigttp serve` and contracts: derived or given, checked at start, granted exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..support.server import run_cli, serve

HANDLER = """import { env } from "zigttp:env";
import { cacheGet, cacheSet } from "zigttp:cache";
import { label } from "./lib.ts";

export function handler(req: Request): Response {
  if (req.path === "/env") return Response.json({ region: env("ZIGTTP_REGION") ?? "none" });
  if (req.path === "/cache") {
    cacheSet("visits", "k", "1");
    return Response.json({ v: cacheGet("visits", "k") ?? "" });
  }
  if (req.path === "/other") return Response.json({ v: (env(String(req.query.name)) ?? "").length });
  return Response.json({ error: "not here", label: label() }, { status: 404 });
}
"""
LIB = 'export function label(): string { return "lib"; }\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "h.ts").write_text(HANDLER)
    (tmp_path / "lib.ts").write_text(LIB)
    return tmp_path


def build(project: Path) -> Path:
    r = run_cli("build", str(project / "h.ts"), "-o", str(project / "out"))
    assert r.returncode == 0, r.stderr
    return project / "out" / "contract.json"


def start(handler: Path, *args: str) -> tuple[int, str]:
    """Runs serve in a way that must fail at start; (exit code, stderr)."""
    r = run_cli("serve", str(handler), "--port", "0", "--workers", "1", *args, timeout=120)
    return r.returncode, r.stderr


def test_derived_contract_is_granted(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIGTTP_REGION", "eu")
    log = project / "sec.jsonl"
    with serve(project / "h.ts", "--security-log", str(log)) as s:
        assert s.get("/env").json() == {"region": "eu"}
        assert s.get("/cache").json() == {"v": "1"}
        r = s.get("/other?name=PATH")
        assert (r.status_code, r.json()) == (500, {"error": "capability_denied", "capability": "env",
                                                   "name": "PATH"})
        # not exposed: the path belongs to the handler
        assert s.get("/_zigttp/contract").status_code == 404
        banner = s.log()
    assert "grants from the derived contract (proof: partial): env [ZIGTTP_REGION]; egress []; " \
           "cache [visits]; sql []" in banner
    assert [json.loads(line)["name"] for line in log.read_text().splitlines()] == ["PATH"]


def test_allow_flags_grant_by_name(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIGTTP_REGION", "eu")
    monkeypatch.setenv("ZIGTTP_EXTRA", "extra-value")
    with serve(project / "h.ts", "--allow-env", "ZIGTTP_EXTRA", "--expose-contract") as s:
        assert s.get("/other?name=ZIGTTP_EXTRA").json() == {"v": len("extra-value")}
        exposed = s.get("/_zigttp/contract").json()
    assert exposed["grants"]["env"] == ["ZIGTTP_EXTRA", "ZIGTTP_REGION"]
    assert exposed["contract"]["env"] == ["ZIGTTP_REGION"] and exposed["contract"]["dynamic"]["env"] is True


def test_given_contract_is_used(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = build(project)
    data = json.loads(contract.read_text())
    data["cache"] = []  # an operator may grant less than the handler needs
    contract.write_text(json.dumps(data))
    monkeypatch.setenv("ZIGTTP_REGION", "eu")
    with serve(project / "h.ts", "--contract", str(contract), "--expose-contract") as s:
        assert s.get("/env").json() == {"region": "eu"}
        r = s.get("/cache")
        assert (r.status_code, r.json()["capability"]) == (500, "cache")
        assert s.get("/_zigttp/contract").json()["contract"]["cache"] == []
        assert "grants from the given contract" in s.log()


def test_contract_of_another_version_is_refused(project: Path) -> None:
    contract = build(project)
    (project / "h.ts").write_text(HANDLER + "\n// changed\n")
    code, err = start(project / "h.ts", "--contract", str(contract))
    assert code == 1 and "built from another version of" in err and "zigttp build" in err
    (project / "h.ts").write_text(HANDLER)
    (project / "lib.ts").write_text(LIB + "// changed\n")
    code, err = start(project / "h.ts", "--contract", str(contract))
    assert code == 1 and "another version of lib.ts" in err


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not JSON"),
    ('{"version": 2}', "is not a zigttp contract"),
    ("[]", "is not a zigttp contract"),
])
def test_malformed_contract_is_a_usage_error(project: Path, content: str, message: str) -> None:
    bad = project / "bad.json"
    bad.write_text(content)
    code, err = start(project / "h.ts", "--contract", str(bad))
    assert code == 2 and message in err and "Traceback" not in err
    code, err = start(project / "h.ts", "--contract", str(project / "missing.json"))
    assert code == 2 and "cannot read" in err


def test_missing_env_var_stops_the_start(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZIGTTP_REGION", raising=False)
    code, err = start(project / "h.ts")
    assert code == 1
    assert "reads environment variable ZIGTTP_REGION (proven by its contract), but it is not set" in err
    with serve(project / "h.ts", "--no-env-check") as s:
        assert s.get("/env").json() == {"region": "none"}


def test_no_verify_grants_only_allow_flags(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIGTTP_REGION", "eu")
    with serve(project / "h.ts", "--no-verify", "--allow-cache", "visits") as s:
        assert s.get("/cache").json() == {"v": "1"}
        r = s.get("/env")
        assert (r.status_code, r.json()["name"]) == (500, "ZIGTTP_REGION")
        assert "grants (no contract: only --allow-* names): env []; egress []; cache [visits]" in s.log()


@pytest.mark.parametrize("flag, value", [("--allow-egress", "bad host!"), ("--allow-env", "")])
def test_bad_allow_values_are_usage_errors(project: Path, flag: str, value: str) -> None:
    code, err = start(project / "h.ts", flag, value)
    assert code == 2 and "usage:" in err


def test_contract_ip_hosts_need_an_explicit_grant(tmp_path: Path) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text('import { fetch } from "zigttp:fetch";\n'
                       "export function handler(req: Request): Response {\n"
                       '  return Response.json({ s: fetch("http://127.0.0.1:9/x").status, '
                       't: fetch("https://api.example.com/").status });\n}\n')
    with serve(handler, "--expose-contract") as s:
        grants = s.get("/_zigttp/contract").json()["grants"]
        log = s.log()
    assert grants["egress"] == ["api.example.com"]
    # the URL names port 9: the contract records that origin, and an operator grants it
    assert "contract egress 127.0.0.1:9 is not granted automatically" in log


def test_users_example_runs_under_its_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ..support.server import REPO

    monkeypatch.setenv("REGION", "eu")
    with serve(REPO / "examples" / "contract" / "users.ts", "--sqlite", str(tmp_path / "users.db"),
               "--expose-contract") as s:
        assert s.get("/health").json() == {"ok": True, "region": "eu"}
        created = s.post("/users", json={"name": "Ann", "email": "ann@example.com"})
        assert created.status_code == 201
        user_id = created.json()["id"]
        assert s.get(f"/users/{user_id}").json() == {"id": user_id, "name": "Ann", "email": "ann@example.com"}
        assert s.get(f"/users/{user_id}").json()["name"] == "Ann"  # from the cache namespace
        assert s.post("/users", json={"name": ""}).status_code == 400
        assert s.get("/users/999").status_code == 404
        exposed = s.get("/_zigttp/contract").json()
    assert exposed["contract"]["proof"] == "complete"
    assert exposed["grants"] == {"env": ["REGION"], "egress": [], "cache": ["sessions"],
                                 "sql": ["createTable", "createUser", "getUserById"]}
