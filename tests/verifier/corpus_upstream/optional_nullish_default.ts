// upstream tests/verify/optional_nullish_coalesce.ts: `check` passes.
// `env(...) ?? "fallback"` at the declaration removes the optionality.
import { env } from "zigttp:env";
import type { Spec } from "zigttp:types";

type Promises = Spec<"optional_safe">;

function handler(req: Request): Response & Promises {
  const region = env("DEPLOY_REGION") ?? "local";
  return Response.json({ region });
}
// verdict: pass
// expect:
