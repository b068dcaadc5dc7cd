"""`zigttp compile HANDLER [-o out.js] [--json] [--strict]`: the emitted JavaScript module.

The arguments are declared here, not imported from zigttp.compiler.cli, so that
building the parser never imports the compiler (start-up time of every command).
"""

from __future__ import annotations

import argparse


def add_command(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(run=run_compile)


def run_compile(args: argparse.Namespace) -> int:
    from zigttp.compiler.cli import run_compile

    return run_compile(args)
