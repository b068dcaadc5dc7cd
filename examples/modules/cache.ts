// zigttp:cache: a per-client rate counter and a cached computation, shared by all workers
// (the default SQLite store; `--cache memory` keeps one per worker instead).
import { cacheGet, cacheSet, cacheIncr, cacheStats } from "zigttp:cache";

const LIMIT = 3;

function limited(req: Request): Response {
  const client = req.headers.get("x-client") ?? "anonymous";
  const used = cacheIncr("ratelimit", client, 1, 60);
  if (used > LIMIT) {
    return Response.json({ error: "rate limited", used }, { status: 429 });
  }
  return Response.json({ ok: true, remaining: LIMIT - used });
}

function square(req: Request): Response {
  const n = String(req.query.n ?? "0");
  const hit = cacheGet("squares", n);
  if (hit !== undefined) {
    return Response.json({ n, square: Number(hit), cached: true });
  }
  const value = Number(n) * Number(n);
  cacheSet("squares", n, String(value), 300);
  return Response.json({ n, square: value, cached: false });
}

export function handler(req: Request): Response {
  return match (req.path) {
    when "/limited": limited(req)
    when "/square": square(req)
    when "/stats": Response.json(cacheStats("squares"))
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
