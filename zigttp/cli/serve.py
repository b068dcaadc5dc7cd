"""`zigttp serve HANDLER [--wasm] ...`: serve a handler over HTTP, every request inside the WebAssembly sandbox.

Its flags, in three groups: the server and the per-request limits; the
`zigttp:*` module settings (--outbound-host, --cache, --cache-prefix, --sqlite, --sql-schema;
turned into ModuleConfig settings by serve_modules.py); least privilege
(--contract, --allow-*, --no-env-check, --security-log, --expose-contract;
turned into Grants by serve_grants.py); recording (--trace, --trace-max-bytes,
--trace-secrets; written by each worker through zigttp_host.tracefile).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zigttp_host.limits import TRACE_MAX_BYTES as DEFAULT_TRACE_MAX_BYTES
from zigttp_host.limits import Limits, format_size

from .argtypes import (
    MAX_THREADS,
    cache_store,
    durable_store,
    duration,
    egress_host,
    name,
    non_negative_int,
    port,
    positive_int,
    size,
    threads,
    trace_size,
    workers,
)

if TYPE_CHECKING:
    from zigttp.loader import LoadedSource
    from zigttp.server.watch import WatchSettings


def add_command(sub: argparse._SubParsersAction) -> None:
    defaults = Limits()
    p = sub.add_parser(
        "serve",
        help="serve a handler over HTTP, sandboxed in QuickJS-NG/WebAssembly",
        description="Serve HANDLER over HTTP. Every request runs inside the WebAssembly sandbox with the limits "
                    "below; a request that exceeds one gets a JSON error and the server keeps serving. "
                    "GET /_health answers 200 'ok' at any time.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("handler", type=Path, help="handler file (.ts, .tsx, .js, .jsx)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind")
    p.add_argument("--port", "-p", type=port, default=8080, help="port to bind (0 picks a free one)")
    p.add_argument("--workers", type=workers, default=os.cpu_count() or 1,
                   help="worker processes (default: CPU count)")
    p.add_argument("--threads", type=threads, default=4,
                   help=f"handler threads per worker, each with its own sandbox instance (at most {MAX_THREADS})")
    p.add_argument("--isolation", choices=("pooled", "fresh"), default="pooled",
                   help="pooled: warm instances reused (a handler's own module state persists across the "
                        "requests one instance serves); fresh: a new instance from the snapshot per request, from "
                        "wasmtime's pooling allocator (2 x --threads + 16 slots; docs/host.md)")
    p.add_argument("--no-inline", dest="inline", action="store_false",
                   help="run every request on a handler thread; by default a pooled handler's request is first "
                        "tried on the event loop's own instance and moves to a thread when it needs about a "
                        "millisecond or more, or reaches the cache, SQL, egress or logging (that instance is "
                        "then replaced, so nothing of the partial run remains)")
    p.add_argument("--memory", type=size, default=defaults.memory_bytes, metavar="SIZE",
                   help=f"linear memory cap per instance (default {format_size(defaults.memory_bytes)})")
    p.add_argument("--timeout-ms", type=positive_int, default=defaults.timeout_ms,
                   help="wall-clock limit per request; a hard stop follows 100 ms later")
    p.add_argument("--fuel", type=positive_int, default=None,
                   help="CPU budget per request in wasm fuel units (default: derived from --timeout-ms, "
                        "calibrated for this guest build)")
    p.add_argument("--max-body-size", type=size, default=defaults.max_body_bytes, metavar="SIZE",
                   help=f"largest request body (default {format_size(defaults.max_body_bytes)}); larger → 413")
    p.add_argument("--body-timeout", type=duration, default=30, metavar="TIME",
                   help="how long a client may take to send a request's body, from the end of its headers "
                        "(default 30s; 45s, 2m, ...); later → 408 body_timeout, so a client that stops sending "
                        "cannot hold its request open")
    p.add_argument("--max-response-size", type=size, default=defaults.max_response_bytes, metavar="SIZE",
                   help=f"largest response body (default {format_size(defaults.max_response_bytes)})")
    p.add_argument("--recycle-memory", type=size, default=defaults.recycle_memory_bytes, metavar="SIZE",
                   help="replace a pooled instance whose memory grew past this after its request "
                        f"(default {format_size(defaults.recycle_memory_bytes)})")
    p.add_argument("--max-response-headers", type=positive_int, default=defaults.max_response_headers, metavar="N",
                   help="most headers a response may carry; more → 500 response_headers_too_large")
    p.add_argument("--max-response-header-size", type=size, default=defaults.max_response_header_bytes,
                   metavar="SIZE", help="largest total size of a response's header names and values "
                                        f"(default {format_size(defaults.max_response_header_bytes)})")
    p.add_argument("--max-log-lines", type=non_negative_int, default=defaults.log_lines, metavar="N",
                   help="console/zigttp:log lines one request may write; later lines are counted and dropped "
                        "with one notice")
    p.add_argument("--max-log-bytes", type=size, default=defaults.log_bytes, metavar="SIZE",
                   help=f"bytes of log one request may write (default {format_size(defaults.log_bytes)})")
    p.add_argument("--wasm", action="store_true",
                   help="run the handler in the WebAssembly sandbox (QuickJS-NG on wasmtime): the only engine, "
                        "so this is what serve always does")
    p.add_argument("--no-verify", action="store_true",
                   help="skip verification (unsafe: nothing is proven, only the sandbox and the --allow-* "
                        "grants hold): .js files load exactly as written, without the front end; TypeScript is "
                        "compiled but not verified")
    p.add_argument("-q", "--quiet", action="store_true", help="no access log")
    add_module_arguments(p)
    add_grant_arguments(p)
    add_trace_arguments(p)
    p.set_defaults(run=run_serve)


def add_trace_arguments(p: argparse.ArgumentParser) -> None:
    """Recording every request's I/O for `zigttp replay` and `zigttp mock` (docs/replay.md)."""
    p.add_argument("--trace", type=Path, default=None, metavar="PATH",
                   help="record every request (request, each module call, clock reading and random seed, "
                        "response) as one JSONL group appended to PATH; safe with several workers")
    p.add_argument("--trace-max-bytes", type=trace_size, default=DEFAULT_TRACE_MAX_BYTES, metavar="SIZE",
                   help="rotate the trace file when it would grow past SIZE (at least 1k): it is renamed "
                        f"PATH-stem.NNNNNN.jsonl (default {format_size(DEFAULT_TRACE_MAX_BYTES)}); 0: never rotate "
                        "(for an outside rotation such as logrotate: the workers reopen PATH once it is renamed)")
    p.add_argument("--trace-secrets", action="store_true",
                   help="UNSAFE: keep env() values and authorization/cookie headers in the trace; by default "
                        "they and every later occurrence of them are replaced by placeholders")


