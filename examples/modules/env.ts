// zigttp:env: configuration from the server's environment, read inside the handler
// (never at module scope: the module scope is saved in a snapshot).
//   ZT_GREETING=hi zigttp serve examples/modules/env.ts
import { env } from "zigttp:env";

export function handler(req: Request): Response {
  const greeting = env("ZT_GREETING") ?? "hello";
  return Response.json({ message: `${greeting}, ${req.query.name ?? "world"}` });
}
