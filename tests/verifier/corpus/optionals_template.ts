// Interpolating an optional prints "undefined".
export function handler(req: Request): Response {
  const name = req.headers.get("x-user");
  return Response.text(`hello ${name}`);
}
// expect: ZTS308@4:33
