// upstream tests/verify/unchecked_optional.ts: `check` fails with
// "optional value used without checking for undefined" (ZTS308) at the
// object-literal value; its flow checker also reports the secret reaching the
// response (ZTS400) and ZTS500 for the declared optional_safe.
import { env } from "zigttp:env";
import type { Spec } from "zigttp:types";

type Promises = Spec<"optional_safe">;

function handler(req: Request): Response & Promises {
  const apiKey = env("PAYMENT_API_KEY");
  return Response.json({ apiKey: apiKey });
}
// verdict: fail
// expect: ZTS308@12:34 ZTS400@12:24 ZTS500
