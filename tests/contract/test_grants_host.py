"""Grants at the host boundary (zigttp_host.grants), in process: what is not granted is denied, uncatchably."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zigttp_host import Bundle, Host, HttpRequest, ModuleConfig
from zigttp_host.grants import Grants, SecurityLog

SECRET = "sentinel-host-7f3a9c"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    db = tmp_path_factory.mktemp("db") / "t.sqlite3"
    h = Host(modules=ModuleConfig(env={"OK_VAR": "ok-value", "SECRET_VAR": SECRET}, sqlite_path=str(db),
                                  outbound_hosts=("127.0.0.1:9",)))
    yield h
    h.engine.close()


SOURCE = """import { env } from "zigttp:env";
import { cacheGet, cacheSet, cacheStats } from "zigttp:cache";
import { sql, sqlOne, sqlExec } from "zigttp:sql";
import { fetch } from "zigttp:fetch";
sql("mk", "CREATE TABLE IF NOT EXISTS t (x INTEGER)");
sql("one", "SELECT 1 AS x");
sql("other", "SELECT 2 AS x");
const alias = env;
export function handler(req) {
  const q = req.query;
  switch (req.path) {
    case "/env": return Response.json({ v: env(String(q.name)) });
    case "/alias": return Response.json({ v: alias("SECRET_VAR") });
    case "/map": return Response.json({ v: ["SECRET_VAR"].map(env) });
    case "/catch":
      try { return Response.json({ v: env("SECRET_VAR") }); } catch (e) { return Response.json({ caught: String(e) }); }
    case "/catch-nested": {
      let out = "none";
      try { [1].forEach(() => { out = env("SECRET_VAR"); }); } catch (e) { out = "caught"; }
      return Response.json({ out });
    }
    case "/number": return Response.json({ v: env(42) });
    case "/long": return Response.json({ v: env("A".repeat(1000)) });
    case "/cache": cacheSet(String(q.ns), "k", "v"); return Response.json({ v: cacheGet(String(q.ns), "k") });
    case "/stats": return Response.json(q.ns === undefined ? cacheStats() : cacheStats(String(q.ns)));
    case "/sql": sqlExec("mk"); return Response.json(sqlOne(String(q.name)));
    case "/fetch": { const r = fetch(String(q.url)); return Response.json({ s: r.status, e: r.error }); }
  }
  return Response.json({ error: "no route" }, { status: 404 });
}
"""


def call(handler, path: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    r = handler.handle(HttpRequest("GET", path))
    return r.status, json.loads(r.body)


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("log") / "security.jsonl"


@pytest.fixture(scope="module")
def granted(host: Host, log_path: Path):  # type: ignore[no-untyped-def]
    grants = Grants(env={"OK_VAR"}, cache={"sessions", "*"}, sql={"mk", "one"}, egress={"127.0.0.1:9"},
                    handler="grants.js", security_log=str(log_path))
    return host.load(Bundle(SOURCE, "grants.js"), grants=grants)


def events(log_path: Path) -> list[dict]:
    return [json.loads(line) for line in log_path.read_text().splitlines()]


def test_granted_names_work(granted) -> None:  # type: ignore[no-untyped-def]
    assert call(granted, "/env?name=OK_VAR") == (200, {"v": "ok-value"})
    assert call(granted, "/cache?ns=sessions") == (200, {"v": "v"})
    assert call(granted, "/sql?name=one") == (200, {"x": 1})
    status, body = call(granted, "/stats")
    assert status == 200 and "entries" in body


@pytest.mark.parametrize("path, capability, name", [
    ("/env?name=SECRET_VAR", "env", "SECRET_VAR"),
    ("/alias", "env", "SECRET_VAR"),
    ("/map", "env", "SECRET_VAR"),
    ("/catch", "env", "SECRET_VAR"),
    ("/catch-nested", "env", "SECRET_VAR"),
    ("/number", "env", "<int>"),
    ("/cache?ns=other", "cache", "other"),
    ("/stats?ns=other", "cache", "other"),
    ("/sql?name=other", "sql", "other"),
])
def test_anything_else_is_denied(granted, log_path: Path, path: str, capability: str, name: str) -> None:  # type: ignore[no-untyped-def]
    before = len(events(log_path)) if log_path.exists() else 0
    status, body = call(granted, path)
    assert (status, body) == (500, {"error": "capability_denied", "capability": capability, "name": name})
    assert SECRET not in json.dumps(body)
    new = events(log_path)[before:]
    assert len(new) == 1
    event = new[0]
    assert {k: event[k] for k in ("event", "capability", "name", "handler")} == {
        "event": "capability_denied", "capability": capability, "name": name, "handler": "grants.js"}
    assert set(event) >= {"ts", "reason", "function", "pid"}


def test_denied_names_are_bounded(granted) -> None:  # type: ignore[no-untyped-def]
    status, body = call(granted, "/long")
    assert status == 500 and len(body["name"]) <= 257
    # what is not a variable name could be a value the handler holds: never echoed or logged
    status, body = call(granted, "/env?name=" + "s3cr3t%20value%21")
    assert (status, body["name"]) == (500, "<not a variable name, 13 characters>")


def test_refused_egress_is_logged(granted, log_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = len(events(log_path)) if log_path.exists() else 0
    status, body = call(granted, "/fetch?url=" + "http%3A%2F%2Flocalhost%3A9%2Fx%3Fkey%3Dvalue")
    assert (status, body["s"], body["e"]) == (200, 599, "EgressDenied")
    new = events(log_path)[before:]
    assert [(e["capability"], e["name"]) for e in new] == [("egress", "localhost")]
    assert "value" not in json.dumps(new)  # the path and query never reach the log


def test_no_log_file_still_denies(host: Host) -> None:
    h = host.load(Bundle(SOURCE, "nolog.js"), grants=Grants(env={"OK_VAR"}))
    assert call(h, "/env?name=SECRET_VAR")[0] == 500


def test_without_grants_nothing_is_granted(host: Host) -> None:
    # least privilege is the default (test_grants_default.py covers every capability)
    h = host.load(Bundle(SOURCE, "open.js"))
    assert call(h, "/env?name=OK_VAR") == (500, {"error": "capability_denied", "capability": "env",
                                                 "name": "OK_VAR"})


def test_grants_round_trip() -> None:
    g = Grants(env={"B", "A"}, egress={"x.example"}, handler="h", security_log="/tmp/x")
    assert Grants.from_dict(g.to_dict()) == g
    assert g.to_dict()["env"] == ["A", "B"]
    with pytest.raises(ValueError, match="unknown grant settings"):
        Grants.from_dict({"files": []})


WRITER = """
import sys
from zigttp_host.grants import SecurityLog
log = SecurityLog(sys.argv[1])
for i in range(300):
    log.write({"capability": "env", "name": "N" * (i % 50), "writer": sys.argv[2], "i": i})
