"""A loaded handler: its pre-initialised module, its instances, one request at a time per instance."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from typing import TYPE_CHECKING, Protocol

import wasmtime

from .abi import request_meta
from .bundle import Bundle
from .cachekeys import snapshot_key
from .grants import Grants, compile_grants
from .http import MAX_REQUEST_HEADERS, MAX_TARGET_BYTES, Failure, HttpRequest, HttpResponse, failure_response
from .hypermedia import negotiate
from .instance import GuestFailure, GuestInstance
from .journal import Journal
from .limits import Limits, format_size
from .logtext import escape_controls
from .response import ResponseDecoder
from .snapshot import preinitialize
from .trial import TRIAL_DEADLINE_MS, TRIAL_FUEL_MS, TrialPolicy, route_of

if TYPE_CHECKING:
    from .host import Host
    from .imports import CallContext, HostFunctions

log = logging.getLogger("zigttp.handler")
_perf_counter_ns = time.perf_counter_ns

ISOLATION_MODES = ("pooled", "fresh")

# "    at handler (hello.js:3:11)" or "    at hello.js:3:11"
_FRAME = re.compile(r"at (?:[^\s(]+ \()?([^():\s]+):(\d+):(\d+)\)?")

# What stopped a module scope that trapped while loading (Handler._load_error).
_LOAD_TRAPS = {
    "cpu_limit": "the module scope used up its fuel (cpu_limit): it must return, not loop",
    "timeout": "the module scope ran past the request timeout (timeout)",
    "stack_overflow": "the module scope overflowed the native stack (stack_overflow): nested too deeply",
    "memory_limit": "the module scope reached the memory limit (memory_limit)",
}


class TraceRecorder(Protocol):
    """Takes each request's recorded I/O (tracefile.TraceWriter writes them as JSONL groups)."""

    def record(self, request: HttpRequest, journal: Journal, response: HttpResponse, duration_us: int) -> None: ...


class HandlerLoadError(Exception):
    """The handler could not be loaded: a syntax error, a throwing module scope, no handler."""

    def __init__(self, name: str, message: str, stack: str = "", at: str | None = None) -> None:
        super().__init__(f"{at or name}: {message}")
        self.name = name
        self.message = message
        self.stack = stack
        self.at = at


