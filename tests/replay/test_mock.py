"""`zigttp mock` (and `zigttp test --record`): a test file from a real recording passes `zigttp test`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.tracefile import TraceWriter

from ..modules.upstream import Upstream, upstream
from ..support.server import serve
from .support import run_cli, write

SECRET = "s3cr3t-greeting-key"
SERVED = """import { env } from "zigttp:env";
import { sha256 } from "zigttp:crypto";
import { cacheIncr } from "zigttp:cache";

export function handler(req: Request): Response {
  const key = env("MOCK_KEY") ?? "none";
  const hits = cacheIncr("hits", req.path, 1, 60);
  return Response.json({ greeting: "hello", hash: sha256(key + req.path), hits: hits, now: Date.now(),
                         random: Math.random(), body: req.body ?? "" },
                       { status: req.path === "/gone" ? 410 : 200 });
}
"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A handler and the trace `zigttp serve --trace` wrote for five requests."""
    directory = tmp_path_factory.mktemp("served")
    handler = write(directory, "served.ts", SERVED)
    trace = directory / "trace.jsonl"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOCK_KEY", SECRET)
        with serve(handler, "--trace", str(trace), "--isolation", "fresh") as srv:
            assert srv.get("/a").status_code == 200
            assert srv.get("/a").status_code == 200
            assert srv.post("/b?x=1", content=b"payload", headers={"x-one": "1"}).status_code == 200
            assert srv.get("/gone").status_code == 410
            assert srv.get("/a").status_code == 200
    yield handler, trace


