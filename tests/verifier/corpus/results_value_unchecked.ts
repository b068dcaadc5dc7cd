// Parsing JSON and using the value without looking at ok.
export function handler(req: Request): Response {
  const parsed = JSON.tryParse(req.body ?? "{}");
  const data = parsed.value;
  return Response.json({ received: data });
}
// expect: ZTS303@4:16
