"""The table of host functions the guest can call, and the errors they answer with.

Free of wasmtime, so the serving parent process can name cache entries
(the prelude embeds this table) without creating an engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from .abi import CallStatus
from .paths import PRELUDE_JS

if TYPE_CHECKING:
    from .imports import CallContext


class HostCallError(Exception):
    """Raised by a host function to answer the guest with a JS error."""

    status = CallStatus.ERROR


class HostTypeError(HostCallError):
    status = CallStatus.TYPE_ERROR


class HostRangeError(HostCallError):
    status = CallStatus.RANGE_ERROR


class CapabilityDenied(HostCallError):
    """Becomes an uncatchable error in the guest; the request fails with 500."""

    status = CallStatus.DENIED

    def __init__(self, capability: str, name: str) -> None:
        super().__init__(f"{capability} {name!r} is not granted")
        self.capability = capability
        self.name = name


HostFunction = Callable[["CallContext", list[Any]], Any]


@dataclass
class HostFunctions:
    """Host-call ids → implementations, plus the module table the prelude builds stubs from."""

    by_id: dict[int, tuple[str, HostFunction]] = field(default_factory=dict)
    modules: dict[str, dict[str, int]] = field(default_factory=dict)
    log_id: int = 0

    def module_table_json(self) -> str:
        return orjson.dumps({"log": self.log_id, "modules": self.modules}).decode()


def prelude_source(functions: HostFunctions) -> str:
    """The guest prelude with this host's module table built in."""
    return PRELUDE_JS.read_text().replace("__ZIGTTP_MODULE_TABLE__", functions.module_table_json())
