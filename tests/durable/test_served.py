"""The seed's approval example through real processes: serve --durable, zigttp admin, the scheduler."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from ..support.server import REPO, ZIGTTP, admin, serve, wait_until

APPROVAL = Path(__file__).parents[2] / "examples" / "durable" / "approval.ts"


def test_the_approval_example_end_to_end(tmp_path: Path) -> None:
    durable = tmp_path / "oplogs"
    with serve(APPROVAL, "--durable", str(durable), "-q", workers=2) as s:
        r = s.get("/orders/42")
        assert r.status_code == 202
        assert r.json() == {"pending": True, "durableKey": "order:42", "wait": {"type": "signal", "name": "approved"}}
        assert s.get("/nope").status_code == 404
        with admin(durable) as url:
            runs = httpx.get(f"{url}/_zigttp/durable/runs").json()["runs"]
            assert runs[0]["key"] == "order:42" and runs[0]["wait"] == {"type": "signal", "name": "approved"}
            # the seed's curl
            sent = httpx.post(f"{url}/_zigttp/durable/runs/order%3A42/signals/approved",
                              headers={"content-type": "application/json"}, content=b'{"approvedBy":"ops"}')
            assert sent.status_code == 202
            assert httpx.post(f"{url}/_zigttp/durable/runs/nope/signals/x", content=b"{}").status_code == 404
            # the scheduler resumes the run without a client request
            wait_until(lambda: httpx.get(f"{url}/_zigttp/durable/runs/order%3A42").json()["status"] == "completed")
            history = httpx.get(f"{url}/_zigttp/durable/runs/order%3A42").json()["events"]
            assert [e["type"] for e in history][-2:] == ["step_start", "step_result"]
        done = s.get("/orders/42")
        assert done.status_code == 200
        assert done.json() == {"id": 42, "status": "confirmed", "totalCents": 1999, "approval": {"approvedBy": "ops"}}
        assert s.get("/orders/42").content == done.content


def test_a_run_interrupted_by_a_restart_is_recovered(tmp_path: Path) -> None:
    durable = tmp_path / "oplogs"
    with serve(APPROVAL, "--durable", str(durable), "-q") as s:
        assert s.get("/orders/42").status_code == 202
    # signalled while no server runs: the next server's scheduler delivers it on start
    from zigttp_host.durable.store import FileStore

    assert FileStore(durable).put_signal("order:42", "approved", {"approvedBy": "night shift"})
    with serve(APPROVAL, "--durable", str(durable), "-q") as s:
        body = wait_until(lambda: (r := s.get("/orders/42")).status_code == 200 and r.json())
        assert body["approval"] == {"approvedBy": "night shift"}


def test_admin_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    r = subprocess.run([*ZIGTTP, "admin", "--durable-dir", str(tmp_path / "d"), "--host", "0.0.0.0"], cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--token" in r.stderr
    with admin(tmp_path / "d", "--token", "s3cret") as url:
        assert httpx.get(f"{url}/_zigttp/durable/runs").status_code == 401
        ok = httpx.get(f"{url}/_zigttp/durable/runs", headers={"authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json() == {"runs": []}
