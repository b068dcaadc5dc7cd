// Guard composition: pre-guards see the request, post-guards see the response.
import { guard } from "zigttp:compose";

function requireToken(req: Request): Response | undefined {
  const token = req.headers.get("authorization");
  if (token !== "Bearer secret") {
    return Response.json({ error: "unauthorized" }, { status: 401 });
  }
  return undefined;
}

function onlyGet(req: Request): Response | undefined {
  if (req.method !== "GET") {
    return Response.text("method not allowed", { status: 405 });
  }
  return undefined;
}

function routes(req: Request): Response {
  return match (req.path) {
    when "/me": Response.json({ user: "alice" })
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}

function cors(res: Response): Response | undefined {
  res.headers["access-control-allow-origin"] = "*";
  return undefined;
}

const handler = guard(onlyGet) |> guard(requireToken) |> routes |> guard(cors);
