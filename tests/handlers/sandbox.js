// Probes what the sandbox exposes. Nothing here may reach the host.
export function handler(req) {
  const p = req.path;
  if (p === "/globals") {
    const names = ["fetch", "require", "std", "os", "WebAssembly", "process", "Deno", "Bun", "XMLHttpRequest",
      "importScripts", "__host_call", "native"];
    const found = {};
    for (const n of names) found[n] = typeof globalThis[n];
    return Response.json(found);
  }
  if (p === "/import") {
    // dynamic import of anything but a zigttp:* module must fail
    return import(req.query.name).then(
      () => Response.json({ outcome: "imported" }),
      (e) => Response.json({ outcome: String(e) }));
  }
  if (p === "/pollute") {
    const attempts = {};
    const tries = {
      objectProto: () => { Object.prototype.polluted = "yes"; },
      arrayProto: () => { Array.prototype.includes = () => true; },
      global: () => { globalThis.leaked = "yes"; },
      jsonParse: () => { JSON.parse = () => "hijacked"; },
      response: () => { Response.json = () => "hijacked"; },
      mathRandom: () => { Math.random = () => 4; },
    };
    for (const k of Object.keys(tries)) {
      try { tries[k](); attempts[k] = "succeeded"; } catch (e) { attempts[k] = e.name; }
    }
    return Response.json(attempts);
  }
  if (p === "/check-pollution") {
    return Response.json({
      objectProto: ({}).polluted === undefined,
      arrayProto: [1].includes(2) === false,
      global: typeof globalThis.leaked === "undefined",
      jsonParse: JSON.parse("1") === 1,
      response: typeof Response.json({}) === "object",
      mathRandom: Math.random() < 1,
    });
  }
  if (p === "/state") {
    globalState.count = globalState.count + 1;
    return Response.json({ count: globalState.count });
  }
  if (p === "/random") return Response.json({ r: Math.random() });
  if (p === "/eval-escape") {
    const results = {};
    try { results.fn = Function("return typeof this.process")(); } catch (e) { results.fn = e.name; }
    try { results.ctor = ({}).constructor.constructor("return globalThis")() === globalThis; } catch (e) { results.ctor = e.name; }
    return Response.json(results);
  }
  return Response.text("not found", { status: 404 });
}
const globalState = { count: 0 };
