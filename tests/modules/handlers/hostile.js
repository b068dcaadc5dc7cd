// Hostile inputs for host work (tests/modules/test_hostile_patterns.py, scripts/bench_hostile.py).
// POST /pattern  a JSON string checked against ^(a|aa)+$ (exponential for a backtracking engine)
// POST /keys     a JSON object whose keys meet that pattern through patternProperties/additionalProperties
// POST /large    a large JSON array, every item checked against an object schema
// POST /numbers a large JSON array of small integers, several keywords each (the most work per byte)
// POST /unique   a JSON array of objects under uniqueItems
// GET  /ok       a trivial answer
import { schemaCompile, validateJson } from "zigttp:validate";

schemaCompile("hostile", { type: "string", pattern: "^(a|aa)+$" });
schemaCompile("keys", {
  type: "object",
  patternProperties: { "^(a|aa)+$": { type: "integer" } },
  additionalProperties: false,
});
schemaCompile("large", {
  type: "array",
  items: {
    type: "object",
    required: ["id", "name", "tags"],
    additionalProperties: false,
    properties: {
      id: { type: "integer", minimum: 0 },
      name: { type: "string", minLength: 1, maxLength: 64, pattern: "^item[0-9]+$" },
      tags: { type: "array", items: { type: "string", maxLength: 16 } },
    },
  },
});
schemaCompile("numbers", {
  type: "array",
  items: { type: "integer", minimum: 0, maximum: 9, not: { const: 7 }, anyOf: [{ multipleOf: 1 }, { type: "string" }] },
});
schemaCompile("unique", { type: "array", uniqueItems: true, items: { type: "object" } });

function check(name, req) {
  const r = validateJson(name, req.text());
  return Response.json({ ok: r.ok, errors: r.ok ? [] : r.errors });
}

export function handler(req) {
  if (req.path === "/pattern") return check("hostile", req);
  if (req.path === "/keys") return check("keys", req);
  if (req.path === "/large") return check("large", req);
  if (req.path === "/numbers") return check("numbers", req);
  if (req.path === "/unique") return check("unique", req);
  return Response.json({ ok: true });
}
