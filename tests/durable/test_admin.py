"""`zigttp admin`'s routes in one process: bad requests and bad folders answer JSON, never a dropped connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from zigttp_host.durable.store import FileStore

from ..support.server import admin_in_thread, raw_http
from .test_runs import APPROVAL_JS, _get, _handler


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[tuple[str, FileStore]]:
    assert _get(_handler(tmp_path, APPROVAL_JS))[0] == 202
    store = FileStore(tmp_path / "d")
    with admin_in_thread(store) as url:
        yield f"{url}/_zigttp/durable", store


def test_an_unreadable_oplog_is_shown_as_such(admin: tuple[str, FileStore]) -> None:
    url, store = admin
    readable = httpx.get(f"{url}/runs/order%3A42").json()
    assert readable["wait"] == {"type": "signal", "name": "approved"} and readable["events"][0]["type"] == "step_start"
    path = next((store.root / "runs").glob("*/oplog.jsonl"))
    path.write_bytes(path.read_bytes().replace(b'"version":1', b'"version":9'))
    one = httpx.get(f"{url}/runs/order%3A42")
    assert one.status_code == 200 and one.json()["status"] == "unreadable"
    assert "unknown oplog format" in one.json()["reason"]
    assert httpx.get(f"{url}/runs").json()["runs"][0]["status"] == "unreadable"


@pytest.mark.parametrize(("headers", "body", "message"), [
    ("Content-Length: abc\r\n", b"{}", "Content-Length"),
    ("Content-Length: -5\r\n", b"{}", "Content-Length"),
    ("Content-Length: 3\r\n", b"NaN", "not JSON"),
    ("Content-Length: 200000\r\n", b"[" * 100000 + b"]" * 100000, "not JSON"),
])
def test_a_bad_signal_request_is_a_400(admin: tuple[str, FileStore], headers: str, body: bytes, message: str) -> None:
    url, store = admin
    head = f"POST /_zigttp/durable/runs/order%3A42/signals/approved HTTP/1.1\r\nHost: x\r\n{headers}\r\n"
    answer = raw_http(url, head.encode() + body)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b'"error":"bad_request"' in answer and message.encode() in answer
    assert store.signals("order:42", "approved") == []


def test_a_signal_that_cannot_be_written_is_a_500_with_the_reason(admin: tuple[str, FileStore],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url, store = admin

    def full(*_: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "put_signal", full)
    r = httpx.post(f"{url}/runs/order%3A42/signals/approved", content=b"{}")
    assert r.status_code == 500 and r.json() == {
        "error": "signal_write_failed", "message": "the signal could not be written: No space left on device"}


def test_other_methods_are_a_json_405(admin: tuple[str, FileStore]) -> None:
    url, _ = admin
    r = httpx.delete(f"{url}/runs/order%3A42")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


def test_a_signal_for_a_completed_run_is_refused_with_409(tmp_path: Path) -> None:
    done = _handler(tmp_path, APPROVAL_JS.replace('const approval = waitSignal("approved");', "const approval = 1;"))
    assert _get(done)[0] == 200
    store = FileStore(tmp_path / "d")
    assert store.put_signal("order:42", "approved", {}) is False
    assert store.signals("order:42", "approved") == []
    with admin_in_thread(store) as base:
        url = f"{base}/_zigttp/durable"
        r = httpx.post(f"{url}/runs/order%3A42/signals/approved", content=b"{}")
        assert r.status_code == 409 and r.json()["error"] == "run_completed"
        assert httpx.post(f"{url}/runs/nope/signals/approved", content=b"{}").status_code == 404
