"""What a trace must not keep: secrets read with env(), and credential headers.

A trace holds request headers and bodies, every I/O result and the
response, so by default it is redacted before it is written:

* the result of every export the registry labels `secret` (env) becomes a
  placeholder naming it, and so does every later occurrence of that value
  in arguments, results, the response body and header values (so
  `"Bearer " + secret` is caught too);
* the values of `authorization`, `cookie`, `set-cookie` and
  `proxy-authorization` headers become placeholders, in the request, the
  response, and in any object key of that name inside I/O arguments and
  results (a fetch's headers), and the request's values count as secrets
  for the rule above.

Values shorter than MIN_SCAN_CHARS are replaced only where a whole string
equals them: replacing every "1" in a body would corrupt it and make replay
report differences that are not there.

Replay answers a redacted call with its placeholder, so the handler builds
the same redacted strings again and the comparison still holds; the
key-based rule is applied to live arguments before they are compared.
"""

from __future__ import annotations

from typing import Any

from . import wellformed

CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
MIN_SCAN_CHARS = 4
_KEY_HINTS = (b"authorization", b"cookie")


def header_placeholder(name: str) -> str:
    return f"[redacted header {name.lower()}]"


def secret_placeholder(module: str, fn: str, args: bytes) -> str:
    try:
        parsed = wellformed.loads(args) if args else []
    except wellformed.MalformedJson:
        parsed = []
    first = parsed[0] if isinstance(parsed, list) and parsed and isinstance(parsed[0], str) else ""
    return f"[redacted {fn} {first}]" if module == fn else f"[redacted {module}.{fn} {first}]"


class Redactor:
    """The secrets of one request and the replacements for them."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}  # value -> placeholder

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def add(self, value: str, placeholder: str) -> None:
        if value and value != placeholder:
            self.secrets.setdefault(value, placeholder)

    def text(self, s: str) -> str:
        """A string with every known secret replaced (short ones only when they are the whole string)."""
        if not self.secrets:
            return s
        whole = self.secrets.get(s)
        if whole is not None:
            return whole
        # longest first, so a secret containing another is replaced whole
        for value in sorted(self.secrets, key=len, reverse=True):
            if len(value) >= MIN_SCAN_CHARS and value in s:
                s = s.replace(value, self.secrets[value])
                escaped = wellformed.dumps(value)[1:-1].decode()
                if escaped != value and escaped in s:
                    s = s.replace(escaped, self.secrets[value])
        return s

    def json_text(self, raw: bytes) -> bytes:
        """JSON text (an I/O argument list or result) with secrets and credential keys redacted."""
        if not raw or not (self.secrets or _may_hold_credentials(raw)):
            return raw
        try:
            value = wellformed.loads(raw)
        except wellformed.MalformedJson:
            return raw
        return wellformed.dumps(self.value(value))

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: (header_placeholder(k) if k.lower() in CREDENTIAL_HEADERS and isinstance(x, str)
                        else self.value(x)) for k, x in v.items()}
        return v


def redact_live_args(raw: bytes) -> bytes:
    """The key-based rule alone: what replay applies to a live call's arguments before comparing."""
    if not raw or not _may_hold_credentials(raw):
        return raw
    return Redactor().json_text(raw)


def _may_hold_credentials(raw: bytes) -> bool:
    lowered = raw.lower()
    return any(hint in lowered for hint in _KEY_HINTS)
