"""zigttp:validate and zigttp:decode through the real guest: JSON Schema 2020-12 over jsonschema."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from zigttp_host import Bundle, Host

from .support import HANDLERS, LIMITS, Probe, handle

V = "zigttp:validate"
SCHEMAS = (HANDLERS / "schemas.js").read_text()


def compile_and(probe: Probe, name: str, schema: Any) -> None:
    assert probe.call(V, "schemaCompile", name, schema) is True


@pytest.mark.parametrize(("schema", "good", "bad", "path", "message"), [
    ({"type": "integer"}, 3, 3.5, "", "3.5 is not of type 'integer'"),
    ({"type": "object", "required": ["a"]}, {"a": 1}, {}, "", "'a' is a required property"),
    ({"type": "array", "items": {"type": "string"}, "maxItems": 2}, ["x"], ["x", 1], "[1]",
     "1 is not of type 'string'"),
    ({"properties": {"a": {"properties": {"b": {"enum": [1, 2]}}}}}, {"a": {"b": 2}}, {"a": {"b": 3}}, "a.b",
     "3 is not one of [1, 2]"),
    ({"type": "string", "format": "email"}, "a@b.example", "not-an-email", "", "'not-an-email' is not a 'email'"),
    ({"type": "string", "format": "date-time"}, "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "",
     "'2023-02-29T12:00:00Z' is not a 'date-time'"),
    ({"type": "string", "format": "uuid"}, "12345678-1234-5678-1234-567812345678", "1234", "",
     "'1234' is not a 'uuid'"),
    ({"type": "string", "format": "ipv4"}, "10.0.0.1", "10.0.0.256", "", "'10.0.0.256' is not a 'ipv4'"),
    ({"type": "string", "format": "uri"}, "https://example.com/a", "no scheme", "", "'no scheme' is not a 'uri'"),
    ({"$defs": {"pos": {"type": "number", "exclusiveMinimum": 0}}, "type": "array",
      "prefixItems": [{"$ref": "#/$defs/pos"}]}, [1], [0], "[0]", "0 is less than or equal to the minimum of 0"),
    ({"type": "object", "dependentRequired": {"card": ["cvv"]}}, {"card": 1, "cvv": 2}, {"card": 1}, "",
     "'cvv' is a dependency of 'card'"),
    ({"type": "array", "contains": {"type": "integer"}, "minContains": 2}, [1, 2, "x"], [1, "x"], "",
     "Too few items match the given schema (expected at least 2 but only 1 matched)"),
    ({"unevaluatedProperties": False, "properties": {"a": {}}}, {"a": 1}, {"a": 1, "b": 2}, "",
     "Unevaluated properties are not allowed ('b' was unexpected)"),
])
def test_draft_2020_12_keywords_and_formats(probe: Probe, schema: dict, good: Any, bad: Any, path: str,
                                            message: str) -> None:
    compile_and(probe, "case", schema)
    assert probe.call(V, "validateJson", "case", json.dumps(good)) == {"ok": True, "value": good}
    out = probe.call(V, "validateJson", "case", json.dumps(bad))
    assert out["ok"] is False
    assert {"path": path, "message": message} in out["errors"], out


def test_every_problem_is_reported_sorted_by_path(probe: Probe) -> None:
    compile_and(probe, "many", {"type": "object", "required": ["id"], "properties": {
        "name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}})
    out = probe.call(V, "validateObject", "many", {"name": 5, "tags": ["a", 2]})
    assert out == {"ok": False, "errors": [
        {"path": "", "message": "'id' is a required property"},
        {"path": "name", "message": "5 is not of type 'string'"},
        {"path": "tags[1]", "message": "2 is not of type 'string'"},
    ]}


def test_invalid_json_and_invalid_schema(probe: Probe) -> None:
    compile_and(probe, "any", {})
    out = probe.call(V, "validateJson", "any", "{nope")
    assert out["ok"] is False and out["errors"][0]["message"].startswith("invalid JSON")
    kind, message = probe.throws(V, "schemaCompile", "broken", {"type": "strin"})
    assert kind == "TypeError" and message.startswith("schemaCompile(): invalid schema at type: 'strin' is not valid")
    assert probe.throws(V, "schemaCompile", "broken", "{not json")[0] == "TypeError"
    assert probe.throws(V, "validateJson", "never-compiled", "{}") == (
        "TypeError", "validateJson(): no schema named 'never-compiled'; register it with schemaCompile(name, schema)")


def test_schema_drop(probe: Probe) -> None:
    compile_and(probe, "temp", {"type": "string"})
    assert probe.call(V, "schemaDrop", "temp") is True
    assert probe.call(V, "schemaDrop", "temp") is False
    assert probe.throws(V, "validateJson", "temp", '"x"')[0] == "TypeError"


def test_coerce_json(probe: Probe) -> None:
    compile_and(probe, "coerce", {"type": "object", "properties": {
        "age": {"type": "integer"}, "score": {"type": "number"}, "on": {"type": "boolean"}, "zip": {"type": "string"},
        "ids": {"type": "array", "items": {"type": "integer"}}}})
    out = probe.call(V, "coerceJson", "coerce", json.dumps({"age": "42", "score": "2.5", "on": "true", "zip": 1234,
                                                            "ids": ["1", "2"]}))
    assert out == {"ok": True, "value": {"age": 42, "score": 2.5, "on": True, "zip": "1234", "ids": [1, 2]}}
    assert probe.call(V, "coerceJson", "coerce", '{"age": "4x"}')["errors"] == [
        {"path": "age", "message": "'4x' is not of type 'integer'"}]


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def schema_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_remote_refs_are_never_fetched(probe: Probe, schema_server: str) -> None:
    _Recorder.hits.clear()
    compile_and(probe, "remote", {"$ref": f"{schema_server}/s.json"})
    kind, message = probe.throws(V, "validateJson", "remote", '"x"')
    assert kind == "TypeError" and "cannot be resolved" in message
    assert _Recorder.hits == []


def test_a_catastrophic_pattern_is_bounded(probe: Probe) -> None:
    # patterns run on a linear-time engine (tests/modules/test_hostile_patterns.py): answered, not timed out
    compile_and(probe, "redos", {"type": "string", "pattern": "^(a|aa)+$"})
    started = time.monotonic()
    assert probe.call(V, "validateJson", "redos", json.dumps("a" * 60 + "!"))["ok"] is False
    assert time.monotonic() - started < 3
    assert probe.call(V, "validateJson", "redos", '"aaa"')["ok"] is True


@pytest.fixture(scope="module")
def schemas(hosts: Callable[..., Host]) -> Any:
    return hosts().load(Bundle(SCHEMAS, "schemas.js"), LIMITS)


def test_decode_json(schemas: Any) -> None:
    good = {"name": "Ann", "email": "ann@example.com", "age": 31}
    assert handle(schemas, "POST", "/json", json.dumps(good).encode()) == (200, {"ok": True, "value": good})
    _, out = handle(schemas, "POST", "/json", b'{"name": "", "email": "x", "extra": 1}')
    assert out["ok"] is False and [e["path"] for e in out["errors"]] == ["", "email", "name"]


def test_decode_form_coerces_to_the_schema(schemas: Any) -> None:
    body = b"name=Ann+Lee&age=31&tags=a&tags=b%20c&newsletter=true"
    assert handle(schemas, "POST", "/form", body) == (200, {"ok": True, "value": {
        "name": "Ann Lee", "age": 31, "tags": ["a", "b c"], "newsletter": True}})
    _, out = handle(schemas, "POST", "/form", b"name=Bo&age=old")
    assert out["errors"] == [{"path": "age", "message": "'old' is not of type 'integer'"}]


def test_decode_query(schemas: Any) -> None:
    assert handle(schemas, url="/query?q=shoes&page=2") == (200, {"ok": True, "value": {"q": "shoes", "page": 2}})
    _, out = handle(schemas, url="/query?page=0")
    assert [e["message"] for e in out["errors"]] == ["'q' is a required property",
                                                     "0 is less than the minimum of 1"]


def test_module_scope_schemas_survive_the_snapshot_into_another_host(hosts: Callable[..., Host],
                                                                     schemas: Any) -> None:
    # A second host (a worker process in `zigttp serve`) starts from the cached snapshot: the module
    # scope does not run again and its schema cache is empty; the guest re-sends the schema text.
    other = hosts()
    handler = other.load(Bundle(SCHEMAS, "schemas.js"), LIMITS, isolation="fresh")
    assert other.engine.cache.compiles == 0, "expected the snapshot from the cache"
    assert len(other.functions.runtime.schemas) == 0
    assert handle(handler, url="/query?q=x&page=3") == (200, {"ok": True, "value": {"q": "x", "page": 3}})
    assert len(other.functions.runtime.schemas) == 1
    _, out = handle(handler, "POST", "/validate", b'{"name": "A"}')
    assert out == {"ok": False, "errors": [{"path": "", "message": "'email' is a required property"}]}


@pytest.mark.parametrize(("module", "fn"), [(V, "validateJson"), (V, "coerceJson"), ("zigttp:decode", "decodeJson"),
                                            ("zigttp:decode", "decodeForm")])
def test_a_missing_body_is_an_error_result(probe: Probe, module: str, fn: str) -> None:
    """They accept `string | undefined`: `validateJson(name, req.body)` needs no check for a missing body."""
    compile_and(probe, "any", {})
    assert probe.call(module, fn, "any", None) == {"ok": False, "errors": [{"path": "", "message": "missing body"}]}
