"""Log lines cannot be forged or flooded: control characters are escaped, and each request has a log budget."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import HANDLERS
from .support.server import Server, serve

FORGED = "[2026-01-01 00:00:00] access method=GET path=/admin"
# every line the server writes starts like this (granian's own lines start with "[INFO]")
LINE_START = re.compile(
    r"^(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] |\[(INFO|WARNING|ERROR)\] |zigttp: |ZTS\d+ |\s|-->|\d+ \||$)")


@pytest.fixture(scope="module")
def srv() -> Iterator[Server]:
    with serve(HANDLERS / "logs.ts", "--max-log-lines", "50", "--max-log-bytes", "8k") as server:
        yield server


def _lines(srv: Server) -> list[str]:
    return srv.log().splitlines()


def test_console_text_cannot_forge_a_log_line(srv: Server) -> None:
    assert srv.get("/forge").status_code == 200
    srv.get("/ok")  # its access line is written after the forge request's
    lines = _lines(srv)
    assert not any(line.startswith(FORGED) for line in lines)
    assert any("hello\\n" + FORGED in line for line in lines)
    warned = next(line for line in lines if "bell" in line)
    assert "bell\\x07 escape\\x1b[31m line\\u2028separator\\rreturn" in warned
    assert all(LINE_START.match(line) for line in lines), [line for line in lines if not LINE_START.match(line)]


def test_a_request_path_cannot_forge_a_log_line(srv: Server) -> None:
    assert srv.get("/x%0A" + FORGED.replace(" ", "%20")).status_code == 200
    srv.get("/ok")
    lines = _lines(srv)
    assert not any(line.startswith(FORGED) for line in lines)
    assert any("path=/x\\n" + FORGED in line for line in lines)


def test_a_logging_loop_is_cut_at_the_request_budget(srv: Server) -> None:
    before = len(srv.log())
    assert srv.get("/flood").text == "flooded"
    srv.get("/ok")
    written = srv.log()[before:]
    flood_lines = [line for line in written.splitlines() if "flood-line" in line]
    assert 0 < len(flood_lines) <= 50
    assert sum(len(line) for line in flood_lines) <= 8 << 10 + 50 * 80  # budget plus each line's prefix
    notices = [line for line in written.splitlines() if "more log lines of this request dropped" in line]
    assert len(notices) == 1
    dropped = int(re.search(r"(\d+) more log lines", notices[0]).group(1))  # type: ignore[union-attr]
    assert dropped == 20001 - len(flood_lines)  # the flood and the zigttp:log line after it
    assert len(written) < 64 << 10


def test_the_budget_is_per_request(srv: Server) -> None:
    srv.get("/flood")
    before = len(srv.log())
    assert srv.get("/few").text == "flooded"
    srv.get("/ok")
    written = srv.log()[before:]
    assert sum(1 for line in written.splitlines() if "flood-line" in line) == 3
    assert "after the flood" in written


def test_egress_refusals_in_a_loop_are_bounded_in_the_security_log(tmp_path: Path) -> None:
    security_log = tmp_path / "security.jsonl"
    with serve(HANDLERS / "deny_loop.js", "--no-verify", "--max-log-lines", "20",
               "--security-log", str(security_log)) as srv:
        assert srv.get("/").json() == {"refused": 1000}
        assert srv.get("/").json() == {"refused": 1000}
        lines = security_log.read_text().splitlines()
        assert 2 <= len(lines) <= 40  # at most the budget of each request
        assert srv.log().count("more log lines of this request dropped") == 2
