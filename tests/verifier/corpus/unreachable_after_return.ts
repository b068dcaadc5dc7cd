// Code after a return never runs.
export function handler(req: Request): Response {
  if (req.method !== "GET") {
    return Response.text("no", { status: 405 });
    console.log("rejected", req.method);
  }
  return Response.text("yes");
}
// expect: ZTS304@5:5
