"""Lockdown leaves nothing one request can change for the next: found by walking, not by listing.

The walk (tests/handlers/lockdown_walk.js) runs inside the real guest after
lockdown and reports every extensible object, every writable or configurable
property and every setter it can reach from globalThis, the zigttp:* module
namespaces, the request and response prototypes and the intrinsics only
evaluated code yields (iterator and generator prototypes). Anything it finds
that is not one of the few justified exceptions below fails the test.
"""

from __future__ import annotations

import re

import orjson

from zigttp_host import Bundle, Handler, Host, HttpRequest
from zigttp_host.modules import registry_modules

from .conftest import HANDLERS

# Setters that survive lockdown because they only ever act on their receiver,
# never on shared state, and refuse a frozen one. test_excepted_setters_hold
# checks each claim.
EXCEPTED_SETTERS = {
    # changes the receiver's [[Prototype]]; a frozen (non-extensible) receiver refuses
    "globalThis.Object.prototype.__proto__",
    # %ThrowTypeError%: throws whatever it is given
    "globalThis.Function.prototype.caller",
    "globalThis.Function.prototype.arguments",
    # defines `stack` on the receiver; refuses Error.prototype itself and frozen receivers
    "globalThis.Error.prototype.stack",
    # SetterThatIgnoresPrototypeProperties: refuses Iterator.prototype itself, defines on the receiver
    "globalThis.Iterator.prototype.constructor",
    "globalThis.Iterator.prototype.[Symbol.toStringTag]",
}
# Module namespace objects report their bindings as writable (the spec's
# [[GetOwnProperty]]), yet their [[Set]] always fails and [[DefineOwnProperty]]
# refuses any change; the namespace itself is not extensible.
NAMESPACE_BINDING = re.compile(r"^zigttp:[a-z]+\.[A-Za-z0-9_$]+: writable$")


def _walk_source() -> str:
    modules = registry_modules()
    imports = "\n".join(f'import * as ns{i} from "{m}";' for i, m in enumerate(modules))
    table = ", ".join(f'["{m}", ns{i}]' for i, m in enumerate(modules))
    source = (HANDLERS / "lockdown_walk.js").read_text()
    return source.replace("__NAMESPACES__", f"{imports}\nconst NAMESPACES = [{table}];")


def _json(handler: Handler, path: str) -> dict:
    r = handler.handle(HttpRequest("GET", path))
    assert r.status == 200, r.body
    return orjson.loads(r.body)


def _is_excepted(entry: str) -> bool:
    if NAMESPACE_BINDING.match(entry):
        return True
    path, _, what = entry.rpartition(": ")
    return what == "setter" and path in EXCEPTED_SETTERS


def test_nothing_reachable_can_be_changed_after_lockdown(host: Host) -> None:
    walked = _json(host.load(Bundle(_walk_source(), "lockdown_walk.js")), "/")
    assert walked["objects"] > 500  # the walk reached the built-ins, not just the roots
    found = [e for e in walked["report"] if not _is_excepted(e)]
    assert found == []
    # every exception is still needed: one that no longer applies is removed from the list
    setters = {e.rpartition(": ")[0] for e in walked["report"] if e.endswith(": setter")}
    assert setters == EXCEPTED_SETTERS
    assert any(NAMESPACE_BINDING.match(e) for e in walked["report"])


EXCEPTED_SETTERS_HANDLER = """
const protoSetter = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__").set;
const callerSetter = Object.getOwnPropertyDescriptor(Function.prototype, "caller").set;
const stackSetter = Object.getOwnPropertyDescriptor(Error.prototype, "stack").set;
const tagSetter = Object.getOwnPropertyDescriptor(Iterator.prototype, Symbol.toStringTag).set;
const ctorSetter = Object.getOwnPropertyDescriptor(Iterator.prototype, "constructor").set;
const wrapProto = Object.getPrototypeOf(Iterator.from({ next() { return { done: true }; } }));
function attempt(f) {
  try { f(); return "succeeded"; } catch (e) { return e.name; }
}
export function handler(req) {
  if (req.path === "/try") {
    return Response.json({
      proto: attempt(() => protoSetter.call(Array.prototype, {})),
      caller: attempt(() => callerSetter.call(function f() {}, 1)),
      stackHome: attempt(() => stackSetter.call(Error.prototype, "x")),
      stackFrozen: attempt(() => stackSetter.call(RangeError.prototype, "x")),
      tagHome: attempt(() => tagSetter.call(Iterator.prototype, "x")),
      tagFrozen: attempt(() => tagSetter.call(wrapProto, "x")),
      ctorHome: attempt(() => ctorSetter.call(Iterator.prototype, Object)),
      ctorFrozen: attempt(() => ctorSetter.call(wrapProto, Object)),
    });
  }
  return Response.json({
    proto: Object.getPrototypeOf(Array.prototype) === Object.prototype,
    stack: Object.getOwnPropertyDescriptor(RangeError.prototype, "stack") === undefined,
    tag: Iterator.prototype[Symbol.toStringTag] === "Iterator" && !Object.hasOwn(wrapProto, Symbol.toStringTag),
    ctor: Iterator.prototype.constructor === Iterator && !Object.hasOwn(wrapProto, "constructor"),
  });
}
"""


