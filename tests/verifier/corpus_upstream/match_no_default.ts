// upstream tests/verify/non_exhaustive_match.ts: `check` fails with the strict
// profile's ZTS603 "match expression must be exhaustive in strict ZigTS" (error)
// plus the type checker's ZTS205 warning. Here (project decision) it is the
// error ZTS307, with or without --strict.
import type { Spec } from "zigttp:types";

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  return match (req.method) {
    when "DELETE": Response.text("gone")
  };
}
// verdict: fail
// expect: ZTS307@10:10
