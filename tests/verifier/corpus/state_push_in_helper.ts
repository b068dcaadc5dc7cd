// Mutating a module-scope array from a helper the handler calls.
const seen: string[] = [];

function remember(path: string): number {
  seen.push(path);
  return seen.length;
}

export function handler(req: Request): Response {
  return Response.json({ visits: remember(req.path) });
}
// expect: ZTS310@5:3
