"""A starting test file from a trace: one case per recorded request, expecting what was recorded.

Each group of the trace becomes a case named by its method and URL
(numbered when one repeats), with the recorded request (and its Math.random
seed), every recorded call as an io line, and an `expect` of the recorded
status and body. Run against the handler that was recorded, every case
passes; edit the expectations into what the handler should do.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from zigttp_host import wellformed
from zigttp_host.journal import IoEntry
from zigttp_host.registry import TracedExport
from zigttp_host.tracefile import TraceGroup

from .testfile import FORMAT, VERSION


def meta_line(**extra: Any) -> bytes:
    return _line({"type": "meta", "format": FORMAT, "version": VERSION, **extra})


def test_file_from_groups(groups: list[TraceGroup], traced: dict[tuple[str, str], TracedExport],
                          **meta: Any) -> bytes:
    """The test file's text; `traced`: the host's traced exports by (module, fn)."""
    seen: Counter[str] = Counter()
    out = [meta_line(**meta)]
    for group in groups:
        base = f"{group.request.method} {group.request.url}"
        seen[base] += 1
        name = base if seen[base] == 1 else f"{base} #{seen[base]}"
        out.append(_line({"type": "test", "name": name}))
        out.extend(case_lines(group, traced))
    return b"".join(out)


def case_lines(group: TraceGroup, traced: dict[tuple[str, str], TracedExport]) -> list[bytes]:
    request = group.request
    lines = [_line({"type": "request", "method": request.method, "url": request.url,
                    "headers": _headers_object(request.headers), **_body_fields(request.body),
                    "seed": group.seed})]
    for entry in group.entries:
        export = traced.get((entry.module, entry.fn))
        if export is not None and export.bookkeeping is not None and export.bookkeeping(_args(entry)):
            continue  # stub mode answers it without a fixture
        lines.append(_io_line(entry, len(lines) - 1))
    expect: dict[str, Any] = {"type": "expect", "status": group.status}
    expect["body"] = group.body.decode(errors="replace")
    lines.append(_line(expect))
    return lines


def _io_line(entry: IoEntry, seq: int) -> bytes:
    obj: dict[str, Any] = {"type": "io", "seq": seq, "module": entry.module, "fn": entry.fn,
                           "args": _args(entry), "result": wellformed.loads(entry.result) if entry.result else None}
    if entry.error is not None:
        obj["error"] = entry.error.to_dict()
    return _line(obj)


def _args(entry: IoEntry) -> list[Any]:
    args = wellformed.loads(entry.args) if entry.args else []
    return args if isinstance(args, list) else [args]


def _headers_object(headers: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in headers:
        prior = out.get(name)
        out[name] = value if prior is None else [*prior, value] if isinstance(prior, list) else [prior, value]
    return out


def _body_fields(body: bytes) -> dict[str, Any]:
    if not body:
        return {"body": None}
    try:
        return {"body": body.decode()}
    except UnicodeDecodeError:
        import base64

        return {"body": None, "body_base64": base64.b64encode(body).decode()}


def _line(obj: dict[str, Any]) -> bytes:
    return wellformed.dumps(obj) + b"\n"
