// A declared type the value does not have.
type Config = { port: number; host: string };

export function handler(req: Request): Response {
  const config: Config = { port: "8080", host: "localhost" };
  return Response.json(config);
}
// expect: ZTS200@5:34
