// Host-call overhead: n cacheGet calls, or the same loop without a host call.
import { cacheGet } from "zigttp:cache";
import { parallel } from "zigttp:io";

export function handler(req) {
  const n = Number(req.query.n);
  let hits = 0;
  if (req.path === "/call") {
    for (let i = 0; i < n; i++) if (cacheGet("bench", "k") !== undefined) hits = hits + 1;
  } else if (req.path === "/base") {
    const get = (ns, k) => (ns.length + k.length > 100 ? "x" : undefined);
    for (let i = 0; i < n; i++) if (get("bench", "k") !== undefined) hits = hits + 1;
  } else if (req.path === "/parallel") {
    const base = String(req.query.base);
    const rs = parallel([() => fetchSync(base + "/a"), () => fetchSync(base + "/b"), () => fetchSync(base + "/c")]);
    return Response.json(rs.map((r) => r.status));
  } else if (req.path === "/sequential") {
    const base = String(req.query.base);
    return Response.json([fetchSync(base + "/a").status, fetchSync(base + "/b").status, fetchSync(base + "/c").status]);
  }
  return Response.json({ hits });
}
