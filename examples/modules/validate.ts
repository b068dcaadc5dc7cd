// zigttp:validate + zigttp:decode: JSON Schema (Draft 2020-12, formats checked) for bodies and queries.
// Schemas are registered at module scope, so they are part of the handler's snapshot.
import { schemaCompile } from "zigttp:validate";
import { decodeJson, decodeQuery } from "zigttp:decode";

schemaCompile("signup", {
  type: "object",
  required: ["email", "age"],
  properties: {
    email: { type: "string", format: "email" },
    age: { type: "integer", minimum: 13 },
    plan: { enum: ["free", "pro"] },
  },
  additionalProperties: false,
});
schemaCompile("listing", {
  type: "object",
  properties: { page: { type: "integer", minimum: 1 }, q: { type: "string", maxLength: 50 } },
});

function signup(req: Request): Response {
  const input = decodeJson("signup", req.text());
  if (!input.ok) {
    return Response.json({ errors: input.errors }, { status: 422 });
  }
  return Response.json({ welcome: input.value.email }, { status: 201 });
}

function listing(req: Request): Response {
  const query = decodeQuery("listing", req.query);
  return query.ok ? Response.json({ page: query.value.page ?? 1 }) : Response.json({ errors: query.errors }, { status: 400 });
}

export function handler(req: Request): Response {
  return match ({ method: req.method, path: req.path }) {
    when { method: "POST", path: "/signup" }: signup(req)
    when { method: "GET", path: "/items" }: listing(req)
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
