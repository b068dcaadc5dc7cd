// fetch-style adapter shared by the Deno and workerd peers: it maps a web Request onto the
// zigttp request shape and calls the very same handler modules as `zigttp serve`
// (examples/bench/*.js). Their `Response.json` is the runtime's native Response.
import "./zigts_globals.mjs";
import { handler as hello } from "../../examples/bench/hello.js";
import { handler as compute } from "../../examples/bench/compute.js";
import { handler as echo } from "../../examples/bench/echo.js";

const ROUTES = { "/": hello, "/compute": compute, "/echo": echo };

function parseJson(body) {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function makeRequest(request, url, body) {
  return {
    method: request.method,
    path: url.pathname,
    url: url.pathname + url.search,
    get query() {
      return Object.fromEntries(url.searchParams);
    },
    get headers() {
      return Object.fromEntries(request.headers);
    },
    body,
    json: () => (body === undefined ? undefined : parseJson(body)),
  };
}

export async function fetchHandler(request) {
  const url = new URL(request.url);
  const route = ROUTES[url.pathname];
  if (route === undefined) return new Response("not found", { status: 404 });
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const body = hasBody ? await request.text() : undefined;
  return route(makeRequest(request, url, body));
}
