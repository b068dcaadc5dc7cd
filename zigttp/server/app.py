"""The RSGI application each granian worker runs."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson
from granian.rsgi import ProtocolClosed

from zigttp_host import Bundle, Failure, Handler, Host, HttpRequest, HttpResponse
from zigttp_host.durable.scheduler import Scheduler
from zigttp_host.grants import Grants
from zigttp_host.http import MAX_REQUEST_HEADERS, MAX_TARGET_BYTES, failure_response
from zigttp_host.logtext import escape_controls
from zigttp_host.tracefile import TraceWriter

from ..loader import StoredLineMap
from . import generations
from .config import ServeConfig
from .deadline import BodyDeadlines
from .dispatch import ThreadDispatcher

log = logging.getLogger("zigttp.server")
access_log = logging.getLogger("zigttp.access")

_TEXT = [("content-type", "text/plain; charset=utf-8")]
_JSON = [("content-type", "application/json")]
CONTRACT_PATH = "/_zigttp/contract"  # answered only with --expose-contract
GIL_SWITCH_INTERVAL_S = 0.001
STORE_RETRY_S = 2  # a durable database out of reach at start: how often a worker tries again
GENERATION_POLL_S = 0.2  # --watch: how often a worker looks for a newly published generation


def _json_error(kind: str, message: str = "", **detail: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    r = failure_response(Failure(kind, message=message, detail=detail))
    return r.status, r.headers, r.body


class ZigttpApp:
    """Reads the request, runs the handler, writes the response.

    Each request is first tried on the event loop's own instance
    (Handler.handle_inline): a trial is stopped after about a millisecond, or
    at the handler's first host call before that call happens, and the
    request then runs on a worker thread. So quick, self-contained requests
    skip two thread hand-offs, while a slow handler or one waiting on I/O
    never stalls /_health or the other requests of this worker: wasm runs
    with the GIL released and each thread owns its own instance.
    """

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.limits = config.limits_obj()
        self.handler: Handler | None = None
        self.dispatcher: ThreadDispatcher | None = None
        self.body_deadlines: BodyDeadlines | None = None
        self.scheduler: Scheduler | None = None
        self.trace: TraceWriter | None = None
        self.host: Host | None = None
        self.generation = generation_of(config)

    # granian calls this once per worker, before serving
    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        _configure_logging(self.config.quiet)
        # Handler threads that run Python host work hold the GIL for up to the
        # switch interval before the event loop gets a turn; 5 ms (CPython's
        # default) per turn would show in every other request's latency.
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        host = self.host = Host(modules=self.config.module_config(), engine_config=self.config.engine_config())
        self.trace = self._trace_writer(host)  # one writer for every generation
        state = Path(self.config.bundle_path).parent
        published = generations.current(state) if self.config.watch else None
        self.generation = generation_of(self.config) if published is None else published
        self.handler = self._load(self.generation)
        # every thread warms its own instance before the worker accepts requests,
        # this one (the event loop's, for the inline trials) included
        if self.config.inline:
            self.handler.warm()
        self.body_deadlines = BodyDeadlines(loop, self.config.body_timeout_s)
        self.dispatcher = ThreadDispatcher(loop, self.config.threads, thread_init=lambda: self._current().warm())
        if self.config.watch:
            threading.Thread(target=self._follow_generations, args=(state,), name="zigttp-generations",
                             daemon=True).start()
        self._start_scheduler(host)

    def _start_scheduler(self, host: Host) -> None:
        """One worker leads (the folder's lock, or the database's lead lease); the others stand by."""
        try:
            store = host.functions.runtime.durable_store()
        except OSError as e:  # the database is out of reach: retried until it answers
            log.error("durable store unavailable (%s); retrying every %d s", e, STORE_RETRY_S)
            retry = threading.Timer(STORE_RETRY_S, self._start_scheduler, args=(host,))
            retry.daemon = True
            retry.start()
            return
        if store is not None:  # the current version resumes runs (--watch --prove-durable swaps it)
            self.scheduler = Scheduler(store, lambda request: self._current().handle(request),
                                       retention_s=self.config.module_config().durable_retention_s)
            self.scheduler.start()

    def _current(self) -> Handler:
        assert self.handler is not None
        return self.handler

    def _load(self, generation: generations.Generation) -> Handler:
        source = Path(generation.bundle_path).read_text(encoding="utf-8")
        line_map = None
        if generation.line_map_path:
            line_map = StoredLineMap(json.loads(Path(generation.line_map_path).read_text(encoding="utf-8"))).lookup
        grants = None if generation.grants is None else Grants.from_dict(generation.grants)
        assert self.host is not None
        return self.host.load(Bundle(source, generation.bundle_name, line_map), self.limits,
                              isolation=self.config.isolation, grants=grants, trace=self.trace)

    def _follow_generations(self, state: Path) -> None:
        """--watch: loads each newly published generation beside the running one, then swaps.

        A request holds the handler it started with, so requests in flight
        finish on the old version and every request after the swap gets the new one.
        """
        seen = generations.stamp(state)
        while True:
            time.sleep(GENERATION_POLL_S)
            stamp = generations.stamp(state)
            if stamp == seen:
                continue
            seen = stamp
            published = generations.current(state)
            if published is None or published.number == self.generation.number:
                continue
            try:
                handler = self._load(published)
            except Exception as e:  # the parent validated it; keep serving the old one if this worker cannot
                log.error("%s: generation %d not loaded, still serving %d: %s", self.config.bundle_name,
                          published.number, self.generation.number, e)
                continue
            self.handler, self.generation = handler, published
            if published.contract is not None:
                self.config.contract = published.contract

    def _trace_writer(self, host: Host) -> TraceWriter | None:
        t = self.config.trace
        if t is None:
            return None
        meta = {"handler": Path(self.config.handler_path).name, "isolation": self.config.isolation,
                "state_isolated": t.get("state_isolated")}
        return TraceWriter(t["path"], host.functions, meta=meta, max_bytes=t["max_bytes"], keep_secrets=t["secrets"])

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.dispatcher is not None:
            self.dispatcher.shutdown()

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        quiet = self.config.quiet
        started = 0.0 if quiet else time.perf_counter()
        path = scope.path
        method = scope.method
        if path == "/_health" and method in ("GET", "HEAD"):
            proto.response_str(200, _TEXT, "ok")
            return
        if path == CONTRACT_PATH and method == "GET" and self.config.expose_contract:
            proto.response_bytes(200, _JSON, orjson.dumps(self.config.contract))
            return
        status, headers, body = await self._serve(scope, proto, method, path)
        proto.response_bytes(status, headers, body)
        if not quiet:
            rid = scope.headers.get("x-request-id") or "-"
            if len(rid) > 64 or not rid.isprintable():
                rid = "-"
            access_log.info("access method=%s path=%s status=%d duration_ms=%.1f request_id=%s", method, path,
                            status, (time.perf_counter() - started) * 1000, rid)

    async def _serve(self, scope: Any, proto: Any, method: str, path: str) -> tuple[int, list, bytes]:
        if method == "CONNECT":
            # a 2xx answer would tell the client its tunnel is open (and lose the body): no handler sees CONNECT
            return _json_error("bad_request", "CONNECT is not supported: this server is not a proxy")
        if not path.startswith("/") and path != "*":
            # hyper takes a target such as "abc" as authority-form and hands over an empty path
            return _json_error("bad_request", "the request target must be a path starting with /")
        if "?" in path:
            # granian hands the path over percent-decoded: a "%3F" the client sent inside the path
            # would otherwise end it early and start a query the client never sent
            path = path.replace("?", "%3F")
        qs = scope.query_string
        url = f"{path}?{qs}" if qs else path
        # the Handler refuses these too; here they are answered before the body is read
        if len(url) > MAX_TARGET_BYTES:
            return _json_error("url_too_long", limitBytes=MAX_TARGET_BYTES)
        # granian (hyper) hands over header names already lower-cased; each read of scope.headers copies
        # them (about 250 ns), so they are read once
        raw = scope.headers
        headers = raw.items()
        if len(headers) > MAX_REQUEST_HEADERS:
            return _json_error("too_many_headers", limit=MAX_REQUEST_HEADERS)
        unreadable = _unreadable_header(raw, headers)
        if unreadable is not None:
            # granian withholds values that are not visible ASCII; refuse
            # rather than run the handler without a header the client sent
            return _json_error("bad_request", (
                f"request header {unreadable!r} has a value that is not visible ASCII: encode it "
                "(for example percent-encoding or RFC 8187)"))
        limit = self.limits.max_body_bytes
        declared = raw.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return _json_error("bad_request", "invalid Content-Length")
            if int(declared) > limit:
                return _json_error("body_too_large", limitBytes=limit)
        chunked = raw.get("transfer-encoding")
        body = b""
        if chunked or (declared is not None and declared != "0") or (declared is None and method not in _BODILESS):
            # only a request that sends a body pays for reading one (a GET's coroutine and deadline skipped)
            try:
                read = await self._read_request_body(proto, declared is not None and not chunked, limit)
            except IncompleteBody:
                return _json_error("bad_request", "the request body broke off (client gone or malformed chunk)")
            except BodyTimeout:
                return _json_error("body_timeout", limitSeconds=self.config.body_timeout_s)
            if read is None:
                return _json_error("body_too_large", limitBytes=limit)
            body = read
        assert self.handler is not None and self.dispatcher is not None
        request = HttpRequest(method, url, headers, body)
        handler = self.handler  # this request's version, whatever a --watch swap does meanwhile
        response = handler.handle_inline(request) if self.config.inline else None
        if response is None:
            try:
                response = await self.dispatcher.submit(handler.handle, request)
            except Exception as e:  # the handler answers every failure itself; this is a host bug
                log.error("%s %s %s: internal error: %s", self.config.bundle_name, method, path, type(e).__name__)
                return _json_error("internal_error")
        if response.failure is not None:
            _log_failure(self.config.bundle_name, method, path, response)
        return response.status, response.headers, response.body

    async def _read_request_body(self, proto: Any, declared: bool, limit: int) -> bytes | None:
        """The body (None: larger than `limit`) under the body deadline; BodyTimeout when it passed."""
        assert self.body_deadlines is not None
        task = self.body_deadlines.start()
        try:
            return await (_declared_body(proto) if declared else _read_body(proto, limit))
        except asyncio.CancelledError:
            if self.body_deadlines.finish(task):
                raise BodyTimeout from None
            raise  # not ours: the server is stopping
        finally:
            self.body_deadlines.finish(task)


_BODILESS = ("GET", "HEAD")


def _unreadable_header(raw: Any, items: list[tuple[str, str]]) -> str | None:
    """The name of a header granian listed without a value (not visible ASCII), or None."""
    names = raw.keys()
    if len(names) <= len(items) and len(names) == len({k for k, _ in items}):
        return None
    present = {k for k, _ in items}
    return next((n for n in names if n not in present), None)


# After a body turns out too large, up to this much more is read and dropped
# so the client (still sending) receives the 413 instead of a reset.
DRAIN_BYTES = 8 << 20


class IncompleteBody(Exception):
    """The request body did not arrive whole: the client went away mid-body, or a chunk was malformed."""


class BodyTimeout(Exception):
    """The request body did not arrive whole within --body-timeout."""


async def _declared_body(proto: Any) -> bytes:
    """A body whose Content-Length (within the limit) the server checked: one read, no chunk loop."""
    try:
        return await proto()
    except ProtocolClosed:  # hyper saw fewer bytes than Content-Length said
        raise IncompleteBody from None


async def _read_body(proto: Any, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    ended = False
    async for chunk in proto:
        # granian's body iterator ends with one empty chunk, and turns a body
        # error (a malformed chunk, a client gone mid-body) into an empty chunk
        # ahead of that one: anything after an empty chunk means the body broke
        # off. (Request trailers look the same and are refused with it; they
        # were never handed to the handler.)
        if ended:
            raise IncompleteBody
        if not chunk:
            ended = True
            continue
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > limit + DRAIN_BYTES:
            break
    return b"".join(chunks) if size <= limit else None


def _log_failure(name: str, method: str, path: str, response: HttpResponse) -> None:
    f = response.failure
    assert f is not None
    where = f" at {f.at}" if f.at else ""
    log.warning("%s %s %s: %s%s%s", name, method, path, f.kind, f": {f.message}" if f.message else "", where)


class EscapingFormatter(logging.Formatter):
    """One record, one line: control characters in any part of a message are escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))


def _configure_logging(quiet: bool) -> None:
    root = logging.getLogger("zigttp")
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("[%(asctime)s] %(message)s", "%Y-%m-%d %H:%M:%S"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    if quiet:
        logging.getLogger("zigttp.access").setLevel(logging.WARNING)


def generation_of(config: ServeConfig) -> generations.Generation:
    """Generation 0: the bundle the configuration names."""
    return generations.Generation(0, config.bundle_path, config.bundle_name, config.line_map_path, config.grants,
                                  config.contract)


def create_app() -> ZigttpApp:
    """granian's factory: builds the app from the configuration `zigttp serve` exported."""
    return ZigttpApp(ServeConfig.from_env())
