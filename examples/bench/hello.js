// Benchmark handler "hello": GET / -> {"message":"Hello","path":"/"}.
// Served by `zigttp serve` and, unchanged, by the node/deno/workerd peers of scripts/bench.py.
export function handler(req) {
  return Response.json({ message: "Hello", path: req.path });
}
