// zigttp:auth: bearer JWTs (HS256 with a secret from the environment) and webhook signatures.
//   JWT_SECRET=dev-secret WEBHOOK_SECRET=whsec zigttp serve examples/modules/auth.ts
import { parseBearer, jwtSign, jwtVerify, verifyWebhookSignature } from "zigttp:auth";
import { env } from "zigttp:env";

function secret(): string {
  return env("JWT_SECRET") ?? "dev-secret";
}

function me(req: Request): Response {
  const token = parseBearer(req.headers.get("authorization"));
  if (token === undefined) {
    return Response.json({ error: "missing bearer token" }, { status: 401 });
  }
  const claims = jwtVerify(token, secret(), { algorithms: ["HS256"] });
  if (!claims.ok) {
    return Response.json({ error: claims.error }, { status: 401 });
  }
  return Response.json({ user: claims.value.sub });
}

function login(req: Request): Response {
  const user = String(req.query.user ?? "guest");
  return Response.json({ token: jwtSign({ sub: user }, secret()) });
}

function webhook(req: Request): Response {
  const signature = req.headers.get("x-signature") ?? "";
  const ok = verifyWebhookSignature(req.bytes(), env("WEBHOOK_SECRET") ?? "whsec", signature);
  return ok ? Response.json({ received: true }) : Response.json({ error: "bad signature" }, { status: 400 });
}

export function handler(req: Request): Response {
  return match (req.path) {
    when "/me": me(req)
    when "/login": login(req)
    when "/webhook": webhook(req)
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
