// Reading a variant's field without narrowing the union.
type Outcome = { ok: true; value: number } | { ok: false; reason: string };

function compute(n: number): Outcome {
  return n > 0 ? { ok: true, value: n } : { ok: false, reason: "negative" };
}

export function handler(req: Request): Response {
  const outcome = compute(req.path.length);
  return Response.json({ value: outcome.value });
}
// expect: ZTS201@10:41
