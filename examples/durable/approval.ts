// The seed's durable example: zigttp serve examples/durable/approval.ts --durable ./oplogs (docs/durable.md)
import { run, step, waitSignal } from "zigttp:durable";

export function handler(req: Request): Response {
  if (req.path !== "/orders/42") {
    return Response.json({ error: "not found" }, { status: 404 });
  }
  return run("order:42", () => {
    const draft = step("createDraft", () => ({
      id: 42,
      status: "draft",
      totalCents: 1999,
    }));
    const approval = waitSignal("approved");
    const confirmed = step("confirmOrder", () => ({
      id: draft.id,
      status: "confirmed",
      totalCents: draft.totalCents,
      approval,
    }));
    return Response.json(confirmed);
  });
}
