"""Egress origins as the contract records them: the host egress policy's normalisation, from literal URLs.

A URL on its scheme's default port (https 443, http 80) is recorded as its plain host name, which is
what the egress policy grants for those ports; a URL naming another port is recorded as `host:port`,
so the contract grants exactly the service the handler reaches (virtual_modules/egress.py: grants name origins).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_AUTHORITY = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#\\]*)[/?#\\]")


def normalise(host: str) -> str | None:
    try:
        from zigttp_host.virtual_modules.egress import normalise_host
    except ImportError:  # pragma: no cover - the host package is part of zigttp
        return host.lower().rstrip(".") or None
    try:
        return normalise_host(host)
    except ValueError:
        return None


def literal_url_host(url: str) -> str | None:
    """The origin a literal URL reaches (`host`, or `host:port` off the default port), or None when the egress
    policy always refuses it."""
    if any(c in url for c in " \t\r\n\\\x00"):
        return None
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname or "@" in parts.netloc or parts.port == 0:
        return None
    try:
        from zigttp_host.virtual_modules.egress import ip_literal
    except ImportError:  # pragma: no cover
        return normalise(hostname)
    raw = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    ip = ip_literal(hostname)
    if ip is not None and raw.strip("[]").lower() != str(ip):
        return None  # 2130706433, 0x7f.1, 127.1: the egress policy refuses IP addresses not in their usual form
    host = normalise(hostname)
    if host is None or parts.port is None:
        return host
    from zigttp_host.virtual_modules.egress import grant_for

    return grant_for(parts.scheme.lower(), host, parts.port)


def prefix_host(prefix: str) -> str | None:
    """The host every URL starting with `prefix` has, when the prefix already ends the authority."""
    m = _AUTHORITY.match(prefix)
    if m is None or m.group("scheme").lower() not in ("http", "https"):
        return None
    authority = m.group("authority")
    if "@" in authority or not authority or any(c in authority for c in " \t\r\n\x00"):
        return None
    return literal_url_host(f"{m.group('scheme')}://{authority}/")
