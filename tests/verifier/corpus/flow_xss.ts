// Request input pasted into HTML.
export function handler(req: Request): Response {
  const q = String(req.query.q ?? "");
  return Response.html(`<p>You searched for ${q}</p>`);
}
// expect: ZTS407@4:24
