// zigttp:log: structured NDJSON lines in the server log.
import { logInfo, logWarn } from "zigttp:log";

export function handler(req: Request): Response {
  const amount = Number(req.query.amount ?? "0");
  if (amount <= 0) {
    logWarn("rejected order", { amount, path: req.path });
    return Response.json({ error: "amount must be positive" }, { status: 400 });
  }
  logInfo("order accepted", { amount });
  return Response.json({ accepted: amount });
}
