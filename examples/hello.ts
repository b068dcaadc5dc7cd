// The smallest zigttp handler: `scripts/run serve` (or `zigttp serve examples/hello.ts`), then
// curl http://127.0.0.1:8080/ → {"message":"Hello","path":"/"}
function handler(req: Request): Response {
  return Response.json({ message: "Hello", path: req.path });
}
