"""Bad input on the command line: a clear message and exit 1 or 2, never a traceback or lost data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .support.server import REPO, run_cli

HELLO = REPO / "examples" / "hello.ts"
USERS = REPO / "examples" / "contract" / "users.ts"
# one recorded request of examples/hello.ts, as `zigttp serve --trace` writes it
TRACE = (
    '{"type":"request","method":"GET","url":"/","headers":{},"body":null,"seed":1}\n'
    '{"type":"response","status":200,"headers":{"content-type":"application/json"},'
    '"body":"{\\"message\\":\\"Hello\\",\\"path\\":\\"/\\"}"}\n'
    '{"type":"meta","format":"zigttp-trace","version":1,"handler":"hello.ts"}\n'
)


def _clean(r: object, code: int) -> None:
    assert "Traceback" not in r.stderr, r.stderr  # type: ignore[attr-defined]
    assert r.returncode == code, (r.returncode, r.stderr)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["compile", "types"])
def test_output_into_a_missing_folder_or_a_directory(command: str, tmp_path: Path) -> None:
    for target in (tmp_path, tmp_path / "no" / "such" / "out.js"):
        args = [command, str(HELLO)] if command == "compile" else [command]
        r = run_cli(*args, "-o", str(target))
        _clean(r, 2)
        assert f"cannot write {target}" in r.stderr


@pytest.mark.parametrize("command", ["verify", "serve"])
def test_sql_schema_with_a_nul_byte(command: str, tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_bytes(b"CREATE TABLE t (x);\x00\n")
    r = run_cli(command, str(HELLO), "--sql-schema", str(schema), *(["--port", "0"] if command == "serve" else []))
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (1, 2) and "NUL" in r.stderr and str(schema) in r.stderr


def test_verify_names_the_handler_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.ts"
    bad.write_bytes(b"// caf\xe9\nfunction handler(req: Request): Response { return Response.json({}); }\n")
    r = run_cli("verify", str(bad))
    _clean(r, 2)
    assert str(bad) in r.stderr and "utf-8" in r.stderr.lower()


@pytest.mark.parametrize("command", ["build", "mock"])
def test_a_directory_as_the_handler_is_not_called_missing(command: str, tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_text(TRACE)
    r = run_cli(command, str(tmp_path), *([str(trace)] if command == "mock" else ["-o", str(tmp_path / "o")]))
    _clean(r, 2)
    assert "not a file" in r.stderr and "no such file" not in r.stderr


def _deep(tmp_path: Path) -> Path:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    return deep


@pytest.mark.parametrize("args", [
    ["prove", "{deep}", str(HELLO)],
    ["prove", str(HELLO), str(HELLO), "--verify", "{deep}"],
    ["build", str(HELLO), "-Dprove={deep}", "-o", "{tmp}/out"],
    ["serve", str(HELLO), "--contract", "{deep}", "--port", "0"],
    ["admin", "--durable", "{tmp}", "--contract", "{deep}", "--port", "0"],
])
def test_deeply_nested_json_is_refused_cleanly(args: list[str], tmp_path: Path) -> None:
    deep = _deep(tmp_path)
    r = run_cli(*[a.format(deep=deep, tmp=tmp_path) for a in args], timeout=60)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (1, 2) and str(deep) in r.stderr + r.stdout


def test_admin_refuses_a_contract_that_is_not_one(tmp_path: Path) -> None:
    contract = tmp_path / "contract.json"
    contract.write_text("[]")
    r = run_cli("admin", "--durable", str(tmp_path), "--contract", str(contract), "--port", "0", timeout=20)
    _clean(r, 2)
    assert "is not a zigttp contract" in r.stderr


@pytest.fixture(scope="module")
def users_contract(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("users")
    r = run_cli("build", str(USERS), "-o", str(out))
    assert r.returncode == 0, r.stderr
    return json.loads((out / "contract.json").read_text())


def _with_schema(contract: dict, schema: object, where: str) -> dict:
    changed = json.loads(json.dumps(contract))
    route = next(r for r in changed["routes"] if r["requestSchema"] and r["requestSchema"]["schema"])
    if where == "request":
        route["requestSchema"]["schema"] = schema
    else:
        route["responses"][0]["schema"] = schema
    return changed


@pytest.mark.parametrize("where", ["request", "response"])
def test_prove_compares_a_boolean_json_schema(users_contract: dict, where: str, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps(_with_schema(users_contract, True, where)))
    r = run_cli("prove", str(old), str(USERS))
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (0, 1, 3)


@pytest.mark.parametrize("bad", [{"type": "object", "required": 5}, {"properties": "x"},
                                 {"required": [["a"]]}, {"properties": [None]}])
def test_prove_refuses_a_contract_whose_json_schema_is_malformed(users_contract: dict, bad: dict,
                                                                 tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps(_with_schema(users_contract, bad, "request")))
    r = run_cli("prove", str(old), str(USERS))
    _clean(r, 2)
    assert f"{old} is not a zigttp contract" in r.stderr and "requestSchema/schema" in r.stderr


@pytest.mark.parametrize("command", ["mock", "record"])
def test_writing_the_test_file_over_its_own_trace_or_handler_is_refused(command: str, tmp_path: Path) -> None:
    handler = tmp_path / "hello.ts"
    handler.write_text(HELLO.read_text())
    trace = tmp_path / "t.jsonl"
    trace.write_text(TRACE)
    for target in (trace, handler):
        if command == "mock":
            r = run_cli("mock", str(handler), str(trace), "-o", str(target), "--force")
        else:
            r = run_cli("test", str(handler), str(target), "--record", str(trace), "--force")
        _clean(r, 2)
        assert trace.read_text() == TRACE and handler.read_text() == HELLO.read_text()


def test_build_into_the_handlers_own_folder_keeps_the_source(tmp_path: Path) -> None:
    source = (REPO / "examples" / "hello.js").read_text()
    handler = tmp_path / "handler.js"
    handler.write_text(source)
    r = run_cli("build", str(handler), "-o", str(tmp_path))
    _clean(r, 2)
    assert "is a source of this build" in r.stderr
    assert handler.read_text() == source and not (tmp_path / "contract.json").exists()


# ---------- request headers a client could never send ----------

IMPOSSIBLE_HEADERS = [{"x client\r\n": "a"}, {"": "a"}, {"x-a": "a\r\nb"}, {"x-a": "a\x00"}, {"x-a": "a\x7fb"},
                      {"x-a": ["ok", "bad\n"]}]


@pytest.mark.parametrize("headers", IMPOSSIBLE_HEADERS)
def test_test_refuses_a_request_header_no_client_can_send(headers: dict, tmp_path: Path) -> None:
    cases = tmp_path / "h.test.jsonl"
    cases.write_text('{"type":"test","name":"x"}\n'
                     + json.dumps({"type": "request", "url": "/", "headers": headers}) + "\n"
                     '{"type":"expect","status":200}\n')
    r = run_cli("test", str(HELLO), str(cases))
    _clean(r, 2)
    assert f"{cases}:2: request header" in r.stderr and "PASS" not in r.stdout


@pytest.mark.parametrize("headers", IMPOSSIBLE_HEADERS)
def test_replay_refuses_a_recorded_request_header_no_client_can_send(headers: dict, tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_text(TRACE.replace('"headers":{}', '"headers":' + json.dumps(headers), 1))
    r = run_cli("replay", str(HELLO), str(trace))
    _clean(r, 2)
    assert f"{trace}:1: request header" in r.stderr


def test_test_keeps_headers_a_client_can_send(tmp_path: Path) -> None:
    cases = tmp_path / "h.test.jsonl"
    cases.write_text('{"type":"test","name":"x"}\n'
                     '{"type":"request","url":"/",'
                     '"headers":{"X-Client_Id!":"a b\\tc ~", "accept":"", "x-name":"café"}}\n'
                     '{"type":"expect","status":200}\n')
    r = run_cli("test", str(HELLO), str(cases))
    _clean(r, 0)


# ---------- contract status codes ----------

@pytest.mark.parametrize("status", [-1, 1e308, 99, 600])
@pytest.mark.parametrize("where", ["behaviors", "routes"])
def test_prove_refuses_a_contract_with_an_impossible_status(users_contract: dict, status: float, where: str,
                                                            tmp_path: Path) -> None:
    changed = json.loads(json.dumps(users_contract))
    changed[where][0]["responses"][0]["status"] = status
    old = tmp_path / "old.json"
    old.write_text(json.dumps(changed))
    r = run_cli("prove", str(old), str(USERS))
    _clean(r, 2)
    assert f"{old} is not a zigttp contract" in r.stderr and f"{where}/0/responses/0/status" in r.stderr


def test_build_of_a_handler_answering_a_status_the_runtime_refuses(tmp_path: Path) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text('import { routerMatch } from "zigttp:router";\n'
                       'function a(req: Request): Response { return Response.json({ a: 1 }, { status: 700 }); }\n'
                       'const routes = { "GET /a": a };\n'
                       "function handler(req: Request): Response {\n"
                       "  const found = routerMatch(routes, req);\n"
                       '  if (found === undefined) return Response.json({ error: "no" }, { status: 404 });\n'
                       "  return found.handler(req, found.params);\n}\n")
    r = run_cli("build", str(handler), "-o", str(tmp_path / "out"))
    _clean(r, 0)
    contract = json.loads((tmp_path / "out" / "contract.json").read_text())
    assert [s["status"] for s in contract["routes"][0]["responses"]] == [None]


# ---------- compile ----------

def test_compile_of_an_unreadable_handler_is_a_usage_error(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.ts"
    latin1.write_bytes(b"// caf\xe9\nfunction handler(req: Request): Response { return Response.json({}); }\n")
    for handler in (tmp_path / "missing.ts", tmp_path, latin1):
        r = run_cli("compile", str(handler))
        _clean(r, 2)
        assert f"error: {handler}" in r.stderr and r.stdout == ""


def test_compile_to_an_empty_output_name_is_a_usage_error() -> None:
    r = run_cli("compile", str(HELLO), "-o", "")
    _clean(r, 2)
    assert "-o" in r.stderr and r.stdout == ""


# ---------- a missing file has no line ----------

@pytest.mark.parametrize("args", [["replay", str(HELLO), "{missing}"], ["test", str(HELLO), "{missing}"],
                                  ["prove", str(HELLO), str(HELLO), "--traces", "{missing}"]])
def test_a_missing_file_is_named_without_a_line(args: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    r = run_cli(*[a.format(missing=missing) for a in args])
    _clean(r, 2)
    assert f"{missing}: no such file" in r.stderr and ":0" not in r.stderr


# ---------- serve and admin settings ----------

@pytest.mark.parametrize("args, flag", [(["--threads", "99999999999"], "--threads"),
                                        (["--threads", "257"], "--threads"),
                                        (["--workers", "1025"], "--workers"),
                                        (["--trace", "{tmp}/t.jsonl", "--trace-max-bytes", "100"],
                                         "--trace-max-bytes")])
def test_serve_refuses_an_impossible_setting(args: list[str], flag: str, tmp_path: Path) -> None:
    r = run_cli("serve", str(HELLO), "--port", "0", *[a.format(tmp=tmp_path) for a in args], timeout=20)
    _clean(r, 2)
    assert f"argument {flag}" in r.stderr


def test_serve_help_says_what_a_trace_max_bytes_of_0_does() -> None:
    r = run_cli("serve", "--help")
    _clean(r, 0)
    assert "0: never rotate" in " ".join(r.stdout.split())


@pytest.mark.parametrize("command", ["serve", "admin"])
def test_a_durable_schema_for_a_folder_store_is_a_usage_error(command: str, tmp_path: Path) -> None:
    args = [str(HELLO)] if command == "serve" else []
    r = run_cli(command, *args, "--durable", str(tmp_path), "--durable-schema", "x", "--port", "0", timeout=20)
    _clean(r, 2)
    assert "--durable-schema applies to postgresql:// stores only" in r.stderr
