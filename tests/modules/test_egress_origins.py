"""Egress grants name origins (scheme, host, port); credentials never cross to another origin on a redirect.

Two real upstream servers on two ports of 127.0.0.1 stand in for two services of one host: a grant of
one port must not reach the other, and a redirect between granted origins must not carry the
handler's credentials along (as browsers and curl do).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from zigttp_host import Bundle, Grants, Host

from ..support.server import run_cli, serve
from .support import LIMITS, PROBE, Probe
from .upstream import Upstream, upstream

F = "zigttp:fetch"
SECRET_HEADERS = {"authorization": "Bearer s3cret", "cookie": "sid=abc", "proxy-authorization": "Basic eA==",
                  "x-api-key": "k-123"}
PLAIN = {"x-plain": "visible", "accept": "application/json"}


@pytest.fixture(scope="module")
def a() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture(scope="module")
def b() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture(scope="module")
def granted(hosts: Callable[..., Host]) -> Callable[..., Probe]:
    """The probe loaded with exactly these egress grants (the Host's own allowlist is empty)."""
    host = hosts()

    def make(*egress: str) -> Probe:
        return Probe(host.load(Bundle(PROBE, "probe.js"), LIMITS, grants=Grants(egress=set(egress))))

    return make


def fetch(p: Probe, url: str, init: dict[str, Any] | None = None) -> dict[str, Any]:
    return p.call(F, "fetch", url, *([init] if init is not None else []))


def credentials_init() -> dict[str, Any]:
    return {"headers": {**SECRET_HEADERS, **PLAIN}, "sensitiveHeaders": ["X-Api-Key"]}


def test_a_plain_host_grant_does_not_reach_other_ports(granted: Callable[..., Probe], a: Upstream) -> None:
    # `127.0.0.1` names http on 80 and https on 443 only, not every service of the machine
    a.reset()
    r = fetch(granted("127.0.0.1"), f"{a.url}/json")
    assert (r["status"], r["error"]) == (599, "EgressDenied"), r
    assert str(a.port) in r["details"]
    assert a.requests == []


def test_a_port_grant_reaches_that_port_only(granted: Callable[..., Probe], a: Upstream, b: Upstream) -> None:
    p = granted(f"127.0.0.1:{a.port}")
    assert fetch(p, f"{a.url}/json")["status"] == 200
    b.reset()
    r = fetch(p, f"{b.url}/json")
    assert (r["status"], r["error"]) == (599, "EgressDenied") and f"127.0.0.1:{b.port}" in r["details"], r
    assert b.requests == []


def test_a_redirect_to_an_ungranted_port_is_refused(granted: Callable[..., Probe], a: Upstream,
                                                     b: Upstream) -> None:
    a.reset()
    b.reset()
    r = fetch(granted(f"127.0.0.1:{a.port}"), f"{a.url}/redirect?to={b.url}/echo", credentials_init())
    assert (r["status"], r["error"]) == (599, "EgressDenied"), r
    assert r["json"] == {"error": "EgressDenied", "details": r["details"]}
    assert len(a.requests) == 1 and b.requests == []


def test_credentials_are_not_forwarded_to_another_granted_origin(granted: Callable[..., Probe], a: Upstream,
                                                                  b: Upstream) -> None:
    p = granted(f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}")
    r = fetch(p, f"{a.url}/redirect?to={b.url}/echo", credentials_init())
    assert r["status"] == 200 and r["url"] == f"{b.url}/echo", r
    received = r["json"]["headers"]
    assert not set(SECRET_HEADERS) & set(received), received
    assert received["x-plain"] == "visible" and received["host"] == f"127.0.0.1:{b.port}"
    # and they stay dropped when a later hop comes back to the first origin
    back = f"{b.url}/redirect?to={a.url}/echo"
    r = fetch(p, f"{a.url}/redirect?to={quote(back, safe='')}", credentials_init())
    assert r["url"] == f"{a.url}/echo" and not set(SECRET_HEADERS) & set(r["json"]["headers"]), r


def test_same_origin_redirects_keep_credentials(granted: Callable[..., Probe], a: Upstream) -> None:
    r = fetch(granted(f"127.0.0.1:{a.port}"), f"{a.url}/redirect?to=/echo", credentials_init())
    assert r["status"] == 200, r
    received = r["json"]["headers"]
    assert {k: received.get(k) for k in SECRET_HEADERS} == SECRET_HEADERS


@pytest.mark.parametrize(("value", "message"), [
    ("x-api-key", "fetch(): init.sensitiveHeaders must be an array of header names"),
    (["bad header"], "fetch(): init.sensitiveHeaders must be an array of header names"),
])
def test_sensitive_headers_must_be_header_names(granted: Callable[..., Probe], value: Any, message: str) -> None:
    assert granted().throws(F, "fetch", "http://x", {"sensitiveHeaders": value}) == ("TypeError", message)


@pytest.mark.parametrize(("entry", "canonical"), [
    ("API.Example.COM.", "api.example.com"),
    ("api.example.com:8443", "api.example.com:8443"),
    ("Bücher.example:8080", "xn--bcher-kva.example:8080"),
    ("127.0.0.1:9", "127.0.0.1:9"),
    ("[::1]:8080", "[::1]:8080"),
    ("[::1]", "::1"),
])
def test_grant_entries_are_normalised(entry: str, canonical: str) -> None:
    assert Grants(egress={entry}).egress == {canonical}


@pytest.mark.parametrize("entry", ["api.example.com:0", "api.example.com:65536", "api.example.com:x",
                                   "api.example.com:", "https://api.example.com", "a b", ":80", "[::1"])
def test_bad_grant_entries_are_clear_errors(entry: str) -> None:
    with pytest.raises(ValueError, match="egress grant"):
        Grants(egress={entry})


SERVED = """export function handler(req) {
  const r = fetchSync(String(req.query.url), { headers: { authorization: "Bearer s3cret", "x-plain": "visible" } });
  return Response.json({ status: r.status, error: r.error, body: r.text() });
}
"""


def test_served_grants_are_origins(tmp_path: Path, a: Upstream, b: Upstream) -> None:
    handler = tmp_path / "h.js"
    handler.write_text(SERVED)
    with serve(handler, "--no-verify", "-q", "--allow-egress", f"127.0.0.1:{a.port}",
               "--outbound-host", f"127.0.0.1:{b.port}") as s:
        b.reset()
        denied = s.get("/", params={"url": f"{a.url}/redirect?to=http://127.0.0.1:1/echo"}).json()
        assert (denied["status"], denied["error"]) == (599, "EgressDenied")
        moved = s.get("/", params={"url": f"{a.url}/redirect?to={b.url}/echo"}).json()
        assert moved["status"] == 200
        received = json.loads(moved["body"])["headers"]
        assert "authorization" not in received and received["x-plain"] == "visible"
        same = s.get("/", params={"url": f"{a.url}/redirect?to=/echo"}).json()
        assert json.loads(same["body"])["headers"]["authorization"] == "Bearer s3cret"


@pytest.mark.parametrize("flag", ["--allow-egress", "--outbound-host"])
def test_a_bad_origin_flag_is_a_usage_error(tmp_path: Path, flag: str) -> None:
    handler = tmp_path / "h.js"
    handler.write_text(SERVED)
    r = run_cli("serve", str(handler), "--no-verify", flag, "127.0.0.1:99999")
    assert r.returncode == 2 and "the port must be a number from 1 to 65535" in r.stderr
    assert "Traceback" not in r.stderr