def add_module_arguments(p: argparse.ArgumentParser) -> None:
    """The `zigttp:*` module settings (serve_modules.module_settings)."""
    p.add_argument("--outbound-host", action="append", default=[], type=egress_host, metavar="HOST",
                   help="allow fetch/fetchSync/parallel to reach HOST: https on 443 and http on 80, or HOST:PORT "
                        "for another port (repeatable). Loopback and private addresses need their own entry "
                        "(e.g. 127.0.0.1:8080 or localhost:8080). Default: no egress")
    p.add_argument("--cache", type=cache_store, default="sqlite", metavar="{sqlite,memory,redis://HOST:PORT/DB}",
                   help="zigttp:cache store: sqlite shares entries and counters between all workers (a WAL file in "
                        "the server's state folder); memory is faster but per worker; redis://HOST:PORT/DB (or "
                        "rediss:// for TLS; redis://:PASSWORD@HOST/DB) shares them between every worker and host "
                        "using that Redis and --cache-prefix (install zigttp[scale]). Redis evicts by its own "
                        "maxmemory-policy; a Redis that cannot be reached at start is an error, one that goes "
                        "away later makes each cache call throw within about 2 s")
    p.add_argument("--cache-prefix", default=None, metavar="PREFIX",
                   help="with --cache redis://: the start of every Redis key of this deployment, so deployments "
                        "sharing one Redis database keep apart (default: zigttp:<handler file name>:)")
    p.add_argument("--sqlite", type=Path, default=None, metavar="FILE",
                   help="the SQLite database zigttp:sql statements run on (WAL mode, safe with several workers)")
    p.add_argument("--durable", type=durable_store, default=None, metavar="DIR|URL",
                   help="keep zigttp:durable runs under DIR (created on first use, owner-only), or in PostgreSQL "
                        "with postgresql://USER@HOST/DB (shared safely by several serve processes and hosts; schema "
                        "created by zigttp; docs/scaling.md): each step, sleep and waitSignal is stored before it "
                        "returns; without it every zigttp:durable export fails (docs/durable.md)")
    p.add_argument("--durable-lease", type=duration, default=15, metavar="TIME",
                   help="with --durable postgresql://…: how long a host's claim on a run lasts without renewal "
                        "(renewed while it runs); another host takes over a run whose owner died this long after "
                        "(default 15s)")
    p.add_argument("--durable-schema", default=None, metavar="NAME",
                   help="with --durable postgresql://…: the schema its tables live in (created by zigttp), one per "
                        "deployment sharing a database (default: the database's search_path)")
    p.add_argument("--durable-retention", type=duration, default=7 * 24 * 3600, metavar="TIME",
                   help="remove completed durable runs this long after they completed: 7d, 12h, 30m or 45s "
                        "(default 7d)")
    p.add_argument("--sql-schema", type=Path, default=None, metavar="FILE",
                   help="prepare every statement registered with sql() against this schema (SQL DDL) and refuse "
                        "the handler if one fails")


