// upstream tests/verify/optional_narrowed_truthiness.ts: `check` passes.
// `if (token)` narrows an optional env() value inside the then-branch.
import { env } from "zigttp:env";
import type { Spec } from "zigttp:types";

type Promises = Spec<"optional_safe">;

function handler(req: Request): Response & Promises {
  const token = env("SIGNING_TOKEN");
  if (token) {
    return Response.json({ configured: true });
  }
  return Response.json({ configured: false }, { status: 503 });
}
// verdict: pass
// expect:
