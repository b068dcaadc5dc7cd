"""One durable run inside one request: its claim, its journal (resume mode), and the events it walks.

`run(key, fn)` opens the run: claims it (a second executor gets 409), reads
its oplog, and installs a resume-mode journal over the oplog's events whose
sink is the oplog itself. Every virtual-module call of the body then goes
through that journal (answered from the oplog while there is one, recorded
and fsync'd before its result returns once past it), and step, sleep and
waitSignal walk the same events positionally. A step, timer or signal that
is not there yet suspends the run: an uncatchable stop that the Handler
answers with 202. A completed run answers its recorded response.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from .. import wellformed
from ..http import HttpResponse
from ..journal import IoEntry, Journal, JournalDiverged, new_seed
from ..registry import HostFatal, JournalWriteFailed
from .oplog import COMPLETE_LINE, DURABLE, FORMAT, VERSION, OplogError, entry_line, event_text
from .store import SLEEP_NAME, Claim, DurableStore, StoreUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..imports import CallContext
    from .oplog import Oplog

STATE = "durable"
RETRY_AFTER_S = 1


class DurableMisuse(HostFatal):
    """zigttp:durable used wrongly: the request fails with 500 durable_error and this message."""

    kind = "durable_error"


class RunSuspended(HostFatal):
    """The run waits for a timer or a signal: the request answers 202 with `wait`."""

    kind = "durable_suspended"

    def __init__(self, key: str, wait: dict[str, Any]) -> None:
        super().__init__(f"run {key!r} is waiting")
        self.key = key
        self.wait = wait

    def response(self) -> HttpResponse:
        body = {"pending": True, "durableKey": self.key, "wait": self.wait}
        return HttpResponse(202, [("content-type", "application/json")], wellformed.dumps(body))


class RunBusy(HostFatal):
    """Another request is executing this run right now: 409 with Retry-After."""

    kind = "durable_busy"

    def __init__(self, key: str) -> None:
        super().__init__(f"run {key!r} is executing in another request; retry after {RETRY_AFTER_S} s")
        self.key = key

    def response(self) -> HttpResponse:
        answer = super().response()
        answer.headers.append(("retry-after", str(RETRY_AFTER_S)))
        return answer


class RunTakenOver(RunBusy):
    """The claim's lease expired and another host claimed the run: this request stops (409, Retry-After)."""

    kind = "durable_taken_over"

    def __init__(self, key: str, reason: str) -> None:
        HostFatal.__init__(self, reason)
        self.key = key


class DurableUnavailable(HostFatal):
    """The store cannot be reached: 503 with Retry-After; the scheduler (or the client) retries the run."""

    kind = "durable_unavailable"

    def response(self) -> HttpResponse:
        answer = super().response()
        answer.headers.append(("retry-after", str(RETRY_AFTER_S)))
        return answer


def store_failure(e: OSError, key: str | None = None) -> HostFatal:
    """The request's answer to a store error: taken over, unavailable, or a failed write."""
    from .store import ClaimLost, StoreUnavailable

    if isinstance(e, ClaimLost):
        return RunTakenOver(key or "", str(e))
    if isinstance(e, StoreUnavailable):
        return DurableUnavailable(str(e))
    return JournalWriteFailed(f"durable oplog write failed: {e.strerror or e}")


class OplogSink:
    """The journal sink of a run: each entry becomes an oplog line, stored before the guest sees it."""

    def __init__(self, store: DurableStore, claim: Claim) -> None:
        self.store = store
        self.claim = claim

    def ready(self) -> None:
        """Before a live call: the run must still be this owner's (a lost lease stops the request)."""
        try:
            self.store.check(self.claim)
        except OSError as e:
            raise store_failure(e, self.claim.key) from None

    def append(self, entry: IoEntry, *, fencing_token: int | None) -> None:
        try:
            self.store.append(self.claim, entry_line(entry))
        except OSError as e:
            raise store_failure(e, self.claim.key) from None


@dataclass
class ActiveRun:
    key: str
    store: DurableStore
    claim: Claim
    journal: Journal
    outer: Journal | None  # the request's own journal (a trace), restored when the run ends
    delivered: set[str] = field(default_factory=set)  # signal ids already in the oplog
    ended: bool = False
    in_step: str | None = None
    reruns: int = 0  # step bodies run again because a crash came before their result

    def close(self, ctx: CallContext) -> None:
        if not self.ended:
            self.ended = True
            ctx.journal = self.outer
            if ctx.state.get(STATE) is self:
                del ctx.state[STATE]
            if isinstance(ctx.fatal, DurableUnavailable):  # stopped by the store, not by the run: resumed soon
                self.store.abandon(self.claim)
            else:
                self.store.release(self.claim)


def bundle_hash(ctx: CallContext) -> str:
    return ctx.bundle_sha256


