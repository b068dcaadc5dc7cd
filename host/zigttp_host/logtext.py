"""Log lines that say only what they say: control characters are escaped.

A handler's console text, a request path (`/a%0Ab` arrives decoded) or an
exception message could otherwise start a new line that looks like the
server's own (a forged access-log entry). Every line zigttp writes passes
through `escape_controls`: C0 and C1 controls, DEL and the Unicode line and
paragraph separators become visible escapes (`\\n`, `\\x1b`, `\\u2028`).
Backslashes are left alone: an escape can still be told from a real line
break, since a real one never survives.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    named = _NAMED.get(c)
    if named is not None:
        return named
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    if text.isprintable():  # the common case: nothing to escape, no regex pass
        return text
    return _CONTROL.sub(_escape, text)
