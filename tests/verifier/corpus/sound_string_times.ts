// Multiplying a string coerces it silently.
export function handler(req: Request): Response {
  const size = req.path.slice(1);
  return Response.json({ bytes: size * 1024 });
}
// expect: ZTS104@4:33
