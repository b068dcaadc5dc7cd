// zigttp:http: cookies, content negotiation and CORS headers.
import { parseCookies, setCookie, negotiate, cors } from "zigttp:http";

function greet(req: Request): Response {
  const cookies = parseCookies(req.headers.get("cookie"));
  const visits = Number(cookies.visits ?? "0") + 1;
  const type = negotiate(req.headers.get("accept"), "application/json, text/html") ?? "application/json";
  const headers = { "set-cookie": setCookie("visits", String(visits), { path: "/", maxAge: 86400, httpOnly: true, sameSite: "Lax" }) ?? "" };
  return type === "text/html"
    ? Response.html(`<p>Visit number ${visits}</p>`, { headers })
    : Response.json({ visits }, { headers });
}

function preflight(req: Request): Response {
  const origin = req.headers.get("origin") ?? "*";
  return Response.text("", { status: 204, headers: cors(origin, { methods: ["GET", "POST"], maxAge: 600 }) });
}

export function handler(req: Request): Response {
  return req.method === "OPTIONS" ? preflight(req) : greet(req);
}