def add_grant_arguments(p: argparse.ArgumentParser) -> None:
    """Least privilege: what the handler may reach beyond its contract (serve_grants.serve_grants)."""
    p.add_argument("--contract", type=Path, default=None, metavar="FILE",
                   help="grant what this contract.json (from `zigttp build`) lists instead of deriving it; refused "
                        "unless its handler.sha256 matches the handler")
    p.add_argument("--allow-env", action="append", default=[], type=name, metavar="NAME",
                   help="also grant the environment variable NAME (repeatable): for access the analysis could not "
                        "prove")
    p.add_argument("--allow-egress", action="append", default=[], type=egress_host, metavar="HOST",
                   help="also let fetch reach HOST: a name or address for https on 443 and http on 80, or "
                        "HOST:PORT for another port (repeatable; IP addresses and localhost need this even when "
                        "the contract lists them)")
    p.add_argument("--allow-cache", action="append", default=[], type=name, metavar="NS",
                   help="also grant the zigttp:cache namespace NS (repeatable)")
    p.add_argument("--allow-sql", action="append", default=[], type=name, metavar="NAME",
                   help="also grant the SQL statement NAME (repeatable)")
    p.add_argument("--no-env-check", action="store_true",
                   help="start even when an environment variable the contract lists is not set")
    p.add_argument("--security-log", type=Path, default=None, metavar="FILE",
                   help="append every capability denial (env, cache, sql, egress) as one JSON line (safe with "
                        "several workers)")
    p.add_argument("--expose-contract", action="store_true",
                   help="answer GET /_zigttp/contract with the running contract and the effective grants")
    w = p.add_argument_group("live reload")
    w.add_argument("--watch", action="store_true",
                   help="watch the handler and its local imports; on change recompile, verify and swap it into "
                        "every worker (requests in flight finish on the old version); a change that does not "
                        "verify keeps the running one. Durable handlers do not swap live")
    w.add_argument("--prove", action="store_true",
                   help="with --watch: prove each change against the running version (zigttp prove's rules) "
                        "and refuse a BREAKING one")
    w.add_argument("--force-swap", action="store_true",
                   help="with --watch --prove: swap a BREAKING version anyway (loudly)")
    w.add_argument("--prove-durable", action="store_true",
                   help="with --watch --durable DIR: let a durable handler swap, when each change is proven and "
                        "every in-flight run replays on it (zigttp prove --durable); implies --prove")


def _trace_settings(args: argparse.Namespace, loaded: LoadedSource) -> dict[str, Any] | None:
    if args.trace is None:
        return None
    if args.trace_secrets:
        print("WARNING: --trace-secrets: the trace keeps environment values and credential headers in clear text",
              file=sys.stderr)
    properties = (loaded.contract or {}).get("properties", {})
    state_isolated = properties.get("state_isolated") if isinstance(properties, dict) else None
    return {"path": str(args.trace.resolve()), "max_bytes": args.trace_max_bytes, "secrets": args.trace_secrets,
            "state_isolated": state_isolated}


