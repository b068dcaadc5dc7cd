// Bearer-token sessions and role guards.
import { jwtVerify } from "zigttp:auth";
import { env } from "zigttp:env";
import { hmacSha256 } from "zigttp:crypto";
import type { Guard, Role, Session } from "./types.ts";
import { customerId } from "./types.ts";
import { forbidden, unauthorized } from "./http.ts";

const ROLE_RANK: Record<Role, number> = { customer: 1, staff: 2, admin: 3 };
const DEV_TOKENS: Record<string, Session> = comptime({
  "dev-admin": { customerId: "c-1", role: "admin", expiresAt: 4102444800000 },
  "dev-staff": { customerId: "c-2", role: "staff", expiresAt: 4102444800000 },
  "dev-customer": { customerId: "c-3", role: "customer", expiresAt: 4102444800000 },
});

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get("authorization") ?? "";
  const [scheme, token] = header.split(" ");
  if (scheme === undefined || scheme.toLowerCase() !== "bearer" || token === undefined) {
    return undefined;
  }
  return token.trim();
}

function sessionFromClaims(claims: Record<string, unknown>): Session | undefined {
  const subject = claims.sub;
  const role = claims.role;
  const expiresAt = claims.exp;
  if (typeof subject !== "string" || typeof expiresAt !== "number") {
    return undefined;
  }
  const knownRole: Role = role === "admin" || role === "staff" ? role : "customer";
  return { customerId: customerId(subject), role: knownRole, expiresAt: expiresAt * 1000 };
}

export function sessionOf(req: Request): Session | undefined {
  const token = bearerToken(req);
  if (token === undefined) {
    return undefined;
  }
  const mode = env("AUTH_MODE") ?? "dev";
  if (mode === "dev") {
    return DEV_TOKENS[token];
  }
  const secret = env("JWT_SECRET");
  if (secret === undefined) {
    return undefined;
  }
  const verified = jwtVerify(token, secret);
  if (!verified.ok) {
    return undefined;
  }
  return sessionFromClaims(verified.value);
}

export function hasRole(session: Session, needed: Role): boolean {
  return ROLE_RANK[session.role] >= ROLE_RANK[needed];
}

export function requireRole(needed: Role): Guard {
  return (req) => {
    const session = sessionOf(req);
    if (session === undefined) {
      return unauthorized("a bearer token is required");
    }
    if (!hasRole(session, needed)) {
      return forbidden(`requires the ${needed} role`);
    }
    return undefined;
  };
}

export function requireSession(req: Request): Response | undefined {
  return sessionOf(req) === undefined ? unauthorized("a bearer token is required") : undefined;
}

export function signWebhook(payload: string): string {
  const secret = env("WEBHOOK_SECRET") ?? "dev-webhook-secret";
  return hmacSha256(secret, payload);
}

export function verifyWebhook(req: Request): Response | undefined {
  const signature = req.headers.get("x-signature");
  if (signature === undefined) {
    return unauthorized("missing x-signature");
  }
  const expected = signWebhook(req.body ?? "");
  return signature === expected ? undefined : forbidden("bad signature");
}
