// upstream tests/verify/optional_object_access.ts: `check` fails with
// "property access on optional value without checking for undefined" (ZTS309)
// and ZTS500 for the declared optional_safe. routerMatch() may find no route.
import { routerMatch } from "zigttp:router";
import type { Spec } from "zigttp:types";

function listItems(req: Request): Response {
  return Response.json({ items: [] });
}

const table = {
  "GET /items": listItems,
};

type Promises = Spec<"optional_safe">;

function handler(req: Request): Response & Promises {
  const found = routerMatch(table, req);
  return found.handler(req);
}
// verdict: fail
// expect: ZTS309@19:10 ZTS500
