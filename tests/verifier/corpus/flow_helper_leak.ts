// The leak is inside a helper: the credential reaches it through a parameter.
function debugResponse(value: string): Response {
  return Response.json({ debug: value });
}

export function handler(req: Request): Response {
  const token = req.headers.get("authorization") ?? "";
  return debugResponse(token);
}
// expect: ZTS401@3:24
