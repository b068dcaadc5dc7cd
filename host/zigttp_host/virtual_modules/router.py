"""zigttp:router — routerMatch(routes, req) over "METHOD /path" keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..registry import Export, HostTypeError, Param
from . import args as a
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_PARAMS = 8
MAX_ROUTES = 1000

# Functions cannot cross the boundary: the guest sends the keys, the host
# answers the index of the first match and its parameters.
MATCH_JS = """(call, lib) => function routerMatch(routes, req) {
  if (!lib.isObject(routes) || Array.isArray(routes)) {
    throw new TypeError("routerMatch(): parameter 'routes' must be an object of \\"METHOD /path\\" keys");
  }
  if (!lib.isObject(req)) throw new TypeError("routerMatch(): parameter 'req' must be a request");
  const keys = Object.keys(routes);
  const m = call([keys, req.method, req.url !== undefined ? req.url : req.path]);
  return m === undefined ? undefined : { handler: routes[keys[m.index]], params: m.params };
}"""


class Route(NamedTuple):
    method: str | None  # None: any method
    segments: tuple[str, ...]


def parse_route(key: str) -> Route:
    method, sep, path = key.strip().partition(" ")
    if not sep:
        method, path = "", method
    path = path.strip()
    if not path.startswith("/"):
        raise HostTypeError(f"routerMatch(): route {key[:80]!r} must look like \"GET /path\"")
    params = sum(1 for s in path.split("/") if s.startswith(":"))
    if params > MAX_PARAMS:
        raise HostTypeError(f"routerMatch(): route {key[:80]!r} has more than {MAX_PARAMS} parameters")
    m = method.upper()
    return Route(None if m in ("", "*", "ANY") else m, tuple(path.split("/")[1:]))


def match(route: Route, method: str, segments: list[str]) -> dict[str, str] | None:
    if route.method is not None and route.method != method:
        return None
    params: dict[str, str] = {}
    for i, seg in enumerate(route.segments):
        if seg == "*":
            params["*"] = "/".join(segments[i:])
            return params
        if i >= len(segments):
            return None
        if seg.startswith(":") and len(seg) > 1:
            if segments[i] == "":
                return None
            params[seg[1:]] = segments[i]
        elif seg != segments[i]:
            return None
    return params if len(segments) == len(route.segments) else None


def router_match(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("routerMatch", args, 3)
    keys = a.array("routerMatch", args, 0, "routes")
    if len(keys) > MAX_ROUTES or not all(isinstance(k, str) for k in keys):
        raise HostTypeError(f"routerMatch(): parameter 'routes' must have at most {MAX_ROUTES} string keys")
    method = a.string("routerMatch", args, 1, "req.method", max_len=32).upper()
    url = a.string("routerMatch", args, 2, "req.url", max_len=16384)
    path = url.split("?", 1)[0].split("#", 1)[0]
    table = runtime_of(ctx).routes.get_or_make(tuple(keys), lambda: [parse_route(k) for k in keys])
    segments = path.split("/")[1:] if path.startswith("/") else path.split("/")
    for i, route in enumerate(table):
        params = match(route, method, segments)
        if params is not None:
            return {"index": i, "params": params}
    return None


TYPES = "interface RouteMatch<H> { handler: H; params: Record<string, string> }\n"

EXPORTS = (
    Export("zigttp:router", "routerMatch",
           (Param("routes", "Record<string, H>"), Param("req", "{ method: string; url?: string; path?: string }")),
           "RouteMatch<H> | undefined", return_kind="optional", labels=("user_input",), traced=False,
           impl=router_match, js=MATCH_JS,
           doc="The first route (\"METHOD /path\", `:name` captures a segment, `*` the rest) matching the request, "
               "with its raw parameters."),
)
