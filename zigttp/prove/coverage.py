"""Behaviour-path coverage: which of NEW's behaviour paths the replayed traces exercised.

A trace does not say which path it took, so each identical replay is matched
against every behaviour path of NEW's contract on what a recording shows:
its I/O outcomes (an `io` condition must be among the recorded calls), the
request's method and path (a `match` on `req.path`, `req.method` or both with
literal patterns, a `===`/`!==` test or a `startsWith` of either), and the
status and content type it answered with. A condition that cannot be checked
against a recording (a test of the body, of a header, a `default` arm) is
taken to hold. A path is *covered* when some trace matches it and no other
path; *ambiguous* when every trace that matches it matches others too.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .view import ContractView

_REQUEST_FIELD = re.compile(r"^req\.(method|path|url)$")
_FIELD_PAIRS = re.compile(r'(\w+):(req\.(?:method|path|url)|"(?:[^"\\]|\\.)*")')
_COMPARISON = re.compile(r'^\(req\.(method|path|url) (===|!==) ("(?:[^"\\]|\\.)*")\)$')
_STARTS_WITH = re.compile(r'^req\.(path|url)\.startsWith\(("(?:[^"\\]|\\.)*")\)$')


@dataclass(frozen=True)
class Recorded:
    """What one identical replay shows about the path it took."""

    method: str
    path: str
    io: frozenset[tuple[str, str]]  # ("zigttp:auth.jwtVerify", "ok")
    status: int
    content_type: str


@dataclass(frozen=True)
class PathCoverage:
    paths: int
    covered: int
    ambiguous: int
    exhaustive: bool

    def to_dict(self) -> dict[str, Any]:
        return {"paths": self.paths, "covered": self.covered, "ambiguous": self.ambiguous,
                "exhaustive": self.exhaustive}

    def describe(self) -> str:
        limit = "" if self.exhaustive else " (enumeration stopped at its limit)"
        return (f"behaviour-path coverage: {self.covered} of {self.paths} paths of NEW covered, "
                f"{self.ambiguous} more possibly{limit}")


def path_coverage(new: ContractView, recorded: list[Recorded]) -> PathCoverage | None:
    """None when NEW's contract has no behaviour paths (version 1)."""
    paths = new.behaviours()
    if paths is None:
        return None
    keys = list(paths)
    covered: set[str] = set()
    possible: set[str] = set()
    for trace in recorded:
        matching = [k for k in keys if _consistent(paths[k], trace)]
        (covered if len(matching) == 1 else possible).update(matching)
    return PathCoverage(len(keys), len(covered), len(possible - covered), new.behaviours_exhaustive)


@functools.cache
def _return_kinds() -> dict[tuple[str, str], str]:
    """(module, export) → return kind, from the module registry (read once)."""
    from zigttp_host.modules import REGISTRY

    return {(e.module, e.name): e.return_kind for e in REGISTRY}


def recorded_of(group: Any) -> Recorded:
    """A trace group's request line, I/O outcomes and answer."""
    kinds = _return_kinds()
    io = set()
    for entry in group.entries:
        module = entry.module if entry.module.startswith("zigttp:") else f"zigttp:{entry.module}"
        outcome = _outcome(kinds.get((module, entry.fn), "value"), entry.result)
        if outcome is not None:
            io.add((f"{module}.{entry.fn}", outcome))
    content_type = next((v for k, v in group.headers if k.lower() == "content-type"), "")
    return Recorded(group.request.method.upper(), urlsplit(group.request.url).path, frozenset(io), group.status,
                    content_type)


def _outcome(kind: str, result: bytes) -> str | None:
    if kind == "optional":
        return "undefined" if result in (b"", b"null") else "defined"
    if kind == "result":
        try:
            value = json.loads(result) if result else None
        except ValueError:
            return None
        return "ok" if isinstance(value, dict) and value.get("ok") is True else "err"
    return None


def _consistent(path: dict[str, Any], trace: Recorded) -> bool:
    if not _answers(path, trace):
        return False
    for c in path.get("conditions") or []:
        if isinstance(c, dict) and _holds(str(c.get("kind")), str(c.get("test")), str(c.get("value")), trace) is False:
            return False
    return True


def _answers(path: dict[str, Any], trace: Recorded) -> bool:
    media = trace.content_type.split(";")[0].strip().lower()
    for r in path.get("responses") or []:
        status, content_type = r.get("status"), r.get("contentType")
        if status is not None and status != trace.status:
            continue
        if content_type is not None and content_type.split(";")[0].strip().lower() != media:
            continue
        return True
    return False


def _holds(kind: str, test: str, value: str, trace: Recorded) -> bool | None:
    """Whether a condition holds for the recorded request; None where a recording cannot tell."""
    if kind == "io":
        return (test, value) in trace.io
    if kind == "match":
        return None if value == "default" else _arm_holds(test, value, trace)
    if kind == "request":
        return _test_holds(test, value == "true", trace)
    return None


def _field(name: str, trace: Recorded) -> str:
    return trace.method if name == "method" else trace.path


def _arm_holds(subject: str, pattern: str, trace: Recorded) -> bool | None:
    single = _REQUEST_FIELD.match(subject)
    if single is not None:
        return _literal_equals(pattern, _field(single.group(1), trace), single.group(1))
    roles = {k: v[4:] for k, v in _FIELD_PAIRS.findall(subject) if v.startswith("req.")}
    if not roles or not subject.startswith("{"):
        return None
    for key, literal in _FIELD_PAIRS.findall(pattern):
        role = roles.get(key)
        if role is not None and literal.startswith('"') and \
                _literal_equals(literal, _field(role, trace), role) is False:
            return False
    return True


def _literal_equals(literal: str, actual: str, role: str) -> bool | None:
    try:
        expected = json.loads(literal)
    except ValueError:
        return None
    if not isinstance(expected, str):
        return None
    return expected.upper() == actual if role == "method" else expected == actual


def _test_holds(test: str, branch: bool, trace: Recorded) -> bool | None:
    comparison = _COMPARISON.match(test)
    if comparison is not None:
        role, operator, literal = comparison.groups()
        equal = _literal_equals(literal, _field(role, trace), role)
        if equal is None:
            return None
        return (equal if operator == "===" else not equal) == branch
    starts = _STARTS_WITH.match(test)
    if starts is not None:
        prefix = json.loads(starts.group(2))
        return trace.path.startswith(prefix) == branch
    return None
