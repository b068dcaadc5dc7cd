// Benchmark handler "compute": build 100 records, filter/map/reduce them and
// JSON.stringify the projection. Served by `zigttp serve` and, unchanged, by the
// node/deno/workerd peers of scripts/bench.py.
export function handler(req) {
  const items = [];
  for (const i of range(100)) {
    items.push({ id: i, name: `item-${i}`, score: (i * 37) % 101, active: i % 3 !== 0 });
  }
  const active = items.filter((item) => item.active);
  const projected = active.map((item) => ({ id: item.id, label: item.name.toUpperCase(), points: item.score * 2 }));
  const total = projected.reduce((sum, item) => sum + item.points, 0);
  const encoded = JSON.stringify(projected);
  return Response.json({ count: projected.length, total: total, bytes: encoded.length });
}
