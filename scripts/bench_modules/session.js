// Per request: cacheGet + cacheSet + jwtVerify (the token arrives as a bearer header).
import { cacheGet, cacheSet } from "zigttp:cache";
import { jwtVerify, parseBearer } from "zigttp:auth";

export function handler(req) {
  const claims = jwtVerify(parseBearer(req.headers.get("authorization")) ?? "", "bench-secret");
  if (!claims.ok) return Response.json({ error: claims.error }, { status: 401 });
  const key = "user:" + claims.value.sub;
  const seen = Number(cacheGet("sessions", key) ?? "0") + 1;
  cacheSet("sessions", key, String(seen), 60);
  return Response.json({ user: claims.value.sub, seen });
}
