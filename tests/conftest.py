from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zigttp_host import Host

HANDLERS = Path(__file__).resolve().parent / "handlers"


@pytest.fixture(scope="session")
def host() -> Iterator[Host]:
    h = Host()
    yield h
    h.engine.close()


@pytest.fixture(scope="session")
def handlers_dir() -> Path:
    return HANDLERS
