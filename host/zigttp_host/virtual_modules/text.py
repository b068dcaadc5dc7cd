"""zigttp:text — HTML escaping, slugs, truncation, masking."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..registry import Export, Param
from . import args as a
from .runtime import Budget, budget

if TYPE_CHECKING:
    from ..imports import CallContext

_SLUG_RUN = re.compile(r"[a-z0-9]+")


# Text up to 8 MiB arrives here: it is worked on in chunks, the request's
# deadline checked between them, so one call neither runs past the deadline
# nor holds the GIL for long in one piece.
CHUNK = 64 << 10


def _escape(text: str) -> str:
    # str.replace runs in C: a regex with a Python callback per match took
    # seconds on a text of nothing but '<'
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#39;"))


def _chunks(text: str, b: Budget, *, before: str | None = None) -> list[str]:
    """`text` in pieces of about CHUNK characters; with `before`, each piece ends just before that character."""
    pieces, start = [], 0
    while start < len(text):
        end = start + CHUNK
        if before is not None and end < len(text):
            cut = text.find(before, end)
            end = len(text) if cut < 0 else cut
        pieces.append(text[start:end])
        start = end
        b.check()
    return pieces


def escape_html(ctx: CallContext, args: list[Any]) -> str:
    a.arity("escapeHtml", args, 1)
    text = a.string("escapeHtml", args, 0, "text")
    if len(text) <= CHUNK:
        return _escape(text)
    b = budget(ctx, "escapeHtml")
    out = []
    for piece in _chunks(text, b):
        out.append(_escape(piece))
        b.check()
    return "".join(out)


def unescape_html(ctx: CallContext, args: list[Any]) -> str:
    a.arity("unescapeHtml", args, 1)
    import html

    text = a.string("unescapeHtml", args, 0, "text")
    if len(text) <= CHUNK:
        return html.unescape(text)
    b = budget(ctx, "unescapeHtml")
    out = []
    # A character reference never contains '&': cutting before one never splits a reference.
    for piece in _chunks(text, b, before="&"):
        out.append(html.unescape(piece))
        b.check()
    return "".join(out)


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
