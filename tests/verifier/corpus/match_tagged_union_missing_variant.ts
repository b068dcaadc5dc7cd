// A discriminated union matched by tag, one variant missing.
type Event = { type: "created"; id: string } | { type: "deleted"; id: string } | { type: "renamed"; to: string };

function describe(event: Event): string {
  return match (event) {
    when { type: "created" }: "created"
    when { type: "deleted" }: "deleted"
  };
}

export function handler(req: Request): Response {
  return Response.text(describe({ type: "created", id: "1" }));
}
// expect: ZTS307@5:10
