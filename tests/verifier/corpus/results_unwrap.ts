// unwrap() throws on an error Result: check first.
export function handler(req: Request): Response {
  const body = JSON.tryParse(req.body ?? "");
  return Response.json(body.unwrap());
}
// expect: ZTS303@4:24