def request_line(ctx: CallContext) -> dict[str, Any]:
    """The request that started the run: what the scheduler serves again to resume it."""
    r = ctx.request
    if r is None:
        return {"type": "request", "method": "GET", "url": "/", "headers": {}, "body": None}
    headers: dict[str, Any] = {}
    for name, value in r.headers:
        prior = headers.get(name)
        headers[name] = value if prior is None else [*prior, value] if isinstance(prior, list) else [prior, value]
    body: dict[str, Any] = {"body": None}
    if r.body:
        try:
            body = {"body": r.body.decode()}
        except UnicodeDecodeError:
            body = {"body": None, "body_base64": base64.b64encode(r.body).decode()}
    return {"type": "request", "method": r.method, "url": r.url, "headers": headers, **body}


def begin(ctx: CallContext, store: DurableStore, key: str, secret_calls: frozenset[tuple[str, str]]) -> dict:
    """Opens run `key` for this request; {"response": …} when it already completed."""
    if STATE in ctx.state:
        raise DurableMisuse("run() cannot be nested: one run per request")
    claim = store.claim(key)
    if claim is None:
        raise RunBusy(key)
    try:
        oplog = store.read(key)
        if oplog is None:
            oplog = _create(ctx, store, claim, key)
        if oplog.complete:
            store.release(claim)
            return {"response": _response_fields(oplog.response or {})}
        if oplog.torn:
            store.drop_torn_tail(claim)
    except OplogError as e:
        store.release(claim)
        raise DurableMisuse(f"run {key!r} cannot be resumed: {e}") from None
    except StoreUnavailable:
        store.abandon(claim)
        raise
    except BaseException:
        store.release(claim)
        raise
    recorded = str(oplog.header.get("bundle", ""))
    journal = Journal.resume(oplog.entries, int(oplog.header.get("seed", 0)), OplogSink(store, claim))
    journal.strict = True
    journal.replay_only = store.replay_only
    journal.context = f"run {key!r}; oplog written by bundle {recorded[:12] or '?'}, running {bundle_hash(ctx)[:12]}"
    journal.unrecorded = secret_calls
    run = ActiveRun(key, store, claim, journal, ctx.journal, _delivered(oplog))
    ctx.state[STATE] = run
    ctx.after_request.append(run.close)
    ctx.journal = journal
    return {}


def _create(ctx: CallContext, store: DurableStore, claim: Claim, key: str) -> Oplog:
    from .oplog import Oplog

    header = {"type": "durable_run", "format": FORMAT, "version": VERSION, "key": key, "bundle": bundle_hash(ctx),
              "seed": new_seed(), "created_ms": int(time.time() * 1000)}
    request = request_line(ctx)
    store.create(claim, wellformed.dumps(header) + b"\n" + wellformed.dumps(request) + b"\n")
    return Oplog(header, request, [], None)


def _delivered(oplog: Oplog) -> set[str]:
    out = set()
    for e in oplog.entries:
        if e.module == DURABLE and e.fn == "resume_signal":
            signal_id = orjson.loads(e.result).get("id")
            if isinstance(signal_id, str):
                out.add(signal_id)
    return out


def _response_fields(line: dict[str, Any]) -> dict[str, Any]:
    return {k: line.get(k) for k in ("status", "headers", "body", "body_base64") if k in line}


def active(ctx: CallContext, fn: str) -> ActiveRun:
    run = ctx.state.get(STATE)
    if not isinstance(run, ActiveRun) or run.ended:
        raise DurableMisuse(f"{fn}() must be called inside run()")
    return run


def end(ctx: CallContext, response: dict[str, Any]) -> bool:
    """The body returned: its response and the completion go to the oplog, then the run is released."""
    run = active(ctx, "run")
    left = run.journal.next_recorded()
    if left is not None:  # the oplog goes on where the body stopped: a step or call was removed
        run.journal.diverged(_recorded_text(left), "the run's end (its response)")
    line = {"type": "response", **{k: response[k] for k in ("status", "headers", "body") if k in response}}
    run.store.append(run.claim, wellformed.dumps(line) + b"\n" + COMPLETE_LINE)
    run.close(ctx)
    return True


# ---------- events ----------

def _event(run: ActiveRun, kind: str, fields: dict[str, Any]) -> None:
    left = run.journal.next_recorded()
    if left is not None:  # never written over what the oplog still records
        run.journal.diverged(_recorded_text(left), f"{kind}({orjson.dumps(fields.get('name')).decode()})")
    run.journal.append(DURABLE, kind, b"[]", wellformed.dumps(fields))


def _recorded_text(entry: IoEntry) -> str:
    return event_text(entry) if entry.module == DURABLE else f"{entry.module}.{entry.fn}"


def _recorded(run: ActiveRun, kind: str, name: str | None = None) -> dict[str, Any] | None:
    """Consumes the next recorded event when it is `kind` (and `name`); None past the recording.

    Anything else recorded there is a divergence: the run stops, the oplog is left as it is.
    """
    entry = run.journal.next_recorded()
    if entry is None:
        return None
    fields = orjson.loads(entry.result) if entry.module == DURABLE and entry.result else {}
    if entry.module != DURABLE or entry.fn != kind or (name is not None and fields.get("name") != name):
        attempted = f"{kind}({orjson.dumps(name).decode() if name is not None else ''})"
        run.journal.diverged(_recorded_text(entry), attempted)
    run.journal.consume()
    return fields


