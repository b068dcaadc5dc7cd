"""The guest keeps a few emptied QuickJS arenas as spares (qjs_unity.c, zigttp_arena_keep).

Blocks of every small size are made and freed across requests, some kept in module state (so
arenas are left partly used) and the rest dropped (so arenas empty and are kept or freed): what is
kept must stay intact, and memory must stop growing once the workload's peak is reached.
"""

from __future__ import annotations

import orjson

from zigttp_host import Bundle, Host, HttpRequest

WORKLOAD = r"""
const kept = [];
function churn(n, keepEvery) {
  let total = 0;
  const made = [];
  for (const i of range(n)) {
    // strings of 1..480 bytes and objects of 1..8 properties: every arena block size
    const s = "k".repeat(1 + (i * 37) % 480) + i;
    const o = { a: i };
    for (const p of range(i % 8)) o["p" + p] = s.length + p;
    made.push([s, o]);
    total += s.length + Object.keys(o).length;
    if (keepEvery > 0 && i % keepEvery === 0) kept.push([s, o, s.length]);
  }
  return total;
}
export function handler(req) {
  const n = req.query.n, keepEvery = req.query.keep;
  const total = churn(n, keepEvery);
  let intact = 0;
  for (const [s, o, len] of kept) if (s.length === len && o.a === Number(s.slice(len - String(o.a).length))) intact++;
  return Response.json({ total, kept: kept.length, intact });
}
"""


def _expected_total(n: int) -> int:
    return sum(1 + (i * 37) % 480 + len(str(i)) + 1 + i % 8 for i in range(n))


def test_blocks_stay_intact_and_memory_stops_growing(host: Host) -> None:
    handler = host.load(Bundle(WORKLOAD, "arenas.js"))

    def run(n: int, keep: int) -> dict[str, int]:
        r = handler.handle(HttpRequest("GET", f"/?n={n}&keep={keep}"))
        assert r.status == 200, r.body
        got: dict[str, int] = orjson.loads(r.body)
        assert got["total"] == _expected_total(n)
        assert got["intact"] == got["kept"]
        return got

    run(4000, 0)  # the peak: many arenas of every size filled, then all emptied
    for i in range(30):  # partly used arenas: a few blocks of each kept for good
        run(300 + 97 * (i % 5), 50)
    instance = handler._acquire()
    size = instance.memory_size()
    for i in range(150):
        got = run(300 + 97 * (i % 5), 0 if i % 3 else 400)
    assert got["kept"] == got["intact"] > 200
    assert handler._acquire() is instance  # not recycled meanwhile
    assert instance.memory_size() == size
