"""Least privilege is the embedding host's default: Host.load without grants grants nothing.

Granting everything takes `Grants.unrestricted_unsafe()`, which logs a warning; a platform that
embeds zigttp_host alone turns a contract.json into grants with `Grants.from_contract`.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, ModuleConfig

from ..modules.upstream import Upstream, upstream
from ..support.server import run_cli, serve

SECRET = "sentinel-default-41c2"
GOLDEN = Path(__file__).resolve().parent / "golden"

SOURCE = """import { env } from "zigttp:env";
import { cacheGet, cacheSet } from "zigttp:cache";
import { sql, sqlOne } from "zigttp:sql";
sql("one", "SELECT 1 AS x");
export function handler(req) {
  switch (req.path) {
    case "/env": return Response.json({ v: env("SECRET_VAR") });
    case "/cache": cacheSet("sessions", "k", "v"); return Response.json({ v: cacheGet("sessions", "k") });
    case "/sql": return Response.json(sqlOne("one"));
    case "/fetch": { const r = fetchSync(String(req.query.url)); return Response.json({ s: r.status, e: r.error }); }
  }
  return Response.json({ error: "no route" }, { status: 404 });
}
"""


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory, up: Upstream) -> Iterator[Host]:
    # the Host is configured with everything: only the grants decide what one handler reaches
    db = tmp_path_factory.mktemp("db") / "t.sqlite3"
    h = Host(modules=ModuleConfig(env={"SECRET_VAR": SECRET}, sqlite_path=str(db),
                                  outbound_hosts=(f"127.0.0.1:{up.port}",)))
    yield h
    h.functions.runtime.close()
    h.engine.close()


def call(handler: Any, path: str) -> tuple[int, dict[str, Any]]:
    r = handler.handle(HttpRequest("GET", path))
    return r.status, json.loads(r.body)


def denied(capability: str, name: str) -> tuple[int, dict[str, Any]]:
    return 500, {"error": "capability_denied", "capability": capability, "name": name}


def test_load_without_grants_grants_nothing(host: Host, up: Upstream) -> None:
    h = host.load(Bundle(SOURCE, "nogrants.js"))
    assert call(h, "/env") == denied("env", "SECRET_VAR")
    assert call(h, "/cache") == denied("cache", "sessions")
    assert call(h, "/sql") == denied("sql", "one")
    up.reset()
    assert call(h, f"/fetch?url={up.url}/json") == (200, {"s": 599, "e": "EgressDenied"})
    assert up.requests == []


def test_unrestricted_grants_are_explicit_and_logged(host: Host, up: Upstream,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="zigttp.host"):
        h = host.load(Bundle(SOURCE, "open.js"), grants=Grants.unrestricted_unsafe())
    warnings = [r for r in caplog.records if r.name == "zigttp.host" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "open.js" in warnings[0].getMessage()
    assert "unrestricted" in warnings[0].getMessage()
    assert call(h, "/env") == (200, {"v": SECRET})
    assert call(h, "/cache") == (200, {"v": "v"})
    assert call(h, "/sql") == (200, {"x": 1})
    # egress is still the Host's egress policy: its allowlist, private addresses refused
    assert call(h, f"/fetch?url={up.url}/json") == (200, {"s": 200})  # JSON drops the undefined error
    assert call(h, "/fetch?url=http://localhost:9/") == (200, {"s": 599, "e": "EgressDenied"})


def test_unrestricted_is_not_reachable_by_accident() -> None:
    assert Grants() == Grants.from_dict(Grants().to_dict())
    assert not Grants().unrestricted and Grants.unrestricted_unsafe().unrestricted
    assert "unrestricted" not in Grants().to_dict()  # the JSON form of ordinary grants is unchanged
    open_ = Grants.unrestricted_unsafe(handler="h")
    assert Grants.from_dict(open_.to_dict()) == open_


def contracts() -> list[Path]:
    return sorted(GOLDEN.rglob("*.contract.json"))


@pytest.mark.parametrize("path", contracts(), ids=lambda p: p.name)
def test_from_contract_grants_exactly_the_contract(path: Path) -> None:
    contract = json.loads(path.read_text())
    g = Grants.from_contract(contract, handler="h.js", security_log="/tmp/sec.jsonl")
    assert (sorted(g.env), sorted(g.cache), sorted(g.sql)) == (contract["env"], contract["cache"], contract["sql"])
    assert sorted(g.egress) == contract["egress"]  # the examples name hosts only
    assert (g.handler, g.security_log) == ("h.js", "/tmp/sec.jsonl")
    assert Grants.from_dict(g.to_dict()) == g


def test_from_contract_leaves_addresses_to_the_operator() -> None:
    from zigttp_host.grants import contract_egress

    contract = {"version": 1, "env": [], "cache": [], "sql": [],
                "egress": ["api.example.com", "api.example.com:8443", "127.0.0.1:9", "localhost", "::1"]}
    assert Grants.from_contract(contract).egress == {"api.example.com", "api.example.com:8443"}
    assert contract_egress(contract) == (["api.example.com", "api.example.com:8443"],
                                                ["127.0.0.1:9", "localhost", "::1"])


@pytest.mark.parametrize(("contract", "message"), [
    ([], "a contract must be a JSON object"),
    ({"version": 3, "env": [], "egress": [], "cache": [], "sql": []}, "version 1 or 2"),
    ({"version": 1, "egress": [], "cache": [], "sql": []}, "'env' must be a list of strings"),
    ({"version": 1, "env": "HOME", "egress": [], "cache": [], "sql": []}, "'env' must be a list of strings"),
    ({"version": 1, "env": [], "egress": ["bad host!"], "cache": [], "sql": []}, "egress grant"),
])
def test_from_contract_refuses_what_is_not_a_contract(contract: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Grants.from_contract(contract)


def test_from_contract_needs_no_toolchain() -> None:
    probe = ("import sys, json; from zigttp_host import Grants; "
             "g = Grants.from_contract(json.loads(sys.argv[1])); "
             "assert not [m for m in sys.modules if m == 'zigttp' or m.startswith('zigttp.')], 'zigttp imported'; "
             "print(sorted(g.env))")
    contract = json.dumps({"version": 1, "env": ["A"], "egress": [], "cache": [], "sql": []})
    r = subprocess.run([sys.executable, "-c", probe, contract], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout.strip()) == (0, "['A']"), r.stderr


def test_a_built_contract_is_what_serve_grants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # round trip: `zigttp build` writes contract.json, serve --contract grants from it, and the
    # embedder's Grants.from_contract reads the same file to the same grants
    handler = tmp_path / "h.ts"
    handler.write_text('import { env } from "zigttp:env";\nimport { cacheGet } from "zigttp:cache";\n'
                       "export function handler(req: Request): Response {\n"
                       '  const r = fetchSync("https://api.example.com:8443/v1");\n'
                       '  return Response.json({ r: env("ZIGTTP_REGION") ?? "", c: cacheGet("visits", "k") ?? "",'
                       " s: r.status });\n}\n")
    r = run_cli("build", str(handler), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    path = tmp_path / "out" / "contract.json"
    contract = json.loads(path.read_text())
    assert contract["egress"] == ["api.example.com:8443"]
    monkeypatch.setenv("ZIGTTP_REGION", "eu")
    with serve(handler, "--contract", str(path), "--expose-contract") as s:
        exposed = s.get("/_zigttp/contract").json()["grants"]
    mine = Grants.from_contract(contract).to_dict()
    assert exposed == {c: mine[c] for c in ("env", "egress", "cache", "sql")}
