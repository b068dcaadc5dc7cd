// zigttp:router: "METHOD /path" tables with :params and a trailing * wildcard.
import { routerMatch } from "zigttp:router";

type Params = Record<string, string>;

const routes = {
  "GET /users/:id": (p: Params): Response => Response.json({ user: p.id }),
  "GET /users/:id/posts/:post": (p: Params): Response => Response.json({ user: p.id, post: p.post }),
  "POST /users": (p: Params): Response => Response.json({ created: true }, { status: 201 }),
  "GET /static/*": (p: Params): Response => Response.text("file " + p["*"]),
};

export function handler(req: Request): Response {
  const found = routerMatch(routes, req);
  if (found === undefined) {
    return Response.json({ error: "not found" }, { status: 404 });
  }
  return found.handler(found.params);
}
