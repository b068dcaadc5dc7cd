"""The I/O journal: everything a request observes of the outside world, recorded or played back.

A handler is a pure function of its request and what crosses the host
boundary while it runs: the results of its virtual-module calls
(imports.host_call), the clock (the WASI clock_time_get import behind
Date.now and performance.now) and the seed of Math.random (reseeded at the
start of a journaled request). A Journal attached to the request's
CallContext sees each of them, in order, and is what trace, replay, tests
and durable runs share:

    record   run each call live and keep it
    replay   answer each call from recorded entries, in order, with no real
             I/O; a call that does not match its entry is a divergence
    stub     answer from test fixtures, matched by module and function;
             an unmatched call of a replay-pure export runs live, any
             other answers undefined (upstream's test semantics), or what
             the export names for that case (Export.unstubbed: fetch's
             599 ReplayMiss); a wrapper's bookkeeping calls (parallel()'s
             begin and next) take no fixture (Export.bookkeeping)
    resume   replay a recorded prefix, then run live, handing each new
             entry to a sink before the guest sees its result (write-ahead)

Exports the registry marks `traced=False` (logging, registrations) always
run live and are not journaled. Entries hold JSON text, as it crossed the
boundary: recording costs no re-encoding.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from . import wellformed
from .abi import CallStatus
from .registry import CapabilityDenied, HostCallError, HostFatal, JournalWriteFailed, TracedExport

if TYPE_CHECKING:
    from .imports import CallContext

# The journal's pseudo-module for the nondeterministic built-ins.
BUILTIN = "builtin"
# The pseudo-module of a durable run's own events (step_start, wait_signal…: durable/oplog.py).
DURABLE_EVENTS = "durable"
CLOCK_FUNCTIONS = {0: "Date.now", 1: "performance.now"}  # WASI clock id -> what reads it
# A fetch reached through the global alias is recorded once, as the module's
# fetch; a fixture may stub it under either name.
ALIASES = {("http", "fetchSync"): ("fetch", "fetch")}
MODES = ("record", "replay", "stub", "resume")

HostImpl = Callable[["CallContext", list[Any]], Any]
Guard = Callable[["CallContext", HostImpl, list[Any]], Any]


@dataclass(frozen=True, slots=True)
class IoError:
    """A recorded call that threw: its status, message and, for a denial, what was denied."""

    status: str  # a CallStatus name in lower case: type_error, error, denied, range_error, interrupted
    message: str
    capability: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.capability is not None:
            d["capability"], d["name"] = self.capability, self.name
        return d

    @classmethod
    def from_exception(cls, e: HostCallError) -> IoError:
        if isinstance(e, CapabilityDenied):
            return cls("denied", str(e), e.capability, e.name)
        return cls(CallStatus(e.status).name.lower(), str(e))

    def raise_again(self) -> None:
        if self.status == "denied" and self.capability is not None and self.name is not None:
            raise CapabilityDenied(self.capability, self.name)
        error = HostCallError(self.message)
        try:
            error.status = CallStatus[self.status.upper()]
        except KeyError:
            error.status = CallStatus.ERROR
        raise error


class ReplayEnded(HostFatal):
    """A replay-only resume reached the end of its recording: what came next would run live (zigttp prove)."""

    kind = "replay_ended"


class JournalDiverged(HostFatal):
    """A resumed request did not do what its recording says (strict journals): it stops, nothing is written."""

    kind = "durable_diverged"

    def __init__(self, divergence: Divergence, context: str = "") -> None:
        super().__init__(divergence.describe() + (f" ({context})" if context else ""))
        self.divergence = divergence


@dataclass(slots=True)
class IoEntry:
    """One call across the boundary. `args` and `result` are JSON text; an empty result is undefined."""

    seq: int
    module: str
    fn: str
    args: bytes
    result: bytes = b""
    error: IoError | None = None


@dataclass(frozen=True, slots=True)
class Divergence:
    """Where a replayed request stopped matching its recording."""

    seq: int  # position in the recorded entries (or the live call's position)
    kind: str  # missing | mismatch | args | unconsumed | order | event (a durable run's step, timer or signal)
    expected: str  # "module.fn(args)" or "" for an extra live call
    actual: str

    def describe(self) -> str:
        if self.kind == "missing":
            return f"io #{self.seq}: call {self.actual} was not recorded"
        if self.kind == "unconsumed":
            return f"io #{self.seq}: recorded call {self.expected} was not made"
        if self.kind == "event":
            return f"step #{self.seq}: recorded {self.expected}, attempted {self.actual}"
        if self.kind == "order":
            return f"io #{self.seq}: call {self.actual} made out of recorded order"
        return f"io #{self.seq}: expected {self.expected}, got {self.actual}"


class JournalSink(Protocol):
    """Where resume mode writes each live entry before the guest sees its result.

    `fencing_token` is the writer's claim on the run: a store shared by
    several hosts refuses an append whose token is older than the run's
    current one, so an owner that lost its lease cannot write. A store with
    one writer ignores it.
    """

    def append(self, entry: IoEntry, *, fencing_token: int | None) -> None: ...

    def ready(self) -> None:
        """Before a live call runs: raises (a HostFatal) when the writer may no longer act for the run."""


@dataclass(slots=True)
class Journal:
    """One request's journal. Used by the one thread running that request."""

    mode: str
    entries: list[IoEntry] = field(default_factory=list)  # recorded (record/resume) or to answer from
    seed: int = 0  # Math.random's seed for this request
    sink: JournalSink | None = None
    fencing_token: int | None = None
    cursor: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)  # stub mode: entries already answered
    live_from: int | None = None  # resume: the first live entry's position, once switched
    # Replay: what the recorded arguments went through before they were
    # written (redact.redact_live_args), applied to live ones before comparing.
    normalize_args: Callable[[bytes], bytes] | None = None
    finished: bool = False
    # Resume: a divergence in the recorded prefix stops the request (JournalDiverged)
    # instead of being collected; `context` is added to its message (e.g. both bundle hashes).
    strict: bool = False
    context: str = ""
    # Calls that run live and are never recorded nor matched (a durable run re-reads env()).
    unrecorded: frozenset[tuple[str, str]] = frozenset()
    # Resume: stop with ReplayEnded where the recording ends, before anything runs live.
    replay_only: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"journal mode must be one of {', '.join(MODES)}")

    @classmethod
    def record(cls) -> Journal:
        # positional: a served request with --trace makes one of these, so it skips the keyword handling
        return cls("record", [], new_seed())

    @classmethod
    def replay(cls, entries: list[IoEntry], seed: int) -> Journal:
        return cls("replay", entries=list(entries), seed=seed)

    @classmethod
    def stub(cls, entries: list[IoEntry], seed: int | None = None) -> Journal:
        return cls("stub", entries=list(entries), seed=new_seed() if seed is None else seed)

    @classmethod
    def resume(cls, entries: list[IoEntry], seed: int, sink: JournalSink, fencing_token: int | None = None) -> Journal:
        return cls("resume", entries=list(entries), seed=seed, sink=sink, fencing_token=fencing_token)

    # ---------- host calls ----------

    def call(self, ctx: CallContext, export: TracedExport, impl: HostImpl, guard: Guard | None,
             raw_args: bytes, args: list[Any]) -> bytes:
        """Answers one traced host call; returns the result's JSON text (b"": undefined) or raises its error."""
        if self.mode == "record":
            return self._live(ctx, export, impl, guard, raw_args, args)
        if (export.module, export.fn) in self.unrecorded:
            result = impl(ctx, args) if guard is None else guard(ctx, impl, args)
            return b"" if result is None else wellformed.dumps(result)
        if self.mode == "stub":
            return self._stubbed(ctx, export, impl, guard, raw_args, args)
        if self.mode == "resume" and self.cursor >= len(self.entries):
            self._going_live()
            return self._live(ctx, export, impl, guard, raw_args, args)
        return self._replayed(export.module, export.fn, raw_args)

    def _going_live(self) -> None:
        """Resume: the recorded prefix is used up; from here calls run live (or, replay-only, stop)."""
        if self.replay_only:
            raise ReplayEnded(f"the recording ends at entry #{len(self.entries)}")
        if self.live_from is None:
            self.live_from = len(self.entries)

    def _live(self, ctx: CallContext, export: TracedExport, impl: HostImpl, guard: Guard | None,
              raw_args: bytes, args: list[Any]) -> bytes:
        entry = IoEntry(len(self.entries), export.module, export.fn, raw_args or b"[]")
        if self.sink is not None:
            self.sink.ready()
        try:
            result = impl(ctx, args) if guard is None else guard(ctx, impl, args)
        except HostCallError as e:
            entry.error = IoError.from_exception(e)
            self._keep(entry)
            raise
        entry.result = b"" if result is None else wellformed.dumps(result)
        self._keep(entry)
        return entry.result

    def _keep(self, entry: IoEntry) -> None:
        self.entries.append(entry)
        if self.sink is not None:
            # write-ahead: the guest sees nothing the sink has not taken
            try:
                self.sink.append(entry, fencing_token=self.fencing_token)
            except HostFatal:
                raise
            except Exception as e:
                raise JournalWriteFailed(f"journal write failed: {_reason(e)}") from None
        if self.mode == "resume":
            self.cursor = len(self.entries)

    def _replayed(self, module: str, fn: str, raw_args: bytes) -> bytes:
        if self.normalize_args is not None:
            raw_args = self.normalize_args(raw_args)
        position = self.cursor
        if position >= len(self.entries):
            self._diverge(Divergence(position, "missing", "", _call_text(module, fn, raw_args)))
            return b""
        entry = self.entries[position]
        self.cursor += 1
        if (entry.module, entry.fn) != (module, fn):
            self._diverge(Divergence(position, "mismatch", _entry_text(entry), _call_text(module, fn, raw_args)))
        elif not _same_args(entry.args, raw_args):
            self._diverge(Divergence(position, "args", _call_text(entry.module, entry.fn, entry.args),
                                     _call_text(module, fn, raw_args)))
        if entry.error is not None:
            entry.error.raise_again()
        return entry.result

    def _stubbed(self, ctx: CallContext, export: TracedExport, impl: HostImpl, guard: Guard | None,
                 raw_args: bytes, args: list[Any]) -> bytes:
        if export.bookkeeping is not None and export.bookkeeping(args):
            return b""
        for i, entry in enumerate(self.entries):
            if i not in self.consumed and _names(entry.module, entry.fn) == (export.module, export.fn) \
                    and not _is_bookkeeping(export, entry):
                self.consumed.add(i)
                if entry.error is not None:
                    entry.error.raise_again()
                return entry.result
        if export.replay_pure:
            result = impl(ctx, args) if guard is None else guard(ctx, impl, args)
        else:
            result = None if export.unstubbed is None else export.unstubbed(args)
        return b"" if result is None else wellformed.dumps(result)

    def _diverge(self, d: Divergence) -> None:
        if self.strict:
            raise JournalDiverged(d, self.context)
        self.divergences.append(d)

    # ---------- positional access (durable runs walk their events with these) ----------

    def next_recorded(self) -> IoEntry | None:
        """The next recorded entry not yet answered; None once the recording is used up."""
        return self.entries[self.cursor] if self.cursor < len(self.entries) and self.mode != "record" else None

    def consume(self) -> IoEntry:
        entry = self.entries[self.cursor]
        self.cursor += 1
        return entry

    def append(self, module: str, fn: str, args: bytes, result: bytes) -> IoEntry:
        """Records a live event (through the sink, write-ahead); only past the recorded prefix."""
        if self.mode == "resume":
            self._going_live()
        entry = IoEntry(len(self.entries), module, fn, args, result)
        self._keep(entry)
        return entry

    def diverged(self, expected: str, actual: str) -> None:
        """Reports that the request attempted `actual` where the recording has `expected` (an event)."""
        self._diverge(Divergence(self.cursor, "event", expected, actual))

    # ---------- the clock ----------

    def clock(self, clock_id: int, live_ns: int) -> int:
        """The clock reading the guest gets (ns, millisecond resolution)."""
        fn = CLOCK_FUNCTIONS.get(clock_id, "performance.now")
        if self.mode == "stub":
            for i, entry in enumerate(self.entries):
                if i not in self.consumed and (entry.module, entry.fn) == (BUILTIN, fn):
                    self.consumed.add(i)
                    return _clock_ns(entry.result, live_ns)
            return live_ns
        if self.mode == "record" or (self.mode == "resume" and self.cursor >= len(self.entries)):
            if self.mode == "resume":
                self._going_live()
            self._keep(IoEntry(len(self.entries), BUILTIN, fn, b"[]", _clock_ms(live_ns)))
            return live_ns
        return _clock_ns(self._replayed(BUILTIN, fn, b"[]"), live_ns)

    # ---------- after the request ----------

    def finish(self) -> None:
        """After the request (Handler does it): in replay, recorded entries not consumed are divergences."""
        if self.mode == "replay" and not self.finished:
            self.finished = True
            for entry in self.entries[self.cursor:]:
                self.divergences.append(Divergence(entry.seq, "unconsumed",
                                                   _call_text(entry.module, entry.fn, entry.args), ""))


def _reason(e: Exception) -> str:
    if isinstance(e, OSError) and e.strerror:
        return f"{e.strerror}" + (f": {e.filename}" if e.filename else "")
    return str(e) or type(e).__name__


_seeds = random.Random(os.urandom(32))  # Math.random is not a CSPRNG; its seeds need not come from one


def new_seed() -> int:
    # a signed 64-bit value, what the guest's reseed takes
    return _seeds.getrandbits(64) - (1 << 63)


def _names(module: str, fn: str) -> tuple[str, str]:
    return ALIASES.get((module, fn), (module, fn))


def _is_bookkeeping(export: TracedExport, entry: IoEntry) -> bool:
    # a fixture recorded for a bookkeeping call (a trace's parallel() begin) answers no other call
    if export.bookkeeping is None or entry.args in (b"", b"[]"):
        return False
    try:
        args = wellformed.loads(entry.args)
    except wellformed.MalformedJson:
        return False
    return isinstance(args, list) and export.bookkeeping(args)


def _same_args(recorded: bytes, live: bytes) -> bool:
    # A fixture's empty argument list matches any call (upstream's rule).
    if recorded in (b"", b"[]") or recorded == live:
        return True
    try:
        return wellformed.loads(recorded) == wellformed.loads(live or b"[]")
    except wellformed.MalformedJson:
        return False


