"""zigttp:url — parsing URLs and query strings, percent-encoding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from ..registry import Export, Param
from . import args as a

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_URL = 64 << 10


def search_params(query: str) -> dict[str, str | list[str]]:
    return a.group_pairs("urlSearchParams", query[1:] if query.startswith("?") else query, 1000)


def url_parse(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    a.arity("urlParse", args, 1)
    text = a.string("urlParse", args, 0, "url", max_len=MAX_URL)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    out: dict[str, Any] = {"path": parts.path or ("/" if parts.netloc else ""),
                           "searchParams": search_params(parts.query)}
    if parts.scheme:
        out["protocol"] = parts.scheme
    if parts.hostname:
        out["host"] = parts.hostname
    if port is not None:
        out["port"] = port
    if parts.query:
        out["query"] = parts.query
    if parts.fragment:
        out["hash"] = parts.fragment
    return out


def url_search_params(ctx: CallContext, args: list[Any]) -> dict[str, Any]:
    a.arity("urlSearchParams", args, 1)
    return search_params(a.string("urlSearchParams", args, 0, "query", max_len=MAX_URL))


def url_encode(ctx: CallContext, args: list[Any]) -> str:
    a.arity("urlEncode", args, 1)
    return quote(a.string("urlEncode", args, 0, "text", max_len=MAX_URL), safe="")


def url_decode(ctx: CallContext, args: list[Any]) -> str:
    a.arity("urlDecode", args, 1)
    return unquote(a.string("urlDecode", args, 0, "text", max_len=MAX_URL), errors="replace")


TYPES = """\
interface ParsedUrl {
  protocol?: string; host?: string; port?: number; path: string; query?: string; hash?: string;
  searchParams: Record<string, string | string[]>;
}
"""

M = "zigttp:url"
EXPORTS = (
    Export(M, "urlParse", (Param("url", "string"),), "ParsedUrl | undefined", return_kind="optional",
           labels=("user_input",), impl=url_parse,
           doc="Scheme (without ':'), host, port, path, query, hash and decoded search parameters; undefined "
               "when the URL cannot be parsed."),
    Export(M, "urlSearchParams", (Param("query", "string"),), "Record<string, string | string[]>",
           labels=("user_input",), impl=url_search_params,
           doc="A query string (leading '?' allowed) as an object; repeated names become arrays."),
    Export(M, "urlEncode", (Param("text", "string"),), "string", impl=url_encode,
           doc="Percent-encodes everything but unreserved characters (A-Z a-z 0-9 - . _ ~), as %XX."),
    Export(M, "urlDecode", (Param("text", "string"),), "string", impl=url_decode, doc="Decodes %XX escapes."),
)
