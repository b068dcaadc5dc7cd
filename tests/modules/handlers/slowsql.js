// A read that SQLite works on for seconds: zigttp:sql must stop it at the request's deadline.
import { sql, sqlOne } from "zigttp:sql";

sql("count", `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n)
              SELECT count(*) AS n FROM c`);

export function handler(req) {
  return Response.json(sqlOne("count", { n: req.query.n }) ?? {});
}
