// An array is always truthy, even when empty.
export function handler(req: Request): Response {
  const parts = req.path.split("/").filter((p) => p.length > 0);
  if (parts) {
    return Response.json(parts);
  }
  return Response.text("root");
}
// expect: ZTS100@4:7
