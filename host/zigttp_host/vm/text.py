"""zigttp:text — HTML escaping, slugs, truncation, masking."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..registry import Export, Param
from . import args as a

if TYPE_CHECKING:
    from ..imports import CallContext

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_ESCAPE = re.compile("[&<>\"']")
_SLUG_RUN = re.compile(r"[a-z0-9]+")


def escape_html(ctx: CallContext, args: list[Any]) -> str:
    a.arity("escapeHtml", args, 1)
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], a.string("escapeHtml", args, 0, "text"))


def unescape_html(ctx: CallContext, args: list[Any]) -> str:
    a.arity("unescapeHtml", args, 1)
    import html

    return html.unescape(a.string("unescapeHtml", args, 0, "text"))


def slugify(ctx: CallContext, args: list[Any]) -> str:
    a.arity("slugify", args, 1)
    import unicodedata

    text = unicodedata.normalize("NFKD", a.string("slugify", args, 0, "text", max_len=64 << 10))
    ascii_text = text.encode("ascii", "ignore").decode().lower()
    return "-".join(_SLUG_RUN.findall(ascii_text))


def truncate(ctx: CallContext, args: list[Any]) -> str:
    a.arity("truncate", args, 3)
    text = a.string("truncate", args, 0, "text")
    limit = int(a.number("truncate", args, 1, "maxLength", integer=True, low=0, high=1 << 24))
    suffix = a.opt_string("truncate", args, 2, "suffix", max_len=1024)
    suffix = "..." if suffix is None else suffix
    if len(text) <= limit:
        return text
    keep = max(limit - len(suffix), 0)
    return (text[:keep] + suffix)[:limit] if keep == 0 else text[:keep] + suffix


def mask(ctx: CallContext, args: list[Any]) -> str:
    a.arity("mask", args, 2)
    text = a.string("mask", args, 0, "text")
    visible = a.opt_number("mask", args, 1, "visible", integer=True, low=0, high=1 << 24)
    v = 4 if visible is None else int(visible)
    if v >= len(text):
        return text
    return "*" * (len(text) - v) + (text[len(text) - v:] if v else "")


M = "zigttp:text"
EXPORTS = (
    Export(M, "escapeHtml", (Param("text", "string"),), "string", labels=("validated",), impl=escape_html,
           doc="Escapes & < > \" ' as &amp; &lt; &gt; &quot; &#39;."),
    Export(M, "unescapeHtml", (Param("text", "string"),), "string", impl=unescape_html,
           doc="Decodes HTML character references."),
    Export(M, "slugify", (Param("text", "string"),), "string", impl=slugify,
           doc="Lower-case ASCII letter and digit runs joined by '-' (accents folded)."),
    Export(M, "truncate",
           (Param("text", "string"), Param("maxLength", "number"), Param("suffix", "string", optional=True)),
           "string", impl=truncate,
           doc="At most maxLength characters (code points), ending in suffix (default '...') when cut."),
    Export(M, "mask", (Param("text", "string"), Param("visible", "number", optional=True)), "string",
           labels=("internal",), impl=mask, doc="All but the last `visible` (default 4) characters as '*'."),
)
