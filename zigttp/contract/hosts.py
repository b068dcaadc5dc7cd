"""Egress hosts as the contract records them: the host egress policy's normalisation, from literal URLs.

Standard library plus `zigttp_host.vm.egress` only: `zigttp serve` uses it before any analysis.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_AUTHORITY = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#\\]*)[/?#\\]")


def normalise(host: str) -> str | None:
    try:
        from zigttp_host.vm.egress import normalise_host
    except ImportError:  # pragma: no cover - the host package is part of zigttp
        return host.lower().rstrip(".") or None
    try:
        return normalise_host(host)
    except ValueError:
        return None


def literal_url_host(url: str) -> str | None:
    """The host a literal URL reaches, or None when the egress policy always refuses it."""
    if any(c in url for c in " \t\r\n\\\x00"):
        return None
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname or "@" in parts.netloc:
        return None
    try:
        from zigttp_host.vm.egress import ip_literal
    except ImportError:  # pragma: no cover
        return normalise(hostname)
    raw = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    ip = ip_literal(hostname)
    if ip is not None and raw.strip("[]").lower() != str(ip):
        return None  # 2130706433, 0x7f.1, 127.1: the egress policy refuses IP addresses not in their usual form
    return normalise(hostname)


def auto_grantable(host: str) -> bool:
    """Contract hosts `serve` grants without an operator: names, not IP addresses or localhost."""
    from zigttp_host.vm.egress import ip_literal

    return ip_literal(host) is None and host != "localhost" and not host.endswith(".localhost")


def prefix_host(prefix: str) -> str | None:
    """The host every URL starting with `prefix` has, when the prefix already ends the authority."""
    m = _AUTHORITY.match(prefix)
    if m is None or m.group("scheme").lower() not in ("http", "https"):
        return None
    authority = m.group("authority")
    if "@" in authority or not authority or any(c in authority for c in " \t\r\n\x00"):
        return None
    return literal_url_host(f"{m.group('scheme')}://{authority}/")
