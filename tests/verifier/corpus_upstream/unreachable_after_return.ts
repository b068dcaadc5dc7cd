// upstream tests/verify/unreachable_code.ts: `check` reports 0 errors and the
// warnings "unreachable code after return statement" (ZTS304) and "declared
// variable is never used" (ZTS305, the dead declaration); upstream exits 2
// (warnings only), `zigttp verify` exits 0.
import type { Spec } from "zigttp:types";

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  return Response.text("done");
  const leftover = 7;
}
// verdict: pass
// expect: ZTS304@11:3 ZTS305@11:9
