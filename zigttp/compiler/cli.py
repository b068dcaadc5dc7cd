"""`zigttp compile HANDLER [-o out.js] [--json] [--strict]`.

`zigttp/cli/compile.py` wires this as a subcommand (`add_compile_arguments`
+ `run_compile`); `python -m zigttp.compiler` runs it standalone.
Exit codes: 0 compiled, 1 diagnostics with errors, 2 usage error, a handler (or import) that cannot be
read, or an output that cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from zigttp.compiler.api import compile_file
from zigttp.compiler.diagnostics import CANNOT_READ_FILE, render_json, render_text, summary_line
from zigttp.compiler.source import not_a_file


def add_compile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("handler", help="handler file (.ts, .tsx, .js, .jsx)")
    parser.add_argument("-o", "--output", help="write the emitted JavaScript here instead of stdout")
    parser.add_argument("--json", action="store_true", help="print diagnostics as JSON")
    parser.add_argument("--strict", action="store_true", help="strict ZigTS profile (forwarded to checkers)")


def run_compile(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if args.output == "":  # argparse takes -o '' as a name; falling back to stdout would hide the mistake
        err.write("error: -o/--output needs a file name (leave -o out to print to stdout)\n")
        return 2
    handler = Path(args.handler)
    if (why := not_a_file(handler)) is not None:
        err.write(f"error: {handler}: {why}\n")
        return 2
    result = compile_file(args.handler, strict=args.strict)
    unreadable = [d for d in result.diagnostics if d.code == CANNOT_READ_FILE]
    if unreadable:  # not UTF-8, or an import missing: bad input (exit 2), as verify and build say
        for diagnostic in unreadable:  # the file named: it may be an import, not HANDLER itself
            err.write(f"error: {diagnostic.file}: {diagnostic.message}\n")
        return 2
    if args.json:
        err.write(render_json(result.diagnostics) + "\n")
    elif result.diagnostics:
        err.write(render_text(result.diagnostics, result.sources))
        err.write(summary_line(result.diagnostics) + "\n")
    if not result.ok:
        return 1
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(result.js)
        except OSError as e:  # a missing folder, a directory, no permission: the user's path, not our bug
            err.write(f"error: cannot write {args.output}: {e.strerror or e}\n")
            return 2
    else:
        out.write(result.js)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zigttp compile", description="Compile a zigts handler to JavaScript.")
    add_compile_arguments(parser)
    return run_compile(parser.parse_args(argv))
