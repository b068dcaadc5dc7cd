"""Reading test files: what a case holds, and one `file:line: message` error (exit 2) for every defect."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from zigttp.replay.testfile import read_test_file
from zigttp_host.modules import builtin_functions
from zigttp_host.tracefile import TraceFileError, known_exports

from .support import EXAMPLES, run_cli, write

KNOWN = known_exports(builtin_functions())
TEST = '{"type":"test","name":"one"}\n'
REQUEST = '{"type":"request","url":"/"}\n'


def test_a_case_holds_its_request_io_and_expectations(tmp_path: Path) -> None:
    path = write(tmp_path, "t.test.jsonl",
                 '{"type":"meta","format":"zigttp-test","version":1,"handler":"h.ts"}\n'
                 "\n"
                 '{"type":"test","name":"first"}\n'
                 '{"type":"request","method":"post","url":"/a?b=1","headers":{"X-One":"1","x-two":["2","3"]},'
                 '"body":"hi","seed":-5}\n'
                 '{"type":"io","seq":0,"module":"env","fn":"env","args":["K"],"result":"v"}\n'
                 '{"type":"io","module":"builtin","fn":"Date.now","result":1000}\n'
                 '{"type":"expect","status":201,"bodyContains":"x"}\n'
                 '{"type":"expect","body":"y","headers":{"Content-Type":"text/plain"}}\n'
                 '{"type":"test","name":"second"}\n')
    f = read_test_file(path, KNOWN)
    assert f.version == 1
    first, second = f.cases
    assert (first.name, first.line, second.name, second.line) == ("first", 3, "second", 9)
    assert first.request is not None
    assert (first.request.method, first.request.url, first.request.body) == ("POST", "/a?b=1", b"hi")
    assert first.request.headers == [("x-one", "1"), ("x-two", "2"), ("x-two", "3")]
    assert first.seed == -5
    assert [(e.module, e.fn, e.args, e.result) for e in first.entries] == [
        ("env", "env", b'["K"]', b'"v"'), ("builtin", "Date.now", b"[]", b"1000")]
    assert [(e.line, e.status, e.body, e.body_contains, e.headers) for e in first.expectations] == [
        (7, 201, None, "x", []), (8, None, "y", None, [("Content-Type", "text/plain")])]
    assert second.request is None and second.seed is None


def test_upstream_defaults_and_null_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "t.test.jsonl", TEST + '{"type":"request","headers":{},"body":null}\n'
                 '{"type":"io","seq":0,"module":"env","fn":"env","args":[],"result":null}\n'
                 '{"type":"expect","status":200,"body":null,"bodyContains":null}\n')
    case = read_test_file(path, KNOWN).cases[0]
    assert case.request is not None
    assert (case.request.method, case.request.url, case.request.headers, case.request.body) == ("GET", "/", [], b"")
    assert case.entries[0].result == b""  # null: undefined
    assert case.expectations[0].body is None and case.expectations[0].body_contains is None


def test_a_body_that_is_not_utf8(tmp_path: Path) -> None:
    encoded = base64.b64encode(b"\xff\x00").decode()
    path = write(tmp_path, "t.test.jsonl", TEST + f'{{"type":"request","body":null,"body_base64":"{encoded}"}}\n')
    request = read_test_file(path, KNOWN).cases[0].request
    assert request is not None and request.body == b"\xff\x00"


def test_the_example_files_parse() -> None:
    for path in sorted(EXAMPLES.rglob("*.test.jsonl")):
        assert read_test_file(path, KNOWN).cases, path


BAD: list[tuple[str, str, int, str]] = [
    ("invalid JSON", TEST + "{nope\n", 2, "invalid JSON"),
    ("not an object", TEST + "[1]\n", 2, "a line must be a JSON object"),
    ("missing type", TEST + '{"name":"x"}\n', 2, 'missing "type"'),
    ("type not a string", TEST + '{"type":3}\n', 2, '"type" must be a string'),
    ("unknown type", TEST + '{"type":"response","status":200}\n', 2, "unknown line type 'response'"),
    ("line before the first test", REQUEST, 1, "a 'request' line before the first \"test\" line"),
    ("test without a name", '{"type":"test"}\n', 1, 'a test line needs a non-empty "name" string'),
    ("test name not a string", '{"type":"test","name":7}\n', 1, 'a test line needs a non-empty "name" string'),
    ("io for an unknown export", TEST + '{"type":"io","module":"env","fn":"nope","args":[],"result":1}\n', 2,
     "io entry for an unknown export env.nope"),
    ("io for an unknown module", TEST + '{"type":"io","module":"kv","fn":"get","result":1}\n', 2,
     "io entry for an unknown export kv.get"),
    ("io without module", TEST + '{"type":"io","fn":"env","result":1}\n', 2,
     'an io line needs "module" and "fn" strings'),
    ("io args not an array", TEST + '{"type":"io","module":"env","fn":"env","args":"K"}\n', 2,
     'io "args" must be an array'),
    ("io seq negative", TEST + '{"type":"io","seq":-1,"module":"env","fn":"env"}\n', 2,
     'io "seq" must be a non-negative integer'),
    ("io error without message", TEST + '{"type":"io","module":"env","fn":"env","error":{}}\n', 2,
     'io "error" must be an object with a "message"'),
    ("a second request", TEST + REQUEST + REQUEST, 3, "a second request line in test 'one'"),
    ("method not a string", TEST + '{"type":"request","method":1}\n', 2, 'request "method" must be an HTTP method'),
    ("method not a token", TEST + '{"type":"request","method":"GE T"}\n', 2, 'request "method" must be an HTTP method'),
    ("url without a slash", TEST + '{"type":"request","url":"http://x/"}\n', 2,
     'request "url" must be a string starting with /'),
    ("headers not an object", TEST + '{"type":"request","headers":["a"]}\n', 2, '"headers" must be an object'),
    ("header value not a string", TEST + '{"type":"request","headers":{"a":1}}\n', 2,
     "header 'a' must be a string or an array of strings"),
    ("body not a string", TEST + '{"type":"request","body":{"a":1}}\n', 2, '"body" must be a string or null'),
    ("bad base64 body", TEST + '{"type":"request","body_base64":"%%"}\n', 2, '"body_base64" is not valid base64'),
    ("seed not an integer", TEST + '{"type":"request","seed":true}\n', 2,
     'request "seed" must be a signed 64-bit integer'),
    ("seed too large", TEST + '{"type":"request","seed":9223372036854775808}\n', 2,
     'request "seed" must be a signed 64-bit integer'),
    ("status a string", TEST + '{"type":"expect","status":"200"}\n', 2,
     'expect "status" must be an integer from 100 to 999'),
    ("status out of range", TEST + '{"type":"expect","status":1000}\n', 2,
     'expect "status" must be an integer from 100 to 999'),
    ("expected body not a string", TEST + '{"type":"expect","body":{"a":1}}\n', 2, "expect 'body' must be a string"),
    ("bodyContains not a string", TEST + '{"type":"expect","bodyContains":5}\n', 2,
     "expect 'bodyContains' must be a string"),
    ("expected headers not strings", TEST + '{"type":"expect","headers":{"a":["b"]}}\n', 2,
     'expect "headers" must be an object of strings'),
    ("unknown expect field", TEST + '{"type":"expect","stauts":200}\n', 2, "unknown expect field 'stauts'"),
    ("meta not first", TEST + '{"type":"meta","format":"zigttp-test","version":1}\n', 2,
     "a meta line must be the file's first line"),
    ("unknown version", '{"type":"meta","format":"zigttp-test","version":2}\n' + TEST, 1,
     "unknown test file format 'zigttp-test' version 2 (this zigttp reads zigttp-test 1)"),
    ("unknown format", '{"type":"meta","format":"zigttp-trace","version":1}\n' + TEST, 1,
     "unknown test file format 'zigttp-trace' version 1"),
    ("no cases", "\n\n", 0, "no test cases"),
]


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_malformed_test_file_names_its_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, "bad.test.jsonl", text)
    with pytest.raises(TraceFileError) as caught:
        read_test_file(path, KNOWN)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert message in caught.value.message


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BAD[:3] + BAD[6:9] + BAD[-3:]],
                         ids=[b[0] for b in BAD[:3] + BAD[6:9] + BAD[-3:]])
def test_zigttp_test_exits_2_with_one_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    handler = write(tmp_path, "h.js", "function handler(req) { return Response.text('x'); }\n")
    bad = write(tmp_path, "h.test.jsonl", text)
    code, out, err = run_cli("test", handler)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {bad}:{line}: " if line else f"error: {bad}: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    handler = write(tmp_path, "h.js", "function handler(req) { return Response.text('x'); }\n")
    code, _, err = run_cli("test", handler)
    assert (code, err) == (2, f"error: {tmp_path / 'h.test.jsonl'}: no such file\n")
    code, _, err = run_cli("test", handler, tmp_path)
    assert (code, err) == (2, f"error: {tmp_path}: is a directory, not a test file\n")


def test_a_line_that_is_not_utf8_is_still_one_error(tmp_path: Path) -> None:
    path = tmp_path / "t.test.jsonl"
    path.write_bytes(TEST.encode() + b'{"type":"expect","status":"\xff"}\n')
    with pytest.raises(TraceFileError) as caught:
        read_test_file(path, KNOWN)
    assert caught.value.line == 2 and "status" in caught.value.message
