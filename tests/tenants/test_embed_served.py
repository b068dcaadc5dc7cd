"""examples/embed/serve_tenants.py served by granian: tenants by Host header, each with its own env and cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.server import REPO, ZIGTTP, free_port

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
    log = (tmp_path / "platform.log").open("w")
    proc = subprocess.Popen([sys.executable, str(PLATFORM), str(bundles), "--port", str(port)], cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": f"{REPO}:{REPO / 'host'}"})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(proc, url, tmp_path / "platform.log")
        with httpx.Client(base_url=url, timeout=30) as client:
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
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def _wait(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the platform exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/_platform/metrics", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the platform did not start:\n{log.read_text()}")
        time.sleep(0.05)
