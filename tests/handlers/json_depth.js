// Deeply nested JSON in and out: every failure is an ordinary exception (or
// an error Result), never a trap, so module state survives it.
import { schemaCompile } from "zigttp:validate";
import { decodeJson } from "zigttp:decode";

schemaCompile("any", {});
let count = 0;

function nested(depth) {
  let v = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export function handler(req) {
  count = count + 1;
  const p = req.path;
  if (p === "/count") return Response.json({ count });
  if (p === "/try") {
    const r = JSON.tryParse(req.text());
    return r.ok ? Response.json({ ok: true }) : Response.json({ error: r.error }, { status: 400 });
  }
  if (p === "/decode") {
    const r = decodeJson("any", req.text());
    return r.ok ? Response.json({ ok: true }) : Response.json({ error: "invalid" }, { status: 400 });
  }
  if (p === "/parse") return Response.json({ depth: JSON.parse(req.text()) === undefined ? 0 : 1 });
  if (p === "/json") return Response.json({ parsed: req.json() !== undefined });
  if (p === "/stringify") return Response.json({ length: JSON.stringify(nested(req.query.depth)).length });
  if (p === "/respond") return Response.json(nested(req.query.depth));
  if (p === "/cycle") {
    const a = [];
    a.push(a);
    return Response.json({ s: JSON.stringify(a) });
  }
  return Response.text("not found", { status: 404 });
}
