// upstream tests/verify/correct_handler.ts: `check` passes, no diagnostics.
// An early return inside an `if` followed by an unconditional return covers every path.
import type { Spec } from "zigttp:types";

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  const path = req.path;
  if (path === "/ping") {
    return Response.text("pong");
  }
  return Response.text("no such route", { status: 404 });
}
// verdict: pass
// expect:
