// zigttp:compose: guard chains and pipe, desugared by the compiler (no run-time cost).
import { guard, pipe } from "zigttp:compose";

function requireJson(req: Request): Response | undefined {
  return req.headers.get("content-type") === "application/json"
    ? undefined
    : Response.json({ error: "send JSON" }, { status: 415 });
}

function noStore(res: Response): Response | undefined {
  res.headers["cache-control"] = "no-store";
  return undefined;
}

function trim(s: string): string { return s.trim(); }
function lower(s: string): string { return s.toLowerCase(); }
function words(s: string): number { return s === "" ? 0 : s.split(" ").length; }

function count(req: Request): Response {
  const text = String(req.json().text ?? "");
  // pipe(f1, f2, f3) is f3(f2(f1())): the first function supplies the value
  return Response.json({ words: pipe(() => text, trim, lower, words) });
}

const handler = guard(requireJson) |> count |> guard(noStore);
