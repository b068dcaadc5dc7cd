// find() returns undefined when nothing matches.
type User = { id: string; name: string };
const USERS: User[] = [{ id: "1", name: "Ada" }];

export function handler(req: Request): Response {
  const user = USERS.find((u) => u.id === req.path.slice(1));
  return Response.json({ name: user.name });
}
// expect: ZTS309@7:32
