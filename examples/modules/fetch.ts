// zigttp:fetch (and the global fetchSync): outbound HTTP to allowed hosts only.
//   zigttp serve examples/modules/fetch.ts --outbound-host api.github.com
// Network failures, refused hosts, timeouts and oversized bodies are 599 responses with
// `error` and `details`, never exceptions.
import { fetch } from "zigttp:fetch";
import { urlEncode } from "zigttp:url";

export function handler(req: Request): Response {
  const user = String(req.query.user ?? "octocat");
  const res = fetch("https://api.github.com/users/" + urlEncode(user), {
    headers: { accept: "application/vnd.github+json" },
    timeoutMs: 3000,
    maxResponseBytes: 65536,
  });
  if (res.status === 599) {
    return Response.json({ error: res.error, details: res.details }, { status: 502 });
  }
  if (!res.ok) {
    return Response.json({ error: `upstream status ${res.status}` }, { status: 502 });
  }
  const body = res.json();
  return Response.json({ login: body.login, repos: body.public_repos });
}
