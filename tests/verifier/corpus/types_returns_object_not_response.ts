// The handler returns a plain object instead of a Response.
export function handler(req: Request): Response {
  return { status: 200, body: "ok" };
}
// expect: ZTS204@3:10
