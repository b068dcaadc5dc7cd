// The check is inverted: the value is used where it is undefined.
export function handler(req: Request): Response {
  const token = req.headers.get("authorization");
  if (token !== undefined) {
    return Response.text("ok");
  }
  return Response.text(token.slice(7));
}
// expect: ZTS309@7:24 ZTS401@7:24
