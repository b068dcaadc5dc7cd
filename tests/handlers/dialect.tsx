// Every zigts desugaring, executed in the real guest by tests/test_dialect_served.py.
import { guard } from "zigttp:compose";

distinct type UserId = string;

type Shape = { kind: "circle"; r: number } | { kind: "square"; side: number };

const LIMIT = comptime(6 * 7);
const LABEL = comptime("v" + "1".repeat(3));

function double(n: number): number {
  return n * 2;
}

function inc(n: number): number {
  return n + 1;
}

function area(s: Shape): number {
  return match (s) {
    when { kind: "circle" }: 3 * s.r * s.r
    when { kind: "square" }: s.side * s.side
  };
}

function classify(values: number[]): string {
  return match (values) {
    when []: "empty"
    when [1, _]: "starts with one, two items"
    default: "other"
  };
}

function Badge(props: { label: string; children: string }): JSX.Element {
  return <span className="badge" title={props.label}>{props.children}</span>;
}

function routes(req: Request): Response {
  const p = req.path;
  if (p === "/pipe") {
    return Response.json({ piped: 3 |> double |> inc, composed: pipe(() => 5, double, inc) });
  }
  if (p === "/match") {
    const shape: Shape = req.query.kind === "circle" ? { kind: "circle", r: 2 } : { kind: "square", side: 3 };
    return Response.json({
      area: area(shape),
      empty: classify([]),
      pair: classify([1, 2]),
      other: classify([3]),
      method: match (req.method) {
        when "GET": "read"
        when "POST": "write"
        default: "other"
      },
    });
  }
  if (p === "/assert-return") {
    const name = req.query.name;
    assert typeof name === "string", Response.text("name required", { status: 422 });
    return Response.text(`hello ${name}`);
  }
  if (p === "/assert-halt") {
    const n = req.query.n;
    assert n === 1;
    return Response.text("one");
  }
  if (p === "/comptime") {
    return Response.json({ limit: LIMIT, label: LABEL });
  }
  if (p === "/distinct") {
    const id = UserId("u-42");
    return Response.json({ id });
  }
  if (p === "/jsx") {
    return Response.html(renderToString(
      <>
        <Badge label="a&b">{"<new>"}</Badge>
        <input disabled={true} value="x" />
      </>
    ));
  }
  return Response.json({ error: "not found" }, { status: 404 });
}

function onlyKnownMethods(req: Request): Response | undefined {
  if (req.method === "DELETE") {
    return Response.json({ error: "no deletes" }, { status: 405 });
  }
  return undefined;
}

function stamp(res: Response): Response | undefined {
  res.headers["x-guarded"] = "yes";
  return undefined;
}

const handler = guard(onlyKnownMethods) |> routes |> guard(stamp);
