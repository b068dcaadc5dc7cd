// Node.js peer for scripts/bench.py: `node node_server.mjs PORT` (one process, node:http).
// Serves GET / (hello), GET /compute, POST /echo with the very same handler modules as
// `zigttp serve` (examples/bench/*.js). node:http does not speak fetch Responses, so the
// handlers' `Response.json/text/html` are a light shim producing {status, type, body}.
import http from "node:http";
import "./zigts_globals.mjs";
import { handler as hello } from "../../examples/bench/hello.js";
import { handler as compute } from "../../examples/bench/compute.js";
import { handler as echo } from "../../examples/bench/echo.js";

function made(type, body, init) {
  const status = init !== undefined && init.status !== undefined ? init.status : 200;
  return { status, type, body };
}

globalThis.Response = {
  json: (data, init) => made("application/json", JSON.stringify(data === undefined ? {} : data), init),
  text: (text, init) => made("text/plain; charset=utf-8", String(text), init),
  html: (html, init) => made("text/html; charset=utf-8", String(html), init),
};

const ROUTES = { "/": hello, "/compute": compute, "/echo": echo };

function parseJson(body) {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function makeRequest(req, path, body) {
  const q = req.url.indexOf("?");
  return {
    method: req.method,
    path,
    url: req.url,
    get query() {
      return q < 0 ? {} : Object.fromEntries(new URLSearchParams(req.url.slice(q + 1)));
    },
    headers: req.headers,
    body,
    json: () => (body === undefined ? undefined : parseJson(body)),
  };
}

function send(res, out) {
  res.writeHead(out.status, { "content-type": out.type, "content-length": Buffer.byteLength(out.body) });
  res.end(out.body);
}

function serve(req, res) {
  const q = req.url.indexOf("?");
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const route = ROUTES[path];
  if (route === undefined) {
    send(res, made("text/plain; charset=utf-8", "not found", { status: 404 }));
    return;
  }
  if (req.method === "GET" || req.method === "HEAD") {
    send(res, route(makeRequest(req, path, undefined)));
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => send(res, route(makeRequest(req, path, Buffer.concat(chunks).toString("utf8")))));
}

const port = Number(process.argv[2] ?? "8000");
const server = http.createServer(serve);
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1");
