"""The one table of failure kinds: every kind answers from it, and the README's limits table matches it."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from zigttp_host.http import FAILURE_KINDS, Failure, failure_response

README = Path(__file__).resolve().parents[1] / "README.md"


def _limits_rows() -> dict[str, int]:
    rows = {}
    for line in README.read_text().splitlines():
        m = re.match(r'^\s*\|[^|]*\|\s*(\d{3})\s*\|\s*`\{"error":"([a-z_]+)"', line)
        if m:
            rows[m.group(2)] = int(m.group(1))
    return rows


def test_the_readme_lists_every_failure_kind_with_its_status() -> None:
    rows = _limits_rows()
    assert {kind: k.status for kind, k in FAILURE_KINDS.items()} == rows


def test_only_describing_kinds_carry_message_and_location() -> None:
    for kind, spec in FAILURE_KINDS.items():
        r = failure_response(Failure(kind, message="secret detail", at="h.ts:1:1"))
        body = orjson.loads(r.body)
        assert r.status == spec.status
        assert ("message" in body) == spec.describes, kind
        assert body["error"] == kind


def test_an_unknown_kind_is_an_internal_error_status() -> None:
    assert failure_response(Failure("no_such_kind")).status == 500
