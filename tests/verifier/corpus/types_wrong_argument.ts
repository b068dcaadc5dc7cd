// Passing a string where a number is declared.
function page(items: string[], size: number): string[] {
  return items.slice(0, size);
}

export function handler(req: Request): Response {
  return Response.json(page(["a", "b"], "10"));
}
// expect: ZTS203@7:41
