"""Any run key or signal name is a safe, distinct file name, and the files keep the real one."""

from __future__ import annotations

import time
from pathlib import Path

import orjson

from zigttp_host.durable.names import file_name
from zigttp_host.durable.store import FileStore

from .test_runs import _get, _handler

AWKWARD = ["order:42", "a/b", "..", ".", "-", "a-b", "a\x00b", "ünïcödé", "x" * 300, "~x~" + "0" * 32, "", " ",
           "a\\b", "CON", "a" * 100, "a" * 101]


def test_every_key_is_one_distinct_safe_path_component() -> None:
    names = [file_name(k) for k in AWKWARD]
    assert len(set(names)) == len(names)
    for name in names:
        assert name not in ("", ".", "..") and "/" not in name and "\x00" not in name and "-" not in name
        assert len(name.encode()) <= 255


def test_runs_and_signals_with_awkward_keys_work_and_admin_sees_the_real_key(tmp_path: Path) -> None:
    key, name = "tenant/../../etc-ü\x00" + "k" * 300, "approved/by-ops"
    source = f"""import {{ run, waitSignal, sleep }} from "zigttp:durable";
export function handler(req) {{
  return run({orjson.dumps(key).decode()}, () => {{
    const who = waitSignal({orjson.dumps(name).decode()});
    sleep(500);
    return Response.json({{ who }});
  }});
}}"""
    h = _handler(tmp_path, source)
    status, body = _get(h)
    assert status == 202 and body["durableKey"] == key
    store = FileStore(tmp_path / "d")
    assert store.run_keys() == [key]
    assert store.put_signal(key, name, "ops") is True
    wait = _get(h)[1]["wait"]
    assert wait["type"] == "timer"
    [timer] = list((tmp_path / "d" / "scheduled").glob("*.json"))
    assert timer.name.count("-") == 2
    assert [(s.key, s.name) for s in store.due(wait["until"])] == [(key, "~sleep")]
    time.sleep(max(wait["until"] / 1000 - time.time(), 0) + 0.01)
    assert _get(h) == (200, {"who": "ops"})
    for path in (tmp_path / "d").rglob("*"):
        assert path.resolve().is_relative_to((tmp_path / "d").resolve())
        if path.is_file() and path.name != "scheduler.lock":
            assert path.stat().st_mode & 0o077 == 0, path
