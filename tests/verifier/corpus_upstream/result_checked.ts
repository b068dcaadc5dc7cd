// upstream tests/verify/checked_result.ts: `check` passes, no diagnostics.
// The Result of validateJson is narrowed by `if (checked.ok)` before `.value`.
// Ours also warns that the module-level `registered` is never read (upstream's
// unused-variable check only looks inside the handler).
import { schemaCompile, validateJson } from "zigttp:validate";
import type { Spec } from "zigttp:types";

const registered = schemaCompile("order", JSON.stringify({ type: "object" }));

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  const checked = validateJson("order", req.body);
  if (checked.ok) {
    return Response.json({ order: checked.value });
  }
  return Response.json({ problems: checked.error }, { status: 422 });
}
// verdict: pass
// expect: ZTS305@8:7
// xfail: known hole: validateJson(name, req.body) is rejected with ZTS308 because req.body may be undefined; the validate/decode exports must accept string | undefined (upstream passes this handler)
