"""`zigttp replay HANDLER TRACE [--json] [--no-verify] [--ignore-state]`.

Runs every recorded request of TRACE (a file, or a directory of rotated
files) against HANDLER in a fresh sandbox instance fed by its recorded I/O,
and sorts them: identical, status changed, body changed, diverged. Replaying
against another version of the handler is the behavioural diff.
Exit codes: 0 every trace identical, 1 any difference (or a handler that
does not load), 2 usage or an invalid trace file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import orjson

DESCRIPTION = (
    "Replay recorded requests (zigttp serve --trace) against HANDLER, each in a fresh sandbox instance fed by "
    "its recorded I/O: module calls, clock readings and the Math.random seed. No real I/O happens. Reports how "
    "many are identical and the first differences: status changed, body changed, or diverged (a call that does "
    "not match the recording, a recorded call not made, or a runtime error). Exit 0 when all are identical, 1 "
    "otherwise, 2 for an invalid trace file."
)


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="replay recorded traces against a handler", description=DESCRIPTION)
    p.add_argument("handler", type=Path, help="handler file (.ts, .tsx, .js, .jsx)")
    p.add_argument("trace", type=Path, help="a trace file, or a directory of them (rotated files included)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-verify", action="store_true", help="replay a handler without verifying it first")
    p.add_argument("--ignore-state", action="store_true",
                   help="replay traces of a handler that keeps module state across requests anyway "
                        "(differences may come from that state, not from the code)")
    p.set_defaults(run=run_replay)


def run_replay(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from zigttp.loader import LoadError
    from zigttp_host.tracefile import TraceFileError, read_traces

    from ..replay.replay import replay_all, stateful_groups
    from ..replay.report import json_report, text_report
    from ..replay.target import load_target

    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        target = load_target(args.handler, verify=not args.no_verify)
    except LoadError as e:
        err.write(e.report + "\n")
        return 1
    try:
        read = read_traces(args.trace, target.known)
    except TraceFileError as e:
        err.write(f"error: {e}\n")
        return 2
    for warning in read.warnings:
        err.write(f"warning: {warning}\n")
    if not read.groups:
        err.write(f"error: {args.trace}: no recorded requests\n")
        return 2
    stateful = stateful_groups(read.groups)
    if stateful and not args.ignore_state:
        err.write(f"replay: {len(stateful)} of {len(read.groups)} traces come from a handler that keeps module "
                  "state across requests (state_isolated: false, pooled instances): each response may depend on "
                  "the requests served before it, so a replay in a fresh instance cannot be compared. Make the "
                  "handler state-isolated, record with --isolation fresh, or pass --ignore-state.\n")
        return 1
    unknown = sum(1 for g in read.groups if g.meta.get("state_isolated") is None and g.meta.get("isolation") != "fresh")
    if unknown:
        err.write(f"warning: {unknown} of {len(read.groups)} traces come from a handler not verified when recorded "
                  "(pooled instances): if it keeps module state across requests, differences may come from that "
                  "state, not from the code\n")
    outcomes = replay_all(target, read.groups)
    label = str(args.handler)
    if args.json:
        out.write(orjson.dumps(json_report(label, outcomes, read.warnings), option=orjson.OPT_INDENT_2).decode()
                  + "\n")
    else:
        out.write(text_report(label, outcomes))
    return 0 if all(o.bucket == "identical" for o in outcomes) else 1
