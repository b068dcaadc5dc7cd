// upstream tests/verify/missing_return_else.ts: `check` fails with
// "not all code paths return a Response" (ZTS302), and (because upstream's
// result_safe means "no verifier error at all") ZTS500 for the declared result_safe.
import type { Spec } from "zigttp:types";

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  const path = req.path;
  if (path === "/ping") {
    return Response.text("pong");
  }
}
// verdict: fail
// expect: ZTS302@8:10