def run_serve(args: argparse.Namespace) -> int:
    from zigttp.loader import LoadError, load_handler
    from zigttp.server.config import ServeConfig
    from zigttp.server.run import StartError, serve

    from .serve_grants import ServeContractError, describe, serve_grants
    from .serve_modules import check_cache, check_durable_store, check_sql_schema, durable_schema_error, module_settings

    try:
        limits = Limits(memory_bytes=args.memory, timeout_ms=args.timeout_ms, fuel=args.fuel,
                        max_body_bytes=args.max_body_size, max_response_bytes=args.max_response_size,
                        recycle_memory_bytes=args.recycle_memory, max_response_headers=args.max_response_headers,
                        max_response_header_bytes=args.max_response_header_size, log_lines=args.max_log_lines,
                        log_bytes=args.max_log_bytes)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cache_error = check_cache(args)
    if cache_error is not None:
        return cache_error
    schema_error = durable_schema_error(args.durable, args.durable_schema)
    if schema_error is not None:
        print(schema_error, file=sys.stderr)
        return 2
    if args.no_verify:
        what = "plain JavaScript as written" if args.handler.suffix in (".js", ".mjs") else "compiled, unverified code"
        print(f"WARNING: --no-verify: serving {what}; nothing about this handler is proven, only the sandbox "
              "limits and explicit --allow-* grants hold", file=sys.stderr)
    try:
        loaded = load_handler(args.handler, verify=not args.no_verify)
    except LoadError as e:
        print(e.report, file=sys.stderr)
        return 1
    for warning in loaded.warnings:
        print(warning, file=sys.stderr)
    if args.sql_schema is not None and not check_sql_schema(loaded, args.sql_schema):
        return 1
    if not check_durable_store(args.durable, args.durable_lease, args.durable_schema):
        return 1
    try:  # least privilege: the handler's contract (plus --allow-* names) is all it may reach
        granted = serve_grants(args, args.handler, loaded.verified, loaded.bundle.name, loaded)
    except ServeContractError as e:
        print(e.message, file=sys.stderr)
        return e.exit_code
    if not args.quiet:
        print(describe(granted), file=sys.stderr)
    config = ServeConfig(handler_path=str(args.handler), bundle_path="", bundle_name=loaded.bundle.name,
                         host=args.host, port=args.port, workers=args.workers, threads=args.threads,
                         isolation=args.isolation, inline=args.inline, quiet=args.quiet,
                         body_timeout_s=args.body_timeout,
                         verified=loaded.verified,
                         limits=asdict(limits),
                         modules=module_settings(args), grants=granted.grants,
                         contract=granted.exposed() if args.expose_contract else None,
                         expose_contract=args.expose_contract, trace=_trace_settings(args, loaded))
    watch = _watch_settings(args, loaded)
    if isinstance(watch, int):
        return watch

    def grants_for(new: LoadedSource) -> tuple[dict, dict | None]:
        try:
            again = serve_grants(args, args.handler, new.verified, new.bundle.name, new)
        except ServeContractError as e:
            raise ValueError(e.message) from None
        return again.grants, again.exposed() if args.expose_contract else None

    try:
        return serve(loaded, config, watch, grants_for if watch is not None else None)
    except StartError as e:
        print(str(e), file=sys.stderr)
        return 1


def _watch_settings(args: argparse.Namespace, loaded: LoadedSource) -> WatchSettings | int | None:
    """--watch/--prove/--force-swap as settings; an exit code for a combination that cannot run."""
    from zigttp.server.watch import WatchSettings

    if (args.prove or args.force_swap or args.prove_durable) and not args.watch:
        print("error: --prove, --prove-durable and --force-swap apply to --watch", file=sys.stderr)
        return 2
    if args.prove_durable and args.durable is None:
        print("error: --prove-durable checks the runs of --durable DIR: give --durable too", file=sys.stderr)
        return 2
    if args.prove_durable and "://" in args.durable:
        print("error: --prove-durable replays a copy of a durable folder; it does not run against a database",
              file=sys.stderr)
        return 2
    if args.force_swap and not (args.prove or args.prove_durable):
        print("error: --force-swap overrides --prove's verdict: use it with --watch --prove", file=sys.stderr)
        return 2
    if not args.watch:
        return None
    if ((loaded.contract or {}).get("durable") or {}).get("used") and not args.prove_durable:
        print("error: --watch: a durable handler does not swap live (runs in flight would resume on code they "
              "were not recorded with); restart the server to deploy a new version, or add --prove-durable to "
              "swap only versions every in-flight run replays on", file=sys.stderr)
        return 2
    if args.no_verify:
        print("error: --watch verifies every change: it does not combine with --no-verify", file=sys.stderr)
        return 2
    durable_dir = Path(args.durable).resolve() if args.prove_durable else None
    return WatchSettings(prove=args.prove or args.prove_durable, force_swap=args.force_swap, durable_dir=durable_dir)
