// Testing a function instead of calling it.
function isAdmin(req: Request): boolean {
  return req.headers.get("x-role") === "admin";
}

export function handler(req: Request): Response {
  if (isAdmin) {
    return Response.text("admin");
  }
  return Response.text("user");
}
// expect: ZTS100@7:7
