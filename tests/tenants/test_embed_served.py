"""examples/embed/serve_tenants.py served by granian: tenants by Host header, each with its own env and cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import REPO, ZIGTTP, free_port, spawned

PLATFORM = REPO / "examples" / "embed" / "serve_tenants.py"


def _build(source: Path, out: Path) -> None:
    r = subprocess.run([*ZIGTTP, "build", str(source), "-o", str(out)], capture_output=True, text=True,
                       timeout=180, cwd=REPO)
    assert r.returncode == 0, r.stderr


def test_the_platform_serves_tenants_by_host(tmp_path: Path) -> None:
    bundles = tmp_path / "bundles"
    _build(REPO / "examples/embed/tenants/acme.ts", bundles / "acme.localhost")
    _build(REPO / "examples/embed/tenants/globex.ts", bundles / "globex.localhost")
    (bundles / "acme.localhost" / "env.json").write_text(json.dumps({"GREETING": "welcome", "REGION": "eu"}))
    (bundles / "globex.localhost" / "env.json").write_text(json.dumps({"REGION": "us", "GREETING": "hi"}))
    (bundles / "broken.localhost").mkdir()  # no handler.js: reported, the others serve
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, str(PLATFORM), str(bundles), "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": f"{REPO}:{REPO / 'host'}"}
    with spawned(cmd, f"{url}/_platform/metrics", tmp_path / "platform.log", env=env), \
            httpx.Client(base_url=url, timeout=30) as client:
        def get(host: str, path: str = "/") -> httpx.Response:
            return client.get(path, headers={"host": host})

        assert get("acme.localhost").json() == {"tenant": "acme", "greeting": "welcome", "visits": 1}
        assert get("acme.localhost:8080").json()["visits"] == 2
        # the same cache namespace, its own entries; REGION is granted by its contract, GREETING is not read
        assert get("globex.localhost", "/x").json() == {"tenant": "globex", "region": "us", "visits": 1,
                                                       "path": "/x"}
        missing = get("nobody.localhost")
        assert missing.status_code == 404 and missing.json() == {"error": "tenant_not_found",
                                                                 "tenant": "nobody.localhost"}
        metrics = client.get("/_platform/metrics").json()["tenants"]
        assert sorted(metrics) == ["acme.localhost", "globex.localhost"]
        assert metrics["acme.localhost"]["requests"] == 2 and metrics["globex.localhost"]["requests"] == 1
        assert metrics["acme.localhost"]["fuelUsed"] > 0 and metrics["acme.localhost"]["guestSha256"]
    assert "broken.localhost" in (tmp_path / "platform.log").read_text()
