"""The trace file: one JSONL group per request, written whole, read back with every defect named.

A group is

    {"type":"request","method":…,"url":…,"headers":{…},"body":…|null,"seed":…}
    {"type":"io","seq":0,"module":"env","fn":"env","args":["K"],"result":"V"}     (one per call, in order)
    {"type":"response","status":200,"headers":{…},"body":"…"}
    {"type":"meta","format":"zigttp-trace","version":1,"duration_us":…,"handler":…,…}

following upstream's layout (`args`/`result` are the JSON that crossed the
boundary; `null` is undefined), with three additions: the request's
Math.random `seed`, an `error` object on an io line whose call threw, and
`body_base64` beside a null `body` for bytes that are not UTF-8. The meta
line carries the format version. A group that never got its response line
(a process killed mid-write) is torn: readers skip it with a warning.
"""

from __future__ import annotations

import base64
import fcntl
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import wellformed
from .http import HttpRequest, HttpResponse
from .journal import ALIASES, BUILTIN, CLOCK_FUNCTIONS, IoEntry, IoError, Journal
from .limits import TRACE_MAX_BYTES
from .redact import CREDENTIAL_HEADERS, Redactor, header_placeholder, secret_placeholder
from .registry import HostFunctions

log = logging.getLogger("zigttp.trace")

FORMAT = "zigttp-trace"
VERSION = 1
DEFAULT_MAX_BYTES = TRACE_MAX_BYTES
MAX_LINE_BYTES = 64 << 20
_dumps = orjson.dumps
_monotonic = time.monotonic
_write = os.write
_NEWLINE = orjson.OPT_APPEND_NEWLINE
# Line types of the durable oplog a trace reader passes over (they share the shapes).
DURABLE_TYPES = frozenset({"durable_run", "step_start", "step_result", "wait_timer", "resume_timer", "wait_signal",
                           "resume_signal", "complete", "witness"})


@dataclass
class TraceGroup:
    """One recorded request: what came in, what crossed the boundary, what went out."""

    request: HttpRequest
    seed: int
    entries: list[IoEntry]
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    meta: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # file:line of its request line

    @property
    def redacted(self) -> bool:
        return bool(self.meta.get("redacted", False))


class TraceFileError(ValueError):
    """A trace that cannot be read: names the file and line (line 0: the whole file, named alone)."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


# ---------- writing ----------

def meta_head(meta: dict[str, Any]) -> bytes:
    """The meta line up to its per-request members (TraceWriter computes it once)."""
    fixed = {k: v for k, v in meta.items() if k != "duration_us"}
    return orjson.dumps({"type": "meta", "format": FORMAT, "version": VERSION, **fixed})[:-1]


def redacted_member(keep_secrets: bool) -> bytes:
    """The meta line's "redacted" member (TraceWriter computes it once)."""
    return b',"redacted":false' if keep_secrets else b',"redacted":true'


def meta_line(head: bytes, redacted: bytes, journal: Journal, response: HttpResponse, duration_us: int) -> bytes:
    failure = b"" if response.failure is None else b',"failure":' + orjson.dumps(response.failure.kind)
    return b'%s,"duration_us":%d,"io_count":%d%s%s}\n' % (head, duration_us, len(journal.entries), redacted, failure)


def encode_lines(request: HttpRequest, journal: Journal, response: HttpResponse,
                 secret_exports: frozenset[tuple[str, str]], keep_secrets: bool) -> bytes:
    """The group's request, io and response lines."""
    plain = _plain_lines(request, journal, response)
    if plain is not None:
        return plain
    r = Redactor()
    if not keep_secrets:
        _collect_secrets(r, request, journal, secret_exports)
    head = {"type": "request", "method": request.method, "url": request.url,
            "headers": _headers_object(request.headers, r, keep_secrets)}
    _put_body(head, request.body, r)
    head["seed"] = journal.seed
    lines = [_line(head)]
    for entry in journal.entries:
        lines.append(_io_line(entry, r, keep_secrets))
    tail = {"type": "response", "status": response.status,
            "headers": _headers_object(response.headers, r, keep_secrets)}
    _put_body(tail, response.body, r)
    lines.append(_line(tail))
    return b"".join(lines)