def test_a_recording_becomes_a_test_file_that_passes(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, trace = recorded
    out = tmp_path / "served.test.jsonl"
    code, stdout, err = run_cli("mock", handler, trace, "-o", out)
    assert (code, stdout, err) == (0, "", f"wrote 5 test cases to {out}\n")
    lines = [orjson.loads(line) for line in out.read_text().splitlines()]
    assert lines[0] == {"type": "meta", "format": "zigttp-test", "version": 1, "handler": "served.ts"}
    assert [x["name"] for x in lines if x["type"] == "test"] == ["GET /a", "GET /a #2", "POST /b?x=1", "GET /gone",
                                                                  "GET /a #3"]
    assert all(isinstance(x["seed"], int) for x in lines if x["type"] == "request")
    assert [x["status"] for x in lines if x["type"] == "expect"] == [200, 200, 200, 410, 200]
    hits = [orjson.loads(x["body"])["hits"] for x in lines if x["type"] == "expect"]
    assert hits == [1, 2, 1, 1, 3]  # the recorded cache answers, stubbed in each case
    assert SECRET not in out.read_text()  # the trace's redaction carries over
    code, report, _ = run_cli("test", handler, out)
    assert code == 0, report
    assert report.endswith("Results: 5 passed, 0 failed, 5 total\n")


def test_a_changed_handler_fails_the_recorded_cases(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, trace = recorded
    out = tmp_path / "served.test.jsonl"
    assert run_cli("mock", handler, trace, "-o", out)[0] == 0
    changed = write(tmp_path, "served.ts", SERVED.replace('"hello"', '"hi"'))
    code, report, _ = run_cli("test", changed, out)
    assert code == 1
    assert "Results: 0 passed, 5 failed, 5 total" in report and "body mismatch:" in report


def test_mock_writes_to_stdout_and_keeps_an_existing_file(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, trace = recorded
    code, stdout, _ = run_cli("mock", handler, trace)
    assert code == 0 and stdout.startswith('{"type":"meta","format":"zigttp-test","version":1')
    existing = write(tmp_path, "kept.test.jsonl", "mine\n")
    code, _, err = run_cli("mock", handler, trace, "-o", existing)
    assert (code, err, existing.read_text()) == (2, f"error: {existing} exists already (--force overwrites it)\n",
                                                 "mine\n")
    assert run_cli("mock", handler, trace, "-o", existing, "--force")[0] == 0
    assert existing.read_text() == stdout


def test_test_record_writes_the_default_file(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, trace = recorded
    copy = write(tmp_path, "served.ts", handler.read_text())
    code, _, err = run_cli("test", copy, "--record", trace)
    assert code == 0 and err == f"wrote 5 test cases to {tmp_path / 'served.test.jsonl'}\n"
    assert run_cli("test", copy, "--record", trace)[0] == 2  # kept without --force
    code, report, _ = run_cli("test", copy)
    assert code == 0, report


def test_bad_traces_exit_2(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, _ = recorded
    bad = write(tmp_path, "bad.jsonl", '{"type":"request","url":"/"}\n{"type":"io","module":"env","fn":"nope"}\n')
    code, _, err = run_cli("mock", handler, bad)
    assert (code, err) == (2, f"error: {bad}:2: io entry for an unknown export env.nope\n")
    no_response = write(tmp_path, "nr.jsonl", '{"type":"request","url":"/"}\n{"type":"meta","version":1}\n')
    code, _, err = run_cli("mock", handler, no_response)
    assert (code, err) == (2, f"error: {no_response}:1: a group without a response line\n")
    future = write(tmp_path, "v9.jsonl", '{"type":"request","url":"/"}\n{"type":"response","status":200}\n'
                                         '{"type":"meta","format":"zigttp-trace","version":9}\n')
    code, _, err = run_cli("mock", handler, future)
    assert code == 2 and err.startswith(f"error: {future}:3: unknown trace format 'zigttp-trace' version 9")
    empty = write(tmp_path, "empty.jsonl", "")
    assert run_cli("mock", handler, empty)[1:] == ("", f"error: {empty}: no recorded requests\n")
    assert run_cli("mock", tmp_path / "absent.ts", empty)[0] == 2


PARALLEL = """import { parallel } from "zigttp:io";

export function handler(req) {
  const [a, b] = parallel([() => fetchSync("BASE/json"), () => fetchSync("BASE/status?code=404")]);
  const c = fetchSync("BASE/status?code=201");
  return Response.json({ a: a === undefined ? "" : a.text(), b: b === undefined ? 0 : b.status, c: c.status });
}
"""


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


def test_a_recorded_parallel_call_becomes_one_io_line(up: Upstream, tmp_path: Path) -> None:
    source = PARALLEL.replace("BASE", up.url)
    handler = write(tmp_path, "par.js", source)
    host = Host(modules=ModuleConfig(outbound_hosts=(f"127.0.0.1:{up.port}",)))
    try:
        writer = TraceWriter(tmp_path / "t.jsonl", host.functions, meta={"handler": "par.js"})
        h = host.load(Bundle(source, "par.js"), Limits(), isolation="fresh",
                      grants=Grants(egress=frozenset({f"127.0.0.1:{up.port}"})), trace=writer)
        live = h.handle(HttpRequest("GET", "/"))
        writer.close()
    finally:
        host.engine.close()
    assert (live.status, live.body) == (200, b'{"a":"{\\"hello\\":\\"world\\"}","b":404,"c":201}')
    out = tmp_path / "par.test.jsonl"
    assert run_cli("mock", handler, tmp_path / "t.jsonl", "-o", out)[0] == 0
    io = [orjson.loads(x) for x in out.read_text().splitlines() if '"type":"io"' in x]
    # begin and next only keep parallel()'s bookkeeping: a test needs the whole call's answer
    assert [(x["module"], x["fn"], x["args"][:1]) for x in io] == [
        ("fetch", "fetch", [f"{up.url}/json"]), ("fetch", "fetch", [f"{up.url}/status?code=404"]),
        ("io", "parallel", ["run"]), ("fetch", "fetch", [f"{up.url}/status?code=201"])]
    up.reset()
    code, report, _ = run_cli("test", handler)
    assert code == 0, report
    assert up.requests == []  # nothing real happened
