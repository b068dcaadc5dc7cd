// What the Lambda adapter hands the sandbox: method, target, a header, the body, one env var.
import { env } from "zigttp:env";

export function handler(req: Request): Response {
  const answer = {
    method: req.method,
    url: req.url,
    cookie: req.headers.get("cookie") ?? "",
    trace: req.headers.get("x-trace") ?? "",
    body: req.text(),
    region: env("REGION") ?? "",
  };
  return Response.json(answer, { status: req.method === "POST" ? 201 : 200, headers: { "set-cookie": "seen=1" } });
}
