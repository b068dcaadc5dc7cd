// Variant of upstream tests/verify/optional_object_access.ts without Spec<...>:
// the ZTS309 rule alone.
import { routerMatch } from "zigttp:router";

function listItems(req: Request): Response {
  return Response.json({ items: [] });
}

const table = {
  "GET /items": listItems,
};

function handler(req: Request): Response {
  const found = routerMatch(table, req);
  return found.handler(req);
}
// verdict: fail
// expect: ZTS309@15:10