"""


def test_security_log_lines_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)]) for n in range(4)]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    lines = path.read_text().splitlines()
    assert len(lines) == 1200
    parsed = [json.loads(line) for line in lines]
    assert sorted((e["writer"], e["i"]) for e in parsed) == sorted((str(w), i) for w in range(4) for i in range(300))
    log = SecurityLog(str(path))
    log.write({"a": 1})
    log.close()
    assert (path.stat().st_mode & 0o777) == 0o600


def test_egress_grants_are_per_handler(host: Host, granted) -> None:  # type: ignore[no-untyped-def]
    # the host allows 127.0.0.1:9; a handler granted no egress still cannot reach it
    h = host.load(Bundle(SOURCE, "no-egress.js"), grants=Grants(env={"OK_VAR"}))
    status, body = call(h, "/fetch?url=http%3A%2F%2F127.0.0.1%3A9%2Fx")
    assert (status, body["s"], body["e"]) == (200, 599, "EgressDenied")
    assert h.functions is granted.functions is host.functions  # the grants carry egress: one module runtime
    status, body = call(granted, "/fetch?url=http%3A%2F%2F127.0.0.1%3A9%2Fx")
    assert body["e"] != "EgressDenied"  # allowed (nothing listens there: a network error)


def test_serve_carries_egress_once_in_the_grants(tmp_path: Path) -> None:
    """`zigttp serve`: --outbound-host and --allow-egress become grants, the one carrier of the egress allowlist;
    the worker's Host names no origin and the Handler shares the Host's module runtime."""
    from zigttp.cli import build_parser
    from zigttp.cli.serve_grants import serve_grants
    from zigttp.cli.serve_modules import module_settings
    from zigttp.server.config import ServeConfig

    handler = tmp_path / "h.js"
    handler.write_text("export default function handler(req) { return new Response('ok'); }\n")
    args = build_parser().parse_args(["serve", str(handler), "--no-verify", "--outbound-host", "API.example.com",
                                      "--allow-egress", "127.0.0.1:9", "--cache", "memory"])
    granted = serve_grants(args, handler, False, "h.js")
    assert granted.grants["egress"] == ["127.0.0.1:9", "api.example.com"]
    config = ServeConfig(handler_path=str(handler), bundle_path=str(tmp_path / "h.js"), bundle_name="h.js",
                         modules=module_settings(args), grants=granted.grants)
    assert "outbound_hosts" not in config.modules
    modules = config.module_config()
    assert modules.outbound_hosts == ()
    host = Host(modules=modules)
    try:
        grants = config.grants_obj()
        assert grants is not None
        loaded = host.load(Bundle(handler.read_text(), "h.js"), grants=grants)
        assert loaded.functions is host.functions
        assert loaded.grants is not None and loaded.grants.egress_policy.hosts == {"127.0.0.1", "api.example.com"}
    finally:
        host.engine.close()
