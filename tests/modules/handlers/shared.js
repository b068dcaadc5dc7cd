// State shared by every worker of one server: zigttp:cache (SQLite store) and zigttp:sql.
import { cacheIncr, cacheGet, cacheSet } from "zigttp:cache";
import { sql, sqlExec, sqlOne } from "zigttp:sql";
import { uuid } from "zigttp:id";
import { env } from "zigttp:env";
import { parallel } from "zigttp:io";

sql("init", "CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, worker TEXT NOT NULL)");
sql("hit", "INSERT INTO hits (worker) VALUES (:worker)");
sql("count", "SELECT count(*) AS n, count(DISTINCT worker) AS workers FROM hits");

let me; // this instance (one per worker with --threads 1)

export function handler(req) {
  if (me === undefined) me = uuid();
  switch (req.path) {
    case "/cache":
      return Response.json({ me, n: cacheIncr("test", "counter") });
    case "/cache-set":
      return Response.json({ me, ok: cacheSet("test", "k", String(req.query.v), Number(req.query.ttl)) });
    case "/cache-get":
      return Response.json({ me, v: cacheGet("test", "k") });
    case "/sql":
      sqlExec("init");
      sqlExec("hit", { worker: me });
      return Response.json({ me, ...sqlOne("count") });
    case "/env":
      return Response.json({ greeting: env("ZT_GREETING") });
    case "/parallel": {
      const base = String(req.query.base);
      const rs = parallel([0, 1, 2].map((i) => () => fetchSync(`${base}/slow?ms=300&tag=${i}`)));
      return Response.json(rs.map((r) => r.json()));
    }
  }
  return Response.json({ error: "not found" }, { status: 404 });
}