def _plain_lines(request: HttpRequest, journal: Journal, response: HttpResponse) -> bytes | None:
    """The common group in a few C calls: no I/O, UTF-8 bodies, no credential header, no name twice.

    None when any of that does not hold: the general path (redaction, io
    lines, repeated headers, base64 bodies) takes it. Redacted or not, such
    a group reads the same, since there is nothing to redact.
    """
    if journal.entries:
        return None
    sent_headers, returned_headers = request.headers, response.headers
    asked, answered = dict(sent_headers), dict(returned_headers)
    if len(asked) != len(sent_headers) or len(answered) != len(returned_headers) \
            or not CREDENTIAL_HEADERS.isdisjoint(answered) or not CREDENTIAL_HEADERS.isdisjoint(map(str.lower, asked)):
        return None
    sent, returned = request.body, response.body
    try:
        return _dumps({"type": "request", "method": request.method, "url": request.url, "headers": asked,
                       "body": sent.decode() if sent else None, "seed": journal.seed}, option=_NEWLINE) + \
            _dumps({"type": "response", "status": response.status, "headers": answered,
                    "body": returned.decode() if returned else None}, option=_NEWLINE)
    except (UnicodeDecodeError, orjson.JSONEncodeError):  # the general path writes base64 or repairs a lone surrogate
        return None


def _put_body(line: dict[str, Any], body: bytes, r: Redactor) -> None:
    """The body as text, or null plus base64 when it is not UTF-8."""
    if not body:
        line["body"] = None
        return
    try:
        line["body"] = r.text(body.decode())
    except UnicodeDecodeError:
        line["body"], line["body_base64"] = None, base64.b64encode(body).decode()


def _collect_secrets(r: Redactor, request: HttpRequest, journal: Journal,
                     secret_exports: frozenset[tuple[str, str]]) -> None:
    for name, value in request.headers:
        if name.lower() in CREDENTIAL_HEADERS:
            r.add(value, header_placeholder(name))
    for entry in journal.entries:
        if (entry.module, entry.fn) in secret_exports and entry.result and entry.error is None:
            try:
                value = wellformed.loads(entry.result)
            except wellformed.MalformedJson:
                continue
            if isinstance(value, str):
                r.add(value, secret_placeholder(entry.module, entry.fn, entry.args))


def _line(obj: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:  # a lone surrogate: repaired as everywhere else
        return wellformed.dumps(obj) + b"\n"


def _io_line(entry: IoEntry, r: Redactor, keep_secrets: bool) -> bytes:
    args = entry.args if keep_secrets else r.json_text(entry.args)
    result = entry.result if keep_secrets else r.json_text(entry.result)
    head = orjson.dumps({"type": "io", "seq": entry.seq, "module": entry.module, "fn": entry.fn})[:-1]
    tail = b""
    if entry.error is not None:
        error = entry.error.to_dict()
        if not keep_secrets:
            error["message"] = r.text(error["message"])
        tail = b',"error":' + orjson.dumps(error)
    return head + b',"args":' + _checked_json(args or b"[]") + b',"result":' + _checked_json(result or b"null") + \
        tail + b"}\n"


def _checked_json(raw: bytes) -> bytes:
    # The guest's JSON may hold escaped lone surrogates: rewrite it the way every other string is.
    try:
        orjson.loads(raw)
        return raw
    except orjson.JSONDecodeError:
        return wellformed.dumps(wellformed.loads(raw))


def _headers_object(headers: list[tuple[str, str]], r: Redactor, keep_secrets: bool) -> dict[str, Any]:
    if keep_secrets or not r.secrets:
        # the common case: no value to scan, no name twice (names arrive lower-case), no credential
        plain = dict(headers)
        if len(plain) == len(headers) and (keep_secrets or CREDENTIAL_HEADERS.isdisjoint(plain)):
            return plain
    out: dict[str, Any] = {}
    for name, value in headers:
        if not keep_secrets:
            value = header_placeholder(name) if name.lower() in CREDENTIAL_HEADERS else r.text(value)
        if name in out:
            prior = out[name]
            out[name] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            out[name] = value
    return out


class TraceWriter:
    """Appends groups to PATH, one write() per group; rotates at about max_bytes.

    Several worker processes and threads may share one PATH. Each group is
    one write() on an O_APPEND file, which Linux applies whole (the file's
    lock is held for the write), so groups never interleave and a killed
    process leaves whole groups only. Whoever finds the file full renames it
    to `<stem>.<n><suffix>` (n counting up) under an exclusive lock on the
    folder and starts a new one; the other processes notice the new file by
    its inode within ROTATION_CHECK_S, so with several workers a rotated file
    can end a little past max_bytes.
    """

    ROTATION_CHECK_S = 0.1

    def __init__(self, path: str | Path, functions: HostFunctions, *, meta: dict[str, Any],
                 max_bytes: int = DEFAULT_MAX_BYTES, keep_secrets: bool = False) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep_secrets = keep_secrets
        self.meta = meta
        self.secret_exports = frozenset((t.module, t.fn) for t in functions.traced.values() if t.secret)
        self._meta_head = meta_head(meta)
        self._redacted = redacted_member(keep_secrets)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._next_check = 0.0
        self.groups_written = 0
        self.write_errors = 0

    def record(self, request: HttpRequest, journal: Journal, response: HttpResponse, duration_us: int) -> None:
        lines = _plain_lines(request, journal, response)
        if lines is None:
            lines = encode_lines(request, journal, response, self.secret_exports, self.keep_secrets)
        data = lines + meta_line(self._meta_head, self._redacted, journal, response, duration_us)
        try:
            with self._lock:
                self._append(data)
            self.groups_written += 1
        except OSError as e:
            self.write_errors += 1
            if self.write_errors == 1 or self.write_errors % 1000 == 0:
                log.error("trace %s: group not written (%d so far): %s", self.path, self.write_errors, e)

    def _append(self, data: bytes) -> None:
        now = _monotonic()
        if now >= self._next_check or self._fd is None:
            self._follow()
            self._next_check = now + self.ROTATION_CHECK_S
        n = len(data)
        size = self._size
        if self.max_bytes and size and size + n > self.max_bytes:
            self._rotate(n)
        written = _write(self._fd, data)  # type: ignore[arg-type]
        if written != n:  # only a full disk or a signal does this: the group is then not whole
            raise OSError(f"short write ({written} of {n} bytes)")
        self._size += written

    def _follow(self) -> None:
        """(Re)opens PATH when it is not the file we hold (first use, or rotated by another process)."""
        if self._fd is not None:
            try:
                if os.stat(self.path).st_ino == os.fstat(self._fd).st_ino:
                    self._size = os.fstat(self._fd).st_size
                    return
            except FileNotFoundError:
                pass
            os.close(self._fd)
            self._fd = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._size = os.fstat(self._fd).st_size

    def _rotate(self, incoming: int) -> None:
        folder = os.open(self.path.parent, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                st = None
            # another process may have rotated it already: then only follow
            if st is not None and self._fd is not None and st.st_ino == os.fstat(self._fd).st_ino \
                    and st.st_size + incoming > self.max_bytes:
                os.rename(self.path, self._next_name())
            self._follow()
        finally:
            os.close(folder)  # closing releases the lock

    def _next_name(self) -> Path:
        stem, suffix = self.path.stem, self.path.suffix
        taken = [int(n) for p in self.path.parent.glob(f"{stem}.*{suffix}")
                 if (n := p.name[len(stem) + 1: len(p.name) - len(suffix)]).isdigit()]
        return self.path.with_name(f"{stem}.{max(taken, default=0) + 1:06d}{suffix}")

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


# ---------- reading ----------

@dataclass
class TraceRead:
    groups: list[TraceGroup]
    warnings: list[str]
    files: list[Path]


def trace_files(path: str | Path) -> list[Path]:
    """PATH itself, or the trace files of a directory in the order they were written (rotated ones first)."""
    p = Path(path)
    if p.is_dir():
        return sorted(f for f in p.iterdir() if f.is_file() and f.suffix in (".jsonl", ".ndjson"))
    if not p.exists():
        raise TraceFileError(p, 0, "no such file or directory")
    return [p]


def read_traces(path: str | Path, known: frozenset[tuple[str, str]] | None = None) -> TraceRead:
    """Every group of a trace file or directory; TraceFileError for anything malformed."""
    files = trace_files(path)
    groups: list[TraceGroup] = []
    warnings: list[str] = []
    for f in files:
        groups.extend(_read_file(f, known, warnings))
    return TraceRead(groups, warnings, files)


def _read_file(path: Path, known: frozenset[tuple[str, str]] | None, warnings: list[str]) -> Iterator[TraceGroup]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TraceFileError(path, 0, f"cannot read: {e.strerror or e}") from None
    lines = raw.split(b"\n")
    torn_tail = not raw.endswith(b"\n") and raw != b""
    builder: _GroupBuilder | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        last = number == len(lines) and torn_tail
        obj = _parse_line(path, number, line, last)
        if obj is None:  # a torn last line
            warnings.append(f"{path}:{number}: torn last line skipped (the writer stopped mid-group)")
            builder = None
            break
        kind = obj["type"]
        if kind == "request":
            if builder is not None:
                yield builder.close(path)
            builder = _GroupBuilder(_request_of(path, number, obj), number, f"{path}:{number}")
        elif kind in ("io", "response", "meta"):
            if builder is None:
                raise TraceFileError(path, number, f"a {kind!r} line before any request line")
            builder.take(path, number, kind, obj, known)
            if kind == "meta":
                yield builder.close(path)
                builder = None
        elif kind not in DURABLE_TYPES:
            raise TraceFileError(path, number, f"unknown line type {kind!r}")
    if builder is not None:
        if builder.status is None:
            warnings.append(f"{path}:{builder.line}: torn last group skipped (no response line)")
        else:
            yield builder.close(path)


def _parse_line(path: Path, number: int, line: bytes, last: bool) -> dict[str, Any] | None:
    if len(line) > MAX_LINE_BYTES:
        raise TraceFileError(path, number, f"line longer than {MAX_LINE_BYTES} bytes")
    try:
        obj = wellformed.loads(line)
    except wellformed.MalformedJson as e:
        if last:
            return None
        raise TraceFileError(path, number, f"invalid JSON: {e}") from None
    if not isinstance(obj, dict):
        raise TraceFileError(path, number, "a line must be a JSON object")
    if not isinstance(obj.get("type"), str):
        raise TraceFileError(path, number, "missing \"type\"")
    return obj


@dataclass
class _GroupBuilder:
    request: tuple[HttpRequest, int]
    line: int
    where: str
    entries: list[IoEntry] = field(default_factory=list)
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    meta: dict[str, Any] = field(default_factory=dict)

    def take(self, path: Path, number: int, kind: str, obj: dict[str, Any],
             known: frozenset[tuple[str, str]] | None) -> None:
        if kind == "io":
            if self.status is not None:
                raise TraceFileError(path, number, "an io line after the group's response")
            self.entries.append(io_entry(path, number, obj, len(self.entries), known))
        elif kind == "response":
            if self.status is not None:
                raise TraceFileError(path, number, "a second response line in one group")
            status = obj.get("status")
            if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 999:
                raise TraceFileError(path, number, "response \"status\" must be an integer from 100 to 999")
            self.status = status
            self.headers = headers_of(path, number, obj.get("headers"))
            self.body = body_of(path, number, obj)
        else:
            if self.status is None:
                raise TraceFileError(path, self.line, "a group without a response line")
            version = obj.get("version", VERSION)
            if obj.get("format", FORMAT) != FORMAT or version != VERSION:
                raise TraceFileError(path, number, f"unknown trace format {obj.get('format')!r} version "
                                                   f"{version!r} (this zigttp reads {FORMAT} {VERSION})")
            self.meta = {k: v for k, v in obj.items() if k != "type"}

    def close(self, path: Path) -> TraceGroup:
        if self.status is None:
            raise TraceFileError(path, self.line, "a group without a response line")
        request, seed = self.request
        return TraceGroup(request, seed, self.entries, self.status, self.headers, self.body, self.meta, self.where)


def _request_of(path: Path, number: int, obj: dict[str, Any]) -> tuple[HttpRequest, int]:
    method = obj.get("method", "GET")
    url = obj.get("url", "/")
    if not isinstance(method, str) or not method:
        raise TraceFileError(path, number, "request \"method\" must be a non-empty string")
    if not isinstance(url, str) or not url.startswith("/"):
        raise TraceFileError(path, number, "request \"url\" must be a string starting with /")
    seed = obj.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not -(1 << 63) <= seed < (1 << 63):
        raise TraceFileError(path, number, "request \"seed\" must be a signed 64-bit integer")
    return HttpRequest(method.upper(), url, request_headers_of(path, number, obj.get("headers")),
                       body_of(path, number, obj)), seed


# RFC 9110: a field name is a token; a value holds no control character but tab (no CR, LF or NUL).
# Non-ASCII (obs-text) stays: `zigttp serve` refuses it, but the embedding host takes it, and a trace
# recorded there must replay.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]*")


def request_headers_of(path: str | Path, number: int, value: Any) -> list[tuple[str, str]]:
    """A request's headers, names lower-cased as the server receives them; TraceFileError for one no
    client can send (a replay or test that ran it would pass where `zigttp serve` answers 400)."""
    out: list[tuple[str, str]] = []
    for name, one in headers_of(path, number, value):
        if not _TOKEN.fullmatch(name):
            raise TraceFileError(path, number, f"request header name {name!r} is not an HTTP token")
        if not _FIELD_VALUE.fullmatch(one):
            raise TraceFileError(path, number, f"request header {name!r} has a control character in its "
                                               "value (CR, LF, NUL, ...; only tab is allowed)")
        out.append((name.lower(), one))
    return out


def headers_of(path: str | Path, number: int, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise TraceFileError(path, number, "\"headers\" must be an object")
    out: list[tuple[str, str]] = []
    for name, v in value.items():
        values = v if isinstance(v, list) else [v]
        for one in values:
            if not isinstance(one, str):
                raise TraceFileError(path, number, f"header {name!r} must be a string or an array of strings")
            out.append((name, one))
    return out


def body_of(path: str | Path, number: int, obj: dict[str, Any]) -> bytes:
    body = obj.get("body")
    encoded = obj.get("body_base64")
    if isinstance(encoded, str):
        try:
            return base64.b64decode(encoded, validate=True)
        except ValueError:
            raise TraceFileError(path, number, "\"body_base64\" is not valid base64") from None
    if body is None:
        return b""
    if not isinstance(body, str):
        raise TraceFileError(path, number, "\"body\" must be a string or null")
    return body.encode()


def io_entry(path: str | Path, number: int, obj: dict[str, Any], position: int,
             known: frozenset[tuple[str, str]] | None) -> IoEntry:
    """An io line (trace or test file) as a journal entry."""
    module, fn = obj.get("module"), obj.get("fn")
    if not isinstance(module, str) or not isinstance(fn, str):
        raise TraceFileError(path, number, "an io line needs \"module\" and \"fn\" strings")
    if known is not None and (module, fn) not in known:
        raise TraceFileError(path, number, f"io entry for an unknown export {module}.{fn}")
    args = obj.get("args", [])
    if not isinstance(args, list):
        raise TraceFileError(path, number, "io \"args\" must be an array")
    seq = obj.get("seq", position)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise TraceFileError(path, number, "io \"seq\" must be a non-negative integer")
    result = obj.get("result")
    entry = IoEntry(seq, module, fn, wellformed.dumps(args), b"" if result is None else wellformed.dumps(result))
    error = obj.get("error")
    if error is not None:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            raise TraceFileError(path, number, "io \"error\" must be an object with a \"message\"")
        entry.error = IoError(str(error.get("status", "error")), error["message"],
                              error.get("capability"), error.get("name"))
    return entry


def known_exports(functions: HostFunctions) -> frozenset[tuple[str, str]]:
    """Every (module, fn) an io line may name: the traced exports, the clock, and the fetch alias."""
    names = {(t.module, t.fn) for t in functions.traced.values()}
    names |= {(BUILTIN, fn) for fn in CLOCK_FUNCTIONS.values()} | {(BUILTIN, "Math.random")}
    names |= set(ALIASES)
    return frozenset(names)
