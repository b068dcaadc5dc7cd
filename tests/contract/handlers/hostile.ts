// Every route tries to reach ZIGTTP_TEST_SECRET (not granted: the contract cannot prove it) or a host the
// contract does not grant. tests/contract/test_hostile.py serves it and expects every attempt to fail.
// UPSTREAM is replaced by the test with http://127.0.0.1:<port> of its own upstream server.
import { env } from "zigttp:env";
import { fetch } from "zigttp:fetch";
import { parallel } from "zigttp:io";
import { read, viaHelper } from "./lib/leak.ts";

const UP = "UPSTREAM";
const alias = env;
const table = [env];
const holder = { get: env };
const PART = "SECRET";

function tryEnv(req: Request): Response {
  const p = req.path;
  const q = req.query;
  if (p === "/env/alias") return Response.json({ v: alias("ZIGTTP_TEST_SECRET") ?? "" });
  if (p === "/env/array") return Response.json({ v: table[0]("ZIGTTP_TEST_SECRET") ?? "" });
  if (p === "/env/object") return Response.json({ v: holder.get("ZIGTTP_TEST_SECRET") ?? "" });
  if (p === "/env/callback") return Response.json({ v: ["ZIGTTP_TEST_SECRET"].map(env) });
  if (p === "/env/helper") return Response.json({ v: viaHelper(env, "ZIGTTP_TEST_SECRET") });
  if (p === "/env/reexport") return Response.json({ v: read("ZIGTTP_TEST_SECRET") ?? "" });
  // (the verifier refuses a secret flowing into a response, so these only measure it)
  if (p === "/env/concat") return Response.json({ n: (env("ZIGTTP_TEST_" + PART) ?? "").length });
  if (p === "/env/template") return Response.json({ n: (env(`ZIGTTP_TEST_${PART}`) ?? "").length });
  if (p === "/env/request") return Response.json({ n: (env(String(q.name)) ?? "").length });
  if (p === "/env/parallel") {
    const rs = parallel([() => fetch(UP + "/ok?n=" + String((env(String(q.name)) ?? "").length))]);
    return Response.json({ n: rs.length });
  }
  return Response.json({ ok: env("ZIGTTP_OK_VAR") ?? "" });
}

function status(r: Response): Response {
  return Response.json({ status: r.status, body: r.text() });
}

function tryEgress(req: Request): Response {
  const p = req.path;
  const port = String(req.query.port);
  if (p === "/egress/ok") return status(fetch(UP + "/ok"));
  if (p === "/egress/userinfo") return status(fetch(`http://api.stripe.com@localhost:${port}/evil`));
  if (p === "/egress/userinfo-granted") return status(fetch(`http://localhost@127.0.0.1:${port}/evil`));
  if (p === "/egress/upper") return status(fetch(`http://LOCALHOST:${port}/evil`));
  if (p === "/egress/trailing-dot") return status(fetch(`http://localhost.:${port}/evil`));
  if (p === "/egress/ip-decimal") return status(fetch(`http://2130706433:${port}/evil`));
  if (p === "/egress/ip-hex") return status(fetch(`http://0x7f000001:${port}/evil`));
  if (p === "/egress/ip-short") return status(fetch(`http://127.1:${port}/evil`));
  if (p === "/egress/ip-v6") return status(fetch(`http://[::1]:${port}/evil`));
  if (p === "/egress/ip-mapped") return status(fetch(`http://[::ffff:127.0.0.1]:${port}/evil`));
  if (p === "/egress/other-loopback") return status(fetch(`http://127.0.0.2:${port}/evil`));
  if (p === "/egress/redirect") {
    return status(fetch(UP + "/redirect?to=" + encodeURIComponent(`http://localhost:${port}/evil`)));
  }
  if (p === "/egress/request") return status(fetch(String(req.query.url)));
  if (p === "/egress/global") return status(fetchSync(`http://localhost:${port}/evil`));
  if (p === "/egress/parallel") {
    const rs = parallel([() => fetch(UP + "/ok"), () => fetch(`http://localhost:${port}/evil`)]);
    return Response.json({ statuses: rs.map((r) => (r === undefined ? 0 : r.status)) });
  }
  return Response.json({ error: "no route" }, { status: 404 });
}

export function handler(req: Request): Response {
  return req.path.startsWith("/egress/") ? tryEgress(req) : tryEnv(req);
}
