"""Fixtures for the zigttp:* module tests: hosts with a given ModuleConfig and the probe handler."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zigttp_host import Bundle, Host, ModuleConfig

from .support import LIMITS, OPEN, PROBE, Probe


@pytest.fixture(scope="session")
def hosts() -> Iterator[Callable[..., Host]]:
    """Makes a Host with the given ModuleConfig settings (closed at the end of the session)."""
    made: list[Host] = []

    def make(**settings: Any) -> Host:
        h = Host(modules=ModuleConfig(**settings))
        made.append(h)
        return h

    yield make
    for h in made:
        h.functions.runtime.close()
        h.engine.close()


@pytest.fixture(scope="session")
def probe_for(hosts: Callable[..., Host]) -> Callable[..., Probe]:
    def make(**settings: Any) -> Probe:
        return Probe(hosts(**settings).load(Bundle(PROBE, "probe.js"), LIMITS, grants=OPEN))

    return make


@pytest.fixture(scope="session")
def probe(probe_for: Callable[..., Probe]) -> Probe:
    return probe_for(env={"GREETING": "hello"})

