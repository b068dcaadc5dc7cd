"""zigttp:auth through the real guest: RFC 7515/7519/8037 vectors, RS/ES/EdDSA round trips, confusion."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .support import Probe

A = "zigttp:auth"
HS_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256"}').rstrip(b"=").decode()

# RFC 7515 A.1 (= RFC 7519 §3.1): HS256 with a binary key given as an "oct" JWK. Its exp (2011) is past,
# so a correct implementation reaches "token expired" only after the signature verified.
HS256_TOKEN = ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9l"
               "eGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
HS256_JWK = json.dumps({"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuT"
                                          "wjAzZr1Z9CAow"})
# RFC 7515 A.2: RS256.
RS256_TOKEN = (
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
    "VlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9C"
    "UAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO-"
    "-xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_Io"
    "ypGlUPQGe77Rw")
RS256_JWK = json.dumps({"kty": "RSA", "e": "AQAB", "n": (
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pC"
    "gNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg66"
    "5xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWy"
    "uXpoQ")})
# RFC 7515 A.3: ES256.
ES256_TOKEN = ("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19y"
               "b290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")
ES256_JWK = json.dumps({"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})
# RFC 8037 A.4: Ed25519 over a payload that is not JSON.
EDDSA_TOKEN = ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dW"
               "bhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
EDDSA_JWK = json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verify(probe: Probe, token: str, key: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    return probe.call(A, "jwtVerify", token, key, *([options] if options is not None else []))


def tamper(token: str) -> str:
    h, p, s = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    claims["iss"] = "mallory"
    return f"{h}.{b64url(json.dumps(claims).encode())}.{s}"


@pytest.mark.parametrize(("token", "key", "alg"), [
    (HS256_TOKEN, HS256_JWK, "HS256"), (RS256_TOKEN, RS256_JWK, "RS256"), (ES256_TOKEN, ES256_JWK, "ES256"),
])
def test_rfc7515_vectors_verify_then_expire(probe: Probe, token: str, key: str, alg: str) -> None:
    assert verify(probe, token, key, {"algorithms": [alg]}) == {"ok": False, "error": "token expired"}
    assert verify(probe, tamper(token), key, {"algorithms": [alg]}) == {"ok": False, "error": "invalid signature"}
    year = 365 * 86400 * 30
    out = verify(probe, token, key, {"algorithms": [alg], "leeway": year})
    assert out == {"ok": True, "value": {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}}


def test_rfc8037_ed25519_vector(probe: Probe) -> None:
    # the signature verifies; the payload ("Example of Ed25519 signing") is not a claims object
    assert verify(probe, EDDSA_TOKEN, EDDSA_JWK, {"algorithms": ["EdDSA"]}) == {"ok": False,
                                                                              "error": "invalid claims JSON"}
    h, p, s = EDDSA_TOKEN.split(".")
    bad = f"{h}.{p}.{s[:-2]}AA"
    assert verify(probe, bad, EDDSA_JWK, {"algorithms": ["EdDSA"]})["error"] == "invalid signature"


def _pem_pair(key: Any) -> tuple[str, str]:
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _jwk_pair(key: Any) -> tuple[str, str]:
    """The same key as JWK text (private, public)."""
    def n(x: int, size: int | None = None) -> str:
        return b64url(x.to_bytes(size or (x.bit_length() + 7) // 8, "big"))

    if isinstance(key, rsa.RSAPrivateKey):
        pn = key.private_numbers()
        pub = {"kty": "RSA", "n": n(pn.public_numbers.n), "e": n(pn.public_numbers.e)}
        return json.dumps({**pub, "d": n(pn.d), "p": n(pn.p), "q": n(pn.q)}), json.dumps(pub)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        pn = key.private_numbers()
        pub = {"kty": "EC", "crv": "P-256", "x": n(pn.public_numbers.x, 32), "y": n(pn.public_numbers.y, 32)}
        return json.dumps({**pub, "d": n(pn.private_value, 32)}), json.dumps(pub)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    pub_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pub = {"kty": "OKP", "crv": "Ed25519", "x": b64url(pub_raw)}
    return json.dumps({**pub, "d": b64url(raw)}), json.dumps(pub)


KEYS = {
    "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate(),
}


@pytest.mark.parametrize("alg", list(KEYS))
@pytest.mark.parametrize("form", ["pem", "jwk"])
def test_asymmetric_round_trips(probe: Probe, alg: str, form: str) -> None:
    private, public = (_pem_pair if form == "pem" else _jwk_pair)(KEYS[alg])
    claims = {"sub": "alice", "exp": int(time.time()) + 60}
    token = probe.call(A, "jwtSign", claims, private, {"algorithm": alg, "kid": "k1"})
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": alg, "typ": "JWT", "kid": "k1"}
    assert verify(probe, token, public, {"algorithms": [alg]}) == {"ok": True, "value": claims}
    # the default accepts HS256 only: no algorithm is taken from the token
    assert verify(probe, token, public) == {"ok": False, "error": "unsupported alg"}
    assert verify(probe, tamper(token), public, {"algorithms": [alg]})["error"] == "invalid signature"


def test_hs256_sign_matches_the_reference_header_and_verifies(probe: Probe) -> None:
    token = probe.call(A, "jwtSign", '{"sub":"1"}', "secret")
    h, p, s = token.split(".")
    assert h == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" and p == b64url(b'{"sub":"1"}')
    assert s == b64url(hmac.new(b"secret", f"{h}.{p}".encode(), hashlib.sha256).digest())
    assert verify(probe, token, "secret") == {"ok": True, "value": {"sub": "1"}}
    assert verify(probe, token, "other") == {"ok": False, "error": "invalid signature"}
    for alg in ("HS384", "HS512"):
        t = probe.call(A, "jwtSign", {"n": 1}, "k", {"algorithm": alg})
        assert verify(probe, t, "k", {"algorithms": [alg]}) == {"ok": True, "value": {"n": 1}}


def test_algorithm_confusion_is_refused(probe: Probe) -> None:
    _, public = _pem_pair(KEYS["RS256"])
    # an attacker signs HS256 with the (public) PEM text as the HMAC secret
    h = b64url(b'{"alg":"HS256","typ":"JWT"}')
    p = b64url(b'{"sub":"admin"}')
    forged = f"{h}.{p}.{b64url(hmac.new(public.encode(), f'{h}.{p}'.encode(), hashlib.sha256).digest())}"
    out = verify(probe, forged, public, {"algorithms": ["HS256", "RS256"]})
    assert out["ok"] is False and out["error"].startswith("invalid key")
    none = b64url(b'{"alg":"none"}') + f".{p}."
    assert verify(probe, none, "secret") == {"ok": False, "error": "unsupported alg"}
    # an "oct" JWK is a secret, never an RSA key
    assert verify(probe, RS256_TOKEN, HS256_JWK, {"algorithms": ["RS256"]})["error"].startswith("invalid key")


def _hs(claims: dict[str, Any] | str, header: bytes = b'{"alg":"HS256"}', secret: bytes = b"s") -> str:
    h = b64url(header)
    p = b64url(claims.encode() if isinstance(claims, str) else json.dumps(claims).encode())
    return f"{h}.{p}.{b64url(hmac.new(secret, f'{h}.{p}'.encode(), hashlib.sha256).digest())}"


@pytest.mark.parametrize(("token", "error"), [
    ("", "invalid token format"),
    ("a.b", "invalid token format"),
    ("!!.e30.sig", "invalid header encoding"),
    (f"{b64url(b'not json')}.e30.x", "invalid header JSON"),
    (f"{b64url(b'{}')}.e30.x", "missing alg header"),
    (f"{b64url(json.dumps({'alg': 'HS256', 'pad': 'x' * 2000}).encode())}.e30.x", "jwt header too long"),
    (f"{HS_HEADER}.e30.AAAA", "invalid signature length"),
    (f"{HS_HEADER}.e30.%%%", "invalid signature encoding"),
    # fixed instants (2001 and 2100): parameters must not depend on collection time,
    # or parallel test workers collect different test ids
    (_hs({"exp": 1_000_000_000}), "token expired"),
    (_hs({"nbf": 4_102_444_800}), "token not yet valid"),
    (_hs({"exp": "soon"}), "invalid exp claim"),
    (_hs({"nbf": True}), "invalid nbf claim"),
    (_hs("[1,2]"), "invalid claims JSON"),
])
def test_reference_error_messages(probe: Probe, token: str, error: str) -> None:
    assert verify(probe, token, "s") == {"ok": False, "error": error}


def test_issuer_audience_and_leeway(probe: Probe) -> None:
    t = _hs({"iss": "me", "aud": ["api", "web"], "exp": int(time.time()) - 5})
    assert verify(probe, t, "s", {"leeway": 60, "issuer": "me", "audience": "web"})["ok"] is True
    assert verify(probe, t, "s", {"leeway": 60, "issuer": "you"})["error"] == "invalid issuer"
    assert verify(probe, t, "s", {"leeway": 60, "audience": "cli"})["error"] == "invalid audience"


def test_result_methods_work_on_module_results(probe: Probe) -> None:
    out = probe.raw(A, "jwtVerify", "x", "s")
    assert out["value"] == {"ok": False, "error": "invalid token format"}


def test_parse_bearer(probe: Probe) -> None:
    assert probe.call(A, "parseBearer", "Bearer abc.def") == "abc.def"
    assert probe.call(A, "parseBearer", "bEaReR   tok  ") == "tok"
    for header in ("Bearer ", "Basic xyz", "Bearerabc", {"$undef": 1}):
        assert probe.raw(A, "parseBearer", header) == {"type": "undefined"}


def test_webhook_signature_over_raw_body_bytes(probe: Probe) -> None:
    body = b'{"event":"paid","note":"\xff\xfe not utf-8"}'
    mac = hmac.new(b"whsec", body, hashlib.sha256).hexdigest()
    for sig in (mac, f"sha256={mac}", mac.upper()):
        assert probe.call(A, "verifyWebhookSignature", {"$body": 1}, "whsec", sig, body=body) is True
    assert probe.call(A, "verifyWebhookSignature", {"$body": 1}, "whsec", mac[:-1] + "0", body=body) is False
    assert probe.call(A, "verifyWebhookSignature", {"$body": 1}, "other", mac, body=body) is False
    assert probe.call(A, "verifyWebhookSignature", {"$body": 1}, "whsec", "zz", body=body) is False
    text_mac = hmac.new(b"k", "héllo".encode(), hashlib.sha256).hexdigest()
    assert probe.call(A, "verifyWebhookSignature", "héllo", "k", text_mac) is True


def test_timing_safe_equal(probe: Probe) -> None:
    assert probe.call(A, "timingSafeEqual", "abc", "abc") is True
    assert probe.call(A, "timingSafeEqual", "abc", "abd") is False
    assert probe.call(A, "timingSafeEqual", "abc", "abcd") is False
    assert probe.call(A, "timingSafeEqual", {"$u8": "00ff"}, {"$u8": "00ff"}) is True


@pytest.mark.parametrize(("fn", "args", "message"), [
    ("jwtVerify", ["t", 1], "jwtVerify(): parameter 'key' must be a string, got a number"),
    ("jwtVerify", ["t", "k", {"algorithms": "HS256"}],
     "jwtVerify(): options.algorithms must be a non-empty array of strings"),
    ("jwtVerify", ["t", "k", {"algorithms": ["HS1"]}],
     "jwtVerify(): options.algorithms has unsupported 'HS1'; supported: HS256, HS384, HS512, RS256, ES256, EdDSA"),
    ("jwtSign", [[1], "k"], "jwtSign(): parameter 'claims' must be an object or a JSON string, got an array"),
    ("jwtSign", [{"a": 1}, "secret", {"algorithm": "RS256"}],
     "jwtSign(): parameter 'key' cannot sign RS256: RS256 needs a PEM or JWK private key, not a secret string"),
    ("timingSafeEqual", ["a"], "timingSafeEqual(): parameter 'b' must be a string or a Uint8Array, got undefined"),
])
def test_wrong_calls_are_type_errors(probe: Probe, fn: str, args: list, message: str) -> None:
    assert probe.throws(A, fn, *args) == ("TypeError", message)
