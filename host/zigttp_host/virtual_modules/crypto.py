"""zigttp:crypto — digests, HMAC and base64 over strings (UTF-8) or Uint8Array bytes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from ..registry import Export, Param
from . import args as a

if TYPE_CHECKING:
    from ..imports import CallContext

DATA = "string | Uint8Array"
# Uint8Array/ArrayBuffer arguments cross as {"$bytes": ...} (lib.bytesArg).
BYTES_WRAPPER = "(call, lib) => (...args) => call(args.map(lib.bytesArg))"


def sha256(ctx: CallContext, args: list[Any]) -> str:
    a.arity("sha256", args, 1)
    return hashlib.sha256(a.data("sha256", args, 0, "data")).hexdigest()


def sha512(ctx: CallContext, args: list[Any]) -> str:
    a.arity("sha512", args, 1)
    return hashlib.sha512(a.data("sha512", args, 0, "data")).hexdigest()


def hmac_sha256(ctx: CallContext, args: list[Any]) -> str:
    a.arity("hmacSha256", args, 2)
    key = a.data("hmacSha256", args, 0, "key")
    return hmac.new(key, a.data("hmacSha256", args, 1, "data"), hashlib.sha256).hexdigest()


def base64_encode(ctx: CallContext, args: list[Any]) -> str:
    a.arity("base64Encode", args, 1)
    return base64.b64encode(a.data("base64Encode", args, 0, "data")).decode("ascii")


def base64_url_encode(ctx: CallContext, args: list[Any]) -> str:
    a.arity("base64UrlEncode", args, 1)
    return base64.urlsafe_b64encode(a.data("base64UrlEncode", args, 0, "data")).rstrip(b"=").decode("ascii")


def decode_b64(text: str, *, url: bool) -> bytes | None:
    """Strict RFC 4648 decoding (padding optional for the URL alphabet); None when invalid."""
    s = text.strip()
    if url:
        if "+" in s or "/" in s:
            return None
        s = s.replace("-", "+").replace("_", "/")
        s = s.rstrip("=") if s.endswith("=") else s
        s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None


def _utf8(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


def base64_decode(ctx: CallContext, args: list[Any]) -> str | None:
    a.arity("base64Decode", args, 1)
    return _utf8(decode_b64(a.string("base64Decode", args, 0, "data"), url=False))


def base64_url_decode(ctx: CallContext, args: list[Any]) -> str | None:
    a.arity("base64UrlDecode", args, 1)
    return _utf8(decode_b64(a.string("base64UrlDecode", args, 0, "data"), url=True))


def _x(name: str, params: tuple[Param, ...], returns: str, impl: Any, *, kind: str = "value", js: str | None = None,
       doc: str = "") -> Export:
    return Export("zigttp:crypto", name, params, returns, return_kind=kind, capability="crypto", impl=impl, js=js,
                  doc=doc)


EXPORTS = (
    _x("sha256", (Param("data", DATA),), "string", sha256, js=BYTES_WRAPPER, doc="SHA-256, lowercase hex."),
    _x("sha512", (Param("data", DATA),), "string", sha512, js=BYTES_WRAPPER, doc="SHA-512, lowercase hex."),
    _x("hmacSha256", (Param("key", DATA), Param("data", DATA)), "string", hmac_sha256, js=BYTES_WRAPPER,
       doc="HMAC-SHA-256, lowercase hex."),
    _x("base64Encode", (Param("data", DATA),), "string", base64_encode, js=BYTES_WRAPPER,
       doc="Standard base64 with padding."),
    _x("base64Decode", (Param("data", "string"),), "string | undefined", base64_decode, kind="optional",
       doc="Decodes standard base64 to a UTF-8 string; undefined when the input is not base64."),
    _x("base64UrlEncode", (Param("data", DATA),), "string", base64_url_encode, js=BYTES_WRAPPER,
       doc="URL-safe base64 without padding."),
    _x("base64UrlDecode", (Param("data", "string"),), "string | undefined", base64_url_decode, kind="optional",
       doc="Decodes URL-safe base64 (padding optional); undefined when the input is not base64url."),
)
