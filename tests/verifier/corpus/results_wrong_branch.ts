// The check is there, but the value is read on the failure side.
export function handler(req: Request): Response {
  const parsed = JSON.tryParse(req.body ?? "{}");
  if (parsed.ok) {
    return Response.json({ ok: true });
  }
  return Response.json({ echo: parsed.value }, { status: 400 });
}
// expect: ZTS303@7:32
