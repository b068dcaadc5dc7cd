"""The text rule at the host boundary: every string is well-formed Unicode.

JavaScript strings may hold lone surrogates (`"\\ud800"`, or request bytes
that decoded to one); Python's UTF-8 codecs and orjson refuse them. The rule,
the same as `TextEncoder`'s: a lone surrogate becomes U+FFFD, and bytes that
are not UTF-8 decode to U+FFFD. `loads` and `dumps` apply it to JSON crossing
between guest and host (host-call arguments and results, response metadata,
error descriptions); the guest applies it to string response bodies itself.

Well-formed input takes orjson's fast path unchanged; only text that orjson
refuses pays for the repair.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_loads = orjson.loads
_dumps = orjson.dumps


class MalformedJson(ValueError):
    """JSON from the guest that is not JSON even after the repair."""


def loads(raw: bytes | str) -> Any:
    """Parses guest JSON; lone surrogates and invalid UTF-8 become U+FFFD."""
    try:
        return _loads(raw)
    except orjson.JSONDecodeError as first:
        return _repaired_loads(raw, first)


def _repaired_loads(raw: bytes | str, first: orjson.JSONDecodeError) -> Any:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray | memoryview) else raw
    try:
        # Python's own parser accepts lone surrogate escapes, which orjson refuses.
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise MalformedJson(str(first)) from None
    return well_formed(value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def dumps(value: Any) -> bytes:
    """JSON for the guest; strings holding lone surrogates are repaired first."""
    try:
        return _dumps(value)
    except orjson.JSONEncodeError:
        return _dumps(well_formed(value))


def well_formed(value: Any) -> Any:
    """`value` with every string (and object key) made well-formed."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {text(k) if isinstance(k, str) else k: well_formed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [well_formed(v) for v in value]
    return value


def text(s: str) -> str:
    """`s` with each lone surrogate replaced by U+FFFD."""
    if s.isascii() or _SURROGATE.search(s) is None:
        return s
    # UTF-16 round-tripping keeps a high+low pair (one character, as in JS)
    # and replaces every surrogate that is not part of a pair.
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
