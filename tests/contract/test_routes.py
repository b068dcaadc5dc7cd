"""Routes, parameters, request schemas and responses, and their OpenAPI rendering."""

from __future__ import annotations

from collections.abc import Callable

from openapi_spec_validator import validate

from zigttp.contract.derive import Derived
from zigttp.contract.openapi import build_openapi, openapi_path, operation_id

Derive = Callable[..., Derived]

ROUTER = """import { routerMatch } from "zigttp:router";
import { listUsers } from "./users.ts";

function status(req: Request, p: Record<string, string>): Response {
  const verbose = req.query.verbose;
  const client = req.headers.get("x-client") ?? "anonymous";
  const code = verbose === "1" ? 200 : 204;
  return Response.json({ client }, { status: code });
}

function old(req: Request, p: Record<string, string>): Response {
  return Response.redirect("/users", 301);
}

const routes = {
  "GET /users": listUsers,
  "GET /status": status,
  "GET /old": old,
  "DELETE /files/*": (req: Request, p: Record<string, string>): Response => Response.text("gone"),
};

export function handler(req: Request): Response {
  const found = routerMatch(routes, req);
  return found === undefined ? Response.json({ error: "no route" }, { status: 404 }) : found.handler(req, found.params);
}
"""
USERS = """type User = { id: number; name: string; admin?: boolean };
const users: User[] = [{ id: 1, name: "Ann" }];
export function listUsers(req: Request, p: Record<string, string>): Response {
  return Response.json(users);
}
"""


def test_router_table_with_an_imported_route(derive_files: Derive) -> None:
    d = derive_files({"handler.ts": ROUTER, "users.ts": USERS})
    routes = {(r["method"], r["path"]): r for r in d.contract["routes"]}
    assert list(routes) == [("GET", "/users"), ("GET", "/status"), ("GET", "/old"), ("DELETE", "/files/*")]
    assert routes[("GET", "/users")]["responses"] == [{"status": 200, "contentType": "application/json", "schema": {
        "type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "number"}, "name": {"type": "string"}, "admin": {"type": "boolean"}},
            "required": ["id", "name"]}}}]
    status = routes[("GET", "/status")]
    assert status["params"] == [
        {"name": "verbose", "in": "query", "required": False, "schema": {"type": "string"}},
        {"name": "x-client", "in": "header", "required": False, "schema": {"type": "string"}}]
    assert [r["status"] for r in status["responses"]] == [None]  # not a literal
    assert routes[("GET", "/old")]["responses"] == [{"status": 301, "contentType": None, "schema": None}]
    doc = build_openapi(d, "0.0.0")
    validate(doc)
    assert sorted(doc["paths"]) == ["/files/{rest}", "/old", "/status", "/users"]
    assert list(doc["paths"]["/status"]["get"]["responses"]) == ["default"]
    assert doc["paths"]["/old"]["get"]["responses"] == {"301": {"description": "HTTP 301 response"}}
    assert doc["paths"]["/files/{rest}"]["delete"]["parameters"][0]["name"] == "rest"


def test_computed_route_keys_are_dynamic(derive_files: Derive) -> None:
    d = derive_files("""import { routerMatch } from "zigttp:router";
export function handler(req: Request): Response {
  const key = "GET " + req.path;
  const table: Record<string, () => Response> = {};
  table[key] = () => Response.text("x");
  const found = routerMatch(table, req);
  return found === undefined ? Response.text("none") : found.handler();
}
""")
    assert d.api.routes_dynamic is True and d.contract["routes"] == []
    assert build_openapi(d, "0.0.0")["x-zigttp-routesDynamic"] is True


def test_match_routes_and_guards(derive_files: Derive) -> None:
    d = derive_files("""import { guard } from "zigttp:compose";
function auth(req: Request): Response | undefined {
  if (req.headers.get("authorization") === undefined) {
    return Response.json({ error: "unauthorized" }, { status: 401 });
  }
  return undefined;
}
function routes(req: Request): Response {
  return match ({ method: req.method, path: req.path }) {
    when { method: "GET", path: "/a" }: Response.json({ a: 1 })
    when { method: "POST", path: "/b" }: Response.html("<p>b</p>", { status: 201 })
    when { method: "GET" }: Response.text("other")
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
const handler = guard(auth) |> routes;
""")
    routes = [(r["method"], r["path"], [x["status"] for x in r["responses"]]) for r in d.contract["routes"]]
    assert routes == [("GET", "/a", [200, 401]), ("POST", "/b", [201, 401])]
    assert all(r["params"][0]["name"] == "authorization" for r in d.contract["routes"])
    assert d.api.routes_dynamic is True  # the method-only arm
    validate(build_openapi(d, "0.0.0"))


def test_guards_of_a_handler_imported_from_another_module(derive_files: Derive) -> None:
    app = """import { guard } from "zigttp:compose";
function auth(req: Request): Response | undefined {
  if (req.headers.get("authorization") === undefined) {
    return Response.json({ error: "unauthorized" }, { status: 401 });
  }
  return undefined;
}
function routes(req: Request): Response {
  return match ({ method: req.method, path: req.path }) {
    when { method: "GET", path: "/a" }: Response.json({ a: 1 })
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
export const app = guard(auth) |> routes;
"""
    entry = """import { app } from "./app.ts";
export const handler = app;
"""
    d = derive_files({"handler.ts": entry, "app.ts": app})
    routes = [(r["method"], r["path"], [x["status"] for x in r["responses"]]) for r in d.contract["routes"]]
    assert routes == [("GET", "/a", [200, 401])]


def test_openapi_names() -> None:
    assert openapi_path("/users/:id/posts/:post") == ("/users/{id}/posts/{post}", ["id", "post"])
    assert openapi_path("/static/*") == ("/static/{rest}", ["rest"])
    assert operation_id("POST", "/profiles/:id") == "post__profiles__id"
