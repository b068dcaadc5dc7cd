// Walks everything a request can reach without creating it, after lockdown,
// and reports whatever one request could change for the next one: an
// extensible object, a writable or configurable property, a setter.
// The test replaces the placeholder below with one import per zigttp:* module.
__NAMESPACES__

// Intrinsics that no property path from globalThis reaches: only evaluating
// code yields them, so a walk over properties alone would miss them.
function evaluatedRoots(req) {
  const res = Response.text("x");
  const gen = function* () {};
  const agen = async function* () {};
  const afn = async function () {};
  const roots = [
    ["req.[[Prototype]]", Object.getPrototypeOf(req)],
    ["req.headers.[[Prototype]]", Object.getPrototypeOf(req.headers)],
    ["req.query.[[Prototype]]", Object.getPrototypeOf(req.query)],
    ["Response.[[Prototype]]", Object.getPrototypeOf(res)],
    ["Response.headers.[[Prototype]]", Object.getPrototypeOf(res.headers)],
    ["Result.[[Prototype]]", Object.getPrototypeOf(Result.ok(1))],
    ["Result.err.[[Prototype]]", Object.getPrototypeOf(JSON.tryParse("{"))],
    ["range.[[Prototype]]", Object.getPrototypeOf(range(1))],
    ["%ArrayIteratorPrototype%", Object.getPrototypeOf([][Symbol.iterator]())],
    ["%MapIteratorPrototype%", Object.getPrototypeOf(new Map()[Symbol.iterator]())],
    ["%SetIteratorPrototype%", Object.getPrototypeOf(new Set()[Symbol.iterator]())],
    ["%StringIteratorPrototype%", Object.getPrototypeOf(""[Symbol.iterator]())],
    ["%RegExpStringIteratorPrototype%", Object.getPrototypeOf(/a/g[Symbol.matchAll](""))],
    ["%GeneratorFunction.prototype%", Object.getPrototypeOf(gen)],
    ["%GeneratorPrototype%", Object.getPrototypeOf(gen.prototype)],
    ["%AsyncGeneratorFunction.prototype%", Object.getPrototypeOf(agen)],
    ["%AsyncGeneratorPrototype%", Object.getPrototypeOf(agen.prototype)],
    ["%AsyncFunction.prototype%", Object.getPrototypeOf(afn)],
    ["%IteratorHelperPrototype%", Object.getPrototypeOf([].values().map((x) => x))],
    ["%WrapForValidIteratorPrototype%", Object.getPrototypeOf(Iterator.from({ next() { return { done: true }; } }))],
    ["%ThrowTypeError%", Object.getOwnPropertyDescriptor(Function.prototype, "caller").get],
    ["arguments.[[Prototype]]", Object.getPrototypeOf((function () { return arguments; })())],
  ];
  return roots;
}

function describe(key) {
  return typeof key === "symbol" ? `[${key.description}]` : key;
}

// Breadth-first over properties, prototypes only once no property leads
// anywhere new, so an object is named by a short property path
// (globalThis.Object.prototype rather than globalThis.[[Prototype]]).
// `seen` and `report` carry over from one call to the next.
function walk(roots, seen, report) {
  let queue = roots.slice();
  let protos = [];
  while (queue.length) {
    for (let i = 0; i < queue.length; i++) {
      const [path, o] = queue[i];
      if (!((typeof o === "object" && o !== null) || typeof o === "function") || seen.has(o)) continue;
      seen.add(o);
      if (Object.isExtensible(o)) report.push(`${path}: extensible`);
      for (const key of Reflect.ownKeys(o)) {
        const d = Reflect.getOwnPropertyDescriptor(o, key);
        const at = `${path}.${describe(key)}`;
        if ("value" in d) {
          if (d.writable) report.push(`${at}: writable`);
          queue.push([at, d.value]);
        } else {
          if (d.set) report.push(`${at}: setter`);
          queue.push([`${at}.get`, d.get], [`${at}.set`, d.set]);
        }
        if (d.configurable) report.push(`${at}: configurable`);
      }
      protos.push([`${path}.[[Prototype]]`, Object.getPrototypeOf(o)]);
    }
    queue = protos;
    protos = [];
  }
}

export function handler(req) {
  const seen = new Set();
  const report = [];
  walk([["globalThis", globalThis]], seen, report);
  walk(NAMESPACES, seen, report);
  walk(evaluatedRoots(req), seen, report);
  return Response.json({ report, objects: seen.size });
}
