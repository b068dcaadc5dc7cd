// upstream examples/handler/spec-guardrails.ts (run by tests/verify/run_tests.sh
// as "declared guardrails example passes"): every declared property holds.
import type { Spec } from "zigttp:types";

type Promises = Spec<"idempotent" | "deterministic" | "no_secret_leakage" | "injection_safe">;

function handler(req: Request): Response & Promises {
  return Response.json({ up: true });
}
// verdict: pass
// expect:
