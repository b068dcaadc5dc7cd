// A helper that returns Result<T, E>: callers must check ok too.
function parsePort(text: string): Result<number, string> {
  const n = parseInt(text, 10);
  return Number.isNaN(n) ? Result.err("not a number") : Result.ok(n);
}

export function handler(req: Request): Response {
  const port = parsePort(req.path.slice(1));
  return Response.json({ port: port.value });
}
// expect: ZTS303@9:32
