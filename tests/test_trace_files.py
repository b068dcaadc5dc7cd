"""Trace files: what a group holds, redaction of secrets, rotation, and every malformed file named by file:line."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.tracefile import TraceFileError, TraceWriter, known_exports, read_traces

SECRET = "s3cr3t-t0ken-value"
SOURCE = """import { env } from "zigttp:env";
export function handler(req) {
  const key = env("API_KEY") ?? "";
  return Response.json({ auth: "Bearer " + key, echo: req.headers.get("authorization") ?? null },
                       { headers: { "x-key": "k=" + key, "set-cookie": "sid=abc" } });
}"""


@pytest.fixture(scope="module")
def host() -> Host:
    return Host(modules=ModuleConfig(env={"API_KEY": SECRET, "SHORT": "ab"}))


def _record(host: Host, path: Path, source: str = SOURCE, *, keep_secrets: bool = False, max_bytes: int = 1 << 20,
            requests: int = 1) -> None:
    writer = TraceWriter(path, host.functions, meta={"handler": "t.js", "isolation": "fresh"},
                         keep_secrets=keep_secrets, max_bytes=max_bytes)
    h = host.load(Bundle(source, "t.js"), Limits(), isolation="fresh",
                  grants=Grants(env=frozenset({"API_KEY", "SHORT"})), trace=writer)
    for i in range(requests):
        h.handle(HttpRequest("GET", f"/r{i}", [("authorization", "Basic dXNlcjpwYXNz")]))
    writer.close()


def test_a_default_trace_holds_no_secret_anywhere(host: Host, tmp_path: Path) -> None:
    _record(host, tmp_path / "t.jsonl")
    text = (tmp_path / "t.jsonl").read_text()
    assert SECRET not in text and "dXNlcjpwYXNz" not in text
    lines = [orjson.loads(x) for x in text.splitlines()]
    assert [x["type"] for x in lines] == ["request", "io", "response", "meta"]
    assert lines[0]["headers"]["authorization"] == "[redacted header authorization]"
    assert lines[1]["result"] == "[redacted env API_KEY]"
    response = lines[2]
    assert orjson.loads(response["body"]) == {"auth": "Bearer [redacted env API_KEY]",
                                              "echo": "[redacted header authorization]"}
    assert response["headers"]["x-key"] == "k=[redacted env API_KEY]"
    assert response["headers"]["set-cookie"] == "[redacted header set-cookie]"
    assert lines[3]["redacted"] is True and lines[3]["format"] == "zigttp-trace" and lines[3]["version"] == 1


def test_trace_secrets_keeps_them(host: Host, tmp_path: Path) -> None:
    _record(host, tmp_path / "t.jsonl", keep_secrets=True)
    text = (tmp_path / "t.jsonl").read_text()
    assert SECRET in text and '"redacted":false' in text


def test_a_short_secret_is_redacted_only_where_it_is_the_whole_value(host: Host, tmp_path: Path) -> None:
    source = """import { env } from "zigttp:env";
export function handler(req) { const s = env("SHORT") ?? ""; return Response.json({ s, text: "cabbage" }); }"""
    _record(host, tmp_path / "t.jsonl", source)
    lines = [orjson.loads(x) for x in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert lines[1]["result"] == "[redacted env SHORT]"
    assert orjson.loads(lines[2]["body"])["text"] == "cabbage"


def test_files_rotate_and_a_directory_reads_in_order(host: Host, tmp_path: Path) -> None:
    _record(host, tmp_path / "t.jsonl", max_bytes=2000, requests=12)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) > 2 and files[-1] == "t.jsonl" and files[0] == "t.000001.jsonl"
    read = read_traces(tmp_path, known_exports(host.functions))
    assert [g.request.url for g in read.groups] == [f"/r{i}" for i in range(12)]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())


def test_threads_sharing_a_writer_never_interleave_groups(host: Host, tmp_path: Path) -> None:
    writer = TraceWriter(tmp_path / "t.jsonl", host.functions, meta={}, max_bytes=8000)
    h = host.load(Bundle(SOURCE, "t.js"), Limits(), grants=Grants(env=frozenset({"API_KEY"})), trace=writer)

    def run(n: int) -> None:
        for i in range(25):
            h.handle(HttpRequest("GET", f"/t{n}-{i}", body=b"x" * (n * 50)))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    groups = read_traces(tmp_path, known_exports(host.functions)).groups
    assert sorted(g.request.url for g in groups) == sorted(f"/t{n}-{i}" for n in range(4) for i in range(25))


# ---------- malformed files: one clear error naming file and line ----------

REQUEST = '{"type":"request","method":"GET","url":"/","headers":{},"body":null,"seed":1}'
IO = '{"type":"io","seq":0,"module":"env","fn":"env","args":["K"],"result":"v"}'
RESPONSE = '{"type":"response","status":200,"headers":{},"body":"ok"}'
META = '{"type":"meta","format":"zigttp-trace","version":1}'


@pytest.mark.parametrize(("lines", "line", "message"), [
    ([REQUEST, "{not json", RESPONSE, META], 2, "invalid JSON"),
    ([REQUEST, '{"seq":0}', RESPONSE, META], 2, 'missing "type"'),
    ([REQUEST, '{"type":"bogus"}', RESPONSE, META], 2, "unknown line type 'bogus'"),
    ([REQUEST, META, REQUEST, RESPONSE, META], 1, "a group without a response line"),
    ([REQUEST, IO.replace('"fn":"env"', '"fn":"nope"'), RESPONSE, META], 2, "unknown export env.nope"),
    ([REQUEST, RESPONSE, META.replace('"version":1', '"version":99')], 3, "unknown trace format"),
    ([IO, REQUEST, RESPONSE, META], 1, "before any request line"),
    ([REQUEST.replace('"url":"/"', '"url":5'), RESPONSE, META], 1, '"url" must be'),
    ([REQUEST, RESPONSE.replace("200", '"x"'), META], 2, '"status" must be'),
    (["[1,2]"], 1, "must be a JSON object"),
])
def test_malformed_trace_lines(host: Host, tmp_path: Path, lines: list[str], line: int, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TraceFileError) as info:
        read_traces(path, known_exports(host.functions))
    assert info.value.line == line and message in info.value.message
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_a_torn_last_group_is_skipped_with_a_warning(host: Host, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join([REQUEST, IO, RESPONSE, META, REQUEST, IO]) + "\n")
    read = read_traces(path, known_exports(host.functions))
    assert len(read.groups) == 1 and "torn last group" in read.warnings[0]
    path.write_text("\n".join([REQUEST, IO, RESPONSE, META, REQUEST, IO[:20]]))  # cut mid-line
    read = read_traces(path, known_exports(host.functions))
    assert len(read.groups) == 1 and "torn last line" in read.warnings[0]