class Handler:
    """Serves requests for one handler bundle.

    `pooled`: each thread keeps a warm instance; the handler's own module state
    persists across the requests that instance serves. `fresh`: every request
    gets a new instance of the pre-initialised module, so nothing survives a
    request. Either way built-ins and globals are frozen, and any trap or
    memory growth past the recycle limit replaces the instance.
    """

    def __init__(self, host: Host, bundle: Bundle, limits: Limits, isolation: str,
                 grants: Grants | None = None, trace: TraceRecorder | None = None,
                 functions: HostFunctions | None = None) -> None:
        if isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}")
        self.host = host
        self.bundle = bundle
        self.limits = limits
        self.isolation = isolation
        self.pooled = isolation == "pooled"  # read per request: a bool test, not a string comparison
        # Records every request's I/O when set (journal.py); None costs nothing per request.
        self.trace = trace
        # What request-time host calls may reach (grants.py); the module scope runs without.
        # No grants: nothing is granted (least privilege), never "unchecked".
        grants = Grants() if grants is None else grants
        # The zigttp:* implementations and their state (env values, cache, SQL): the Host's, unless the
        # embedder gives this handler its own (a tenant's capability providers).
        self.functions = functions if functions is not None else host.functions
        self.grants = compile_grants(grants, self.functions)
        self.fuel = limits.fuel or host.fuel_for(limits.timeout_ms)
        self._trial_fuel: int | None = None
        self.trials = TrialPolicy()
        self.clock_origin_ns = self._clock_seed_ns()
        self.bundle_sha256 = hashlib.sha256(bundle.source.encode()).hexdigest()
        self.pre, self.initial_memory = self._instance_source()
        pool = host.engine.pool_memory_bytes
        if pool is not None and limits.memory_bytes > pool:
            raise HandlerLoadError(bundle.name, f"the memory limit ({format_size(limits.memory_bytes)}) is above the "
                                   f"pooling allocator's slots ({format_size(pool)}): raise "
                                   "EngineConfig.pool_memory_bytes, or lower the limit")
        if self.initial_memory > limits.memory_bytes:
            raise HandlerLoadError(bundle.name, f"the memory limit ({limits.memory_bytes} bytes) is below the "
                                   f"handler's initial memory ({self.initial_memory} bytes)")
        self._local = _ThreadSlot()
        self._pristine_buffer: tuple[int, int] | None = None  # every new instance's exchange buffer, once known
        self.instances_created = 0
        self.instances_discarded = 0
        self._dropped_headers: set[str] = set()  # framing headers already reported once
        self._decode = ResponseDecoder(self.limits, self._framing_dropped)

    # ---------- loading ----------

    def _snapshot_key(self) -> str:
        return snapshot_key(self.host.guest_sha256, self.host.prelude_sha256, self.bundle.name, self.bundle.source,
                            self.limits.js_stack_bytes)

    def _clock_seed_ns(self) -> int:
        # The clock while the snapshot is made: it becomes QuickJS's hash seed
        # and performance.now's time origin. Per handler build, never a host
        # secret; Math.random is reseeded for every instance.
        return int.from_bytes(hashlib.sha256(self._snapshot_key().encode()).digest()[:6], "little") + 1

    def _instance_source(self) -> tuple[wasmtime.InstancePre, int]:
        """What this handler's instances are made from, and their initial memory: its own snapshot."""
        module, initial_memory = self._pre_initialised_module()
        return self.host.linker.instantiate_pre(module), initial_memory

    def _pre_initialised_module(self) -> tuple[wasmtime.Module, int]:
        key = self._snapshot_key()
        cached = self.host.engine.cache.lookup(key)
        if cached is not None:
            return cached, initial_memory(cached)
        image = self._build_image()
        module = self.host.engine.cache.load(preinitialize(self.host.guest_wasm, image), key)
        return module, len(image)

    def _build_image(self) -> bytes:
        """Runs init + prelude + the handler's module scope once and returns the memory image."""
        inst = GuestInstance(self.host.engine.wasmtime, self.host.base_pre, self.functions,
                             memory_limit=max(self.limits.memory_bytes, 32 << 20), logger=self._guest_log,
                             fresh_module=True, statics=self.host.statics)
        seed = self._clock_seed_ns()
        try:
            inst.init(self.host.prelude.encode(), clock_seed_ns=seed)
            inst.configure(js_stack_bytes=self.limits.js_stack_bytes)
            inst.load(self.bundle.source.encode(), self.bundle.name, clock_seed_ns=seed)
        except GuestFailure as e:
            raise self._load_error(e) from None
        return inst.memory_image()

    def _load_error(self, e: GuestFailure) -> HandlerLoadError:
        """A failed load (syntax error, throwing module scope, no handler) at its place in the source."""
        stack = e.info.get("stack", "")
        # a trap's own message is wasmtime's multi-line backtrace of guest functions, which tells the bundle's
        # author nothing: a load that trapped is described by what stopped it
        message = _LOAD_TRAPS.get(e.kind, f"the module scope trapped ({e.kind})") if e.trapped else _describe(e)
        return HandlerLoadError(self.bundle.name, message, stack, self._locate(stack))

    # ---------- instances ----------

    def _new_instance(self, *, reseed: bool = True) -> GuestInstance:
        inst = self._instantiate()
        if reseed:  # else its one request brings the seed (a fresh instance: _request_seed)
            inst.reseed()
        inst.ctx.grants = self.grants
        inst.ctx.clock_origin_ns, inst.ctx.clock_start_ns = self.clock_origin_ns, time.monotonic_ns()
        inst.ctx.bundle_sha256 = self.bundle_sha256
        self._count_created()
        return inst

    def _instantiate(self) -> GuestInstance:
        """A new instance of this handler's code (a subclass that loads its code at run time does it here)."""
        inst = GuestInstance(self.host.engine.wasmtime, self.pre, self.functions,
                             memory_limit=self.limits.memory_bytes, logger=self._guest_log, fresh_module=False,
                             statics=self.host.statics)
        pristine = self._pristine_buffer
        if pristine is None:
            pristine = self._pristine_buffer = inst.pristine_buffer()
        inst.use_buffer(pristine)
        return inst

    def _count_created(self) -> None:
        self.instances_created += 1

    def _acquire(self) -> GuestInstance:
        """This request's instance (a fresh one unseeded: its request brings the seed, _request_seed)."""
        if not self.pooled:
            return self._new_instance(reseed=False)
        inst = self._local.instance
        if inst is None:
            inst = self._local.instance = self._new_instance()
        return inst

    def _released(self, inst: GuestInstance, fuel: int) -> None:
        """After each request on `inst` (given `fuel`): a pooled instance that grew past the recycle limit is
        replaced (a subclass returns it to its pool and meters it instead)."""
        if inst.memory_size_seen() > self.limits.recycle_memory_bytes and self._local.instance is inst:
            self._discard(inst)

    def _discard(self, inst: GuestInstance) -> None:
        self.instances_discarded += 1
        if self._local.instance is inst:
            self._local.instance = None

    def warm(self) -> None:
        """Creates this thread's pooled instance ahead of the first request."""
        if self.pooled:
            self._acquire()

    # ---------- requests ----------

    def handle(self, request: HttpRequest, journal: Journal | None = None) -> HttpResponse:
        """Serves one request; with `journal`, its I/O is recorded or played back (journal.py)."""
        response = self._run(request, trial_route=None, journal=journal)
        assert response is not None
        return response

    def handle_inline(self, request: HttpRequest) -> HttpResponse | None:
        """Tries `request` on this thread's instance; None: run it with handle() on a worker thread.

        For a server whose event loop would otherwise hand every request to a
        thread and back. The trial is bounded (trial.TRIAL_FUEL_MS of fuel,
        TRIAL_DEADLINE_MS of wall clock) and stopped by a trap at the
        handler's first host call that could change something outside the
        instance or wait on I/O (cache, SQL, egress, logging: see
        Export.trial_safe), before that call does anything; console lines are
        held back until the trial succeeds. A stopped trial's
        instance is discarded, so its partial run leaves no trace, and the
        request runs again, whole, wherever handle() is called. Only `pooled`
        handlers try; the first call creates this thread's instance.
        """
        if not self.pooled or self.trial_fuel >= self.fuel:
            return None
        route = route_of(request.method, request.url)
        return self._run(request, trial_route=route, journal=None) if self.trials.should_try(route) else None

    @property
    def trial_fuel(self) -> int:
        # A trial must stop before the request's own limits could: with a
        # smaller fuel budget or a deadline at or below the trial's, no trials.
        if self._trial_fuel is None:
            fuel = int(self.host.fuel_per_ms() * TRIAL_FUEL_MS)
            self._trial_fuel = self.fuel if self.limits.timeout_ms <= TRIAL_DEADLINE_MS else fuel
        return self._trial_fuel

    def _run(self, request: HttpRequest, *, trial_route: str | None, journal: Journal | None) -> HttpResponse | None:
        # trial_route: the request is a trial (handle_inline) of this route; None for handle()
        trace = self.trace if journal is None else None
        if trace is not None:
            journal = Journal.record()
            started = _perf_counter_ns()
        try:
            response = self._run_guest(request, trial_route, journal)
        except Exception as e:  # a host bug must answer 500 JSON, never escape into the server
            log.error("%s: internal error serving %s: %s", self.bundle.name, request.method, type(e).__name__)
            log.debug("internal error", exc_info=True)
            response = failure_response(Failure("internal_error", message=type(e).__name__))
        if response is None:  # a stopped trial leaves nothing: its request is recorded when it runs again
            return None
        if trace is not None:
            trace.record(request, journal, response, (_perf_counter_ns() - started) // 1000)  # type: ignore[arg-type]
        elif journal is not None:
            journal.finish()
        return response

    def _run_guest(self, request: HttpRequest, trial_route: str | None,
                   journal: Journal | None) -> HttpResponse | None:
        trial = trial_route is not None
        if len(request.body) > self.limits.max_body_bytes:
            return failure_response(Failure("body_too_large", detail={"limitBytes": self.limits.max_body_bytes}))
        # what a server refuses before its handler runs, refused here for every caller (the embedding host,
        # replay): the guest builds `req.headers` in time quadratic in their number (5,000 spent a tenant's
        # whole 5 s timeout) and a 64 MiB target reached the memory limit, for input the code never saw
        if len(request.url) > MAX_TARGET_BYTES:
            return failure_response(Failure("url_too_long", detail={"limitBytes": MAX_TARGET_BYTES}))
        if len(request.headers) > MAX_REQUEST_HEADERS:
            return failure_response(Failure("too_many_headers", detail={"limit": MAX_REQUEST_HEADERS}))
        meta = request_meta(request.method, request.url, request.headers)
        if meta is None:
            return failure_response(Failure("bad_request", message=(
                "a request's method, target and header fields cannot hold a NUL character")))
        try:
            inst = self._acquire()
        except GuestFailure as e:
            if e.kind == "instances_exhausted":
                return failure_response(Failure(e.kind, message=_describe(e)))
            # a bundle loaded unchecked (tenants, check=False) that does not load: the 500 says nothing of
            # why, so its one log line is where the platform finds out
            error = self._load_error(e)
            log.error("%s: cannot load the handler: %s", self.bundle.name, escape_controls(str(error)))
            return failure_response(Failure("internal_error", message=error.message))
        ctx = inst.ctx
        self._prepare(inst, journal, request)
        held: list[tuple[str, str]] = []
        fuel, soft_timeout_ms, hold_gil = self.fuel, None, False
        if trial:
            self.trials.started()
            ctx.trial, ctx.trial_stopped, ctx.logger = True, False, lambda level, text: held.append((level, text))
            fuel, soft_timeout_ms = self.trial_fuel, TRIAL_DEADLINE_MS
            # a trial's millisecond keeps the GIL: releasing it would hand it to the server's I/O thread,
            # and taking it back costs more than the trial (needs the epoch's native ticker to stop it)
            hold_gil = self.host.engine.native_epochs
        try:
            meta_out, body_out = inst.handle(meta, request.body, timeout_ms=self.limits.timeout_ms, fuel=fuel,
                                soft_timeout_ms=soft_timeout_ms, seed=self._request_seed(journal),
                                hold_gil=hold_gil)
        except GuestFailure as e:
            if trial_route is not None and (ctx.trial_stopped or e.kind in ("cpu_limit", "timeout")):
                # over budget or about to reach outside: the request runs again on a thread
                self._discard(inst)
                self.trials.stopped(trial_route, remember=e.kind != "timeout")
                return None
            if e.trapped:
                self._discard(inst)
            self._flush_log(held, ctx.log_dropped)
            if ctx.fatal is not None:  # the host stopped it: its reason, not the guest's unwinding
                return ctx.fatal.response()
            return failure_response(self._failure(e, inst))
        finally:
            if ctx.after_request:
                self._after_request(ctx)
            ctx.journal = None
            if trial:
                ctx.trial, ctx.logger = False, self._guest_log
            self._released(inst, fuel)
        if held or ctx.log_dropped:
            self._flush_log(held, ctx.log_dropped)
        if ctx.fatal is not None:  # the host stopped the request after the guest's last host call
            return ctx.fatal.response()
        return negotiate(request, self._decode(meta_out, body_out))

    def _after_request(self, ctx: CallContext) -> None:
        callbacks, ctx.after_request = ctx.after_request, []
        for callback in callbacks:
            try:
                callback(ctx)
            except Exception as e:  # one failing clean-up must not skip the others
                log.error("%s: clean-up after a request failed: %s", self.bundle.name, type(e).__name__)

    def _request_seed(self, journal: Journal | None) -> int:
        """What handle() re-seeds Math.random with: a journal's seed; a new one from the OS for a fresh
        instance, which skips its own reseed call (one guest call less per fresh request); else 0, none."""
        if journal is None and not self.pooled:
            return _os_seed()
        return _seed_of(journal)

    def _prepare(self, inst: GuestInstance, journal: Journal | None, request: HttpRequest) -> None:
        ctx = inst.ctx
        ctx.denied = ctx.fatal = None
        ctx.request = request
        ctx.journal = journal
        ctx.log_lines_left, ctx.log_bytes_left, ctx.log_dropped = self.limits.log_lines, self.limits.log_bytes, 0

    def _flush_log(self, held: list[tuple[str, str]], dropped: int) -> None:
        for level, text in held:
            self._guest_log(level, text)
        if dropped:
            self._guest_log("warn", f"{dropped} more log line{'s' if dropped != 1 else ''} of this request dropped: "
                                    f"the log budget is {self.limits.log_lines} lines and "
                                    f"{format_size(self.limits.log_bytes)} per request")

    def _framing_dropped(self, name: str) -> None:
        if name not in self._dropped_headers:
            self._dropped_headers.add(name)
            self._guest_log("warn", f"response header {name!r} dropped: the server owns message framing "
                                    "(content-length, transfer-encoding, connection and the like)")

    def _failure(self, e: GuestFailure, inst: GuestInstance) -> Failure:
        kind = e.kind
        f = Failure(kind, message=e.info.get("message", ""), stack=e.info.get("stack", "") or "",
                    instance_discarded=e.trapped)
        if kind == "timeout":
            f.detail = {"limitMs": self.limits.timeout_ms}
        elif kind == "cpu_limit":
            f.detail = {"fuel": self.fuel}
        elif kind == "memory_limit":
            f.detail = {"limitBytes": self.limits.memory_bytes}
        elif kind == "capability_denied" and inst.ctx.denied is not None:
            f.detail = {"capability": inst.ctx.denied.capability, "name": inst.ctx.denied.name}
        elif kind in ("handler_error", "bad_response"):
            name = e.info.get("name")
            if name and name not in ("Error", "Uncaught") and not f.message.startswith(name):
                f.message = f"{name}: {f.message}"
            f.at = self._locate(f.stack)
        return f

    def _locate(self, stack: str) -> str | None:
        """The first stack frame inside the handler, mapped back to its source."""
        for m in _FRAME.finditer(stack or ""):
            file, line, col = m.group(1), int(m.group(2)), int(m.group(3))
            if file != self.bundle.name:
                continue
            if self.bundle.line_map is not None:
                mapped = self.bundle.line_map(line, col)
                if mapped is not None:
                    return f"{mapped[0]}:{mapped[1]}:{mapped[2]}"
            return f"{file}:{line}:{col}"
        return None

    def _guest_log(self, level: str, text: str) -> None:
        self.host.log_sink(self.bundle.name, level, text)


class _ThreadSlot(threading.local):
    """A thread's own instance of a pooled handler, and the fuel of its last request (tenants meter it).

    Class-level defaults: reading a slot this thread never set finds them
    instead of raising and catching an AttributeError on every request.
    """

    instance: GuestInstance | None = None
    fuel: int = 0


def _os_seed() -> int:
    return int.from_bytes(os.urandom(8), "little", signed=True) or 1


def _seed_of(journal: Journal | None) -> int:
    """What the guest's handle() re-seeds Math.random with: 0 leaves it alone, so a journal's seed of 0 goes as 1,
    which seeds the same state (QuickJS's xorshift cannot start from 0)."""
    if journal is None:
        return 0
    return journal.seed or 1


def _describe(e: GuestFailure) -> str:
    message = e.info.get("message", "") or e.kind
    name = e.info.get("name")
    if name and name != "Uncaught" and not message.startswith(name):
        return f"{name}: {message}"
    return message


def initial_memory(module: wasmtime.Module) -> int:
    """Bytes of linear memory an instance of `module` starts with."""
    for exp in module.exports:
        if exp.name == "memory":
            return exp.type.limits.min * 65536  # type: ignore[union-attr]
    return 0

