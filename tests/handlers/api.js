// Exercises the handler API (upstream-spec §2) from inside the sandbox.
function handler(req) {
  const p = req.path;
  if (p === "/echo-request") {
    return Response.json({
      method: req.method, url: req.url, path: req.path, query: req.query,
      headers: req.headers, getCase: req.headers.get("X-Custom"), has: req.headers.has("x-custom"),
      missing: req.headers.get("x-missing"), body: req.body,
    });
  }
  if (p === "/text") return Response.text(req.text());
  if (p === "/json") {
    const data = req.json();
    return Response.json({ data, isUndefined: data === undefined });
  }
  if (p === "/twice") {
    req.text();
    return Response.text(req.text());
  }
  if (p === "/bytes") {
    const b = req.bytes();
    let sum = 0;
    for (const x of b) sum += x;
    return Response.json({ length: b.length, sum });
  }
  if (p === "/json-helper") return Response.json({ a: 1, u: undefined, arr: [1, undefined], inf: Infinity },
    { status: 201, headers: { "x-extra": "yes" } });
  if (p === "/json-undefined") return Response.json(undefined);
  if (p === "/text-helper") return Response.text("plain", { status: 202, headers: { "x-t": "1" } });
  if (p === "/html-helper") return Response.html("<b>hi</b>", { headers: { "x-h": "1" } });
  if (p === "/raw-json") return Response.rawJson('{"pre":"serialized"}', { headers: { "x-r": "1" } });
  if (p === "/redirect") return Response.redirect("/elsewhere");
  if (p === "/redirect-301") return Response.redirect("https://example.com/", 301);
  if (p === "/factory") return Response("made", { status: 418, statusText: "Teapot", headers: { "Content-Type": "text/x-custom" } });
  if (p === "/factory-new") return new Response("with new", { status: 200 });
  if (p === "/set-cookie") {
    return Response.text("cookies", { headers: [["set-cookie", "a=1; Path=/"], ["set-cookie", "b=2"], ["x-one", "1"]] });
  }
  if (p === "/assign-header") {
    const r = Response.text("assigned", { headers: { "x-keep": "1", "x-drop": "2", "set-cookie": ["a=1", "b=2"] } });
    r.headers["x-added"] = "3";
    r.headers["x-keep"] = "changed";
    delete r.headers["x-drop"];
    return r;
  }
  if (p === "/response-fields") {
    const r = Response.json({ x: 1 }, { status: 404 });
    return Response.json({ status: r.status, ok: r.ok, statusText: r.statusText, ct: r.headers.get("content-type"), parsed: r.json() });
  }
  if (p === "/json-null") return Response.json({ parsed: JSON.parse('{"a":null,"b":[null,1]}'), top: JSON.parse("null") === undefined });
  if (p === "/try-parse") {
    const good = JSON.tryParse('{"n":1}');
    const bad = JSON.tryParse("{nope");
    return Response.json({ good: good.ok, value: good.unwrap(), bad: bad.isErr(), fallback: bad.unwrapOr(7), mapped: good.map((v) => v.n + 1).value });
  }
  if (p === "/result") {
    const r = Result.ok(2).andThen((x) => Result.err("e" + x));
    return Response.json({ ok: r.isOk(), err: r.unwrapErr(), matched: r.match({ ok: () => "o", err: (e) => e }) });
  }
  if (p === "/range") {
    const out = [];
    for (const i of range(3)) out.push(i);
    for (const i of range(10, 4, -3)) out.push(i);
    for (const i of range(1, 3, 0)) out.push(i);
    return Response.json(out);
  }
  if (p === "/request-factory") {
    const r = Request("/a/b?x=5&y=z", { method: "post", body: "hi", headers: { "X-A": "1" } });
    return Response.json({ method: r.method, path: r.path, query: r.query, a: r.headers.get("x-a"), body: r.text() });
  }
  if (p === "/headers-factory") {
    const h = Headers({ "X-A": "1" });
    h.append("x-a", "2");
    h.set("X-B", "3");
    h.delete("x-missing");
    return Response.json({ a: h.get("x-a"), b: h.get("x-b"), has: h.has("X-B"), obj: h });
  }
  if (p === "/jsx") {
    const Item = (props) => h("li", { className: "item" }, props.children);
    const page = h("ul", { id: "x", hidden: true, onclick: "bad()", title: "a \"q\" & 'b'" },
      h(Item, null, "<one>"), h(Item, null, 2), false, undefined, h(Fragment, null, h("br", null)));
    return Response.html(renderToString(page));
  }
  if (p === "/date") return Response.json({ now: Date.now(), type: typeof Date.now() });
  if (p === "/random") return Response.json({ r: Math.random() });
  if (p === "/console") {
    console.log("log line", { a: 1 });
    console.error("error line");
    return Response.text("logged");
  }
  return Response.json({ error: "not found", path: p }, { status: 404 });
}
