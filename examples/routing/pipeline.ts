// Pipes: `x |> f` is `f(x)`; `pipe(f, g)` runs f() then g(result).
const trim = (s: string): string => s.trim();
const lower = (s: string): string => s.toLowerCase();
const defaultName = (): string => "  World  ";

function greeting(name: string): string {
  return `Hello, ${name}!`;
}

function handler(req: Request): Response {
  const raw = req.query.name ?? "  Friend  ";
  const name = String(raw) |> trim |> lower;
  const fallback = pipe(defaultName, trim);
  const kind = match (req.path) {
    when "/default": greeting(fallback)
    default: greeting(name)
  };
  assert kind.length > 0, Response.text("empty greeting", { status: 500 });
  return Response.text(kind);
}
