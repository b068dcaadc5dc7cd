"""The egress policy: which URLs the sandbox may reach, and at which checked address.

Host names are normalised (case, one trailing dot, IDNA). Refused unless
the exact host is allowed: any host not on the list, IP literals (also the
inet_aton spellings 2130706433, 0x7f.1, 127.1), URLs with credentials
(`user@host`), and names that resolve to a private, loopback, link-local or
otherwise non-global address. A loopback or private address is reachable
only when that address itself is allowed, or through the name `localhost`
when `localhost` is allowed and resolves to loopback. The request is then
sent to the address that was checked (Host header and TLS SNI keep the
name), so a second DNS answer cannot redirect it (DNS rebinding).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from .config import Resolver

if TYPE_CHECKING:
    import ipaddress

    import httpx

    IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL = 8192
_BAD_URL_CHARS = set(" \t\r\n\\\x00") | {chr(c) for c in range(0x20)} | {"\x7f"}


class EgressError(Exception):
    """A refused or malformed URL: `code` becomes the 599 response's `error`."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


class Target(NamedTuple):
    url: httpx.URL  # as the handler wrote it
    host: str  # the normalised host name (or IP) the URL named
    host_header: str
    sni: str | None  # TLS server name (None for IP literals)
    addresses: tuple[str, ...]  # every one checked; connect to these only, in order

    def url_for(self, address: str) -> httpx.URL:
        return self.url.copy_with(host=address)


def ip_literal(host: str) -> IPAddress | None:
    """The address `host` spells, in any form the OS resolver would accept as a number."""
    import ipaddress
    import socket

    h = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        pass
    if h and all(c in "0123456789abcdefxABCDEFX." for c in h) and any(c.isdigit() for c in h):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    return None


def normalise_host(host: str) -> str:
    """Lower case, no trailing dot, IDNA (A-labels); IP literals in their canonical form."""
    h = host.strip().lower()
    if h.endswith("."):
        h = h[:-1]
    if not h or h.endswith(".") or h.startswith("."):
        raise ValueError(f"invalid host {host!r}")
    ip = ip_literal(h)
    if ip is not None:
        return str(ip)
    try:
        import idna

        return idna.encode(h, uts46=True).decode("ascii")
    except idna.IDNAError as e:
        raise ValueError(f"invalid host {host!r}: {e}") from None


def _default_resolver(host: str, port: int) -> list[str]:
    import socket

    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _local(ip: IPAddress) -> bool:
    import ipaddress

    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class EgressPolicy:
    def __init__(self, allowed: Iterable[str], resolver: Resolver | None = None) -> None:
        self.allowed = frozenset(normalise_host(h) for h in allowed)
        self.resolver = resolver or _default_resolver

    @property
    def enabled(self) -> bool:
        return bool(self.allowed)

    def parse(self, text: str) -> httpx.URL:
        import httpx

        if len(text) > MAX_URL:
            raise EgressError("InvalidUrl", f"the URL is longer than {MAX_URL} characters")
        if any(c in _BAD_URL_CHARS for c in text):
            raise EgressError("InvalidUrl", "the URL contains whitespace, a backslash or a control character")
        try:
            url = httpx.URL(text)
        except (httpx.InvalidURL, ValueError) as e:
            raise EgressError("InvalidUrl", f"invalid URL: {e}") from None
        if url.scheme not in ("http", "https"):
            what = repr(url.scheme) if url.scheme else "a relative URL"
            raise EgressError("InvalidUrl", f"only http and https URLs can be fetched, not {what}")
        if not url.raw_host:
            raise EgressError("InvalidUrl", "the URL has no host")
        authority = text.split("//", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0] if "//" in text else ""
        if url.userinfo or "@" in authority:
            raise EgressError("EgressDenied", "URLs with credentials (user@host) are refused")
        return url

    def check(self, text: str) -> Target:
        url = self.parse(text)
        raw = url.raw_host.decode("ascii")
        try:
            host = normalise_host(raw)
        except ValueError as e:
            raise EgressError("InvalidUrl", str(e)) from None
        port = url.port or (443 if url.scheme == "https" else 80)
        literal = ip_literal(raw)
        if literal is not None and raw.strip("[]").lower() != str(literal):
            raise EgressError("EgressDenied", f"the IP address {raw!r} is not written in its usual form ({literal})")
        if host not in self.allowed:
            kind = "IP address" if literal is not None else "host"
            raise EgressError("EgressDenied", f"{kind} {host!r} is not allowed (allow it with --outbound-host)")
        addresses = (literal,) if literal is not None else self._resolve(host, port)
        return Target(url=url, host=host, host_header=url.netloc.decode("ascii"),
                      sni=None if literal is not None else host, addresses=tuple(str(a) for a in addresses))

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        import ipaddress

        try:
            found = self.resolver(host, port)
        except OSError as e:
            raise EgressError("DnsError", f"cannot resolve {host!r}: {e}") from None
        if not found:
            raise EgressError("DnsError", f"{host!r} has no address")
        addresses = []
        for text in found:
            try:
                addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                raise EgressError("DnsError", f"{host!r} resolved to {text!r}, not an address") from None
        localhost = host == "localhost" or host.endswith(".localhost")
        for ip in addresses:
            if _local(ip) and str(ip) not in self.allowed and not (localhost and ip.is_loopback):
                raise EgressError("EgressDenied", f"{host!r} resolves to the non-public address {ip} "
                                                  "(allow that address itself to reach it)")
        return list(dict.fromkeys(addresses))
