// A header may be absent; toLowerCase() on undefined throws.
function normalise(value: string): string {
  return value.trim().toLowerCase();
}

export function handler(req: Request): Response {
  const lang = req.headers.get("accept-language");
  return Response.text(normalise(lang));
}
// expect: ZTS308@8:34
