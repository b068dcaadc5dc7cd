// Schemas registered at module scope (so inside the snapshot), used by request handlers.
import { schemaCompile, validateJson, validateObject, coerceJson } from "zigttp:validate";
import { decodeJson, decodeForm, decodeQuery } from "zigttp:decode";

schemaCompile("user", {
  type: "object",
  required: ["name", "email"],
  properties: {
    name: { type: "string", minLength: 1 },
    email: { type: "string", format: "email" },
    age: { type: "integer", minimum: 0 },
  },
  additionalProperties: false,
});
schemaCompile("signup", JSON.stringify({
  type: "object",
  required: ["name", "age"],
  properties: { name: { type: "string" }, age: { type: "integer" }, tags: { type: "array", items: { type: "string" } },
                newsletter: { type: "boolean" } },
}));
schemaCompile("search", {
  type: "object",
  properties: { q: { type: "string", maxLength: 20 }, page: { type: "integer", minimum: 1 } },
  required: ["q"],
});

export function handler(req) {
  const kind = req.path.slice(1);
  if (kind === "json") return Response.json(decodeJson("user", req.text()));
  if (kind === "validate") return Response.json(validateJson("user", req.text()));
  if (kind === "object") return Response.json(validateObject("user", req.json()));
  if (kind === "coerce") return Response.json(coerceJson("signup", req.text()));
  if (kind === "form") return Response.json(decodeForm("signup", req.text()));
  if (kind === "query") return Response.json(decodeQuery("search", req.query));
  return Response.json({ error: "unknown" }, { status: 404 });
}
