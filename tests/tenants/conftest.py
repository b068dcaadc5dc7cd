from __future__ import annotations

from collections.abc import Iterator

import pytest

from zigttp_host import Host
from zigttp_host.tenants import TenantHost


@pytest.fixture(scope="module")
def shared_host() -> Iterator[Host]:
    yield Host()


@pytest.fixture
def tenants(shared_host: Host) -> TenantHost:
    """A TenantHost over the module's Host (one compiled guest and runtime image for every test)."""
    return TenantHost(shared_host)
