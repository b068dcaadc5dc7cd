"""Replay evidence: every recorded request replayed against NEW, twice, through the journal (zigttp.replay).

A request whose answer on NEW is not identical to the recording is a
breaking finding with its first difference; a request whose two replays
differ is a determinism finding. Files are named relative to the --traces
argument (a file by its name), so the evidence does not depend on where the
traces live.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import rules as R
from .coverage import PathCoverage, path_coverage, recorded_of
from .findings import Finding, finding
from .inputs import InputError, Side
from .view import ContractView

SNIPPET = 200


@dataclass(frozen=True)
class TraceFile:
    name: str
    sha256: str
    requests: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.name, "sha256": self.sha256, "requests": self.requests}


@dataclass
class Evidence:
    files: list[TraceFile]
    counts: dict[str, int]  # identical, status_changed, body_changed, diverged
    replayed: int
    not_replayed: int  # groups of a handler that keeps module state
    deterministic: bool
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the trace reader's (a torn last group skipped)
    coverage: PathCoverage | None = None  # None: NEW's contract has no behaviour paths (version 1)

    @property
    def all_identical(self) -> bool:
        return self.counts.get("identical", 0) == self.replayed


def replay_evidence(new: Side, traces: Path) -> Evidence:
    from zigttp.replay.replay import replay_all, stateful_groups
    from zigttp.replay.report import counts

    target = _target(new)
    groups, files, warnings = _read(traces, target.known)
    stateful = {id(g) for g in stateful_groups(groups)}
    comparable = [g for g in groups if id(g) not in stateful]
    first, second = replay_all(target, comparable), replay_all(target, comparable)
    found = [_not_identical(g, o) for g, o in zip(comparable, first, strict=True) if o.bucket != "identical"]
    unstable = [_unstable(g, a, b) for g, a, b in zip(comparable, first, second, strict=True)
                if _signature(a) != _signature(b)]
    if stateful:
        found.append(finding(R.TRACES_NOT_COMPARABLE, "traces", "", None, len(stateful),
                             f"{len(stateful)} recorded requests come from a handler that keeps module state "
                             "(state_isolated: false, pooled): not replayed"))
    identical = [recorded_of(g) for g, o in zip(comparable, first, strict=True) if o.bucket == "identical"]
    coverage = path_coverage(ContractView(new.contract), identical)
    if coverage is None:
        found.append(finding(R.PATH_COVERAGE_UNAVAILABLE, "traces", "coverage", None, new.contract.get("version"),
                             "NEW's contract carries no behaviour paths (contract version 1): no path coverage"))
    return Evidence(files, counts(first), len(comparable), len(stateful), not unstable, found + unstable, warnings,
                    coverage)


def _target(new: Side) -> Any:
    from zigttp.loader import LoadedSource
    from zigttp.replay.target import target_for

    bundle = new.bundle()
    if bundle is None:
        raise InputError(f"{new.given}: a contract alone has no bundle to replay the traces against")
    loaded = LoadedSource(bundle, Path(new.given), verified=True, contract=new.contract)
    try:
        return target_for(loaded)
    except Exception as e:  # a bundle the sandbox cannot load (a broken handler.js): one line, no traceback
        raise InputError(f"{new.given}: cannot load the bundle for replay: {type(e).__name__}: {e}") from None


def _read(traces: Path, known: frozenset[tuple[str, str]]) -> tuple[list[Any], list[TraceFile], list[str]]:
    from zigttp_host.tracefile import TraceFileError, read_traces

    try:
        read = read_traces(traces, known)
    except TraceFileError as e:
        raise InputError(str(e)) from None
    if not read.groups:
        raise InputError(f"{traces}: no recorded requests")
    names = {str(f): _shown(traces, f) for f in read.files}
    for g in read.groups:
        file, _, line = g.where.rpartition(":")
        g.where = f"{names.get(file, file)}:{line}"
    per_file = Counter(g.where.rpartition(":")[0] for g in read.groups)
    files = [TraceFile(names[str(f)], hashlib.sha256(f.read_bytes()).hexdigest(), per_file[names[str(f)]])
             for f in read.files]
    return read.groups, files, read.warnings


def _shown(root: Path, file: Path) -> str:
    return file.relative_to(root).as_posix() if root.is_dir() else file.name


def _snippet(body: bytes) -> str:
    text = body.decode(errors="replace")
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


def _first_difference(o: Any) -> str:
    if o.bucket == "status_changed":
        return f"status changed {o.expected_status} -> {o.actual_status}"
    if o.bucket == "body_changed":
        return "body changed"
    if o.divergences:
        return f"diverged: {o.divergences[0].describe()}"
    return f"diverged: runtime error {o.failure}"


def _not_identical(group: Any, o: Any) -> Finding:
    request = f"{group.request.method} {group.request.url}"
    return finding(R.REPLAY_NOT_IDENTICAL, request, f"trace {o.where}",
                   {"status": o.expected_status, "body": _snippet(o.expected_body)},
                   {"status": o.actual_status, "body": _snippet(o.actual_body)}, _first_difference(o))


def _signature(o: Any) -> tuple[Any, ...]:
    return (o.bucket, o.actual_status, o.actual_body, [d.describe() for d in o.divergences], o.failure)


def _unstable(group: Any, a: Any, b: Any) -> Finding:
    request = f"{group.request.method} {group.request.url}"
    return finding(R.REPLAY_NONDETERMINISTIC, request, f"trace {a.where}",
                   {"status": a.actual_status, "body": _snippet(a.actual_body)},
                   {"status": b.actual_status, "body": _snippet(b.actual_body)})
