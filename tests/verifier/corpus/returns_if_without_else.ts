// A route that forgets the fallback response.
export function handler(req: Request): Response {
  if (req.method === "GET") {
    return Response.json({ ok: true });
  } else if (req.method === "POST") {
    return Response.json({ created: true }, { status: 201 });
  }
}
// expect: ZTS302@2:17
