"""Blocks QuickJS grows and shrinks (glue.c z_realloc): their contents survive every size on the way.

The guest moves a block that changes size class itself (a new block and memory.copy: the libc's
realloc copies byte by byte) and leaves a resize within its class to the libc. Strings built by string
buffers, arrays grown by push and objects grown one property at a time are made at every size from a
few bytes to a few hundred KiB, across requests, and read back whole.
"""

from __future__ import annotations

import json

import orjson

from zigttp_host import Bundle, Host, HttpRequest

SOURCE = r"""
const kept = [];
export function handler(req) {
  const n = req.query.n;
  const arr = [];
  for (const i of range(n)) arr.push(i * 3);
  const obj = {};
  for (const i of range(Math.min(n, 300))) obj["k" + i] = i;
  const rows = arr.map((v) => ({ v: v, s: "x".repeat(v % 17) }));
  const text = JSON.stringify(rows);
  let joined = "";
  for (const i of range(Math.min(n, 2000))) joined += String.fromCharCode(65 + (i % 26));
  kept.push(text.slice(0, 40));
  const upper = text.toUpperCase();
  return Response.json({ n: arr.length, last: arr[arr.length - 1], sum: arr.reduce((a, b) => a + b, 0),
                         keys: Object.keys(obj).length, text: text, joined: joined, upperLength: upper.length,
                         kept: kept.length, firstKept: kept[0] });
}
"""


def _expected(n: int) -> dict[str, object]:
    rows = [{"v": i * 3, "s": "x" * ((i * 3) % 17)} for i in range(n)]
    text = json.dumps(rows, separators=(",", ":"))
    return {"n": n, "last": (n - 1) * 3 if n else None, "sum": sum(i * 3 for i in range(n)),
            "keys": min(n, 300), "text": text, "joined": "".join(chr(65 + i % 26) for i in range(min(n, 2000))),
            "upperLength": len(text)}


def test_grown_and_shrunk_blocks_keep_their_contents(host: Host) -> None:
    handler = host.load(Bundle(SOURCE, "realloc.js"))
    first_kept = None
    for count, n in enumerate((0, 1, 7, 64, 65, 500, 4096, 9000, 3, 9000, 20000), start=1):
        got = orjson.loads(handler.handle(HttpRequest("GET", f"/?n={n}")).body)
        want = _expected(n)
        if n == 0:
            want["last"] = None
            got["last"] = None
        for key, value in want.items():
            assert got[key] == value, (n, key)
        assert got["kept"] == count
        first_kept = first_kept or got["firstKept"]
        assert got["firstKept"] == first_kept  # kept between requests, untouched by later growth
