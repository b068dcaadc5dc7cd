// A header that may be absent, passed where a string is required.
function parseLimit(text: string): number {
  return parseInt(text, 10);
}

export function handler(req: Request): Response {
  const limit = parseLimit(req.headers.get("x-limit"));
  return Response.json({ limit });
}
// expect: ZTS308@7:28
