"""The egress policy: which URLs the sandbox may reach, and at which checked address.

The allowlist names origins. An entry `host` grants https on port 443 and
http on port 80 of that host (the default ports of the two schemes, so a
contract's plain host name covers the handler's own literal URLs); an entry
`host:port` (`[v6-address]:port`) grants that port, under either scheme.
Another port of a granted host is another service and is refused.

Host names are normalised (case, one trailing dot, IDNA). Refused unless
the exact origin is allowed: any host or port not on the list, IP literals
(also the inet_aton spellings 2130706433, 0x7f.1, 127.1), URLs with
credentials (`user@host`), and names that resolve to a private, loopback,
link-local or otherwise non-global address. A loopback or private address is
reachable only when that address itself is allowed on that port, or through
the name `localhost` when `localhost` is allowed and resolves to loopback.
The request is then sent to the address that was checked (Host header and
TLS SNI keep the name), so a second DNS answer cannot redirect it (DNS
rebinding).
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
DEFAULT_PORTS = {"http": 80, "https": 443}
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
    port: int  # the port connected to (the scheme's default when the URL names none)

    @property
    def origin(self) -> tuple[str, str, int]:
        """(scheme, host, port): credentials never cross from one origin to another."""
        return self.url.scheme, self.host, self.port

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


def parse_grant(entry: object) -> tuple[str, int | None]:
    """An egress grant `host`, `host:port` or `[v6]:port` as (normalised host, port or None for the defaults).

    ValueError (naming the entry) for anything else: a scheme, path or `user@`, a port outside 1-65535.
    """
    if not isinstance(entry, str):
        raise ValueError(f"egress grant {entry!r} must be a string")
    text = entry.strip()
    if not text or any(c in text for c in "/@?#\\") or any(c.isspace() or ord(c) < 0x20 for c in text):
        raise ValueError(f"egress grant {entry!r} is not a host or host:port (no scheme, path, user@ or spaces)")
    port_text: str | None = None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"egress grant {entry!r}: an IPv6 address is written [address] or [address]:port")
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:  # a name, or an IPv6 address without a port
        host = text
    port = None
    if port_text is not None:
        if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
            raise ValueError(f"egress grant {entry!r}: the port must be a number from 1 to 65535")
        port = int(port_text)
    try:
        return normalise_host(host), port
    except ValueError as e:
        raise ValueError(f"egress grant {entry!r}: {e}") from None


def format_grant(host: str, port: int | None) -> str:
    """The canonical text of a grant: `host`, `host:port`, `[v6]:port`."""
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def normalise_grant(entry: object) -> str:
    """An egress grant in canonical form (see `parse_grant`)."""
    return format_grant(*parse_grant(entry))


def grant_for(scheme: str, host: str, port: int) -> str:
    """The grant an operator adds to reach (scheme, host, port)."""
    return format_grant(host, None if DEFAULT_PORTS.get(scheme) == port else port)


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
        self.allowed = frozenset(parse_grant(h) for h in allowed)  # (host, port or None: the defaults)
        self.hosts = frozenset(host for host, _ in self.allowed)
        self.resolver = resolver or _default_resolver

    def permits(self, scheme: str, host: str, port: int) -> bool:
        """Whether the origin is granted: `host:port`, or `host` when the port is the scheme's default."""
        return (host, port) in self.allowed or (DEFAULT_PORTS.get(scheme) == port and (host, None) in self.allowed)

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
        port = url.port or DEFAULT_PORTS[url.scheme]
        literal = ip_literal(raw)
        if literal is not None and raw.strip("[]").lower() != str(literal):
            raise EgressError("EgressDenied", f"the IP address {raw!r} is not written in its usual form ({literal})")
        if not self.permits(url.scheme, host, port):
            kind = "IP address" if literal is not None else "host"
            if host in self.hosts:  # granted on other ports only: another port is another service
                raise EgressError("EgressDenied", f"port {port} of {kind} {host!r} is not allowed (grant "
                                                  f"{grant_for(url.scheme, host, port)!r} to reach it)")
            raise EgressError("EgressDenied", f"{kind} {host!r} is not allowed (allow it with --outbound-host)")
        addresses = (literal,) if literal is not None else self._resolve(url.scheme, host, port)
        return Target(url=url, host=host, host_header=url.netloc.decode("ascii"),
                      sni=None if literal is not None else host, addresses=tuple(str(a) for a in addresses),
                      port=port)

    def _resolve(self, scheme: str, host: str, port: int) -> list[IPAddress]:
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
            if _local(ip) and not self.permits(scheme, str(ip), port) and not (localhost and ip.is_loopback):
                raise EgressError("EgressDenied", f"{host!r} resolves to the non-public address {ip} "
                                                  "(allow that address itself to reach it)")
        return list(dict.fromkeys(addresses))
