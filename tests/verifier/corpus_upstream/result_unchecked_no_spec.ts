// Variant of upstream tests/verify/unchecked_result.ts without Spec<...> and
// with `req.body ?? ""`, isolating the ZTS303 rule from the two known holes.
import { schemaCompile, validateJson } from "zigttp:validate";

const registered = schemaCompile("order", JSON.stringify({ type: "object" }));

function handler(req: Request): Response {
  const checked = validateJson("order", req.body ?? "");
  return Response.json({ order: checked.value });
}
// verdict: fail
// expect: ZTS303@9:33
