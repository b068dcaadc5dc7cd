// Calls any zigttp:* export named in the request body and reports what came back.
// POST {"m": "zigttp:crypto", "f": "sha256", "args": [...]}; special argument forms:
//   {"$u8": "hex"} a Uint8Array, {"$undef": 1} undefined, {"$body": 1} req.bytes(),
//   {"$thunk": [url, init]} a thunk calling fetchSync, {"$nothunk": 1} a thunk that fetches nothing,
//   {"$fn": "label"} a function returning the label, {"$throw": "msg"} a thunk that throws,
//   {"$spin": [url]} a thunk that fetches url, then loops until the request's time runs out.
import * as auth from "zigttp:auth";
import * as cache from "zigttp:cache";
import * as compose from "zigttp:compose";
import * as crypto from "zigttp:crypto";
import * as decode from "zigttp:decode";
import * as env from "zigttp:env";
import * as fetchMod from "zigttp:fetch";
import * as http from "zigttp:http";
import * as id from "zigttp:id";
import * as io from "zigttp:io";
import * as log from "zigttp:log";
import * as router from "zigttp:router";
import * as sql from "zigttp:sql";
import * as text from "zigttp:text";
import * as time from "zigttp:time";
import * as url from "zigttp:url";
import * as validate from "zigttp:validate";

const M = {
  "zigttp:auth": auth, "zigttp:cache": cache, "zigttp:compose": compose, "zigttp:crypto": crypto,
  "zigttp:decode": decode, "zigttp:env": env, "zigttp:fetch": fetchMod, "zigttp:http": http, "zigttp:id": id,
  "zigttp:io": io, "zigttp:log": log, "zigttp:router": router, "zigttp:sql": sql, "zigttp:text": text,
  "zigttp:time": time, "zigttp:url": url, "zigttp:validate": validate,
  global: { fetchSync: (u, i) => fetchSync(u, i) },
};

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function arg(a, req) {
  if (Array.isArray(a)) return a.map((x) => arg(x, req));
  if (a === null || typeof a !== "object") return a;
  if (a.$u8 !== undefined) return hexBytes(a.$u8);
  if (a.$undef !== undefined) return undefined;
  if (a.$body !== undefined) return req.bytes();
  if (a.$thunk !== undefined) return () => fetchSync(a.$thunk[0], a.$thunk[1]);
  if (a.$nothunk !== undefined) return () => 1;
  if (a.$throw !== undefined) return () => { throw new Error(a.$throw); };
  if (a.$spin !== undefined) return () => { fetchSync(a.$spin[0]); for (;;) {} };
  if (a.$fn !== undefined) return () => a.$fn;
  const out = {};
  for (const k of Object.keys(a)) out[k] = arg(a[k], req);
  return out;
}

function show(v) {
  if (v !== null && typeof v === "object" && typeof v.status === "number" && v.headers !== undefined) {
    return { status: v.status, statusText: v.statusText, ok: v.ok, headers: v.headers.toJSON(), body: v.body,
             url: v.url, error: v.error, details: v.details, json: v.json() };
  }
  if (Array.isArray(v)) return v.map(show);
  return v;
}

export function handler(req) {
  const q = JSON.parse(req.headers.get("x-call"));
  const args = arg(q.args || [], req);
  try {
    let r = M[q.m][q.f](...args);
    if (q.f === "routerMatch" && r !== undefined) r = { handler: r.handler(), params: r.params };
    return Response.json({ value: show(r), type: r === undefined ? "undefined" : typeof r });
  } catch (e) {
    return Response.json({ threw: e.name, message: e.message });
  }
}
