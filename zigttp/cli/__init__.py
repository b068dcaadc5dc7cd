"""The `zigttp` command line: one module per command.

    serve.py     zigttp serve    (its grant plumbing in serve_grants.py, its module settings in serve_modules.py)
    compile.py   zigttp compile
    types.py     zigttp types
    verify.py    zigttp verify   (alias: zigttp check)
    build.py     zigttp build
    replay.py    zigttp replay
    admin.py     zigttp admin    (durable runs)
    test.py      zigttp test
    mock.py      zigttp mock     (also zigttp test --record)
    prove.py     zigttp prove    (contract diff, replay evidence, certificate)
    argtypes.py  the argument types the commands share

Building the parser imports no compiler, verifier or server: each command
imports what it runs when it runs (start-up time of every command).
"""

from __future__ import annotations

import argparse

from zigttp import __version__

from . import admin, build, compile, mock, prove, replay, serve, test, types, verify


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zigttp",
        description="Prove JavaScript/TypeScript HTTP handlers, then run them sandboxed in QuickJS-NG on "
                    "WebAssembly.",
    )
    parser.add_argument("--version", action="version", version=f"zigttp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve.add_command(sub)
    compile.add_command(sub)
    types.add_command(sub)
    verify.add_command(sub)
    build.add_command(sub)
    replay.add_command(sub)
    admin.add_command(sub)
    test.add_command(sub)
    mock.add_command(sub)
    prove.add_command(sub)
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
