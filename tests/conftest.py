from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from zigttp_host import Host

from .support import services

HANDLERS = Path(__file__).resolve().parent / "handlers"


@pytest.fixture(scope="session")
def host() -> Iterator[Host]:
    h = Host()
    yield h
    h.engine.close()


@pytest.fixture(scope="session")
def handlers_dir() -> Path:
    return HANDLERS


# ---------- real PostgreSQL and Redis servers (tests/support/services.py) ----------

UNAVAILABLE = "server unavailable"


def _unavailable(what: str, reason: str) -> None:
    """Outside CI a server that cannot start skips its tests (and says why); under CI=true it fails them."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} could not be started under CI: {reason}", pytrace=False)
    pytest.skip(f"{UNAVAILABLE}: {what}: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[services.Postgres]:
    try:
        with services.postgres() as server:
            yield server
    except services.Unavailable as e:
        _unavailable("PostgreSQL", str(e))


@pytest.fixture(scope="session")
def redis_server() -> Iterator[services.Service]:
    try:
        with services.redis() as server:
            yield server
    except services.Unavailable as e:
        _unavailable("Redis", str(e))


@pytest.fixture
def private_redis() -> Iterator[services.Service]:
    """A Redis of the test's own, for tests that reconfigure, stop or fill it."""
    try:
        with services.redis() as server:
            yield server
    except services.Unavailable as e:
        _unavailable("Redis", str(e))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if UNAVAILABLE in str(r.longrepr)]
    if skipped:
        reasons = sorted({str(r.longrepr[2]).split(f"{UNAVAILABLE}: ", 1)[-1] for r in skipped  # type: ignore[index]
                          if isinstance(r.longrepr, tuple)})
        terminalreporter.write_line(f"{len(skipped)} tests skipped because a server could not start: "
                                    + "; ".join(reasons), yellow=True)
