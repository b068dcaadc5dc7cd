// A tenant of examples/embed/serve_tenants.py: greets with its own GREETING and counts visits in its own cache.
import { env } from "zigttp:env";
import { cacheGet, cacheSet } from "zigttp:cache";

export function handler(req: Request): Response {
  const seen = Number(cacheGet("visits", "count") ?? "0") + 1;
  cacheSet("visits", "count", String(seen));
  return Response.json({ tenant: "acme", greeting: env("GREETING") ?? "hello", visits: seen });
}
