// Benchmark handler "echo": parse the JSON body (about 1 KB), answer with its
// key count and the sum of its numeric values. Served by `zigttp serve` and,
// unchanged, by the node/deno/workerd peers of scripts/bench.py.
export function handler(req) {
  const data = req.json();
  if (data === undefined) {
    return Response.json({ error: "expected a JSON object body" }, { status: 400 });
  }
  const numbers = Object.values(data).filter((value) => typeof value === "number");
  const sum = numbers.reduce((acc, value) => acc + value, 0);
  return Response.json({ keys: Object.keys(data).length, sum: sum });
}
