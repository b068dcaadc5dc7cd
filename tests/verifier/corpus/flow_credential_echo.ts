// Echoing the Authorization header back to the client.
export function handler(req: Request): Response {
  const auth = req.headers.get("authorization") ?? "";
  return Response.json({ youSent: auth });
}
// expect: ZTS401@4:24
