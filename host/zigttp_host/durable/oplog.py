"""The durable oplog: one JSON line per event of a run, the first carrying the format version.

    {"type":"durable_run","format":"zigttp-oplog","version":1,"key":"order:42","bundle":"<sha256>","seed":…}
    {"type":"request","method":"GET","url":"/orders/42","headers":{…},"body":null}
    {"type":"io","seq":0,"module":"cache","fn":"cacheGet","args":[…],"result":…}
    {"type":"step_start","name":"createDraft"}
    {"type":"step_result","name":"createDraft","result":{…}}
    {"type":"wait_signal","name":"approved"}
    {"type":"resume_signal","name":"approved","payload":{…},"id":"…"}
    {"type":"wait_timer","until_ms":…}   {"type":"resume_timer","fired_at_ms":…}
    {"type":"send_signal","name":"approved","accepted":true}   (signal()/signalAt() called by the run)
    {"type":"response","status":200,"headers":{…},"body":"…"}
    {"type":"complete"}

Line types follow upstream-spec §7.4 (send_signal is ours: a run's own
signal() must not be sent again on replay). In the journal every event after the
request line is an IoEntry: io lines as themselves, the others under the
pseudo-module "durable" with the line type as function, so one cursor walks
them all and a divergence is found the same way for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from .. import wellformed
from ..journal import IoEntry, IoError

FORMAT = "zigttp-oplog"
VERSION = 1
DURABLE = "durable"
COMPLETE_LINE = b'{"type":"complete"}\n'  # a completed run's last line, as end() writes it
EVENT_TYPES = ("step_start", "step_result", "wait_signal", "resume_signal", "wait_timer", "resume_timer",
               "send_signal")
# the fields the runtime, the scheduler and `zigttp admin` read from each line, with their types: a hand-edited
# line with another type makes the oplog unreadable (one clear error) instead of failing later wherever it is used
FIELD_TYPES: dict[str, dict[str, type | tuple[type, ...]]] = {
    **{kind: {"name": str} for kind in ("step_start", "step_result", "wait_signal", "resume_signal", "send_signal")},
    "wait_timer": {"until_ms": int},
    "request": {"method": str, "url": str, "headers": (dict, type(None)), "body": (str, type(None)),
                "body_base64": str},
}
# a request line may leave these out (scheduler.request_of reads GET /, no headers, no body then)
OPTIONAL_FIELDS = ("method", "url", "headers", "body", "body_base64")


class OplogError(ValueError):
    """An oplog that cannot be used: names the file and line."""


@dataclass
class Oplog:
    """A run's oplog as read back: header, request line, events (as journal entries), the end."""

    header: dict[str, Any]
    request: dict[str, Any]
    entries: list[IoEntry]
    response: dict[str, Any] | None  # set once the run completed
    torn: bool = False  # the last line was cut short (a crash mid-write) and was ignored

    @property
    def complete(self) -> bool:
        return self.response is not None

    def waiting(self) -> dict[str, Any] | None:
        """What an incomplete run waits for: {"type": "timer", "until": ms} or {"type": "signal", "name": …}."""
        wait: dict[str, Any] | None = None
        for e in self.entries:
            if e.module != DURABLE:
                continue
            if e.fn == "wait_timer":
                wait = {"type": "timer", "until": orjson.loads(e.result).get("until_ms")}
            elif e.fn == "wait_signal":
                wait = {"type": "signal", "name": orjson.loads(e.result).get("name")}
            elif e.fn in ("resume_timer", "resume_signal"):
                wait = None
        return None if self.complete else wait


def event_entry(seq: int, kind: str, fields: dict[str, Any]) -> IoEntry:
    return IoEntry(seq, DURABLE, kind, b"[]", wellformed.dumps(fields))


def event_text(entry: IoEntry) -> str:
    """An event as a divergence names it: `step_start("createDraft")`."""
    fields = orjson.loads(entry.result) if entry.result else {}
    return f"{entry.fn}({orjson.dumps(fields.get('name')).decode()})"


def entry_line(entry: IoEntry) -> bytes:
    """The oplog line of a journal entry."""
    if entry.module == DURABLE:
        fields = orjson.loads(entry.result) if entry.result else {}
        return wellformed.dumps({"type": entry.fn, **fields}) + b"\n"
    head = orjson.dumps({"type": "io", "seq": entry.seq, "module": entry.module, "fn": entry.fn})[:-1]
    tail = b"" if entry.error is None else b',"error":' + orjson.dumps(entry.error.to_dict())
    return head + b',"args":' + (entry.args or b"[]") + b',"result":' + (entry.result or b"null") + tail + b"}\n"


def parse(raw: bytes, where: str) -> Oplog:
    """An oplog's bytes; a torn last line (no newline, not JSON) is dropped and flagged."""
    lines = raw.split(b"\n")
    torn = False
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        try:
            orjson.loads(lines[-1])
        except orjson.JSONDecodeError:
            lines.pop()
            torn = True
    objs = [_line(where, i, line) for i, line in enumerate(lines, start=1)]
    if len(objs) < 2 or objs[0].get("type") != "durable_run" or objs[1].get("type") != "request":
        raise OplogError(f"{where}: not an oplog (it must start with a durable_run and a request line)")
    for number, obj in enumerate(objs[1:], start=2):
        _check_fields(where, number, obj)
    header = objs[0]
    if header.get("format", FORMAT) != FORMAT or header.get("version") != VERSION:
        raise OplogError(f"{where}:1: unknown oplog format {header.get('format')!r} version "
                         f"{header.get('version')!r} (this zigttp reads {FORMAT} {VERSION})")
    entries: list[IoEntry] = []
    response: dict[str, Any] | None = None
    for number, obj in enumerate(objs[2:], start=3):
        kind = obj.get("type")
        if kind == "io":
            entries.append(_io_entry(where, number, obj, len(entries)))
        elif kind in EVENT_TYPES:
            entries.append(event_entry(len(entries), kind, {k: v for k, v in obj.items() if k != "type"}))
        elif kind == "response":
            response = obj
        elif kind != "complete":
            raise OplogError(f"{where}:{number}: unknown oplog line type {kind!r}")
    return Oplog(header, objs[1], entries, response, torn)


def _line(where: str, number: int, line: bytes) -> dict[str, Any]:
    try:
        obj = wellformed.loads(line)
    except wellformed.MalformedJson as e:
        raise OplogError(f"{where}:{number}: invalid JSON: {e}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise OplogError(f"{where}:{number}: every line must be a JSON object with a \"type\"")
    return obj


def _check_fields(where: str, number: int, obj: dict[str, Any]) -> None:
    for name, kind in FIELD_TYPES.get(obj["type"], {}).items():
        if name not in obj and name in OPTIONAL_FIELDS:
            continue
        value = obj.get(name)
        if isinstance(value, bool) or not isinstance(value, kind):  # bool is an int to Python, not to an oplog
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise OplogError(f"{where}:{number}: a {obj['type']} line's {name!r} must be {expected}, "
                             f"not {orjson.dumps(value).decode()}")


def _io_entry(where: str, number: int, obj: dict[str, Any], seq: int) -> IoEntry:
    module, fn, args = obj.get("module"), obj.get("fn"), obj.get("args", [])
    if not isinstance(module, str) or not isinstance(fn, str) or not isinstance(args, list):
        raise OplogError(f"{where}:{number}: an io line needs module, fn and args")
    result = obj.get("result")
    entry = IoEntry(seq, module, fn, wellformed.dumps(args), b"" if result is None else wellformed.dumps(result))
    error = obj.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        entry.error = IoError(str(error.get("status", "error")), error["message"], error.get("capability"),
                              error.get("name"))
    return entry
