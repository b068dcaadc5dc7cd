// strict
// Non-canonical style: ternary, compound assignment, let without reassignment.
export function handler(req: Request): Response {
  let prefix = "/api";
  let total = 0;
  total += req.path.length;
  return Response.text(req.path.startsWith(prefix) ? "api" : `other ${total}`);
}
// expect: ZTS604@4:7 ZTS613@6:3 ZTS612@7:24
