"""Bare granian RSGI peer for scripts/bench.py: the three benchmark routes answered in Python,
without JavaScript — the ceiling that zigttp (granian + QuickJS/wasm) is measured against.

    granian --interface rsgi --host 127.0.0.1 --port PORT --workers 2 --log-level warning \
        --working-dir scripts/bench_peers granian_bare:app

Routes: GET / (hello), GET /compute, POST /echo — the same answers as examples/bench/*.js.
"""

from __future__ import annotations

from typing import Any

import orjson

_JSON = [("content-type", "application/json")]
_TEXT = [("content-type", "text/plain; charset=utf-8")]


def hello(path: str) -> dict[str, Any]:
    return {"message": "Hello", "path": path}


def compute() -> dict[str, Any]:
    items = [{"id": i, "name": f"item-{i}", "score": (i * 37) % 101, "active": i % 3 != 0} for i in range(100)]
    active = [item for item in items if item["active"]]
    projected = [{"id": item["id"], "label": item["name"].upper(), "points": item["score"] * 2} for item in active]
    total = sum(item["points"] for item in projected)
    encoded = orjson.dumps(projected)
    return {"count": len(projected), "total": total, "bytes": len(encoded)}


def echo(body: bytes) -> tuple[int, dict[str, Any]]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return 400, {"error": "expected a JSON object body"}
    if not isinstance(data, dict):
        return 400, {"error": "expected a JSON object body"}
    numbers = [v for v in data.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    return 200, {"keys": len(data), "sum": sum(numbers)}


async def app(scope: Any, proto: Any) -> None:
    path = scope.path
    if path == "/":
        proto.response_bytes(200, _JSON, orjson.dumps(hello(path)))
    elif path == "/compute":
        proto.response_bytes(200, _JSON, orjson.dumps(compute()))
    elif path == "/echo":
        status, payload = echo(await proto())
        proto.response_bytes(status, _JSON, orjson.dumps(payload))
    else:
        proto.response_str(404, _TEXT, "not found")
