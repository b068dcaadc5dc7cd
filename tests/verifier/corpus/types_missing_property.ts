// A required field is missing from the literal.
type Problem = { title: string; status: number; detail: string };

function problem(status: number, title: string): Problem {
  return { title, status };
}

export function handler(req: Request): Response {
  return Response.json(problem(404, "Not Found"), { status: 404 });
}
// expect: ZTS201@5:10