def step_begin(ctx: CallContext, name: str) -> dict[str, Any]:
    """{"replayed": True, "value": …} for a recorded step; {"replayed": False}: run its body now.

    The calls a body made sit between its step_start and step_result: a
    finished step skips them with its body. A step started but never
    finished (a crash) runs its body again, and the calls it had recorded
    answer from the oplog before it goes live.
    """
    run = active(ctx, "step")
    if run.in_step is not None:
        raise DurableMisuse(f"step() cannot be nested: step {name!r} inside step {run.in_step!r}")
    run.in_step = name
    if _recorded(run, "step_start", name) is None:
        _event(run, "step_start", {"name": name})
        _still_ours(run)
        return {"replayed": False}
    journal = run.journal
    for i in range(journal.cursor, len(journal.entries)):
        entry = journal.entries[i]
        if entry.module != DURABLE or entry.fn == "send_signal":  # what the body did: skipped with it
            continue
        fields = orjson.loads(entry.result) if entry.result else {}
        if entry.fn == "step_result" and fields.get("name") == name:
            journal.cursor = i + 1
            run.in_step = None
            return {"replayed": True, "value": fields.get("result")}
        break
    run.reruns += 1
    _still_ours(run)
    return {"replayed": False}


def _still_ours(run: ActiveRun) -> None:
    """Before a step body starts live: the claim must still hold (its lease is renewed when half used)."""
    try:
        run.store.check(run.claim)
    except OSError as e:
        raise store_failure(e, run.key) from None


def step_end(ctx: CallContext, name: str, value: Any) -> bool:
    run = active(ctx, "step")
    if run.in_step != name:
        raise DurableMisuse(f"step() result for {name!r} outside its step")
    _event(run, "step_result", {"name": name, "result": value})
    run.in_step = None
    return True


def _not_in_step(run: ActiveRun, fn: str) -> None:
    if run.in_step is not None:  # a step's result is recorded once, whole: it cannot suspend halfway
        raise DurableMisuse(f"{fn}() cannot be called inside step() (in step {run.in_step!r})")


def sleep_until(ctx: CallContext, until_ms: int, fn: str) -> None:
    run = active(ctx, fn)
    _not_in_step(run, fn)
    waited = _recorded(run, "wait_timer")
    if waited is None:
        _event(run, "wait_timer", {"until_ms": until_ms})
    else:
        until_ms = int(waited.get("until_ms", until_ms))
        if _recorded(run, "resume_timer") is not None:
            return
    now = int(time.time() * 1000)
    if now >= until_ms:
        _event(run, "resume_timer", {"fired_at_ms": now})
        return
    # again on every suspension: the file is named by its time, so writing it twice is one timer, and a
    # crash between the wait_timer line and the file cannot leave the run without one
    run.store.schedule(until_ms, run.key, SLEEP_NAME, None)
    raise RunSuspended(run.key, {"type": "timer", "until": until_ms})


def wait_signal(ctx: CallContext, name: str) -> Any:
    run = active(ctx, "waitSignal")
    _not_in_step(run, "waitSignal")
    waited = _recorded(run, "wait_signal", name)
    if waited is None:
        _event(run, "wait_signal", {"name": name})
    else:
        delivered = _recorded(run, "resume_signal", name)
        if delivered is not None:
            return delivered.get("payload")
    for signal_id, payload in run.store.signals(run.key, name):
        if signal_id in run.delivered:
            run.store.drop_signal(run.key, name, signal_id)  # recorded before a crash took the file
            continue
        _event(run, "resume_signal", {"name": name, "payload": payload, "id": signal_id})
        run.delivered.add(signal_id)
        run.store.drop_signal(run.key, name, signal_id)
        return payload
    raise RunSuspended(run.key, {"type": "signal", "name": name})


def send_signal(ctx: CallContext, name: str, send: Callable[[], bool]) -> bool:
    """signal()/signalAt(): inside a run, sent once and its answer recorded, so a replay does not send again.

    The signal is sent before its line is written: a crash between the two
    sends it again on resume (at least once, like a step body), never not at all.
    """
    run = ctx.state.get(STATE)
    if not isinstance(run, ActiveRun) or run.ended:
        return send()
    recorded = _recorded(run, "send_signal", name)
    if recorded is not None:
        return bool(recorded.get("accepted"))
    accepted = send()
    _event(run, "send_signal", {"name": name, "accepted": accepted})
    return accepted


__all__ = ["JournalDiverged", "RunBusy", "RunSuspended", "begin", "end", "send_signal", "sleep_until", "step_begin",
           "step_end", "wait_signal"]
