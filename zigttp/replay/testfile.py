"""The declarative test file (upstream-spec §7.3): JSONL cases of a request, its stubbed I/O and what to expect.

    {"type":"meta","format":"zigttp-test","version":1}            (optional, first line only)
    {"type":"test","name":"a cache hit"}                          starts a case
    {"type":"request","method":"GET","url":"/square?n=7","headers":{…},"body":null}
    {"type":"io","seq":0,"module":"cache","fn":"cacheGet","args":[…],"result":"49"}     (any number)
    {"type":"expect","status":200,"body":"…","bodyContains":"…","headers":{…}}

Blank lines are ignored. `request` fields default to GET and `/`; a request
may carry `seed`, Math.random's seed for the case (zigttp mock writes the
recorded one). `io` lines are read exactly as a trace's (tracefile.io_entry)
and must name an export the host has. Several `expect` lines in one case
all apply. Anything else is a TraceFileError naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zigttp_host import wellformed
from zigttp_host.http import HttpRequest
from zigttp_host.journal import IoEntry
from zigttp_host.tracefile import MAX_LINE_BYTES, TraceFileError, body_of, io_entry, request_headers_of

FORMAT = "zigttp-test"
VERSION = 1
MAX_FILE_BYTES = 100 << 20
LINE_TYPES = ("meta", "test", "request", "io", "expect")
CASE_LINES = ("request", "io", "expect")
EXPECT_FIELDS = frozenset({"type", "status", "body", "bodyContains", "headers"})
_METHOD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an HTTP token


@dataclass
class Expectation:
    """One `expect` line; None: not asserted."""

    line: int
    status: int | None = None
    body: str | None = None
    body_contains: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class TestCase:
    name: str
    line: int  # of its `test` line
    request: HttpRequest | None = None
    seed: int | None = None  # Math.random's seed; None: a fresh one
    entries: list[IoEntry] = field(default_factory=list)
    expectations: list[Expectation] = field(default_factory=list)

    __test__ = False  # not a pytest class


@dataclass
class TestFile:
    path: Path
    cases: list[TestCase]
    version: int | None  # from the meta line; None: the file has none (upstream's files)

    __test__ = False


def read_test_file(path: str | Path, known: frozenset[tuple[str, str]] | None = None) -> TestFile:
    """Parses a test file; TraceFileError (file:line: message) for anything malformed.

    `known`: every (module, fn) an io line may name (tracefile.known_exports); None accepts any.
    """
    p = Path(path)
    raw = _read(p)
    cases: list[TestCase] = []
    version: int | None = None
    first = True
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        obj = _line_object(p, number, line)
        kind = obj["type"]
        if kind == "meta":
            if not first:
                raise TraceFileError(p, number, "a meta line must be the file's first line")
            version = _version(p, number, obj)
        elif kind == "test":
            cases.append(TestCase(_name(p, number, obj), number))
        elif kind in CASE_LINES:
            if not cases:
                raise TraceFileError(p, number, f"a {kind!r} line before the first \"test\" line")
            _take(p, number, kind, obj, cases[-1], known)
        else:
            raise TraceFileError(p, number, f"unknown line type {kind!r} (expected one of {', '.join(LINE_TYPES)})")
        first = False
    if not cases:
        raise TraceFileError(p, 0, "no test cases (a case starts with a {\"type\":\"test\",\"name\":…} line)")
    return TestFile(p, cases, version)


def _read(p: Path) -> bytes:
    try:
        if p.is_dir():
            raise TraceFileError(p, 0, "is a directory, not a test file")
        if p.stat().st_size > MAX_FILE_BYTES:
            raise TraceFileError(p, 0, f"larger than {MAX_FILE_BYTES} bytes")
        return p.read_bytes()
    except FileNotFoundError:
        raise TraceFileError(p, 0, "no such file") from None
    except OSError as e:
        raise TraceFileError(p, 0, f"cannot read: {e.strerror or e}") from None


def _line_object(p: Path, number: int, line: bytes) -> dict[str, Any]:
    if len(line) > MAX_LINE_BYTES:
        raise TraceFileError(p, number, f"line longer than {MAX_LINE_BYTES} bytes")
    try:
        obj = wellformed.loads(line)
    except wellformed.MalformedJson as e:
        raise TraceFileError(p, number, f"invalid JSON: {e}") from None
    if not isinstance(obj, dict):
        raise TraceFileError(p, number, "a line must be a JSON object")
    if "type" not in obj:
        raise TraceFileError(p, number, "missing \"type\"")
    if not isinstance(obj["type"], str):
        raise TraceFileError(p, number, "\"type\" must be a string")
    return obj


def _version(p: Path, number: int, obj: dict[str, Any]) -> int:
    fmt, version = obj.get("format"), obj.get("version")
    if fmt != FORMAT or version != VERSION or isinstance(version, bool):
        raise TraceFileError(p, number, f"unknown test file format {fmt!r} version {version!r} "
                                        f"(this zigttp reads {FORMAT} {VERSION})")
    return VERSION


def _name(p: Path, number: int, obj: dict[str, Any]) -> str:
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TraceFileError(p, number, "a test line needs a non-empty \"name\" string")
    return name


def _take(p: Path, number: int, kind: str, obj: dict[str, Any], case: TestCase,
          known: frozenset[tuple[str, str]] | None) -> None:
    if kind == "request":
        if case.request is not None:
            raise TraceFileError(p, number, f"a second request line in test {case.name!r}")
        case.request, case.seed = _request(p, number, obj)
    elif kind == "io":
        case.entries.append(io_entry(p, number, obj, len(case.entries), known))
    else:
        case.expectations.append(_expectation(p, number, obj))


def _request(p: Path, number: int, obj: dict[str, Any]) -> tuple[HttpRequest, int | None]:
    method, url, seed = obj.get("method", "GET"), obj.get("url", "/"), obj.get("seed")
    if not isinstance(method, str) or not _METHOD.fullmatch(method):
        raise TraceFileError(p, number, "request \"method\" must be an HTTP method name (a token)")
    if not isinstance(url, str) or not url.startswith("/"):
        raise TraceFileError(p, number, "request \"url\" must be a string starting with /")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not -(1 << 63) <= seed < (1 << 63)):
        raise TraceFileError(p, number, "request \"seed\" must be a signed 64-bit integer")
    headers = request_headers_of(p, number, obj.get("headers"))
    return HttpRequest(method.upper(), url, headers, body_of(p, number, obj)), seed


def _expectation(p: Path, number: int, obj: dict[str, Any]) -> Expectation:
    unknown = sorted(set(obj) - EXPECT_FIELDS)
    if unknown:
        raise TraceFileError(p, number, f"unknown expect field {unknown[0]!r} "
                                        "(expected status, body, bodyContains, headers)")
    status, body, contains = obj.get("status"), obj.get("body"), obj.get("bodyContains")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)
                               or not 100 <= status <= 999):
        raise TraceFileError(p, number, "expect \"status\" must be an integer from 100 to 999")
    for key, value in (("body", body), ("bodyContains", contains)):
        if value is not None and not isinstance(value, str):
            raise TraceFileError(p, number, f"expect {key!r} must be a string")
    headers = obj.get("headers")
    if headers is not None and (not isinstance(headers, dict)
                                or not all(isinstance(v, str) for v in headers.values())):
        raise TraceFileError(p, number, "expect \"headers\" must be an object of strings")
    return Expectation(number, status, body, contains, list((headers or {}).items()))
