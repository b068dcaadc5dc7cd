"""Keys for zigttp:auth: secrets, PEM and JWK (RFC 7517/7518/8037), through `cryptography`.

A key's form decides the algorithms it may serve, so no key can be used
with another algorithm family (HS256 with an RSA public key's PEM text is
the classic confusion): a PEM or an RSA/EC/OKP JWK never serves HMAC, and a
plain secret or an "oct" JWK serves HMAC only.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from .crypto import decode_b64

HMAC_HASHES = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}
ASYMMETRIC = ("RS256", "ES256", "EdDSA")
ALGORITHMS = (*HMAC_HASHES, *ASYMMETRIC)
MIN_RSA_BITS = 2048


class KeyError_(ValueError):
    """The key cannot serve the algorithm; the message says why."""


def _b64int(value: Any, what: str) -> int:
    raw = decode_b64(value, url=True) if isinstance(value, str) else None
    if not raw:
        raise KeyError_(f"JWK member {what!r} must be base64url")
    return int.from_bytes(raw, "big")


def _b64bytes(value: Any, what: str) -> bytes:
    raw = decode_b64(value, url=True) if isinstance(value, str) else None
    if raw is None:
        raise KeyError_(f"JWK member {what!r} must be base64url")
    return raw


def looks_structured(text: str) -> bool:
    s = text.lstrip()
    return s.startswith("-----BEGIN") or s.startswith("{")


def hmac_secret(text: str) -> bytes:
    """A secret string (its UTF-8 bytes) or an {"kty":"oct","k":...} JWK."""
    s = text.lstrip()
    if s.startswith("-----BEGIN"):
        raise KeyError_("a PEM key cannot be an HMAC secret")
    if s.startswith("{"):
        jwk = _jwk(text)
        if jwk.get("kty") != "oct":
            raise KeyError_(f"a {jwk.get('kty')!r} JWK cannot be an HMAC secret")
        secret = _b64bytes(jwk.get("k"), "k")
    else:
        secret = text.encode("utf-8")
    if not secret:
        raise KeyError_("the HMAC secret is empty")
    return secret


def _jwk(text: str) -> dict[str, Any]:
    try:
        jwk = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise KeyError_("the key is neither PEM nor a JWK (invalid JSON)") from None
    if not isinstance(jwk, dict):
        raise KeyError_("a JWK must be a JSON object")
    return jwk


def _from_jwk(jwk: dict[str, Any], private: bool) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    kty = jwk.get("kty")
    if kty == "RSA":
        n, e = _b64int(jwk.get("n"), "n"), _b64int(jwk.get("e"), "e")
        pub = rsa.RSAPublicNumbers(e, n)
        if not private:
            return pub.public_key()
        d = _b64int(jwk.get("d"), "d")
        p, q = _b64int(jwk.get("p"), "p"), _b64int(jwk.get("q"), "q")
        return rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                     rsa.rsa_crt_iqmp(p, q), pub).private_key()
    if kty == "EC":
        if jwk.get("crv") != "P-256":
            raise KeyError_(f"unsupported EC curve {jwk.get('crv')!r} (ES256 needs P-256)")
        x, y = _b64int(jwk.get("x"), "x"), _b64int(jwk.get("y"), "y")
        pub_ec = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1())
        if not private:
            return pub_ec.public_key()
        return ec.EllipticCurvePrivateNumbers(_b64int(jwk.get("d"), "d"), pub_ec).private_key()
    if kty == "OKP":
        crv = jwk.get("crv")
        cls_pub, cls_priv = {
            "Ed25519": (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey),
            "Ed448": (ed448.Ed448PublicKey, ed448.Ed448PrivateKey),
        }.get(crv, (None, None))
        if cls_pub is None:
            raise KeyError_(f"unsupported OKP curve {crv!r}")
        if private:
            return cls_priv.from_private_bytes(_b64bytes(jwk.get("d"), "d"))
        return cls_pub.from_public_bytes(_b64bytes(jwk.get("x"), "x"))
    if kty == "oct":
        raise KeyError_("an 'oct' JWK is an HMAC secret")
    raise KeyError_(f"unsupported JWK kty {kty!r}")


def _from_pem(text: str, private: bool) -> Any:
    from cryptography.hazmat.primitives import serialization

    data = text.strip().encode("ascii", "replace")
    try:
        if private:
            return serialization.load_pem_private_key(data, password=None)
        if b"PRIVATE KEY" in data:
            return serialization.load_pem_private_key(data, password=None).public_key()
        if b"CERTIFICATE" in data:
            from cryptography import x509

            return x509.load_pem_x509_certificate(data).public_key()
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError, binascii.Error) as e:
        raise KeyError_(f"invalid PEM key ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    except Exception as e:  # cryptography's UnsupportedAlgorithm and friends
        raise KeyError_(f"unsupported PEM key ({type(e).__name__})") from None


def asymmetric_key(text: str, alg: str, *, private: bool) -> Any:
    """The PEM or JWK `text` as a key object for `alg`, checked to be of that algorithm's type."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    s = text.lstrip()
    if s.startswith("-----BEGIN"):
        key = _from_pem(text, private)
    elif s.startswith("{"):
        try:
            key = _from_jwk(_jwk(text), private)
        except (ValueError, TypeError) as e:
            if isinstance(e, KeyError_):
                raise
            raise KeyError_(f"invalid JWK ({e})") from None
    else:
        raise KeyError_(f"{alg} needs a PEM or JWK {'private' if private else 'public'} key, not a secret string")
    want: tuple[type, ...]
    if alg == "RS256":
        want = (rsa.RSAPrivateKey,) if private else (rsa.RSAPublicKey,)
    elif alg == "ES256":
        want = (ec.EllipticCurvePrivateKey,) if private else (ec.EllipticCurvePublicKey,)
    else:
        want = ((ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey) if private
                else (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey))
    if not isinstance(key, want):
        raise KeyError_(f"the key is not {'a private' if private else 'a public'} key for {alg}")
    if alg == "RS256" and key.key_size < MIN_RSA_BITS:
        raise KeyError_(f"RSA keys need at least {MIN_RSA_BITS} bits, this one has {key.key_size}")
    if alg == "ES256" and not isinstance(key.curve, ec.SECP256R1):
        raise KeyError_(f"ES256 needs a P-256 key, this one is {key.curve.name}")
    return key


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
