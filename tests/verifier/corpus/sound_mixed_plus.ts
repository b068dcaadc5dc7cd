// "1" + 1 is "11".
export function handler(req: Request): Response {
  const base = 10;
  const id = req.path.slice(1);
  return Response.json({ next: id + base });
}
// expect: ZTS105@5:32
