// upstream tests/verify/optional_narrowed_undefined.ts: `check` passes.
// `if (token !== undefined)` narrows the then-branch.
import { env } from "zigttp:env";
import type { Spec } from "zigttp:types";

type Promises = Spec<"optional_safe">;

function handler(req: Request): Response & Promises {
  const token = env("SIGNING_TOKEN");
  if (token !== undefined) {
    return Response.json({ configured: true });
  }
  return Response.json({ configured: false }, { status: 503 });
}
// verdict: pass
// expect:
