// One argument too many.
function greet(name: string): string {
  return `hello ${name}`;
}

export function handler(req: Request): Response {
  return Response.text(greet("ada", "lovelace"));
}
// expect: ZTS202@7:24
