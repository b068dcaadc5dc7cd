// Variant of upstream tests/verify/unchecked_optional.ts with a non-secret env
// name and no Spec<...>, so nothing but the ZTS308 rule can fail it.
import { env } from "zigttp:env";

function handler(req: Request): Response {
  const region = env("DEPLOY_REGION");
  return Response.json({ region: region });
}
// verdict: fail
// expect: ZTS308@7:34
