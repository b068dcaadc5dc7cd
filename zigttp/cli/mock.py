"""`zigttp mock HANDLER TRACE [-o FILE] [--force]`: a starting test file from a trace.

Also reached as `zigttp test HANDLER [FILE] --record TRACE`. Exit codes: 0
written, 2 usage, an invalid trace, or an output file that exists already.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

DESCRIPTION = (
    "Write a starting test file (the format `zigttp test` runs) from a trace recorded by `zigttp serve --trace`: "
    "one case per recorded request, named by its method and URL (numbered when one repeats), with the recorded "
    "request and Math.random seed, every recorded call as an io line, and an expect line of the recorded status "
    "and body. Run against the handler that was recorded, every case passes; then edit the expectations into "
    "what the handler should do. A trace redacts secrets by default: their placeholders appear in the file as "
    "they do in the trace. Writes to stdout unless -o FILE is given; an existing FILE is kept unless --force. "
    "Exit 0 written, 2 for a usage error or an invalid trace."
)


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mock", help="write a test file from a recorded trace", description=DESCRIPTION)
    p.add_argument("handler", type=Path, help="the handler the trace was recorded from")
    p.add_argument("trace", type=Path, help="a trace file, or a directory of them (rotated files included)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the test file here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.set_defaults(run=run_mock)


def run_mock(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    return write_mock(args.handler, args.trace, args.output, force=args.force, stdout=stdout or sys.stdout,
                      stderr=stderr or sys.stderr)


def write_mock(handler: Path, trace: Path, output: Path | None, *, force: bool, stdout: TextIO,
               stderr: TextIO) -> int:
    from zigttp.compiler.source import not_a_file
    from zigttp_host.modules import builtin_functions
    from zigttp_host.tracefile import TraceFileError, known_exports, read_traces

    from ..replay.mock import test_file_from_groups

    if (why := not_a_file(handler)) is not None:
        stderr.write(f"error: {handler}: {why}\n")
        return 2
    if output is not None and output.exists() and not force:
        stderr.write(f"error: {output} exists already (--force overwrites it)\n")
        return 2
    source = _input_at(output, handler, trace)
    if source is not None:  # even --force: the trace may be the only recording, the handler the only copy
        stderr.write(f"error: {output} is {source} this reads: write the test file elsewhere\n")
        return 2
    functions = builtin_functions()
    try:
        read = read_traces(trace, known_exports(functions))
    except TraceFileError as e:
        stderr.write(f"error: {e}\n")
        return 2
    for warning in read.warnings:
        stderr.write(f"warning: {warning}\n")
    if not read.groups:
        stderr.write(f"error: {trace}: no recorded requests\n")
        return 2
    traced = {(t.module, t.fn): t for t in functions.traced.values()}
    text = test_file_from_groups(read.groups, traced, handler=handler.name)
    if output is None:
        stdout.write(text.decode())
        return 0
    try:
        _write_whole(output, text)
    except OSError as e:
        stderr.write(f"error: cannot write {output}: {e.strerror or e}\n")
        return 2
    n = len(read.groups)
    stderr.write(f"wrote {n} test case{'s' if n != 1 else ''} to {output}\n")
    return 0


def _input_at(output: Path | None, handler: Path, trace: Path) -> str | None:
    """What writing `output` would replace of the inputs (the handler, a trace file), or None."""
    if output is None or not output.exists():
        return None
    inputs = [("the handler", handler)]
    inputs += [("a trace file", path) for path in (trace.iterdir() if trace.is_dir() else [trace])]
    for what, path in inputs:
        try:
            if path.is_file() and output.samefile(path):
                return what
        except OSError:  # a path that vanished or cannot be looked at is not the output
            continue
    return None


def _write_whole(path: Path, data: bytes) -> None:
    # a reader never sees half a file: write beside it, then rename over it
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
