"""zigttp:crypto through the real guest: RFC 4648 base64, RFC 4231 HMAC-SHA-256, digests."""

from __future__ import annotations

import hashlib

import pytest

from .support import Probe

C = "zigttp:crypto"

RFC4648 = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
           ("foobar", "Zm9vYmFy")]

# RFC 4231 §4: (key hex, data hex, HMAC-SHA-256 hex); cases 1-4, 6, 7 (5 is truncated output).
RFC4231 = [
    ("0b" * 20, b"Hi There".hex(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (b"Jefe".hex(), b"what do ya want for nothing?".hex(),
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("aa" * 20, "dd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    (bytes(range(1, 26)).hex(), "cd" * 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    ("aa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First".hex(),
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ("aa" * 131, (b"This is a test using a larger than block-size key and a larger than block-size data. The key "
                  b"needs to be hashed before being used by the HMAC algorithm.").hex(),
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
]


@pytest.mark.parametrize(("plain", "encoded"), RFC4648)
def test_base64_rfc4648(probe: Probe, plain: str, encoded: str) -> None:
    assert probe.call(C, "base64Encode", plain) == encoded
    assert probe.call(C, "base64Decode", encoded) == plain
    url = encoded.rstrip("=")
    assert probe.call(C, "base64UrlEncode", plain) == url
    assert probe.call(C, "base64UrlDecode", url) == plain
    assert probe.call(C, "base64UrlDecode", encoded) == plain  # padding accepted


def test_base64_alphabets_and_bytes(probe: Probe) -> None:
    assert probe.call(C, "base64Encode", {"$u8": "fbff00"}) == "+/8A"
    assert probe.call(C, "base64UrlEncode", {"$u8": "fbff00"}) == "-_8A"
    assert probe.call(C, "base64Encode", "héllo ✓") == "aMOpbGxvIOKckw=="
    assert probe.raw(C, "base64Decode", "not base64!") == {"type": "undefined"}
    assert probe.raw(C, "base64UrlDecode", "+/8A") == {"type": "undefined"}  # standard alphabet refused


@pytest.mark.parametrize(("key", "data", "mac"), RFC4231)
def test_hmac_sha256_rfc4231(probe: Probe, key: str, data: str, mac: str) -> None:
    assert probe.call(C, "hmacSha256", {"$u8": key}, {"$u8": data}) == mac


def test_hmac_with_strings_is_over_utf8(probe: Probe) -> None:
    assert probe.call(C, "hmacSha256", "Jefe", "what do ya want for nothing?") == RFC4231[1][2]


def test_digests(probe: Probe) -> None:
    assert probe.call(C, "sha256", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert probe.call(C, "sha512", "abc") == hashlib.sha512(b"abc").hexdigest()
    assert probe.call(C, "sha256", {"$u8": "00ff80"}) == hashlib.sha256(b"\x00\xff\x80").hexdigest()
    assert probe.call(C, "sha256", "✓") == hashlib.sha256("✓".encode()).hexdigest()


def test_request_body_bytes_reach_the_host_exactly(probe: Probe) -> None:
    body = bytes(range(256)) * 300
    assert probe.call(C, "sha256", {"$body": 1}, body=body) == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize(("fn", "args", "message"), [
    ("sha256", [42], "sha256(): parameter 'data' must be a string or a Uint8Array, got a number"),
    ("hmacSha256", ["k"], "hmacSha256(): parameter 'data' must be a string or a Uint8Array, got undefined"),
    ("base64Decode", [{"a": 1}], "base64Decode(): parameter 'data' must be a string, got an object"),
    ("base64Encode", ["a", "b"], "base64Encode() takes at most 1 argument, got 2"),
])
def test_wrong_calls_are_type_errors(probe: Probe, fn: str, args: list, message: str) -> None:
    assert probe.throws(C, fn, *args) == ("TypeError", message)
