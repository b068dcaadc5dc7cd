// upstream tests/verify/correct_if_else.ts: `check` passes, no diagnostics.
// An if/else whose two branches both return covers every path.
import type { Spec } from "zigttp:types";

type Promises = Spec<"result_safe">;

function handler(req: Request): Response & Promises {
  const path = req.path;
  if (path === "/ping") {
    return Response.text("pong");
  } else {
    return Response.text("no such route", { status: 404 });
  }
}
// verdict: pass
// expect:
