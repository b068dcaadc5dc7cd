"""zigttp:durable — run(key, fn), step, stepWithTimeout, sleep, sleepUntil, waitSignal, signal, signalAt.

Runs persist to the store `--durable DIR|postgresql://…` configures
(ModuleConfig.durable_dir or durable_url; zigttp_host.durable). The semantics live in durable/run.py; this file is the
registry's view and the argument checks. Misuse (no --durable, a wrong
argument, a nested run) and a failed oplog write stop the request with an
error the handler cannot catch: answered 500 with a JSON body.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from ..durable import run as R
from ..durable.run import DurableMisuse
from ..registry import Export, Param
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..durable.store import DurableStore
    from ..imports import CallContext

M = "zigttp:durable"
MAX_NAME_BYTES = 4096
MAX_MS = 2**53  # JavaScript's largest safe integer: beyond it a time cannot be written to an oplog line (64-bit)


def store_of(ctx: CallContext, fn: str) -> DurableStore:
    try:
        store = runtime_of(ctx).durable_store()
    except OSError as e:  # a database store that cannot be opened (PostgreSQL down)
        raise R.store_failure(e) from None
    if store is None:
        raise DurableMisuse(f"{fn}() requires --durable <DIR>")
    return store


def _text(fn: str, what: str, value: Any) -> str:
    if not isinstance(value, str):
        raise DurableMisuse(f"{fn}() {what} must be a string")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise DurableMisuse(f"{fn}() {what} is longer than {MAX_NAME_BYTES} bytes")
    return value


def _number(fn: str, what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DurableMisuse(f"{fn}() {what} must be a finite number")
    if abs(value) > MAX_MS:
        raise DurableMisuse(f"{fn}() {what} must be within ±2^53 milliseconds")
    return int(value)


def _writing(fn: str, op: Any) -> Any:
    try:
        return op()
    except OSError as e:  # a lost claim (409), a store out of reach (503), a failed write (500)
        raise R.store_failure(e) from None


def run(ctx: CallContext, args: list[Any]) -> Any:
    store = store_of(ctx, "run")  # before any other complaint, as for every export
    op = args[0] if args else None
    if op == "misuse":
        raise DurableMisuse(str(args[1]))
    if op == "begin":
        key = _text("run", "key", args[1] if len(args) > 1 else None)
        secret = frozenset((t.module, t.fn) for t in ctx.functions.traced.values() if t.secret)
        return _writing("run", lambda: R.begin(ctx, store, key, secret))
    if op == "end":
        response = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        return _writing("run", lambda: R.end(ctx, response))
    raise DurableMisuse("run() was called with an unknown operation")


def step(ctx: CallContext, args: list[Any]) -> Any:
    store_of(ctx, "step")
    op = args[0] if args else None
    if op == "misuse":
        raise DurableMisuse(str(args[1]))
    name = _text("step", "name", args[1] if len(args) > 1 else None)
    if op == "begin":
        return _writing("step", lambda: R.step_begin(ctx, name))
    if op == "end":
        return _writing("step", lambda: R.step_end(ctx, name, args[2] if len(args) > 2 else None))
    raise DurableMisuse("step() was called with an unknown operation")


def step_with_timeout(ctx: CallContext, args: list[Any]) -> Any:
    store_of(ctx, "stepWithTimeout")
    op = args[0] if args else None
    if op == "misuse":
        raise DurableMisuse(str(args[1]))
    name = _text("stepWithTimeout", "name", args[1] if len(args) > 1 else None)
    if op == "begin":
        timeout_ms = _number("stepWithTimeout", "timeoutMs", args[2] if len(args) > 2 else None)
        ctx.state["durable_step_deadline"] = time.monotonic() + max(timeout_ms, 0) / 1000
        return _writing("stepWithTimeout", lambda: R.step_begin(ctx, name))
    if op == "end":
        deadline = ctx.state.pop("durable_step_deadline", None)
        late = deadline is not None and time.monotonic() > deadline
        outcome = {"ok": False, "error": "timeout"} if late else {"ok": True, "value": args[2] if len(args) > 2
                                                                   else None}
        _writing("stepWithTimeout", lambda: R.step_end(ctx, name, outcome))
        return outcome
    raise DurableMisuse("stepWithTimeout() was called with an unknown operation")


def sleep(ctx: CallContext, args: list[Any]) -> None:
    store_of(ctx, "sleep")
    ms = _number("sleep", "ms", args[0] if args else None)
    _writing("sleep", lambda: R.sleep_until(ctx, int(time.time() * 1000) + max(ms, 0), "sleep"))


def sleep_until(ctx: CallContext, args: list[Any]) -> None:
    store_of(ctx, "sleepUntil")
    until = _number("sleepUntil", "unixMs", args[0] if args else None)
    _writing("sleepUntil", lambda: R.sleep_until(ctx, until, "sleepUntil"))


def wait_signal(ctx: CallContext, args: list[Any]) -> Any:
    store_of(ctx, "waitSignal")
    name = _text("waitSignal", "name", args[0] if args else None)
    return _writing("waitSignal", lambda: R.wait_signal(ctx, name))


def signal(ctx: CallContext, args: list[Any]) -> bool:
    store = store_of(ctx, "signal")
    key = _text("signal", "key", args[0] if args else None)
    name = _text("signal", "name", args[1] if len(args) > 1 else None)
    payload = args[2] if len(args) > 2 else None
    return _writing("signal", lambda: R.send_signal(ctx, name, lambda: store.put_signal(key, name, payload)))


def signal_at(ctx: CallContext, args: list[Any]) -> bool:
    store = store_of(ctx, "signalAt")
    key = _text("signalAt", "key", args[0] if args else None)
    name = _text("signalAt", "name", args[1] if len(args) > 1 else None)
    at = _number("signalAt", "unixMs", args[2] if len(args) > 2 else None)
    payload = args[3] if len(args) > 3 else None

    def send() -> bool:
        if store.read(key) is None:
            return False
        store.schedule(at, key, name, payload)
        return True

    return _writing("signalAt", lambda: R.send_signal(ctx, name, send))


RUN_JS = """(call, lib) => function run(key, fn) {
  if (typeof fn !== "function") call(["misuse", "run() fn must be a function"]);
  const state = call(["begin", key]);
  if (state.response !== undefined) {
    const r = state.response;
    const body = r.body === null || r.body === undefined ? "" : r.body;
    return lib.Response(body, { status: r.status, headers: r.headers });
  }
  const res = fn();
  if (res === null || typeof res !== "object" || typeof res.status !== "number") {
    call(["misuse", "run() fn must return a Response"]);
  }
  call(["end", { status: res.status, headers: Array.from(res.headers.entries()), body: res.body }]);
  return res;
}"""
STEP_JS = """(call, lib) => function step(name, fn) {
  if (typeof name !== "string") call(["misuse", "step() name must be a string"]);
  if (typeof fn !== "function") call(["misuse", "step() fn must be a function"]);
  const s = call(["begin", name]);
  if (s.replayed) return s.value;
  const v = fn();
  call(["end", name, v === undefined ? null : v]);
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}"""
STEP_TIMEOUT_JS = """(call, lib) => function stepWithTimeout(name, timeoutMs, fn) {
  if (typeof name !== "string") call(["misuse", "stepWithTimeout() name must be a string"]);
  if (typeof fn !== "function") call(["misuse", "stepWithTimeout() fn must be a function"]);
  const s = call(["begin", name, timeoutMs]);
  let r = s.value;
  if (!s.replayed) {
    const v = fn();
    r = call(["end", name, v === undefined ? null : v]);
  }
  return lib.makeResult(r.ok, r.value, r.error);
}"""

TYPES = ""
EXPORTS = (
    Export(M, "run", (Param("key", "string"), Param("fn", "() => Response")), "Response", effect="write",
           traced=False, impl=run, js=RUN_JS, module_scope=False,
           doc="Runs fn as the durable run `key`: each step, sleep and waitSignal persists before it returns; a "
               "completed run answers its recorded response without running again."),
    Export(M, "step", (Param("name", "string"), Param("fn", "() => any")), "any", effect="write",
           traced=False, impl=step, js=STEP_JS, module_scope=False,
           doc="Runs fn once per run and records its result (as JSON); on replay returns the record."),
    Export(M, "stepWithTimeout", (Param("name", "string"), Param("timeoutMs", "number"), Param("fn", "() => any")),
           "Result<any, string>", return_kind="result", effect="write", traced=False,
           impl=step_with_timeout, js=STEP_TIMEOUT_JS, module_scope=False,
           doc="Like step; { ok: false, error: \"timeout\" } when fn took longer than timeoutMs (fn is not "
               "interrupted: its value is discarded)."),
    Export(M, "sleep", (Param("ms", "number"),), "undefined", effect="write", traced=False,
           impl=sleep, module_scope=False, doc="Suspends the run for ms milliseconds (the request answers 202)."),
    Export(M, "sleepUntil", (Param("unixMs", "number"),), "undefined", effect="write", capability="durable",
           traced=False, impl=sleep_until, module_scope=False, doc="Suspends the run until unixMs."),
    Export(M, "waitSignal", (Param("name", "string"),), "any", effect="write", traced=False,
           impl=wait_signal, module_scope=False,
           doc="The payload of signal `name` for this run; suspends the run (202) until one arrives."),
    Export(M, "signal", (Param("key", "string"), Param("name", "string"), Param("payload", "unknown")), "boolean",
           effect="write", traced=False, impl=signal, module_scope=False,
           doc="Delivers a signal to run `key`: true when accepted, false for an unknown or completed run."),
    Export(M, "signalAt", (Param("key", "string"), Param("name", "string"), Param("unixMs", "number"),
                           Param("payload", "unknown")), "boolean", effect="write", capability="durable",
           capability_arg=0, traced=False, impl=signal_at, module_scope=False,
           doc="Delivers a signal to run `key` at unixMs (the scheduler fires it)."),
)
