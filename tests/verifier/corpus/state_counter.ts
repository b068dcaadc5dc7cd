// A request counter at module scope leaks between requests.
let requests = 0;

export function handler(req: Request): Response {
  requests = requests + 1;
  return Response.json({ requests });
}
// expect: ZTS310@5:3
