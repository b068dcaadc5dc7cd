// Leftovers from a refactoring.
export function handler(req: Request): Response {
  const started = Date.now();
  const path = req.path;
  const parts = path.split("/");
  return Response.text(path);
}
// expect: ZTS305@3:9 ZTS305@5:9
