// The loop variable is never read.
export function handler(req: Request): Response {
  let count = 0;
  for (const segment of req.path.split("/")) {
    count = count + 1;
  }
  return Response.json({ count });
}
// expect: ZTS305@4:14
