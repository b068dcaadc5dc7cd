// Both branches return, so the last line is dead.
export function handler(req: Request): Response {
  if (req.path === "/") {
    return Response.text("home");
  } else {
    return Response.text("page");
  }
  return Response.text("never");
}
// expect: ZTS304@8:3
