"""zigttp:http — cookies, content negotiation, content types, CORS headers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..registry import Export, HostTypeError, Param
from . import args as a

if TYPE_CHECKING:
    from ..imports import CallContext

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_CTL = re.compile(r"[\x00-\x1f\x7f;]")
MAX_HEADER = 16 << 10


def parse_cookies(ctx: CallContext, args: list[Any]) -> dict[str, str]:
    a.arity("parseCookies", args, 1)
    header = a.opt_string("parseCookies", args, 0, "header", max_len=MAX_HEADER) or ""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        name = name.strip()
        if not eq or not name or name in out:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[name] = value
    return out


def set_cookie(ctx: CallContext, args: list[Any]) -> str | None:
    a.arity("setCookie", args, 3)
    name = a.string("setCookie", args, 0, "name", max_len=4096)
    value = a.string("setCookie", args, 1, "value", max_len=MAX_HEADER)
    opts = a.opt_obj("setCookie", args, 2, "options")
    if not _TOKEN.match(name) or _CTL.search(value):
        return None
    parts = [f"{name}={value}"]

    def text(key: str, attr: str) -> None:
        v = a.field("setCookie", opts, key, str, "a string")
        if v is not None:
            if _CTL.search(v):
                raise HostTypeError(f"setCookie(): options.{key} must not contain ';' or control characters")
            parts.append(f"{attr}={v}")

    text("path", "Path")
    text("domain", "Domain")
    max_age = a.field("setCookie", opts, "maxAge", (int, float), "a number of seconds")
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    expires = a.field("setCookie", opts, "expires", (int, float, str), "epoch milliseconds or an HTTP date")
    if expires is not None:
        if isinstance(expires, str):
            if _CTL.search(expires):
                raise HostTypeError("setCookie(): options.expires must not contain ';' or control characters")
            parts.append(f"Expires={expires}")
        else:
            from email.utils import formatdate

            parts.append(f"Expires={formatdate(expires / 1000, usegmt=True)}")
    if a.field("setCookie", opts, "httpOnly", bool, "a boolean"):
        parts.append("HttpOnly")
    if a.field("setCookie", opts, "secure", bool, "a boolean"):
        parts.append("Secure")
    same_site = a.field("setCookie", opts, "sameSite", str, "\"Strict\", \"Lax\" or \"None\"")
    if same_site is not None:
        if same_site.capitalize() not in ("Strict", "Lax", "None"):
            raise HostTypeError("setCookie(): options.sameSite must be \"Strict\", \"Lax\" or \"None\"")
        parts.append(f"SameSite={same_site.capitalize()}")
    return "; ".join(parts)


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    out = []
    for part in accept.split(",")[:64]:
        fields = [f.strip() for f in part.split(";")]
        mtype, _, sub = fields[0].lower().partition("/")
        if not mtype:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((mtype, sub or "*", q))
    return out


def negotiate(ctx: CallContext, args: list[Any]) -> str | None:
    a.arity("negotiate", args, 2)
    accept = a.opt_string("negotiate", args, 0, "accept", max_len=MAX_HEADER)
    offered = a.get(args, 1)
    if isinstance(offered, str):
        available = [t.strip() for t in offered.split(",") if t.strip()]
    elif isinstance(offered, list) and all(isinstance(t, str) for t in offered):
        available = [t.strip() for t in offered if t.strip()]
    else:
        raise HostTypeError("negotiate(): parameter 'available' must be a string like \"a/b, c/d\" or an array")
    if not available:
        return None
    if not accept or not accept.strip():
        return available[0]
    ranges = _media_ranges(accept)
    best, best_q = None, 0.0
    for t in available:
        mtype, _, sub = t.lower().partition("/")
        q, spec = 0.0, -1
        for rt, rs, rq in ranges:
            if rt == mtype and rs == sub:
                s = 2
            elif rt == mtype and rs == "*":
                s = 1
            elif rt == "*" and rs == "*":
                s = 0
            else:
                continue
            if s > spec:
                q, spec = rq, s
        if q > best_q:
            best, best_q = t, q
    return best


def parse_content_type(ctx: CallContext, args: list[Any]) -> dict[str, str]:
    a.arity("parseContentType", args, 1)
    header = a.opt_string("parseContentType", args, 0, "header", max_len=MAX_HEADER) or ""
    fields = [f.strip() for f in header.split(";")]
    media = fields[0].lower()
    mtype, _, sub = media.partition("/")
    out = {"type": mtype, "mediaType": media}
    if sub:
        out["subtype"] = sub
    for f in fields[1:]:
        k, _, v = f.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            out["charset"] = v.strip().strip('"').lower()
    return out


def _list(fn: str, opts: dict[str, Any], key: str, default: str) -> str:
    v = opts.get(key)
    if v is None:
        return default
    if isinstance(v, str):
        items = [v]
    elif isinstance(v, list) and all(isinstance(x, str) for x in v):
        items = v
    else:
        raise HostTypeError(f"{fn}(): options.{key} must be a string or an array of strings")
    text = ", ".join(x.strip() for x in items)
    if _CTL.search(text.replace(";", "")):
        raise HostTypeError(f"{fn}(): options.{key} must not contain control characters")
    return text


def cors(ctx: CallContext, args: list[Any]) -> dict[str, str]:
    a.arity("cors", args, 2)
    origin = a.string("cors", args, 0, "origin", max_len=2048)
    if re.search(r"[\x00-\x1f\x7f]", origin):
        raise HostTypeError("cors(): parameter 'origin' must not contain control characters")
    opts = a.opt_obj("cors", args, 1, "options")
    out = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": _list("cors", opts, "methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        "Access-Control-Allow-Headers": _list("cors", opts, "headers", "Content-Type, Authorization"),
    }
    max_age = a.field("cors", opts, "maxAge", (int, float), "a number of seconds")
    if max_age is not None:
        out["Access-Control-Max-Age"] = str(int(max_age))
    if a.field("cors", opts, "credentials", bool, "a boolean") and origin != "*":
        out["Access-Control-Allow-Credentials"] = "true"
    if origin != "*":
        out["Vary"] = "Origin"
    return out


TYPES = """\
interface CookieOptions {
  path?: string; domain?: string; maxAge?: number; expires?: number | string;
  httpOnly?: boolean; secure?: boolean; sameSite?: "Strict" | "Lax" | "None";
}
interface ContentType { type: string; subtype?: string; mediaType: string; charset?: string }
interface CorsOptions {
  methods?: string | string[]; headers?: string | string[]; maxAge?: number; credentials?: boolean;
}
"""

M = "zigttp:http"
EXPORTS = (
    Export(M, "parseCookies", (Param("header", "string | undefined"),), "Record<string, string>",
           labels=("user_input", "credential"), impl=parse_cookies,
           doc="A Cookie header as an object (first occurrence of a name wins)."),
    Export(M, "setCookie", (Param("name", "string"), Param("value", "string"),
                            Param("options", "CookieOptions", optional=True)), "string | undefined",
           return_kind="optional", labels=("internal",), impl=set_cookie,
           doc="A Set-Cookie value; undefined for an invalid name or a value with ';' or control characters."),
    Export(M, "negotiate", (Param("accept", "string | undefined"), Param("available", "string | string[]")),
           "string | undefined", return_kind="optional", failure="soft", impl=negotiate,
           doc="The available media type the Accept header prefers (q-values, type/*, */*), or undefined."),
    Export(M, "parseContentType", (Param("header", "string | undefined"),), "ContentType", impl=parse_content_type,
           doc="A Content-Type header split into type, subtype and charset."),
    Export(M, "cors", (Param("origin", "string"), Param("options", "CorsOptions", optional=True)),
           "Record<string, string>", impl=cors,
           doc="Access-Control-* response headers for `origin` (credentials only for a specific origin)."),
)
