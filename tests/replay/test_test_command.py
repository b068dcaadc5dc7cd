"""`zigttp test`: each case in a fresh sandbox instance, PASS/FAIL with upstream's reasons, exit 0 / 1 / 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from .support import REPO, run_cli, write

ECHO = """import { env } from "zigttp:env";
import { sha256 } from "zigttp:crypto";
import { validateJson, schemaCompile } from "zigttp:validate";

schemaCompile("item", { type: "object", properties: { n: { type: "integer" } }, required: ["n"] });

export function handler(req: Request): Response {
  if (req.path === "/env") {
    return Response.json({ name: env("NAME") ?? "unset" });
  }
  if (req.path === "/hash") {
    return Response.json({ hash: sha256("x") ?? "undefined" });
  }
  if (req.path === "/check") {
    const r = validateJson("item", req.body ?? "");
    return r.ok ? Response.json({ ok: true }) : Response.json({ ok: false }, { status: 422 });
  }
  if (req.path === "/time") {
    return Response.json({ now: Date.now(), random: Math.random() });
  }
  return Response.json({ method: req.method, path: req.path, query: req.query, body: req.body ?? "none",
                         header: req.headers.get("x-one") ?? "none" },
                       { status: req.path === "/missing" ? 404 : 200,
                         headers: { "X-Reply": "yes", "Set-Cookie": "a=1" } });
}
"""


def _handler(tmp_path: Path) -> Path:
    return write(tmp_path, "echo.ts", ECHO)


def test_passing_and_failing_cases_are_reported_as_upstream_does(tmp_path: Path) -> None:
    handler = _handler(tmp_path)
    write(tmp_path, "echo.test.jsonl",
          '{"type":"test","name":"passes"}\n'
          '{"type":"request","method":"POST","url":"/a?x=b","headers":{"X-One":"1"},"body":"hi"}\n'
          '{"type":"expect","status":200,'
          '"body":"{\\"method\\":\\"POST\\",\\"path\\":\\"/a\\",\\"query\\":{\\"x\\":\\"b\\"},\\"body\\":\\"hi\\",'
          '\\"header\\":\\"1\\"}","headers":{"x-reply":"yes","SET-COOKIE":"a=1"}}\n'
          '{"type":"test","name":"fails every way"}\n'
          '{"type":"request","url":"/missing"}\n'
          '{"type":"expect","status":200,"body":"nope","bodyContains":"elsewhere",'
          '"headers":{"x-reply":"YES","x-absent":"1"}}\n'
          '{"type":"test","name":"no request"}\n'
          '{"type":"expect","status":200}\n')
    code, out, err = run_cli("test", handler)
    actual = '{"method":"GET","path":"/missing","query":{},"body":"none","header":"none"}'
    assert (code, err) == (1, "")
    assert out == (
        f"\nTesting {handler} (3 tests)\n\n"
        "  PASS  passes\n"
        "  FAIL  fails every way\n"
        "        expected status: 200, actual status: 404\n"
        "        body mismatch:\n"
        "        expected: nope\n"
        f"        actual:   {actual}\n"
        "        body does not contain: elsewhere\n"
        f"        actual body: {actual}\n"
        "        missing header: x-reply: YES\n"
        "        missing header: x-absent: 1\n"
        "  FAIL  no request\n"
        "        no request defined\n"
        "\nResults: 1 passed, 2 failed, 3 total\n")


def test_all_passing_exits_0_and_an_explicit_file_is_used(tmp_path: Path) -> None:
    handler = _handler(tmp_path)
    other = write(tmp_path, "other.jsonl", '{"type":"test","name":"only"}\n{"type":"request","url":"/x"}\n'
                                           '{"type":"expect","status":200,"bodyContains":"\\"path\\":\\"/x\\""}\n')
    code, out, _ = run_cli("test", handler, other)
    assert code == 0
    assert out.endswith("  PASS  only\n\nResults: 1 passed, 0 failed, 1 total\n")


def test_io_lines_answer_calls_unstubbed_ones_follow_upstream(tmp_path: Path) -> None:
    handler = _handler(tmp_path)
    write(tmp_path, "echo.test.jsonl",
          '{"type":"test","name":"env stubbed"}\n{"type":"request","url":"/env"}\n'
          '{"type":"io","seq":0,"module":"env","fn":"env","args":["NAME"],"result":"ada"}\n'
          '{"type":"expect","body":"{\\"name\\":\\"ada\\"}"}\n'
          '{"type":"test","name":"env unstubbed is undefined, never the real environment"}\n'
          '{"type":"request","url":"/env"}\n{"type":"expect","body":"{\\"name\\":\\"unset\\"}"}\n'
          '{"type":"test","name":"an unstubbed sha256 is undefined"}\n'
          '{"type":"request","url":"/hash"}\n{"type":"expect","body":"{\\"hash\\":\\"undefined\\"}"}\n'
          '{"type":"test","name":"arguments are not compared"}\n{"type":"request","url":"/hash"}\n'
          '{"type":"io","seq":0,"module":"crypto","fn":"sha256","args":["other"],"result":"h"}\n'
          '{"type":"expect","body":"{\\"hash\\":\\"h\\"}"}\n'
          '{"type":"test","name":"an unstubbed validation runs for real"}\n'
          '{"type":"request","method":"POST","url":"/check","body":"{\\"n\\":\\"x\\"}"}\n'
          '{"type":"expect","status":422}\n'
          '{"type":"test","name":"a stubbed validation answers"}\n'
          '{"type":"request","method":"POST","url":"/check","body":"{\\"n\\":\\"x\\"}"}\n'
          '{"type":"io","seq":0,"module":"validate","fn":"validateJson","args":[],"result":{"ok":true}}\n'
          '{"type":"expect","status":200}\n'
          '{"type":"test","name":"a recorded error is thrown again"}\n{"type":"request","url":"/env"}\n'
          '{"type":"io","seq":0,"module":"env","fn":"env","args":["NAME"],"error":{"status":"type_error",'
          '"message":"env(): boom"}}\n'
          '{"type":"expect","status":500,"bodyContains":"env(): boom"}\n')
    code, out, _ = run_cli("test", handler)
    assert code == 0, out
    assert "Results: 7 passed, 0 failed, 7 total" in out


def test_the_clock_and_math_random_are_reproducible(tmp_path: Path) -> None:
    handler = _handler(tmp_path)
    case = ('{"type":"test","name":"same seed, same clock"}\n{"type":"request","url":"/time","seed":42}\n'
            '{"type":"io","seq":0,"module":"builtin","fn":"Date.now","args":[],"result":1700000000000}\n'
            '{"type":"expect","status":200,"bodyContains":"\\"now\\":1700000000000,"}\n')
    write(tmp_path, "echo.test.jsonl", case + case)
    code, out, _ = run_cli("test", handler, "--json")
    assert code == 0, out
    report = orjson.loads(out)
    assert (report["passed"], report["failed"], report["total"]) == (2, 0, 2)
    # the same seed gives the same Math.random() in both cases: read the bodies through a failing expectation
    write(tmp_path, "echo.test.jsonl", case.replace('"bodyContains":"\\"now\\":1700000000000,"', '"body":"x"') * 2)
    _, out, _ = run_cli("test", handler, "--json")
    bodies = [c["reasons"][0].splitlines()[2] for c in orjson.loads(out)["cases"]]
    assert bodies[0] == bodies[1] and '"random":' in bodies[0]


def test_each_case_runs_in_a_fresh_instance(tmp_path: Path) -> None:
    # module state a handler keeps (only possible unverified) does not reach the next case
    handler = write(tmp_path, "count.js",
                    "let n = 0;\nfunction handler(req) { n += 1; return Response.json({ n }); }\n")
    write(tmp_path, "count.test.jsonl", ('{"type":"test","name":"first"}\n{"type":"request"}\n'
                                         '{"type":"expect","body":"{\\"n\\":1}"}\n') * 3)
    code, out, _ = run_cli("test", handler, "--no-verify")
    assert code == 0, out


def test_json_report(tmp_path: Path) -> None:
    handler = _handler(tmp_path)
    path = write(tmp_path, "echo.test.jsonl", '{"type":"test","name":"bad"}\n{"type":"request","url":"/missing"}\n'
                                              '{"type":"expect","status":200}\n')
    code, out, _ = run_cli("test", handler, "--json")
    assert code == 1
    assert orjson.loads(out) == {
        "handler": str(handler), "file": str(path), "passed": 0, "failed": 1, "total": 1,
        "cases": [{"name": "bad", "line": 1, "passed": False, "status": 404,
                   "reasons": ["expected status: 200, actual status: 404"]}]}


def test_a_runtime_failure_is_named(tmp_path: Path) -> None:
    handler = write(tmp_path, "throws.js", 'function handler(req) {\n  throw new Error("no");\n}\n')
    write(tmp_path, "throws.test.jsonl", '{"type":"test","name":"t"}\n{"type":"request"}\n'
                                         '{"type":"expect","status":200}\n')
    code, out, _ = run_cli("test", handler, "--no-verify")
    assert code == 1
    assert "        expected status: 200, actual status: 500\n" in out
    assert "        runtime error: handler_error: no at throws.js:2:" in out


def test_a_handler_that_does_not_load_exits_1(tmp_path: Path) -> None:
    handler = write(tmp_path, "bad.ts", "export function handler(req: Request): Response {\n  return 1;\n}\n")
    write(tmp_path, "bad.test.jsonl", '{"type":"test","name":"t"}\n{"type":"request"}\n')
    code, out, err = run_cli("test", handler)
    assert (code, out) == (1, "")
    assert "does not verify" in err
    code, _, err = run_cli("test", tmp_path / "absent.ts", tmp_path / "bad.test.jsonl")
    assert code == 1 and "no such file" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    handler = _handler(tmp_path)
    write(tmp_path, "echo.test.jsonl", '{"type":"test","name":"t"}\n{"type":"request"}\n')
    code, _, err = run_cli("test", handler, "--force")
    assert (code, err) == (2, "error: --force goes with --record\n")
    proc = subprocess.run([sys.executable, "-m", "zigttp.cli", "test"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "usage:" in proc.stderr


def test_help_explains_the_format_and_the_exit_codes() -> None:
    proc = subprocess.run([sys.executable, "-m", "zigttp.cli", "test", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    for fragment in ('{"type":"test","name":"a cache hit"}', "bodyContains", "name in any case, value exact",
                     "answers undefined", "validate and decode", "no request defined",
                     "Results: P passed, F failed, T total", "Exit 0 when every case passed, 1",
                     "2 for a usage error or an invalid test file", "--record TRACE", ".test.jsonl",
                     '{"type":"meta","format":"zigttp-test","version":1}'):
        assert fragment in text, fragment