def test_excepted_setters_hold(host: Host) -> None:
    h = host.load(Bundle(EXCEPTED_SETTERS_HANDLER, "excepted_setters.js"))
    outcome = _json(h, "/try")
    assert outcome == dict.fromkeys(outcome, "TypeError")
    assert all(_json(h, "/check").values())


ERROR_STATICS_HANDLER = """
// a setter taken while the module scope runs must not outlive lockdown either
const limitSetter = Object.getOwnPropertyDescriptor(Error, "stackTraceLimit").set;
const prepareSetter = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace").set;
function attempt(f) {
  try { f(); return "succeeded"; } catch (e) { return e.name; }
}
function frames() {
  return String(new Error("probe").stack).split("\\n").filter((l) => l.includes("at ")).length;
}
export function handler(req) {
  if (req.path === "/assign") {
    return Response.json({
      limit: attempt(() => { Error.stackTraceLimit = 0; }),
      prepare: attempt(() => { Error.prepareStackTrace = () => "hijacked"; }),
      limitSetter: attempt(() => limitSetter.call(Error, 0)),
      prepareSetter: attempt(() => prepareSetter.call(Error, () => "hijacked")),
      define: attempt(() => Object.defineProperty(Error, "stackTraceLimit", { value: 0 })),
    });
  }
  return Response.json({ limit: Error.stackTraceLimit, prepare: typeof Error.prepareStackTrace,
                         frames: frames() });
}
"""


def test_error_stack_statics_are_locked(host: Host) -> None:
    h = host.load(Bundle(ERROR_STATICS_HANDLER, "error_statics.js"))
    before = _json(h, "/check")
    assert before["limit"] == 10 and before["prepare"] == "undefined" and before["frames"] >= 1
    outcome = _json(h, "/assign")
    assert outcome == dict.fromkeys(outcome, "TypeError")
    assert _json(h, "/check") == before


HIDDEN_INTRINSICS_HANDLER = """
const tries = {
  arrayIterator: () => { Object.getPrototypeOf([].values()).next = () => ({ done: true }); },
  generator: () => { Object.getPrototypeOf(function* () {}).prototype.next = () => ({ done: true }); },
  result: () => { Object.getPrototypeOf(Result.ok(1)).unwrap = () => "hijacked"; },
  resultExtend: () => { Object.getPrototypeOf(JSON.tryParse("{")).extra = 1; },
};
export function handler(req) {
  if (req.path === "/pollute") {
    const out = {};
    for (const k of Object.keys(tries)) {
      try { tries[k](); out[k] = "succeeded"; } catch (e) { out[k] = e.name; }
    }
    return Response.json(out);
  }
  return Response.json({
    arrayIterator: Array.from([1, 2].values()).length === 2,
    generator: Array.from((function* () { yield 1; })()).length === 1,
    result: Result.ok(1).unwrap() === 1,
    resultExtend: JSON.tryParse("{").extra === undefined,
  });
}
"""


def test_intrinsics_only_code_reaches_are_frozen_too(host: Host) -> None:
    h = host.load(Bundle(HIDDEN_INTRINSICS_HANDLER, "hidden_intrinsics.js"))
    outcome = _json(h, "/pollute")
    assert outcome == dict.fromkeys(outcome, "TypeError")
    assert all(_json(h, "/check").values())


SABOTAGE_HANDLER = """
// a module scope that replaces the built-ins a JavaScript lockdown would use
Object.freeze = (o) => o;
Reflect.ownKeys = () => [];
Object.getOwnPropertyDescriptor = () => undefined;
Array.prototype.push = function () { return 0; };
export function handler(req) {
  if (req.path === "/pollute") {
    const out = {};
    try { Object.prototype.polluted = 1; out.objectProto = "succeeded"; } catch (e) { out.objectProto = e.name; }
    return Response.json(out);
  }
  return Response.json({ objectProto: ({}).polluted === undefined });
}
"""


def test_lockdown_does_not_rely_on_built_ins_the_module_scope_can_replace(host: Host) -> None:
    h = host.load(Bundle(SABOTAGE_HANDLER, "sabotage.js"))
    outcome = _json(h, "/pollute")
    assert outcome["objectProto"] == "TypeError"
    assert _json(h, "/check") == {"objectProto": True}
