"""The module registry: every `zigttp:*` export in one table, and the host-call plumbing built from it.

The compiler (imports, types), the verifier, the contract extractor, the
tracer and the host all read this one table: adding an export is one Export
entry plus its Python implementation. Free of wasmtime, so the serving parent
process can name cache entries (the prelude embeds the table) without creating
an engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from .abi import CallStatus
from .paths import PRELUDE_JS

if TYPE_CHECKING:
    from .http import HttpResponse
    from .imports import CallContext


class HostCallError(Exception):
    """Raised by a host function to answer the guest with a JS error."""

    status = CallStatus.ERROR


class HostTypeError(HostCallError):
    status = CallStatus.TYPE_ERROR


class HostRangeError(HostCallError):
    status = CallStatus.RANGE_ERROR


class HostInterrupted(HostCallError):
    """The request's time ran out before or during the call: answered like the guest's own interrupt (504)."""

    status = CallStatus.INTERRUPTED


class HostFatal(HostCallError):
    """The host cannot go on with this request; the guest unwinds as at the deadline (uncatchable).

    The Handler then answers the failure `kind` with this message, whatever
    the guest returned: a handler must not catch it and carry on.
    """

    status = CallStatus.INTERRUPTED
    kind = "internal_error"

    def response(self) -> HttpResponse:
        """What the request answers: the failure `kind` with this message (a subclass may answer otherwise)."""
        from .http import Failure, failure_response

        return failure_response(Failure(self.kind, message=str(self)))


class JournalWriteFailed(HostFatal):
    """A journal sink (trace, durable oplog) refused a write-ahead entry: the result must not reach the guest."""

    kind = "journal_write_failed"


class CapabilityDenied(HostCallError):
    """Becomes an uncatchable error in the guest; the request fails with 500."""

    status = CallStatus.DENIED

    def __init__(self, capability: str, name: str) -> None:
        super().__init__(f"{capability} {name!r} is not granted")
        self.capability = capability
        self.name = name


HostFunction = Callable[["CallContext", list[Any]], Any]

RETURN_KINDS = ("value", "optional", "result")
EFFECTS = ("none", "read", "write")
# Capabilities whose calls stay inside the process and return at once (no
# cache, SQL or egress): what a trial run may use, given an effect other than write.
TRIAL_SAFE_CAPABILITIES = (None, "env", "clock", "random", "crypto")
FAILURES = ("none", "soft", "hard")


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # TypeScript type text: "string", "number | undefined", "Record<string, unknown>", ...
    optional: bool = False
    variadic: bool = False  # `...name: T[]`: takes any number of trailing arguments


@dataclass(frozen=True)
class Export:
    """One export of one virtual module, as every part of zigttp sees it."""

    module: str  # "zigttp:env"
    name: str  # "env"
    params: tuple[Param, ...]
    returns: str  # TypeScript return type text
    return_kind: str = "value"  # value | optional (T | undefined) | result ({ok, value} | {ok, error})
    effect: str = "none"  # none | read | write: drives read_only / idempotent / retry_safe
    capability: str | None = None  # env | egress | cache | sql | clock | random | crypto | None
    # Which argument names the capability's target (env name, cache namespace,
    # SQL statement name, URL): what a contract lists and the host grants.
    capability_arg: int | None = None
    failure: str = "none"  # none | soft (error value) | hard (throws)
    labels: tuple[str, ...] = ()  # data labels of the result: secret, credential, user_input, validated, ...
    traced: bool = True  # recorded at the I/O boundary by --trace / replayed by replay
    # A deterministic check of its arguments alone (validate, decode): a test
    # fixture need not stub it, the call runs live when no fixture answers it.
    replay_pure: bool = False
    # Test fixtures (Journal.stub) describe one JS-level call; an export whose
    # wrapper makes several host calls marks the ones that only keep its own
    # bookkeeping (parallel()'s begin/next): those answer undefined and never
    # take a fixture. Given the call's arguments.
    bookkeeping: Callable[[list[Any]], bool] | None = None
    # What a call no fixture answers gets in a test, when undefined would
    # break the export's wrapper (fetch: a 599 response). Given the arguments.
    unstubbed: Callable[[list[Any]], Any] | None = None
    impl: HostFunction | None = None  # None: implemented in JS only (`js`)
    # Optional JS source of `(call, lib) => function`, pasted into the guest
    # prelude, for exports that need guest-side logic around the host call
    # (e.g. thunks). `call(args)` performs this export's host call; `lib`
    # holds prelude helpers (Result, Response, makeResult, ...).
    js: str | None = None
    doc: str = ""
    # May the handler's module scope call it? Module scope runs once, when the
    # pre-initialised snapshot is built (maybe in another process), so
    # anything that reads the outside world there would be frozen into the
    # image. None: only effect-free exports (registrations opt in).
    module_scope: bool | None = None

    def __post_init__(self) -> None:
        if self.return_kind not in RETURN_KINDS:
            raise ValueError(f"{self.module}.{self.name}: return_kind must be one of {RETURN_KINDS}")
        if self.effect not in EFFECTS:
            raise ValueError(f"{self.module}.{self.name}: effect must be one of {EFFECTS}")
        if self.failure not in FAILURES:
            raise ValueError(f"{self.module}.{self.name}: failure must be one of {FAILURES}")

    @property
    def trial_safe(self) -> bool:
        """May a trial run (Handler.handle_inline) make this call?

        Only when it changes nothing outside the instance and waits on no I/O,
        so that a trial stopped later can run again from the start.
        """
        return self.effect != "write" and self.capability in TRIAL_SAFE_CAPABILITIES

    @property
    def required(self) -> int:
        """How many leading parameters a call must pass."""
        return sum(1 for p in self.params if not p.optional and not p.variadic)

    @property
    def max_args(self) -> int | None:
        """How many arguments a call may pass (None: any number)."""
        return None if any(p.variadic for p in self.params) else len(self.params)

    @property
    def allowed_at_module_scope(self) -> bool:
        return self.effect == "none" if self.module_scope is None else self.module_scope

    @property
    def trace_module(self) -> str:
        """The name traces and test files use for the module ("env" for zigttp:env)."""
        return self.module.partition(":")[2]

    def signature(self) -> str:
        def one(p: Param) -> str:
            if p.variadic:
                simple = p.type.replace("_", "").isalnum()
                return f"...{p.name}: {p.type if simple else f'({p.type})'}[]"
            return f"{p.name}{'?' if p.optional else ''}: {p.type}"

        return f"{self.name}({', '.join(one(p) for p in self.params)}): {self.returns}"


@dataclass(frozen=True, slots=True)
class TracedExport:
    """What a journal needs of a traced export (journal.py)."""

    module: str  # the trace name: "env" for zigttp:env
    fn: str
    replay_pure: bool  # stub mode runs it live when no fixture answers it
    secret: bool = False  # its result is a secret: traces redact it (labels)
    bookkeeping: Callable[[list[Any]], bool] | None = None  # Export.bookkeeping
    unstubbed: Callable[[list[Any]], Any] | None = None  # Export.unstubbed


@dataclass
class HostFunctions:
    """Host-call ids → implementations, plus the module table the prelude builds stubs from."""

    by_id: dict[int, tuple[str, HostFunction]] = field(default_factory=dict)
    # ids a trial run may call (Export.trial_safe); any other stops the trial
    trial_safe: set[int] = field(default_factory=set)
    # specifier → export name → host-call id
    modules: dict[str, dict[str, int]] = field(default_factory=dict)
    # (specifier, export name) → how the prelude wraps the host call
    kinds: dict[tuple[str, str], str] = field(default_factory=dict)
    wrappers: dict[tuple[str, str], str] = field(default_factory=dict)
    log_id: int = 0
    # ids of the exports a journal records and plays back (Export.traced)
    traced: dict[int, TracedExport] = field(default_factory=dict)
    # What the implementations act on: configuration and live resources
    # (cache store, SQLite, HTTP client), reached as ctx.functions.runtime.
    # A zigttp_host.virtual_modules.runtime.ModuleRuntime for the built-in modules.
    runtime: Any = None

    def bind(self, runtime: Any) -> HostFunctions:
        """The same tables over another runtime (other configuration, other state)."""
        return HostFunctions(by_id=self.by_id, trial_safe=self.trial_safe, modules=self.modules, kinds=self.kinds,
                             wrappers=self.wrappers, log_id=self.log_id, traced=self.traced, runtime=runtime)

    def add(self, export: Export, fn_id: int) -> None:
        if fn_id in self.by_id:
            raise ValueError(f"host-call id {fn_id} is used twice")
        if export.impl is not None:
            self.by_id[fn_id] = (f"{export.module}.{export.name}", export.impl)
            if export.trial_safe:
                self.trial_safe.add(fn_id)
            if export.traced:
                self.traced[fn_id] = TracedExport(export.trace_module, export.name, export.replay_pure,
                                                    "secret" in export.labels, export.bookkeeping,
                                                    export.unstubbed)
        self.modules.setdefault(export.module, {})[export.name] = fn_id
        self.kinds[(export.module, export.name)] = export.return_kind
        if export.js:
            self.wrappers[(export.module, export.name)] = export.js

    def module_table_js(self) -> str:
        """The table as JS source: {log, modules: {spec: {name: [id, kind, wrapper|undefined]}}}."""
        parts = []
        for spec in sorted(self.modules):
            entries = []
            for name in sorted(self.modules[spec]):
                fn_id = self.modules[spec][name]
                kind = self.kinds.get((spec, name), "value")
                wrapper = self.wrappers.get((spec, name), "undefined")
                entries.append(f"{orjson.dumps(name).decode()}: [{fn_id}, {orjson.dumps(kind).decode()}, {wrapper}]")
            parts.append(f"{orjson.dumps(spec).decode()}: {{{', '.join(entries)}}}")
        return f"{{ log: {self.log_id}, modules: {{{', '.join(parts)}}} }}"


def prelude_source(functions: HostFunctions) -> str:
    """The guest prelude with this host's module table built in."""
    return PRELUDE_JS.read_text().replace("__ZIGTTP_MODULE_TABLE__", functions.module_table_js())
