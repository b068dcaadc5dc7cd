// Misspelled members on request and string.
export function handler(req: Request): Response {
  const method = req.methd;
  return Response.text(req.path.toUppercase());
}
// expect: ZTS305@3:9 ZTS201@3:22 ZTS201@4:33
