// The smallest zigttp handler: `zigttp serve examples/hello.js`, then
// curl http://127.0.0.1:8080/ → {"message":"Hello","path":"/"}
function handler(req) {
  return Response.json({ message: "Hello", path: req.path });
}
