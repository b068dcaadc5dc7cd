// zigttp:sql: statements registered at module scope, run per request.
import { sql, sqlOne, sqlMany, sqlExec } from "zigttp:sql";

sql("create", "CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, note TEXT)");
sql("add", "INSERT INTO todos (title, note) VALUES (:title, :note)");
sql("get", `SELECT id, title, done, note -- a comment with :notaparam and ?
            FROM todos WHERE id = :id`);
sql("list", "SELECT id, title FROM todos ORDER BY id");
sql("count", "SELECT count(*) AS n FROM todos;");
sql("done", "UPDATE todos SET done = 1 WHERE id = :id");
sql("sneaky", "INSERT INTO todos (title) VALUES ('sneaky')");
sql("add", "INSERT INTO todos (title, note) VALUES (:title, :note)"); // identical re-registration is fine

export function handler(req) {
  const q = req.query;
  try {
    switch (req.path) {
      case "/create": return Response.json(sqlExec("create"));
      case "/add": return Response.json(sqlExec("add", { title: String(q.title), note: q.note }));
      case "/get": return Response.json(sqlOne("get", { id: q.id }) ?? { missing: true });
      case "/list": return Response.json(sqlMany("list"));
      case "/count": return Response.json(sqlOne("count"));
      case "/done": return Response.json(sqlExec("done", { id: q.id }));
      case "/sneaky": return Response.json(sqlOne("sneaky"));
      case "/missing-param": return Response.json(sqlOne("get", {}));
      case "/extra-param": return Response.json(sqlOne("get", { id: 1, idd: 2 }));
      case "/unknown": return Response.json(sqlOne("nope"));
      case "/late": return Response.json(sql("late", "SELECT 1"));
    }
  } catch (e) {
    return Response.json({ threw: e.name, message: e.message }, { status: 400 });
  }
  return Response.json({ error: "not found" }, { status: 404 });
}
