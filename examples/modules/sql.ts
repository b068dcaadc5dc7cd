// zigttp:sql: named statements registered at module scope, run on the --sqlite file.
//   zigttp serve examples/modules/sql.ts --sqlite todos.db --sql-schema examples/modules/schema.sql
import { sql, sqlOne, sqlMany, sqlExec } from "zigttp:sql";

sql("init", "CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)");
sql("list", "SELECT id, title, done FROM todos ORDER BY id");
sql("byId", "SELECT id, title, done FROM todos WHERE id = :id");
sql("add", "INSERT INTO todos (title) VALUES (:title)");

function create(req: Request): Response {
  sqlExec("init");
  const title = String(req.query.title ?? "").trim();
  if (title === "") {
    return Response.json({ error: "title is required" }, { status: 400 });
  }
  const added = sqlExec("add", { title });
  return Response.json({ id: added.lastInsertRowId, title }, { status: 201 });
}

function one(req: Request): Response {
  sqlExec("init");
  const todo = sqlOne("byId", { id: Number(req.path.slice("/todos/".length)) });
  return todo === undefined ? Response.json({ error: "not found" }, { status: 404 }) : Response.json(todo);
}

export function handler(req: Request): Response {
  return match ({ method: req.method, path: req.path }) {
    when { method: "POST", path: "/todos" }: create(req)
    when { method: "GET", path: "/todos" }: Response.json(sqlMany("list"))
    when { method: "GET" }: req.path.startsWith("/todos/") ? one(req) : Response.json({ error: "not found" }, { status: 404 })
    default: Response.json({ error: "method not allowed" }, { status: 405 })
  };
}
