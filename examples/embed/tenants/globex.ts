// Another tenant of examples/embed/serve_tenants.py: the same cache namespace as acme, never acme's entries.
import { env } from "zigttp:env";
import { cacheGet, cacheSet } from "zigttp:cache";

export function handler(req: Request): Response {
  const seen = Number(cacheGet("visits", "count") ?? "0") + 1;
  cacheSet("visits", "count", String(seen));
  return Response.json({ tenant: "globex", region: env("REGION") ?? "unknown", visits: seen, path: req.path });
}
