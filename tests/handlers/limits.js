// Misbehaving routes for the limits table: every one must be contained and
// the next request must succeed.
let requests = 0;
function spin() {
  let x = 0;
  for (;;) x = x + 1;
}
function recurse(n) {
  return recurse(n + 1) + 1;
}
export function handler(req) {
  requests = requests + 1;
  const p = req.path;
  if (p === "/ok") return Response.json({ ok: true, requests });
  if (p === "/spin") spin();
  if (p === "/spin-catch") {
    try { spin(); } catch (e) { return Response.text("swallowed " + e); }
  }
  if (p === "/memory") {
    const keep = [];
    for (;;) keep.push("x".repeat(1 << 20) + keep.length);
  }
  if (p === "/memory-catch") {
    try {
      const keep = [];
      for (;;) keep.push("y".repeat(1 << 20) + keep.length);
    } catch (e) {
      return Response.text("caught " + e);
    }
  }
  if (p === "/stack") return Response.text(String(recurse(0)));
  if (p === "/native-stack") {
    let p = {}; // a Proxy chain recurses in QuickJS's C code, past any JS stack check
    for (let i = 0; i < 30000; i++) p = new Proxy(p, {});
    return Response.text(String(Object.getPrototypeOf(p)));
  }
  if (p === "/throw") {
    const user = req.query.user;
    return Response.text(user.name.first);
  }
  if (p === "/throw-value") throw "just a string";
  if (p === "/big-response") return Response.text("z".repeat(100 * 1024));
  if (p === "/not-a-response") return { status: 200, body: "hi" };
  if (p === "/bad-status") return Response.json({}, { status: 99 });
  if (p === "/bad-header") return Response.text("x", { headers: { "x-evil": "a\r\nset-cookie: pwned=1" } });
  if (p === "/body-size") return Response.json({ length: req.text().length });
  return Response.text("not found", { status: 404 });
}
