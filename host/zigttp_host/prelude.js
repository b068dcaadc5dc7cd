// The guest prelude: evaluated once per runtime, before the handler bundle.
// Its completion value is setup(native); the guest glue calls it with the
// native bridge { call, requestBytes, parseJson, rangeIterator, … } and keeps the returned
// API object (modules, the lockdown roots, and what the request fast path needs). The bridge itself never becomes a global,
// so handler code can reach the host only through the virtual modules.
(function setup(native) {
  "use strict";
  const hostCall = native.call;
  const requestBytes = native.requestBytes;
  const rangeIterator = native.rangeIterator;
  const MODULE_TABLE = __ZIGTTP_MODULE_TABLE__;
  const LOG_FN = MODULE_TABLE.log;

  const defineHidden = (obj, key, value) =>
    Object.defineProperty(obj, key, { value, writable: false, enumerable: false, configurable: false });
  const isObject = (v) => typeof v === "object" && v !== null;
  // Client data (query keys, header names) may be any name: "constructor"
  // or "toString" are inherited read-only properties of every object once the
  // built-ins are frozen, so assigning one throws, and assigning "__proto__"
  // changes the prototype. Such keys are defined as own properties instead.
  const defineProperty = Object.defineProperty;
  const defineOwn = (obj, key, value) =>
    defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });

  // ---------- console → host log ----------
  const show = (v) => {
    if (typeof v === "string") return v;
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return String(v);
    if (v instanceof Error) return v.stack ? `${v.name}: ${v.message}\n${v.stack}` : `${v.name}: ${v.message}`;
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  };
  const logAt = (level) => (...args) => {
    hostCall(LOG_FN, [level, args.map(show).join(" ")]);
  };
  const console = {
    log: logAt("info"), info: logAt("info"), debug: logAt("debug"),
    warn: logAt("warn"), error: logAt("error"),
  };

  // ---------- JSON ----------
  // The subset has no null: parsed JSON null becomes undefined.
  JSON.stringify = native.stringifyJson;
  Object.keys = native.objectLists.keys;
  Object.values = native.objectLists.values;
  Object.entries = native.objectLists.entries;
  String.prototype.toLowerCase = native.stringCases.toLowerCase; // 8-bit strings in one pass (qjs_unity.c)
  String.prototype.toUpperCase = native.stringCases.toUpperCase;
  const jsonStringify = JSON.stringify;
  JSON.parse = native.parseJson;
  const Result = {
    ok: (value) => makeResult(true, value, undefined),
    err: (error) => makeResult(false, undefined, error),
  };
  const resultProto = {
    isOk() { return this.ok; },
    isErr() { return !this.ok; },
    unwrap() {
      if (this.ok) return this.value;
      throw new TypeError(`unwrap() on an error Result: ${show(this.error)}`);
    },
    unwrapOr(fallback) { return this.ok ? this.value : fallback; },
    unwrapErr() {
      if (!this.ok) return this.error;
      throw new TypeError("unwrapErr() on an ok Result");
    },
    map(f) { return this.ok ? Result.ok(f(this.value)) : this; },
    mapErr(f) { return this.ok ? this : Result.err(f(this.error)); },
    andThen(f) { return this.ok ? f(this.value) : this; },
    match(arms) { return this.ok ? arms.ok(this.value) : arms.err(this.error); },
  };
  function makeResult(ok, value, error) {
    const r = Object.create(resultProto);
    r.ok = ok;
    if (ok) r.value = value; else r.error = error;
    return r;
  }
  // Text that is not JSON gives undefined; anything else (nesting beyond the
  // guest's limit, out of memory) is an error the handler did not cause by
  // a typo, and propagates.
  const SyntaxErrorCtor = SyntaxError;
  const parseOrUndefined = (text) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      if (e instanceof SyntaxErrorCtor) return undefined;
      throw e;
    }
  };
  JSON.tryParse = (text) => {
    try {
      return Result.ok(JSON.parse(text));
    } catch (e) {
      return Result.err(e instanceof Error ? e.message : String(e));
    }
  };

  // ---------- range ----------
  function range(a, b, step) {
    let start = 0, end = a;
    if (b !== undefined) { start = a; end = b; }
    let s = step === undefined || step === 0 ? 1 : step;
    if (typeof start !== "number" || typeof end !== "number" || typeof s !== "number") {
      throw new TypeError("range() takes numbers: range(end) or range(start, end[, step])");
    }
    // each loop gets its own iterator; its steps run in C (rangeIterator in guest/glue.c)
    return { [Symbol.iterator]() { return rangeIterator(start, end, s); } };
  }

  // ---------- Headers ----------
  // Values live in a hidden list so header names such as "get" cannot shadow
  // the methods; lower-case own properties mirror them for req.headers["x"].
  const ENTRIES = Symbol("headers");
  const headersProto = {
    // Loops rather than filter/map/some: each callback is a full call in the
    // interpreter, and these run for every header a handler reads or sets.
    get(name) {
      const key = String(name).toLowerCase();
      const entries = this[ENTRIES];
      const vals = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e !== undefined && e[0] === key) vals.push(e[1]);
      }
      if (vals.length === 0) return undefined;
      return vals.length === 1 && typeof vals[0] === "string" ? vals[0] : vals.join(key === "cookie" ? "; " : ", ");
    },
    getSetCookie() {
      return this[ENTRIES].filter((e) => e[0] === "set-cookie").map((e) => e[1]);
    },
    has(name) {
      const key = String(name).toLowerCase();
      const entries = this[ENTRIES];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e !== undefined && e[0] === key) return true;
      }
      return false;
    },
    set(name, value) {
      const key = String(name).toLowerCase();
      const kept = without(this[ENTRIES], key);
      kept.push([key, String(value)]);
      this[ENTRIES] = kept;
      mirror(this, key);
    },
    append(name, value) {
      const key = String(name).toLowerCase();
      this[ENTRIES].push([key, String(value)]);
      mirror(this, key);
    },
    delete(name) {
      const key = String(name).toLowerCase();
      this[ENTRIES] = without(this[ENTRIES], key);
      mirror(this, key);
    },
    forEach(f) {
      for (const [k, v] of this.entries()) f(v, k, this);
    },
    entries() {
      const seen = [];
      for (const [k] of this[ENTRIES]) if (!seen.includes(k)) seen.push(k);
      return seen.map((k) => [k, this.get(k)])[Symbol.iterator]();
    },
    keys() {
      return Array.from(this.entries(), (e) => e[0])[Symbol.iterator]();
    },
    values() {
      return Array.from(this.entries(), (e) => e[1])[Symbol.iterator]();
    },
    [Symbol.iterator]() { return this.entries(); },
  };
  const METHOD_NAMES = Object.keys(headersProto).concat(["toJSON"]);
  defineHidden(headersProto, "toJSON", function toJSON() {
    const out = {};
    for (const [k, v] of this.entries()) out[k] = v;
    return out;
  });
  function mirror(h, key) {
    if (METHOD_NAMES.includes(key)) return;
    const v = h.get(key);
    if (v === undefined) delete h[key];
    else if (key in h) defineOwn(h, key, v); // own already, or inherited ("constructor"): define, never assign
    else h[key] = v; // a new own data property, as defineOwn makes, without a descriptor object
  }
  function without(entries, key) {
    const kept = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e !== undefined && e[0] !== key) kept.push(e);
    }
    return kept;
  }
  function emptyHeaders() {
    return { __proto__: headersProto, [ENTRIES]: [] };
  }
  function Headers(init) {
    const h = emptyHeaders();
    if (init === undefined) return h;
    if (isObject(init) && init[ENTRIES]) {
      const entries = init[ENTRIES];
      for (let i = 0; i < entries.length; i++) h.append(entries[i][0], entries[i][1]);
    } else if (Array.isArray(init)) {
      for (const pair of init) h.append(pair[0], pair[1]);
    } else if (isObject(init)) {
      const keys = Object.keys(init); // a fresh array: an indexed loop walks it as for-of would, without an iterator
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const v = init[k];
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const one of v) h.append(k, one);
        else h.append(k, v);
      }
    } else {
      throw new TypeError("Headers(init): init must be an object, an array of [name, value] pairs or Headers");
    }
    return h;
  }
  Headers.prototype = headersProto;

  // ---------- Request ----------
  // req.query and new Request(url).query: one parser, in C (qjs_unity.c)
  const parseQuery = native.parseQuery;
  const requestProto = {
    text() {
      consume(this);
      return this.body === undefined ? "" : this.body;
    },
    json() {
      consume(this);
      if (this.body === undefined || this.body === "") return undefined;
      return parseOrUndefined(this.body);
    },
    bytes() {
      consume(this);
      return new Uint8Array(this[RAW] ? this[RAW]() : new ArrayBuffer(0));
    },
  };
  const USED = Symbol("bodyUsed");
  const RAW = Symbol("rawBody");
  function consume(req) {
    if (req[USED]) throw new TypeError("request body already read: text(), json() and bytes() can be called once");
    req[USED] = true;
  }
  function makeRequest(method, url, headers, body) {
    const q = url.indexOf("?");
    const req = Object.create(requestProto);
    req.method = method;
    req.url = url;
    req.path = q < 0 ? url : url.slice(0, q);
    req.query = q < 0 ? {} : parseQuery(url.slice(q + 1));
    req.headers = headers;
    req.body = body;
    req[USED] = false;
    return req;
  }
  function Request(url, init) {
    const o = init === undefined ? {} : init;
    const body = o.body === undefined ? undefined : String(o.body);
    return makeRequest(o.method === undefined ? "GET" : String(o.method).toUpperCase(), String(url),
      Headers(o.headers), body);
  }
  Request.prototype = requestProto;

  // ---------- Response ----------
  const STATUS_TEXT = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Payload Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
  };
  const IS_RESPONSE = Symbol("response");
  const responseProto = {
    text() { return typeof this.body === "string" ? this.body : ""; },
    json() { return parseOrUndefined(this.text()); },
  };
  defineHidden(responseProto, IS_RESPONSE, true);
  function makeResponse(body, init, contentType) {
    if (init === undefined) return plainResponse(body, contentType);
    const o = init;
    if (!isObject(o)) throw new TypeError("Response init must be an object: { status, statusText, headers }");
    const status = o.status === undefined ? 200 : o.status;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Response status must be an integer from 200 to 599, got ${show(status)}`);
    }
    let headers;
    if (o.headers === undefined) {
      headers = emptyHeaders();
      if (contentType !== undefined) {
        headers[ENTRIES].push(["content-type", contentType]);
        headers["content-type"] = contentType;
      }
    } else {
      headers = Headers(o.headers);
      if (contentType !== undefined && !headers.has("content-type")) headers.set("content-type", contentType);
    }
    const statusText = o.statusText === undefined ? (STATUS_TEXT[status] || "Unknown") : String(o.statusText);
    return { __proto__: responseProto, body, status, statusText, ok: status >= 200 && status < 300, headers };
  }
  // Response(body), Response.json(data), …: status 200 and at most a content-type, the common case, made
  // in C on shapes kept between requests (js_plain_response in guest/glue.c) as the object literals
  //   headers = { __proto__: headersProto, [ENTRIES]: [["content-type", contentType]] };
  //   headers["content-type"] = contentType;   // both only when contentType is not undefined
  //   { __proto__: responseProto, body, status: 200, statusText: "OK", ok: true, headers }
  const plainResponse = native.plainResponse;
  const toBody = (body) => {
    if (body === undefined) return "";
    if (typeof body === "string") return body;
    if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body;
    return String(body);
  };
  function Response(body, init) {
    const b = typeof body === "string" ? body : toBody(body);
    const type = typeof b === "string" ? "text/plain; charset=utf-8" : "application/octet-stream";
    return init === undefined ? plainResponse(b, type) : makeResponse(b, init, type);
  }
  Response.prototype = responseProto;
  const toJson = (data) => {
    const s = jsonStringify(data === undefined ? null : data);
    return s === undefined ? "null" : s;
  };
  Response.json = (data, init) => {
    if (init !== undefined) return makeResponse(toJson(data), init, "application/json");
    const s = jsonStringify(data === undefined ? null : data); // toJson inline: the common case, one call less
    return plainResponse(s === undefined ? "null" : s, "application/json");
  };
  Response.rawJson = (text, init) => makeResponse(String(text), init, "application/json");
  Response.text = (text, init) => makeResponse(text === undefined ? "" : String(text), init,
    "text/plain; charset=utf-8");
  Response.html = (html, init) => makeResponse(html === undefined ? "" : String(html), init,
    "text/html; charset=utf-8");
  Response.redirect = (url, status, init) => {
    const code = status === undefined ? 302 : status;
    if (![301, 302, 303, 307, 308].includes(code)) {
      throw new RangeError(`Response.redirect status must be 301, 302, 303, 307 or 308, got ${show(code)}`);
    }
    const r = makeResponse("", Object.assign({}, init, { status: code }), undefined);
    r.headers.set("location", String(url));
    return r;
  };

  // ---------- JSX ----------
  const Fragment = undefined;
  const VOID = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr"];
  const RAW_TEXT = ["script", "style"];
  const escapeText = (s) => s.split("&").join("&amp;").split("<").join("&lt;").split(">").join("&gt;");
  const escapeAttr = (s) => s.split("&").join("&amp;").split('"').join("&quot;").split("'").join("&#x27;");
  const NODE = Symbol("jsx");
  function h(tag, props, ...children) {
    const node = { tag, props: isObject(props) ? props : {}, children };
    defineHidden(node, NODE, true);
    return node;
  }
  function renderChildren(children, raw) {
    let out = "";
    for (const c of children) out += renderNode(c, raw);
    return out;
  }
  function renderNode(node, raw) {
    if (node === undefined || node === null || node === true || node === false) return "";
    if (typeof node === "string") return raw ? node : escapeText(node);
    if (typeof node === "number") return Number.isFinite(node) ? String(node) : "";
    if (Array.isArray(node)) return renderChildren(node, raw);
    if (!isObject(node) || !node[NODE]) return escapeText(String(node));
    const { tag, props, children } = node;
    if (tag === undefined || tag === null) return renderChildren(children, raw);
    if (typeof tag === "function") {
      const merged = Object.assign({}, props);
      if (children.length) merged.children = children.length === 1 ? children[0] : children;
      return renderNode(tag(merged), raw);
    }
    let attrs = "";
    for (const name of Object.keys(props)) {
      const v = props[name];
      if (name === "children" || name.startsWith("on") || v === false || v === undefined || v === null) continue;
      const attr = name === "className" ? "class" : name === "htmlFor" ? "for" : name;
      if (v === true) attrs += ` ${attr}`;
      else attrs += ` ${attr}="${escapeAttr(String(v))}"`;
    }
    if (VOID.includes(tag)) return `<${tag}${attrs} />`;
    const kids = children.length ? children : props.children === undefined ? [] : [props.children];
    return `<${tag}${attrs}>${renderChildren(kids, RAW_TEXT.includes(tag))}</${tag}>`;
  }
  const renderToString = (node) => renderNode(node, false);

  // ---------- hypermedia ----------
  // resource(data, affordances): one declaration, three renderings. The guest
  // cannot see the request's Accept header at the response boundary, so it
  // sends the HAL document and the HTMX fragment under RESOURCE_TYPE and the
  // host picks one by content negotiation (zigttp_host/hypermedia.py).
  const RESOURCE_TYPE = "application/vnd.zigttp.resource+json";
  const READ_METHODS = ["GET", "HEAD"];
  const isScalar = (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  function control(rel, a, method) {
    const label = escapeText(a.title === undefined ? rel : String(a.title));
    const swap = (a.target === undefined ? "" : ` hx-target="${escapeAttr(String(a.target))}"`) +
      (a.swap === undefined ? "" : ` hx-swap="${escapeAttr(String(a.swap))}"`);
    if (READ_METHODS.includes(method)) return `<a rel="${escapeAttr(rel)}" href="${escapeAttr(a.href)}"${swap}>${label}</a>`;
    return `<button hx-${method.toLowerCase()}="${escapeAttr(a.href)}"${swap}>${label}</button>`;
  }
  function resource(data, affordances) {
    if (!isObject(data)) throw new TypeError("resource(data, affordances): data must be an object");
    const rels = affordances === undefined ? [] : Object.keys(affordances);
    const links = {}, templates = {};
    let controls = "";
    for (const rel of rels) {
      const a = affordances[rel];
      if (!isObject(a) || typeof a.href !== "string") {
        throw new TypeError(`resource(data, affordances): affordance '${rel}' needs an href string`);
      }
      const method = a.method === undefined ? "GET" : String(a.method).toUpperCase();
      if (READ_METHODS.includes(method)) {
        links[rel] = a.title === undefined ? { href: a.href } : { href: a.href, title: String(a.title) };
      } else {
        const t = { method, target: a.href };
        if (a.title !== undefined) t.title = String(a.title);
        if (a.fields !== undefined) t.properties = a.fields;
        templates[rel] = t;
      }
      controls += control(rel, a, method);
    }
    const hal = Object.assign({}, data);
    if (Object.keys(links).length) hal._links = links;
    if (Object.keys(templates).length) hal._templates = templates;
    let html = "<dl>";
    for (const k of Object.keys(data)) {
      if (isScalar(data[k])) html += `<dt>${escapeText(k)}</dt><dd>${escapeText(String(data[k]))}</dd>`;
    }
    return makeResponse(jsonStringify({ hal, html: html + "</dl>" + controls }), undefined, RESOURCE_TYPE);
  }

  // ---------- virtual modules ----------
  // The host's registry describes each export: [host-call id, return kind,
  // optional JS wrapper]. The stub forwards its arguments through the one
  // host-call import; `result` exports come back as Result objects. A wrapper
  // is `(call, lib) => function`, for exports that need guest-side logic.
  const sharedState = Object.create(null);
  // Per-family guest-side state (schemas, SQL statements, the parallel()
  // collector). It lives in guest memory, so registrations made by the module
  // scope are part of the snapshot every instance starts from.
  const shared = (name) => sharedState[name] || (sharedState[name] = Object.create(null));
  // Bytes cross the JSON boundary as one char per byte: {"$bytes": "..."}.
  const bytesArg = (v) => {
    const u8 = v instanceof ArrayBuffer ? new Uint8Array(v) : v instanceof Uint8Array ? v : undefined;
    if (u8 === undefined) return v;
    let s = "";
    for (let i = 0; i < u8.length; i += 8192) s += String.fromCharCode.apply(null, u8.subarray(i, i + 8192));
    return { $bytes: s };
  };
  const schemaOf = (schemas, fn, name) => {
    if (typeof name !== "string") throw new TypeError(`${fn}(): parameter 'name' must be a string`);
    const s = schemas[name];
    if (s === undefined) throw new TypeError(`${fn}(): no schema named '${name}'; register it with schemaCompile(name, schema)`);
    return s;
  };
  // {ok, value?} | {ok: false, errors}: the host sends `value` when it changed
  // the input (coercion); otherwise value() supplies it from the input.
  const validationResult = (r, value) => {
    if (r.ok) return makeResult(true, r.value !== undefined ? r.value : value(), undefined);
    const res = Object.create(resultProto);
    res.ok = false;
    res.errors = r.errors;
    Object.defineProperty(res, "error", { value: r.errors, enumerable: false });
    return res;
  };
  const fetchArgs = (url, init) => {
    if (isObject(init) && (init.body instanceof Uint8Array || init.body instanceof ArrayBuffer)) {
      init = Object.assign({}, init, { body: bytesArg(init.body) });
    }
    return init === undefined ? [url] : [url, init];
  };
  // A response from the host's {status, statusText, headers, body, url, error?, details?}.
  const fetchResponse = (r) => {
    const headers = r.headers === undefined ? [["content-type", "application/json"]] : r.headers;
    const body = r.body === undefined ? jsonStringify({ error: r.error, details: r.details }) : r.body;
    const res = makeResponse(body, { status: r.status, statusText: r.statusText, headers }, undefined);
    res.url = r.url === undefined ? "" : r.url;
    if (r.error !== undefined) {
      res.error = r.error;
      res.details = r.details;
    }
    return res;
  };
  const lib = {
    Result, makeResult, Response, Headers, show, isObject, shared, bytesArg, schemaOf, validationResult,
    fetchArgs, fetchResponse,
  };
  const modules = {};
  for (const spec of Object.keys(MODULE_TABLE.modules)) {
    const exportsObj = {};
    const table = MODULE_TABLE.modules[spec];
    for (const name of Object.keys(table)) {
      const [id, kind, wrapper] = table[name];
      // One JS call per export call: the stub itself makes the host call.
      if (wrapper !== undefined) {
        const fn = wrapper((args) => hostCall(id, args), lib);
        exportsObj[name] = { [name]: (...args) => fn(...args) }[name];
      } else if (kind === "result") {
        exportsObj[name] = { [name]: (...args) => {
          const r = hostCall(id, args);
          return makeResult(r.ok, r.value, r.error);
        } }[name];
      } else {
        exportsObj[name] = { [name]: (...args) => hostCall(id, args) }[name];
      }
    }
    modules[spec] = exportsObj;
  }
  // The global fetchSync is zigttp:fetch's fetch.
  const fetchModule = modules["zigttp:fetch"];
  const fetchSync = fetchModule === undefined ? undefined : function fetchSync(url, init) {
    return fetchModule.fetch(url, init);
  };

  // ---------- globals ----------
  const g = globalThis;
  const globals = { console, range, Result, Headers, Request, Response, h, Fragment, renderToString, resource };
  if (fetchSync !== undefined) globals.fetchSync = fetchSync;
  for (const k of Object.keys(globals)) {
    Object.defineProperty(g, k, { value: globals[k], writable: false, enumerable: false, configurable: false });
  }
  // What compiled code calls and handlers cannot name (the compiler reserves `__zt_` names): the maker of
  // object literals of plain keys (zigttp/compiler/emitter.py; zigttp_object_like in guest/qjs_unity.c).
  Object.defineProperty(g, "__zt_obj", { value: native.objectLike, writable: false, enumerable: false,
                                         configurable: false });

  // ---------- lockdown ----------
  // After the handler's module scope ran, the glue freezes every object
  // reachable from these roots and from the context's own intrinsics (see
  // zigttp_lockdown in guest/qjs_unity.c): no request can change what the
  // next one sees. Result objects' prototype is reachable from no global.
  const lockRoots = [g, modules, resultProto, Object.getPrototypeOf(rangeIterator(0, 0, 1))];

  // Joins a repeated request header into its own-property mirror (called by the glue).
  const mergeHeader = (h, key) => mirror(h, key);

  // The pairs a response puts on the wire. Handlers may also assign
  // `res.headers["x-name"] = value` (or delete one) directly; own properties
  // that no longer mirror the entries win, and multi-valued entries such as
  // Set-Cookie survive when untouched.
  function wirePairs(h) {
    const entries = h[ENTRIES];
    const keys = Object.keys(h);
    // Common case: one entry per name, each mirrored unchanged.
    if (keys.length === entries.length) {
      let clean = true;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (h[e[0]] !== e[1]) { clean = false; break; }
      }
      if (clean) return entries;
    }
    const out = [];
    for (const e of entries) {
      if (METHOD_NAMES.includes(e[0])) out.push(e);
    }
    for (const k of keys) {
      const v = h[k];
      const name = k.toLowerCase();
      if (v === undefined || v === null) continue;
      if (v === h.get(name)) {
        for (const e of entries) if (e[0] === name) out.push(e);
      } else if (Array.isArray(v)) {
        for (const one of v) out.push([name, String(one)]);
      } else {
        out.push([name, String(v)]);
      }
    }
    return out;
  }

  // The glue builds requests and encodes responses itself; it needs these.
  return {
    modules, lockRoots, requestProto, headersProto, responseProto, mergeHeader, wirePairs,
    symbols: { entries: ENTRIES, used: USED, raw: RAW, isResponse: IS_RESPONSE },
  };
})
