// upstream tests/verify/checked_result.ts: `check` passes, no diagnostics.
// The Result of validateJson is narrowed by `if (checked.ok)` before `.value`.
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
// expect:
