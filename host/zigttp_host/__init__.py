"""zigttp_host: run zigttp handlers in QuickJS-NG compiled to WebAssembly under wasmtime.

The embeddable part of zigttp. A platform creates one Host per process, loads
handler bundles into it and calls Handler.handle() per request; it never
needs the zigttp toolchain.
"""

from .engine import EngineConfig
from .handler import Bundle, Handler, HandlerLoadError
from .host import GuestNotBuilt, Host
from .http import Failure, HttpRequest, HttpResponse
from .limits import Limits, format_size, parse_size

__all__ = [
    "Bundle",
    "EngineConfig",
    "Failure",
    "GuestNotBuilt",
    "Handler",
    "HandlerLoadError",
    "Host",
    "HttpRequest",
    "HttpResponse",
    "Limits",
    "format_size",
    "parse_size",
]
