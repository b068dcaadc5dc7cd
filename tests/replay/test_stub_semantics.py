"""How a test case's io lines answer the handler's calls (Journal.stub), in the real sandbox."""

from __future__ import annotations

from pathlib import Path

from .support import run_cli, write

PARALLEL = """import { parallel, race } from "zigttp:io";

export function handler(req: Request): Response {
  if (req.path === "/race") {
    const r = race([() => fetchSync("https://a.example/x"), () => fetchSync("https://b.example/y")]);
    return r === undefined ? Response.json({ none: true }) : Response.json({ from: r.url });
  }
  const [a, b] = parallel([() => fetchSync("https://a.example/x"), () => fetchSync("https://b.example/y")]);
  return Response.json({
    a: a !== undefined ? a.status : 0,
    b: b !== undefined ? b.text() : "none",
  });
}
"""

FETCH = """export function handler(req: Request): Response {
  const r = fetchSync("https://api.example/v1");
  return Response.json({ status: r.status, text: r.text(), id: r.headers.get("x-request-id") ?? "none",
                         type: r.headers.get("content-type") ?? "none" });
}
"""


def test_parallel_is_answered_by_one_io_line_of_the_whole_call(tmp_path: Path) -> None:
    handler = write(tmp_path, "par.ts", PARALLEL)
    write(tmp_path, "par.test.jsonl",
          '{"type":"test","name":"both"}\n'
          '{"type":"request","url":"/"}\n'
          '{"type":"io","seq":0,"module":"io","fn":"parallel","args":[],"result":['
          '{"status":201,"headers":[],"body":"one","url":"https://a.example/x"},'
          '{"status":200,"headers":[],"body":"two","url":"https://b.example/y"}]}\n'
          '{"type":"expect","status":200,"body":"{\\"a\\":201,\\"b\\":\\"two\\"}"}\n'
          '{"type":"test","name":"race"}\n'
          '{"type":"request","url":"/race"}\n'
          '{"type":"io","seq":0,"module":"io","fn":"race","args":[],"result":['
          '{"status":503,"headers":[],"body":"","url":"https://a.example/x"},'
          '{"status":200,"headers":[],"body":"ok","url":"https://b.example/y"}]}\n'
          '{"type":"expect","status":200,"body":"{\\"from\\":\\"https://b.example/y\\"}"}\n')
    code, out, err = run_cli("test", handler)
    assert (code, err) == (0, ""), out
    assert "Results: 2 passed, 0 failed, 2 total" in out


def test_unstubbed_parallel_answers_no_responses(tmp_path: Path) -> None:
    handler = write(tmp_path, "par.ts", PARALLEL)
    write(tmp_path, "par.test.jsonl",
          '{"type":"test","name":"nothing stubbed"}\n{"type":"request","url":"/"}\n'
          '{"type":"expect","status":200,"body":"{\\"a\\":0,\\"b\\":\\"none\\"}"}\n')
    code, out, _ = run_cli("test", handler)
    assert code == 0, out


def test_an_unstubbed_fetch_is_a_599_replay_miss_as_upstream(tmp_path: Path) -> None:
    handler = write(tmp_path, "f.ts", FETCH)
    write(tmp_path, "f.test.jsonl",
          '{"type":"test","name":"no io line"}\n{"type":"request","url":"/"}\n'
          '{"type":"expect","status":200,"bodyContains":"\\"status\\":599"}\n'
          '{"type":"expect","bodyContains":"ReplayMiss"}\n')
    code, out, _ = run_cli("test", handler)
    assert code == 0, out


def test_upstream_fetch_results_header_object_and_no_url(tmp_path: Path) -> None:
    handler = write(tmp_path, "f.ts", FETCH)
    write(tmp_path, "f.test.jsonl",
          '{"type":"test","name":"upstream shape"}\n{"type":"request","url":"/"}\n'
          '{"type":"io","seq":0,"module":"fetch","fn":"fetch","args":["https://api.example/v1"],"result":'
          '{"status":200,"statusText":"OK","headers":{"content-type":"application/json","x-request-id":"r-1"},'
          '"body":"{}"}}\n'
          '{"type":"expect","status":200,'
          '"body":"{\\"status\\":200,\\"text\\":\\"{}\\",\\"id\\":\\"r-1\\",\\"type\\":\\"application/json\\"}"}\n'
          '{"type":"test","name":"fetchSync under its own name"}\n{"type":"request","url":"/"}\n'
          '{"type":"io","seq":0,"module":"http","fn":"fetchSync","args":[],"result":'
          '{"status":404,"headers":[["x-request-id","r-2"]],"body":"gone"}}\n'
          '{"type":"expect","status":200,"bodyContains":"\\"id\\":\\"r-2\\""}\n')
    code, out, _ = run_cli("test", handler)
    assert code == 0, out
