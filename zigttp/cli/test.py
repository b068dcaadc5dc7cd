"""`zigttp test HANDLER [FILE.test.jsonl] [--json] [--no-verify]`, and `--record TRACE` to write FILE from a trace.

Runs the declarative test cases of FILE (default: HANDLER's path with
`.test.jsonl` for its suffix) against HANDLER, each in a fresh sandbox
instance with its I/O stubbed. Exit codes: 0 every case passed, 1 a case
failed (or the handler does not load), 2 usage or an invalid test file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

import orjson

DESCRIPTION = """\
Run declarative tests (a .test.jsonl file, upstream's format) against HANDLER.

Each case runs in a fresh sandbox instance, as `zigttp serve` would run the
request (verified first, least privilege from the contract, no environment).
Its I/O never leaves the process: each call to a zigttp:* module (and fetch,
Date.now, performance.now) is answered by the case's first unused io line of
the same module and fn; validate and decode checks with no io line run for
real; any other call nobody stubbed answers undefined. zigttp:durable runs
for real in a temporary folder that each case starts empty.

FILE is JSONL, one object per line, blank lines ignored:
  {"type":"meta","format":"zigttp-test","version":1}   optional, first line only
  {"type":"test","name":"a cache hit"}                 starts a case
  {"type":"request","method":"GET","url":"/x?n=7","headers":{"accept":"text/html"},"body":null}
  {"type":"io","seq":0,"module":"cache","fn":"cacheGet","args":["squares","7"],"result":"49"}
  {"type":"expect","status":200,"body":"...","bodyContains":"...","headers":{"content-type":"..."}}
request: method (default GET), url (default /), headers, body (string or null),
seed (optional: Math.random's seed). io: result is the call's answer (null is
undefined), args may be [] (arguments are not compared in tests). expect:
status, body (exact), bodyContains (substring), headers (each must be present:
name in any case, value exact); several expect lines all apply.

Prints PASS or FAIL per case with the reasons (expected status: 404, actual
status: 200 / body mismatch / body does not contain: ... / missing header:
k: v / no request defined), then "Results: P passed, F failed, T total".
Exit 0 when every case passed, 1 when one failed or the handler does not
load, 2 for a usage error or an invalid test file (named as file:line).

--record TRACE writes FILE from a trace of `zigttp serve --trace` instead of
running it (as `zigttp mock` does): one case per recorded request.
"""


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run declarative .test.jsonl tests against a handler", description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("handler", type=Path, help="handler file (.ts, .tsx, .js, .jsx)")
    p.add_argument("file", type=Path, nargs="?", metavar="FILE",
                   help="the test file (default: HANDLER with .test.jsonl for its suffix)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--no-verify", action="store_true", help="test a handler without verifying it first")
    p.add_argument("--record", type=Path, metavar="TRACE",
                   help="write FILE from this trace (a file or a directory of them) instead of running tests")
    p.add_argument("--force", action="store_true", help="with --record: overwrite an existing FILE")
    p.set_defaults(run=run_test)


def default_test_file(handler: Path) -> Path:
    return handler.with_suffix(".test.jsonl")


def run_test(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from zigttp.loader import LoadError
    from zigttp_host.modules import builtin_functions
    from zigttp_host.tracefile import TraceFileError, known_exports

    from ..replay.target import load_target
    from ..replay.testfile import read_test_file
    from ..replay.tests import json_report, run_cases, text_report

    out, err = stdout or sys.stdout, stderr or sys.stderr
    path = args.file or default_test_file(args.handler)
    if args.record is not None:
        from .mock import write_mock

        return write_mock(args.handler, args.record, path, force=args.force, stdout=out, stderr=err)
    if args.force:
        err.write("error: --force goes with --record\n")
        return 2
    try:
        test_file = read_test_file(path, known_exports(builtin_functions()))
    except TraceFileError as e:
        err.write(f"error: {e}\n")
        return 2
    durable = Path(tempfile.mkdtemp(prefix="zigttp-test-durable-"))  # emptied before each case
    try:
        try:
            target = load_target(args.handler, verify=not args.no_verify, durable_dir=durable)
        except LoadError as e:
            err.write(e.report + "\n")
            return 1
        outcomes = run_cases(target, test_file.cases)
    finally:
        shutil.rmtree(durable, ignore_errors=True)
    if args.json:
        report = json_report(str(args.handler), str(path), outcomes)
        out.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        out.write(text_report(str(args.handler), outcomes))
    return 0 if all(o.passed for o in outcomes) else 1