def _clock_ns(result: bytes, live_ns: int) -> int:
    try:
        value = wellformed.loads(result) if result else None
    except wellformed.MalformedJson:
        return live_ns
    if isinstance(value, bool) or not isinstance(value, int | float):
        return live_ns
    return round(value * 1_000_000)


def _clock_ms(ns: int) -> bytes:
    # milliseconds, as the guest's Date.now sees them; a monotonic reading
    # keeps its sub-millisecond part (exact through a double: ns < 2**53)
    return str(ns // 1_000_000).encode() if ns % 1_000_000 == 0 else repr(ns / 1_000_000).encode()


def _entry_text(entry: IoEntry) -> str:
    """A recorded entry as a divergence names it; a durable run's event by its name (it has no arguments)."""
    fields = wellformed.loads(entry.result) if entry.module == DURABLE_EVENTS and entry.result else None
    if isinstance(fields, dict):
        return f"{entry.fn}({wellformed.dumps(fields.get('name')).decode()})"
    return _call_text(entry.module, entry.fn, entry.args)


def _call_text(module: str, fn: str, args: bytes, limit: int = 200) -> str:
    text = args.decode(errors="replace") if args else "[]"
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if len(inner) > limit:
        inner = inner[:limit] + "…"
    return f"{module}.{fn}({inner})"
