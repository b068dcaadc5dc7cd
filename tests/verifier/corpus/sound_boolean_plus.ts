// Adding a boolean to a number.
export function handler(req: Request): Response {
  const secure = req.url.startsWith("https");
  const port = 8000 + secure;
  return Response.json({ port });
}
// expect: ZTS106@4:23
