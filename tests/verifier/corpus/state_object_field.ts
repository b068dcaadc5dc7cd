// Writing a field of a module-scope object is shared state too.
const stats = { last: "" };

export function handler(req: Request): Response {
  stats.last = req.path;
  return Response.json(stats);
}
// expect: ZTS310@5:3
