"""`zigttp verify HANDLER [--json] [--strict] [--sql-schema FILE]` (alias `zigttp check`).

Runs every check and prints the proof card; with `--json` the JSON envelope.
Exit codes: 0 verified (warnings allowed), 1 any error, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

HANDLER_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs")
DESCRIPTION = (
    "Prove what HANDLER does before it runs: exhaustive returns, Result and optional checking, match "
    "exhaustiveness, state isolation, sound-mode truthiness and operators, types, and where secrets and "
    "request input flow. Prints the proof card (exit 0 when verified, warnings allowed; 1 on any error; "
    "2 on a usage or I/O error)."
)


def _add(sub: argparse._SubParsersAction, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=DESCRIPTION)
    p.add_argument("handler", help="handler file (.ts, .tsx, .js, .jsx)")
    p.add_argument("--json", action="store_true", help="print the JSON envelope instead of the proof card")
    p.add_argument("--strict", action="store_true", help="also enforce the strict/canonical profile (ZTS6xx)")
    p.add_argument("--sql-schema", metavar="FILE", help="SQL schema the handler's zigttp:sql statements run against")
    p.set_defaults(run=run_verify)


def add_command(sub: argparse._SubParsersAction) -> None:
    """`verify`, and `check`, its alias."""
    _add(sub, "verify", "verify a handler and print its proof card")
    _add(sub, "check", "alias of 'verify'")


def run_verify(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    from zigttp.compiler.source import not_a_file

    path = Path(args.handler)
    if (why := not_a_file(path)) is not None:
        err.write(f"error: cannot read {path}: {why}\n")
        return 2
    if path.suffix not in HANDLER_SUFFIXES:
        err.write(f"error: {path}: a handler is a {', '.join(HANDLER_SUFFIXES)} file\n")
        return 2
    schema: str | None = None
    if args.sql_schema:
        try:
            schema = Path(args.sql_schema).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            err.write(f"error: cannot read SQL schema {args.sql_schema}: {error}\n")
            return 2
        from zigttp.verifier.sqlcheck import schema_error

        problem = schema_error(schema)
        if problem is not None:
            err.write(f"error: SQL schema {args.sql_schema} does not load: {problem}\n")
            return 2
    from zigttp.analysis import analyze

    # The proof card is rendered from the same analysis build and serve use; the card needs no contract facts.
    result = analyze(path, strict=args.strict, sql_schema=schema, emit=False, contract=False).verification
    if result is None:  # the verifier itself crashed: zigttp.analysis reported it as ZTS999
        err.write(f"internal error: cannot verify {path}\n")
        return 1
    if result.unreadable:
        for diagnostic in result.diagnostics:  # the file named: it may be an import, not HANDLER itself
            err.write(f"error: {diagnostic.file}: {diagnostic.message}\n")
        return 2
    out.write(result.render_json() if args.json else result.render_text())
    return 0 if result.ok else 1
