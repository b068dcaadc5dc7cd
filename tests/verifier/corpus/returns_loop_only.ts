// Returning from inside a loop is not a return on every path: the list may be empty.
export function handler(req: Request): Response {
  for (const part of req.path.split("/")) {
    if (part === "admin") {
      return Response.text("forbidden", { status: 403 });
    }
    return Response.text(part);
  }
}
// expect: ZTS302@2:17
