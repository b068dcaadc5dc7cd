// A small API: every capability it reaches is a literal, so the contract is
// complete and `zigttp serve` grants exactly these names (see docs/contract.md).
//   zigttp build examples/contract/users.ts -Dverify -Dopenapi
//   REGION=eu zigttp serve examples/contract/users.ts --sqlite users.db
import { env } from "zigttp:env";
import { cacheGet, cacheSet } from "zigttp:cache";
import { sql, sqlOne, sqlExec } from "zigttp:sql";
import { routerMatch } from "zigttp:router";
import { schemaCompile, validateJson } from "zigttp:validate";

type User = { id: number; name: string; email: string };

const SESSIONS = "sessions";

sql("createTable", "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)");
sql("getUserById", "SELECT id, name, email FROM users WHERE id = :id");
sql("createUser", "INSERT INTO users (name, email) VALUES (:name, :email)");
schemaCompile("user.create", {
  type: "object",
  properties: { name: { type: "string", minLength: 1 }, email: { type: "string", format: "email" } },
  required: ["name", "email"],
});

function health(req: Request): Response {
  return Response.json({ ok: true, region: env("REGION") ?? "local" });
}

function getUser(req: Request, params: Record<string, string>): Response {
  const id = params.id ?? "";
  const cached = cacheGet(SESSIONS, id);
  if (cached !== undefined) {
    return Response.rawJson(cached);
  }
  sqlExec("createTable");
  const row = sqlOne("getUserById", { id });
  if (row === undefined) {
    return Response.json({ error: "not found" }, { status: 404 });
  }
  const user: User = { id: Number(row.id), name: String(row.name), email: String(row.email) };
  cacheSet(SESSIONS, id, JSON.stringify(user), 60);
  return Response.json(user);
}

function createUser(req: Request, params: Record<string, string>): Response {
  const input = validateJson("user.create", req.body ?? "");
  if (!input.ok) {
    return Response.json({ error: "invalid user" }, { status: 400 });
  }
  sqlExec("createTable");
  const result = sqlExec("createUser", { name: String(input.value.name), email: String(input.value.email) });
  return Response.json({ id: result.lastInsertRowId ?? 0 }, { status: 201 });
}

const routes = {
  "GET /health": health,
  "GET /users/:id": getUser,
  "POST /users": createUser,
};

export function handler(req: Request): Response {
  const found = routerMatch(routes, req);
  if (found === undefined) {
    return Response.json({ error: "no route" }, { status: 404 });
  }
  return found.handler(req, found.params);
}
