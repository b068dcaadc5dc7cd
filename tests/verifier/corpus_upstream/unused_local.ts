// upstream tests/verify/unused_variable.ts: `check` reports 0 errors and the
// warning "declared variable is never used" (ZTS305). Ours names the variable.
import type { Spec } from "zigttp:types";

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  const greeting = "hi";
  return Response.text("ok");
}
// verdict: pass
// expect: ZTS305@8:9
