"""The security boundary: handlers that try to reach what their contract does not grant, on a real server.

The server runs with a secret in its environment (ZIGTTP_TEST_SECRET) that no contract can grant: every
route of handlers/hostile.ts reaches for it (or for a host that is not granted) through a trick the
analysis cannot follow. Each attempt must fail (500 capability_denied, or a 599 EgressDenied response),
must be in the security log, and the secret must never appear in any response or log.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from ..support.server import Server, serve
from .upstream import Upstream, upstream

HANDLERS = Path(__file__).resolve().parent / "handlers"
SECRET = f"sentinel-{secrets.token_hex(8)}"

ENV_TRICKS = ["alias", "array", "object", "callback", "helper", "reexport", "concat", "template",
              "request?name=ZIGTTP_TEST_SECRET", "parallel?name=ZIGTTP_TEST_SECRET"]
EGRESS_TRICKS = ["userinfo", "userinfo-granted", "upper", "trailing-dot", "ip-decimal", "ip-hex", "ip-short",
                 "ip-v6", "ip-mapped", "other-loopback", "redirect", "global"]


@dataclass
class Scene:
    server: Server
    plain: Server
    up: Upstream
    log: Path
    bodies: list[str] = field(default_factory=list)

    def get(self, server: Server, path: str) -> tuple[int, dict]:
        r = server.get(path)
        self.bodies.append(r.text)
        return r.status_code, r.json()

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    work = tmp_path_factory.mktemp("hostile")
    log = work / "security.jsonl"
    with upstream() as up, pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZIGTTP_TEST_SECRET", SECRET)
        mp.setenv("ZIGTTP_OK_VAR", "ok-value")
        shutil.copytree(HANDLERS / "lib", work / "lib")
        handler = work / "hostile.ts"
        handler.write_text((HANDLERS / "hostile.ts").read_text().replace("UPSTREAM", up.url))
        # a generous wall clock: the suite may share a loaded machine
        common = ["--security-log", str(log), "--allow-egress", f"127.0.0.1:{up.port}", "-q", "--timeout-ms", "30000"]
        with serve(handler, *common, "--expose-contract", workers=2) as server, \
                serve(HANDLERS / "hostile.js", "--no-verify", "--allow-env", "ZIGTTP_OK_VAR", *common) as plain:
            yield Scene(server, plain, up, log)


def test_the_contract_cannot_grant_the_secret(scene: Scene) -> None:
    r = scene.server.get("/_zigttp/contract")
    scene.bodies.append(r.text)
    contract, grants = r.json()["contract"], r.json()["grants"]
    assert contract["env"] == ["ZIGTTP_OK_VAR"]
    assert contract["dynamic"]["env"] is True and contract["dynamic"]["egress"] is True
    origin = f"127.0.0.1:{scene.up.port}"
    assert contract["egress"] == [origin]  # what the literals name; localhost tricks are refused forms
    assert contract["proof"] == "partial"
    assert grants["env"] == ["ZIGTTP_OK_VAR"] and grants["egress"] == [origin]


def test_granted_access_works(scene: Scene) -> None:
    assert scene.get(scene.server, "/env/ok") == (200, {"ok": "ok-value"})
    # a granted name is granted however the handler computes it
    assert scene.get(scene.server, "/env/request?name=ZIGTTP_OK_VAR") == (200, {"n": len("ok-value")})
    status, body = scene.get(scene.server, "/egress/ok")
    assert (status, body["status"], body["body"]) == (200, 200, "ok")


@pytest.mark.parametrize("trick", ENV_TRICKS)
def test_env_tricks_are_denied(scene: Scene, trick: str) -> None:
    before = len(scene.events())
    status, body = scene.get(scene.server, f"/env/{trick}")
    assert (status, body) == (500, {"error": "capability_denied", "capability": "env",
                                    "name": "ZIGTTP_TEST_SECRET"})
    new = scene.events()[before:]
    assert [(e["capability"], e["name"], e["handler"]) for e in new] == [
        ("env", "ZIGTTP_TEST_SECRET", "hostile.ts")]


@pytest.mark.parametrize("trick", EGRESS_TRICKS)
def test_egress_tricks_are_refused(scene: Scene, trick: str) -> None:
    before = len(scene.events())
    status, body = scene.get(scene.server, f"/egress/{trick}?port={scene.up.port}")
    assert status == 200 and body["status"] == 599, body
    assert json.loads(body["body"])["error"] == "EgressDenied"
    assert scene.up.evil_hits() == []
    new = scene.events()[before:]
    assert len(new) == 1 and new[0]["capability"] == "egress", new
    assert "/evil" not in json.dumps(new)  # hosts only, never paths or queries


def test_egress_from_the_request_is_refused(scene: Scene) -> None:
    url = quote(f"http://localhost:{scene.up.port}/evil", safe="")
    _, body = scene.get(scene.server, f"/egress/request?url={url}")
    assert body["status"] == 599 and json.loads(body["body"])["error"] == "EgressDenied"
    assert scene.events()[-1]["name"] == "localhost"


def test_parallel_thunks_are_checked_one_by_one(scene: Scene) -> None:
    status, body = scene.get(scene.server, f"/egress/parallel?port={scene.up.port}")
    assert (status, body) == (200, {"statuses": [200, 599]})
    assert scene.events()[-1]["capability"] == "egress"
    assert scene.up.evil_hits() == []


def test_plain_javascript_gets_only_the_allow_flags(scene: Scene) -> None:
    assert scene.get(scene.plain, "/ok") == (200, {"v": "ok-value"})
    for path, name in (("/catch", "ZIGTTP_TEST_SECRET"), ("/names", "HOME"),
                       (f"/exfil?port={scene.up.port}", "ZIGTTP_TEST_SECRET"),
                       ("/request?name=ZIGTTP_TEST_SECRET", "ZIGTTP_TEST_SECRET")):
        before = len(scene.events())
        assert scene.get(scene.plain, path) == (500, {"error": "capability_denied", "capability": "env",
                                                     "name": name})
        assert [(e["name"], e["handler"]) for e in scene.events()[before:]] == [(name, "hostile.js")]
    _, body = scene.get(scene.plain, f"/global?port={scene.up.port}")
    assert body["status"] == 599 and json.loads(body["body"])["error"] == "EgressDenied"
    assert scene.up.evil_hits() == []


def test_the_secret_never_leaks(scene: Scene) -> None:
    """Every route once more (tests may run in any order, or spread over processes), then every
    response seen, both server logs, the security log and what the upstream received."""
    port = scene.up.port
    for trick in ENV_TRICKS:
        scene.get(scene.server, f"/env/{trick}")
    for trick in EGRESS_TRICKS:
        scene.get(scene.server, f"/egress/{trick}?port={port}")
    for path in ("/catch", "/names", f"/exfil?port={port}", "/request?name=ZIGTTP_TEST_SECRET",
                 f"/global?port={port}"):
        scene.get(scene.plain, path)
    assert len(scene.bodies) >= len(ENV_TRICKS) + len(EGRESS_TRICKS) + 5
    for text in [*scene.bodies, scene.server.log(), scene.plain.log(), scene.log.read_text(),
                 json.dumps(scene.up.hits)]:
        assert SECRET not in text
    events = scene.events()
    assert {e["pid"] for e in events if e["handler"] == "hostile.ts"}  # from the workers themselves
    assert all(set(e) >= {"ts", "capability", "name", "handler", "reason"} for e in events)
    assert os.stat(scene.log).st_mode & 0o777 == 0o600
