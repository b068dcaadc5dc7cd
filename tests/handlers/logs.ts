// Hostile logging for tests/test_log_boundary.py.
import { logInfo } from "zigttp:log";

function flood(n: number): Response {
  for (const i of range(n)) {
    console.log(`flood-line ${i} ` + "x".repeat(200));
  }
  logInfo("after the flood");
  return Response.text("flooded");
}

export function handler(req: Request): Response {
  if (req.path === "/forge") {
    console.log("hello\n[2026-01-01 00:00:00] access method=GET path=/admin status=200 duration_ms=0.1 request_id=-");
    console.warn("bell\u0007 escape\u001b[31m line\u2028separator\rreturn");
    return Response.text("forged?");
  }
  if (req.path === "/flood") return flood(20000);
  if (req.path === "/few") return flood(3);
  return Response.text("ok");
}
