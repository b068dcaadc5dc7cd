// typeof never returns "array".
export function handler(req: Request): Response {
  const data: unknown = req.json();
  if (typeof data === "array") {
    return Response.json({ list: true });
  }
  return Response.json({ list: false });
}
// expect: ZTS107@4:7
