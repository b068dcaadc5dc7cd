"""zigttp:fetch / fetchSync through the real guest against a local server: egress policy and failures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .support import Probe
from .upstream import Upstream, upstream

F = "zigttp:fetch"


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with upstream() as u:
        yield u


@pytest.fixture(scope="module")
def allowed(probe_for: Callable[..., Probe], up: Upstream) -> Probe:
    return probe_for(outbound_hosts=(f"127.0.0.1:{up.port}",))


def fetch(p: Probe, url: str, init: dict[str, Any] | None = None, fn: str = "fetch") -> dict[str, Any]:
    module = F if fn == "fetch" else "global"
    return p.call(module, fn, url, *([init] if init is not None else []))


def test_egress_is_off_by_default(probe: Probe, up: Upstream) -> None:
    up.reset()
    for fn in ("fetch", "fetchSync"):
        r = fetch(probe, f"{up.url}/json", fn=fn)
        assert r["status"] == 599 and r["ok"] is False and r["error"] == "EgressDenied"
        assert r["json"] == {"error": "EgressDenied", "details": r["details"]}
        assert "127.0.0.1" in r["details"]
    assert up.requests == []


def test_get_json(allowed: Probe, up: Upstream) -> None:
    r = fetch(allowed, f"{up.url}/json")
    assert (r["status"], r["ok"], r["json"], r["url"]) == (200, True, {"hello": "world"}, f"{up.url}/json")
    assert r["headers"]["content-type"] == "application/json" and "error" not in r
    g = fetch(allowed, f"{up.url}/json", fn="fetchSync")
    assert g["json"] == {"hello": "world"}


def test_method_headers_body_and_query(allowed: Probe, up: Upstream) -> None:
    r = fetch(allowed, f"{up.url}/echo?a=1", {
        "method": "post", "headers": {"X-Token": "t1", "content-type": "text/plain"}, "body": "héllo",
        "query": {"b": "two words", "c": [1, 2], "d": True}})
    echo = r["json"]
    assert echo["method"] == "POST"
    assert echo["path"] == "/echo?a=1&b=two+words&c=1&c=2&d=true"
    assert bytes.fromhex(echo["body"]) == "héllo".encode()
    assert echo["headers"]["x-token"] == "t1" and echo["headers"]["host"] == f"127.0.0.1:{up.port}"
    raw = fetch(allowed, f"{up.url}/echo", {"method": "PUT", "body": {"$u8": "00ff10"}})
    assert raw["json"]["body"] == "00ff10"


def test_status_codes_pass_through(allowed: Probe, up: Upstream) -> None:
    for code in (201, 404, 500, 503):
        r = fetch(allowed, f"{up.url}/status?code={code}")
        assert (r["status"], r["ok"], r["json"]) == (code, code < 300, {"code": code})


def test_charset_is_honoured(allowed: Probe, up: Upstream) -> None:
    assert fetch(allowed, f"{up.url}/latin1")["body"] == "café"


def test_timeout_is_a_599(allowed: Probe, up: Upstream) -> None:
    started = time.monotonic()
    r = fetch(allowed, f"{up.url}/slow?ms=2000", {"timeoutMs": 200})
    assert (r["status"], r["error"]) == (599, "Timeout")
    assert time.monotonic() - started < 1.5


def test_response_size_cap(allowed: Probe, up: Upstream) -> None:
    assert fetch(allowed, f"{up.url}/big?n=1000", {"maxResponseBytes": 1000})["status"] == 200
    r = fetch(allowed, f"{up.url}/big?n=1001", {"maxResponseBytes": 1000})
    assert (r["status"], r["error"]) == (599, "ResponseTooLarge")
    assert fetch(allowed, f"{up.url}/big?n={(1 << 20) + 1}")["error"] == "ResponseTooLarge"  # default 1 MiB


def test_redirects_are_followed_only_to_allowed_hosts(allowed: Probe, up: Upstream) -> None:
    r = fetch(allowed, f"{up.url}/redirect?to=/json")
    assert (r["status"], r["json"], r["url"]) == (200, {"hello": "world"}, f"{up.url}/json")
    up.reset()
    r = fetch(allowed, f"{up.url}/redirect?to=http://localhost:{up.port}/json")
    assert (r["status"], r["error"]) == (599, "EgressDenied")
    assert [q["path"] for q in up.requests] == [f"/redirect?to=http://localhost:{up.port}/json"]
    assert fetch(allowed, f"{up.url}/loop")["error"] == "TooManyRedirects"
    see_other = fetch(allowed, f"{up.url}/redirect?code=303&to=/echo", {"method": "POST", "body": "x"})
    assert see_other["json"]["method"] == "GET" and see_other["json"]["body"] == ""
    keep = fetch(allowed, f"{up.url}/redirect?code=307&to=/echo", {"method": "POST", "body": "x"})
    assert keep["json"]["method"] == "POST" and keep["json"]["body"] == b"x".hex()


@pytest.mark.parametrize(("url", "error"), [
    ("http://localhost:{port}/json", "EgressDenied"),
    ("http://user@127.0.0.1:{port}/json", "EgressDenied"),
    ("http://user:pw@127.0.0.1:{port}/json", "EgressDenied"),
    ("http://127.0.0.1:{port}@example.com/json", "EgressDenied"),
    ("http://2130706433:{port}/json", "EgressDenied"),
    ("http://0x7f.0.0.1:{port}/json", "EgressDenied"),
    ("http://127.1:{port}/json", "EgressDenied"),
    ("http://0177.0.0.1:{port}/json", "InvalidUrl"),  # httpx refuses this spelling itself
    ("http://[::1]:{port}/json", "EgressDenied"),
    ("http://[::ffff:127.0.0.1]:{port}/json", "EgressDenied"),
    ("http://127.0.0.2:{port}/json", "EgressDenied"),
    ("http://127.0.0.1:{port}\\@example.com/json", "InvalidUrl"),
    (" http://127.0.0.1:{port}/json", "InvalidUrl"),
    ("file:///etc/passwd", "InvalidUrl"),
    ("ftp://127.0.0.1:{port}/", "InvalidUrl"),
    ("/relative", "InvalidUrl"),
])
def test_egress_tricks_are_refused(allowed: Probe, up: Upstream, url: str, error: str) -> None:
    up.reset()
    r = fetch(allowed, url.format(port=up.port))
    assert (r["status"], r["error"]) == (599, error), r
    assert up.requests == []


def test_allowed_names_are_normalised(probe_for: Callable[..., Probe], up: Upstream) -> None:
    p = probe_for(outbound_hosts=(f"LOCALHOST.:{up.port}",))
    for host in ("localhost", "LocalHost", "localhost."):
        r = fetch(p, f"http://{host}:{up.port}/json")
        assert r["status"] == 200, r
    # loopback through the name localhost, not through the address
    assert fetch(p, f"{up.url}/json")["error"] == "EgressDenied"


def test_dns_answers_are_checked_and_the_checked_address_is_used(probe_for: Callable[..., Probe],
                                                                  up: Upstream) -> None:
    names = {"rebind.test": ["127.0.0.1"], "xn--bcher-kva.test": ["127.0.0.1"], "meta.test": ["169.254.169.254"],
             "mixed.test": ["203.0.113.10", "10.0.0.7"]}

    def resolver(host: str, port: int) -> list[str]:
        if host not in names:
            raise OSError(f"unknown host {host}")
        return names[host]

    only_name = probe_for(outbound_hosts=tuple(f"{h}:{up.port}" for h in ("rebind.test", "meta.test", "mixed.test")),
                          resolver=resolver)
    for host in ("rebind.test", "meta.test", "mixed.test"):
        r = fetch(only_name, f"http://{host}:{up.port}/json")
        assert (r["status"], r["error"]) == (599, "EgressDenied") and "non-public address" in r["details"], r
    # an address a name resolves to is reached only when that address is granted on that port
    granted = ("rebind.test", "Bücher.test", "127.0.0.1")
    with_address = probe_for(outbound_hosts=tuple(f"{h}:{up.port}" for h in granted), resolver=resolver)
    up.reset()
    r = fetch(with_address, f"http://rebind.test:{up.port}/json")
    assert r["status"] == 200
    # the OS cannot resolve rebind.test: the connection went to the address the policy checked
    assert up.requests[-1]["host"] == f"rebind.test:{up.port}"
    assert fetch(with_address, f"http://BÜCHER.test:{up.port}/json")["status"] == 200
    assert fetch(with_address, f"http://nowhere.test:{up.port}/json")["error"] == "EgressDenied"


@pytest.mark.parametrize(("args", "message"), [
    ([42], "fetch(): parameter 'url' must be a string, got a number"),
    (["http://x", "GET"], "fetch(): parameter 'init' must be an object, got a string"),
    (["http://x", {"headers": {"bad header": "v"}}], "fetch(): init.headers has an invalid header 'bad header'"),
    (["http://x", {"headers": {"x": "a\r\nb: c"}}], "fetch(): init.headers has an invalid header 'x'"),
    (["http://x", {"timeoutMs": "1s"}], "fetch(): init.timeoutMs must be a number of milliseconds, got a string"),
    (["http://x", {"body": 5}], "fetch(): parameter 'init.body' must be a string or a Uint8Array, got a number"),
])
def test_wrong_calls_are_type_errors(allowed: Probe, args: list, message: str) -> None:
    assert allowed.throws(F, "fetch", *args) == ("TypeError", message)


@pytest.fixture(scope="module")
def durable_probe(probe_for: Callable[..., Probe], up: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Probe:
    folder = tmp_path_factory.mktemp("durable")
    return probe_for(outbound_hosts=(f"127.0.0.1:{up.port}",), durable_dir=str(folder))


def test_a_durable_fetch_is_answered_from_its_record(durable_probe: Probe, up: Upstream) -> None:
    up.reset()
    init = {"durable": {"key": "order-42"}}
    first = fetch(durable_probe, f"{up.url}/echo?n=1", init)
    again = fetch(durable_probe, f"{up.url}/echo?n=1", init)
    assert first["status"] == 200 and again["json"] == first["json"]
    assert len(up.requests) == 1  # the second came from <durable>/fetch/<hash>.step
    other = fetch(durable_probe, f"{up.url}/echo?n=1", {"durable": {"key": "order-43"}})
    assert other["status"] == 200 and len(up.requests) == 2


@pytest.mark.parametrize(("durable", "detail"), [
    ({}, "init.durable.key must be a non-empty string"),
    ({"key": "k", "retries": 17}, "init.durable.retries must be a whole number from 0 to 16"),
    ({"key": "k", "backoff": "linear"}, 'init.durable.backoff must be "none" or "exponential"'),
    ({"key": "k", "ttl_s": 0}, "init.durable.ttl_s must be a whole number of seconds from 1 to 604800"),
])
def test_invalid_durable_options_are_599(durable_probe: Probe, up: Upstream, durable: dict, detail: str) -> None:
    r = fetch(durable_probe, f"{up.url}/json", {"durable": durable})
    assert (r["status"], r["error"], r["details"]) == (599, "InvalidDurable", detail)


def test_a_durable_fetch_without_durable_is_599(allowed: Probe, up: Upstream) -> None:
    r = fetch(allowed, f"{up.url}/json", {"durable": {"key": "k"}})
    assert (r["status"], r["error"]) == (599, "DurableNotConfigured")
