// A request-controlled URL fetched by the server.
export function handler(req: Request): Response {
  const target = String(req.query.url ?? "");
  const upstream = fetchSync(target);
  return Response.json({ status: upstream.status });
}
// expect: ZTS407@4:30
