// Logging a session cookie.
export function handler(req: Request): Response {
  const cookie = req.headers.get("cookie") ?? "";
  console.info("session", cookie);
  return Response.text("ok");
}
// expect: ZTS403@4:27
