// upstream tests/verify/unchecked_result.ts: `check` fails with
// "result.value accessed without checking result.ok first" (ZTS303) and ZTS500
// for the declared result_safe.
import { schemaCompile, validateJson } from "zigttp:validate";
import type { Spec } from "zigttp:types";

const registered = schemaCompile("order", JSON.stringify({ type: "object" }));

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  const checked = validateJson("order", req.body);
  return Response.json({ order: checked.value });
}
// verdict: fail
// expect: ZTS303@13:33 ZTS500
