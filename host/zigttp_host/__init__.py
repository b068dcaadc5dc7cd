"""zigttp_host: run zigttp handlers in QuickJS-NG compiled to WebAssembly under wasmtime.

The embeddable part of zigttp. A platform creates one Host per process, loads
handler bundles into it and calls Handler.handle() per request; it never
needs the zigttp toolchain. Names are imported lazily: importing the package
does not load wasmtime until a name that needs it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Bundle": "bundle",
    "EngineConfig": "cachekeys",
    "Failure": "http",
    "Grants": "grants",
    "GuestNotBuilt": "host",
    "Handler": "handler",
    "HandlerLoadError": "handler",
    "Host": "host",
    "HttpRequest": "http",
    "HttpResponse": "http",
    "Limits": "limits",
    "ModuleConfig": "virtual_modules.config",
    "format_size": "limits",
    "parse_size": "limits",
}

__all__ = [
    "Bundle",
    "EngineConfig",
    "Failure",
    "Grants",
    "GuestNotBuilt",
    "Handler",
    "HandlerLoadError",
    "Host",
    "HttpRequest",
    "HttpResponse",
    "Limits",
    "ModuleConfig",
    "format_size",
    "parse_size",
]

if TYPE_CHECKING:
    from .bundle import Bundle
    from .cachekeys import EngineConfig
    from .grants import Grants
    from .handler import Handler, HandlerLoadError
    from .host import GuestNotBuilt, Host
    from .http import Failure, HttpRequest, HttpResponse
    from .limits import Limits, format_size, parse_size
    from .virtual_modules.config import ModuleConfig


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'zigttp_host' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
