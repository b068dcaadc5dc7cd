"""The `zigttp` command line."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
from pathlib import Path

from zigttp_host.limits import Limits, format_size, parse_size

from . import __version__
from .build_cmd import add_build_command
from .contract.serving import ServeContractError, add_contract_arguments, serve_grants, with_egress_grants
from .contract.serving import describe as describe_grants
from .module_flags import add_module_arguments, check_sql_schema, module_settings
from .types_cmd import add_types_command
from .verify_cmd import add_check, add_verify


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {n}")
    return n


def _non_negative_int(text: str) -> int:
    return 0 if text.strip() == "0" else _positive_int(text)


def _port(text: str) -> int:
    n = _positive_int(text) if text != "0" else 0
    if n > 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {n}")
    return n


def _add_serve(sub: argparse._SubParsersAction) -> None:
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
    p.add_argument("--port", "-p", type=_port, default=8080, help="port to bind (0 picks a free one)")
    p.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                   help="worker processes (default: CPU count)")
    p.add_argument("--threads", type=_positive_int, default=4,
                   help="handler threads per worker, each with its own sandbox instance")
    p.add_argument("--isolation", choices=("pooled", "fresh"), default="pooled",
                   help="pooled: warm instances reused (a handler's own module state persists across the "
                        "requests one instance serves); fresh: a new instance from the snapshot per request")
    p.add_argument("--no-inline", dest="inline", action="store_false",
                   help="run every request on a handler thread; by default a pooled handler's request is first "
                        "tried on the event loop's own instance and moves to a thread when it needs about a "
                        "millisecond or more, or reaches the cache, SQL, egress or logging (that instance is "
                        "then replaced, so nothing of the partial run remains)")
    p.add_argument("--memory", type=_size, default=defaults.memory_bytes, metavar="SIZE",
                   help=f"linear memory cap per instance (default {format_size(defaults.memory_bytes)})")
    p.add_argument("--timeout-ms", type=_positive_int, default=defaults.timeout_ms,
                   help="wall-clock limit per request; a hard stop follows 100 ms later")
    p.add_argument("--fuel", type=_positive_int, default=None,
                   help="CPU budget per request in wasm fuel units (default: derived from --timeout-ms, "
                        "calibrated for this guest build)")
    p.add_argument("--max-body-size", type=_size, default=defaults.max_body_bytes, metavar="SIZE",
                   help=f"largest request body (default {format_size(defaults.max_body_bytes)}); larger → 413")
    p.add_argument("--max-response-size", type=_size, default=defaults.max_response_bytes, metavar="SIZE",
                   help=f"largest response body (default {format_size(defaults.max_response_bytes)})")
    p.add_argument("--recycle-memory", type=_size, default=defaults.recycle_memory_bytes, metavar="SIZE",
                   help="replace a pooled instance whose memory grew past this after its request "
                        f"(default {format_size(defaults.recycle_memory_bytes)})")
    p.add_argument("--max-response-headers", type=_positive_int, default=defaults.max_response_headers, metavar="N",
                   help="most headers a response may carry; more → 500 response_headers_too_large")
    p.add_argument("--max-response-header-size", type=_size, default=defaults.max_response_header_bytes,
                   metavar="SIZE", help="largest total size of a response's header names and values "
                                        f"(default {format_size(defaults.max_response_header_bytes)})")
    p.add_argument("--max-log-lines", type=_non_negative_int, default=defaults.log_lines, metavar="N",
                   help="console/zigttp:log lines one request may write; later lines are counted and dropped "
                        "with one notice")
    p.add_argument("--max-log-bytes", type=_size, default=defaults.log_bytes, metavar="SIZE",
                   help=f"bytes of log one request may write (default {format_size(defaults.log_bytes)})")
    p.add_argument("--wasm", action="store_true", help="accepted for compatibility: the sandbox is the only engine")
    p.add_argument("--no-verify", action="store_true",
                   help="skip verification (unsafe: nothing is proven, only the sandbox and the --allow-* "
                        "grants hold): .js files load exactly as written, without the front end; TypeScript is "
                        "compiled but not verified")
    p.add_argument("-q", "--quiet", action="store_true", help="no access log")
    add_module_arguments(p)
    add_contract_arguments(p)
    p.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from .loader import LoadError, load_handler
    from .server.config import ServeConfig
    from .server.run import StartError, serve

    try:
        limits = Limits(memory_bytes=args.memory, timeout_ms=args.timeout_ms, fuel=args.fuel,
                        max_body_bytes=args.max_body_size, max_response_bytes=args.max_response_size,
                        recycle_memory_bytes=args.recycle_memory, max_response_headers=args.max_response_headers,
                        max_response_header_bytes=args.max_response_header_size, log_lines=args.max_log_lines,
                        log_bytes=args.max_log_bytes)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
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
    try:  # least privilege: the handler's contract (plus --allow-* names) is all it may reach
        granted = serve_grants(args, args.handler, loaded.verified, loaded.bundle.name, loaded)
    except ServeContractError as e:
        print(e.message, file=sys.stderr)
        return e.exit_code
    if not args.quiet:
        print(describe_grants(granted), file=sys.stderr)
    config = ServeConfig(handler_path=str(args.handler), bundle_path="", bundle_name=loaded.bundle.name,
                         host=args.host, port=args.port, workers=args.workers, threads=args.threads,
                         isolation=args.isolation, inline=args.inline, quiet=args.quiet,
                         verified=loaded.verified,
                         limits=asdict(limits),
                         modules=with_egress_grants(module_settings(args), granted), grants=granted.grants,
                         contract=granted.exposed() if args.expose_contract else None,
                         expose_contract=args.expose_contract)
    try:
        return serve(loaded, config)
    except StartError as e:
        print(str(e), file=sys.stderr)
        return 1


def _add_compile(sub: argparse._SubParsersAction) -> None:
    # the arguments are declared here, not imported, so that building the
    # parser never imports the compiler (start-up time of every command)
    p = sub.add_parser(
        "compile",
        help="compile a zigts handler (and its local imports) to one JavaScript module",
        description="Parse HANDLER, reject what the zigts subset does not allow (with a suggested alternative), "
                    "and print or write the emitted ES2020 module the sandbox runs.",
    )
    p.add_argument("handler", help="handler file (.ts, .tsx, .js, .jsx)")
    p.add_argument("-o", "--output", help="write the emitted JavaScript here instead of stdout")
    p.add_argument("--json", action="store_true", help="print diagnostics as JSON")
    p.add_argument("--strict", action="store_true", help="strict ZigTS profile (forwarded to checkers)")
    p.set_defaults(run=_run_compile)


def _run_compile(args: argparse.Namespace) -> int:
    from .compiler.cli import run_compile

    return run_compile(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zigttp",
        description="Prove JavaScript/TypeScript HTTP handlers, then run them sandboxed in QuickJS-NG on "
                    "WebAssembly.",
    )
    parser.add_argument("--version", action="version", version=f"zigttp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_serve(sub)
    _add_compile(sub)
    add_types_command(sub)
    add_verify(sub)
    add_check(sub)
    add_build_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
