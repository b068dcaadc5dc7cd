// An arm the subject can never take.
type Role = "admin" | "staff";

function rank(role: Role): number {
  return match (role) {
    when "admin": 2
    when "staff": 1
    when "guest": 0
  };
}

export function handler(req: Request): Response {
  return Response.json({ rank: rank("admin") });
}
// expect: ZTS205@8:10
