// upstream tests/verify/optional_narrowed_negated.ts: `check` passes.
// `if (!token) return ...` narrows everything after it.
import { env } from "zigttp:env";
import type { Spec } from "zigttp:types";

type Promises = Spec<"optional_safe">;

function handler(req: Request): Response & Promises {
  const token = env("SIGNING_TOKEN");
  if (!token) {
    return Response.json({ configured: false }, { status: 503 });
  }
  return Response.json({ configured: true, size: token.length });
}
// verdict: pass
// expect:
