"""zigttp:io — parallel(thunks) and race(thunks): the thunks' requests run concurrently on OS threads.

Handler code stays synchronous. The guest wrapper opens a collection on the
host, runs each thunk (fetch/fetchSync inside one record the request instead
of sending it: a thunk's value is its last request), then asks the host to
send every collected request at once on a thread pool, and builds one
Response per thunk (undefined for a thunk that fetched nothing). race()
returns the first ok response in declaration order.

The collection is per-request host state (CallContext.state), tied to the
request by its deadline: a thunk stopped by the time limit (an uncatchable
error, so the wrapper cannot clean up) leaves nothing behind for the next
request a pooled instance serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import Export, HostCallError, HostRangeError, HostTypeError, Param
from . import args as a
from .config import ModuleConfig
from .fetch import RequestSpec, egress_policy, perform
from .runtime import runtime_of

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from ..imports import CallContext

MAX_THUNKS = 8
_STATE = "io"


def thunks_js(fn: str, pick: str) -> str:
    return f"""(call, lib) => function {fn}(thunks) {{
  if (!Array.isArray(thunks)) throw new TypeError("{fn}(): parameter 'thunks' must be an array of functions");
  if (thunks.length > {MAX_THUNKS}) {{
    throw new RangeError("{fn}() supports at most {MAX_THUNKS} concurrent operations");
  }}
  for (let i = 0; i < thunks.length; i++) {{
    if (typeof thunks[i] !== "function") throw new TypeError(`{fn}(): thunks[${{i}}] must be a function`);
  }}
  call(["begin"]);
  try {{
    for (let i = 0; i < thunks.length; i++) {{
      call(["next"]);
      thunks[i]();
    }}
  }} catch (e) {{
    call(["abort"]);
    throw e;
  }}
  const results = call(["run"]).map((r) => (r === null || r === undefined ? undefined : lib.fetchResponse(r)));
  return {pick};
}}"""


def collector(ctx: CallContext) -> list[RequestSpec | None] | None:
    """The slots of the collection open in this request, if any (a stale one is dropped)."""
    state = ctx.state.get(_STATE)
    if state is None:
        return None
    if state[0] != ctx.soft_deadline:
        del ctx.state[_STATE]
        return None
    return state[1]


def _pool(config: ModuleConfig) -> ThreadPoolExecutor:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=32, thread_name_prefix="zigttp-io")


def _run_all(fn: str, ctx: CallContext, args: list[Any]) -> list[dict[str, Any] | None] | None:
    a.arity(fn, args, 1)
    op = a.get(args, 0)
    rt = runtime_of(ctx)
    slots = collector(ctx)
    if op == "begin":
        if slots is not None:
            raise HostTypeError(f"{fn}() cannot run inside a parallel() or race() thunk")
        if not egress_policy(ctx).enabled:
            raise HostCallError(f"{fn}() requires outbound HTTP to be enabled (--outbound-host HOST)")
        ctx.state[_STATE] = (ctx.soft_deadline, [])
        return None
    if slots is None:
        raise HostTypeError(f"{fn}(): no collection is open")
    if op == "next":
        if len(slots) >= MAX_THUNKS:
            raise HostRangeError(f"{fn}() supports at most {MAX_THUNKS} concurrent operations")
        slots.append(None)
        return None
    del ctx.state[_STATE]
    if op == "abort":
        return None
    if op != "run":
        raise HostTypeError(f"{fn}(): unknown operation")
    specs = [s for s in slots if s is not None]
    deadline = ctx.soft_deadline
    policy = egress_policy(ctx)
    if len(specs) <= 1:
        answers = iter([perform(rt, policy, s, deadline) for s in specs])
    else:
        pool = rt.resource("io_pool", _pool)
        answers = iter([f.result() for f in [pool.submit(perform, rt, policy, s, deadline) for s in specs]])
    return [None if s is None else next(answers) for s in slots]


def parallel(ctx: CallContext, args: list[Any]) -> list[dict[str, Any] | None] | None:
    return _run_all("parallel", ctx, args)


def race(ctx: CallContext, args: list[Any]) -> list[dict[str, Any] | None] | None:
    return _run_all("race", ctx, args)


def bookkeeping(args: list[Any]) -> bool:
    """A call that only manages the collection: a test's fixture stands for the whole parallel()/race() (`run`)."""
    return bool(args) and args[0] in ("begin", "next", "abort")


def no_responses(args: list[Any]) -> list[Any]:
    # an unstubbed parallel()/race() in a test: no thunk produced a response
    return []


M = "zigttp:io"
THUNKS = Param("thunks", "Array<() => unknown>")
EXPORTS = (
    Export(M, "parallel", (THUNKS,), "Array<FetchResponse | undefined>", effect="write", capability="egress",
           labels=("external",), impl=parallel, js=thunks_js("parallel", "results"), bookkeeping=bookkeeping,
           unstubbed=no_responses,
           doc=f"Runs each thunk (at most {MAX_THUNKS}); the fetches they make are sent concurrently. One "
               "response per thunk, in order (undefined: the thunk fetched nothing)."),
    Export(M, "race", (THUNKS,), "FetchResponse | undefined", return_kind="optional", effect="write",
           capability="egress", labels=("external",), impl=race, bookkeeping=bookkeeping, unstubbed=no_responses,
           js=thunks_js("race", "results.find((r) => r !== undefined && r.ok)"),
           doc="Like parallel(), then the first ok response in declaration order (not by latency)."),
)
