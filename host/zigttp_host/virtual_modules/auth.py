"""zigttp:auth — bearer tokens, JWT (HS256/384/512, RS256, ES256, EdDSA), webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from typing import TYPE_CHECKING, Any

import orjson

from ..registry import Export, HostTypeError, Param
from . import args as a
from . import jwk
from .crypto import BYTES_WRAPPER, DATA, decode_b64
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext

MAX_TOKEN = 64 << 10
MAX_HEADER = 1024
SIGNATURE_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64, "ES256": 64}


class Invalid(Exception):
    """A verification failure: its message is the Result's error."""


def parse_bearer(ctx: CallContext, args: list[Any]) -> str | None:
    a.arity("parseBearer", args, 1)
    header = a.opt_string("parseBearer", args, 0, "header", max_len=MAX_TOKEN)
    if header is None:
        return None
    h = header.strip()
    if len(h) < 7 or h[:7].lower() != "bearer ":
        return None
    token = h[7:].strip()
    return token or None


# ---------- jwtVerify ----------

def _options(fn: str, args: list[Any], i: int) -> dict[str, Any]:
    return a.opt_obj(fn, args, i, "options")


def _algorithms(options: dict[str, Any]) -> tuple[str, ...]:
    algs = options.get("algorithms")
    if algs is None:
        return ("HS256",)
    if not isinstance(algs, list) or not algs or not all(isinstance(x, str) for x in algs):
        raise HostTypeError("jwtVerify(): options.algorithms must be a non-empty array of strings")
    unknown = [x for x in algs if x not in jwk.ALGORITHMS]
    if unknown:
        raise HostTypeError(f"jwtVerify(): options.algorithms has unsupported {unknown[0]!r}; supported: "
                            f"{', '.join(jwk.ALGORITHMS)}")
    return tuple(algs)


def _b64json(part: str, encoding_error: str, json_error: str, limit: int | None = None,
             limit_error: str = "") -> tuple[bytes, Any]:
    raw = decode_b64(part, url=True)
    if raw is None or "=" in part:
        raise Invalid(encoding_error)
    if limit is not None and len(raw) > limit:
        raise Invalid(limit_error)
    try:
        return raw, orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Invalid(json_error) from None


def _verify_signature(ctx: CallContext, alg: str, key_text: str, signing_input: bytes, sig: bytes) -> None:
    keys = runtime_of(ctx).keys
    try:
        if alg in jwk.HMAC_HASHES:
            secret = keys.get_or_make(("hmac", key_text), lambda: jwk.hmac_secret(key_text))
            expected = hmac.new(secret, signing_input, jwk.HMAC_HASHES[alg]).digest()
            if not hmac.compare_digest(expected, sig):
                raise Invalid("invalid signature")
            return
        key = keys.get_or_make(("public", alg, key_text), lambda: jwk.asymmetric_key(key_text, alg, private=False))
    except jwk.KeyError_ as e:
        raise Invalid(f"invalid key: {e}") from None
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        if alg == "RS256":
            if len(sig) != key.key_size // 8 + (1 if key.key_size % 8 else 0):
                raise Invalid("invalid signature length")
            key.verify(sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256":
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(sig, signing_input)
    except InvalidSignature:
        raise Invalid("invalid signature") from None


def _number_claim(claims: dict[str, Any], name: str) -> float | None:
    v = claims.get(name)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise Invalid(f"invalid {name} claim")
    return float(v)


def _check_claims(claims: dict[str, Any], options: dict[str, Any]) -> None:
    leeway = options.get("leeway", 0) or 0
    now = time.time()
    exp = _number_claim(claims, "exp")
    nbf = _number_claim(claims, "nbf")
    if exp is not None and now >= exp + leeway:
        raise Invalid("token expired")
    if nbf is not None and now + leeway < nbf:
        raise Invalid("token not yet valid")
    issuer = options.get("issuer")
    if issuer is not None and claims.get("iss") != issuer:
        raise Invalid("invalid issuer")
    audience = options.get("audience")
    if audience is not None:
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if audience not in auds:
            raise Invalid("invalid audience")


def verify_token(ctx: CallContext, token: str, key: str, options: dict[str, Any]) -> bytes:
    """The payload bytes of a valid token, or Invalid with the reference's message."""
    algorithms = _algorithms(options)
    if not token or len(token) > MAX_TOKEN:
        raise Invalid("invalid token format")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise Invalid("invalid token format")
    _, header = _b64json(parts[0], "invalid header encoding", "invalid header JSON", MAX_HEADER,
                         "jwt header too long")
    if not isinstance(header, dict):
        raise Invalid("invalid header JSON")
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise Invalid("missing alg header")
    if alg not in algorithms:
        raise Invalid("unsupported alg")
    if "crit" in header:
        raise Invalid("unsupported crit header")
    sig = decode_b64(parts[2], url=True)
    if sig is None or "=" in parts[2]:
        raise Invalid("invalid signature encoding")
    want = SIGNATURE_BYTES.get(alg)
    if (want is not None and len(sig) != want) or (alg == "EdDSA" and len(sig) not in (64, 114)):
        raise Invalid("invalid signature length")
    _verify_signature(ctx, alg, key, f"{parts[0]}.{parts[1]}".encode("ascii"), sig)
    payload, claims = _b64json(parts[1], "invalid payload encoding", "invalid claims JSON")
    if not isinstance(claims, dict):
        raise Invalid("invalid claims JSON")
    _check_claims(claims, options)
    return payload


def jwt_verify(ctx: CallContext, args: list[Any]) -> dict[str, Any]:
    a.arity("jwtVerify", args, 3)
    token = a.opt_string("jwtVerify", args, 0, "token", max_len=1 << 20)
    key = a.string("jwtVerify", args, 1, "key", max_len=MAX_TOKEN)
    options = _options("jwtVerify", args, 2)
    a.field("jwtVerify", options, "leeway", (int, float), "a number of seconds")
    a.field("jwtVerify", options, "issuer", str, "a string")
    a.field("jwtVerify", options, "audience", str, "a string")
    try:
        payload = verify_token(ctx, token or "", key, options)
    except Invalid as e:
        return {"ok": False, "error": str(e)}
    # null members are left out, as JSON.parse does for the handler
    return {"ok": True, "value": a.drop_none(orjson.loads(payload))}


# ---------- jwtSign ----------

def _sign(ctx: CallContext, alg: str, key_text: str, signing_input: bytes) -> bytes:
    keys = runtime_of(ctx).keys
    try:
        if alg in jwk.HMAC_HASHES:
            secret = keys.get_or_make(("hmac", key_text), lambda: jwk.hmac_secret(key_text))
            return hmac.new(secret, signing_input, jwk.HMAC_HASHES[alg]).digest()
        key = keys.get_or_make(("private", alg, key_text), lambda: jwk.asymmetric_key(key_text, alg, private=True))
    except jwk.KeyError_ as e:
        raise HostTypeError(f"jwtSign(): parameter 'key' cannot sign {alg}: {e}") from None
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if alg == "RS256":
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if alg == "ES256":
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return key.sign(signing_input)


def jwt_sign(ctx: CallContext, args: list[Any]) -> str:
    a.arity("jwtSign", args, 3)
    claims = a.get(args, 0)
    if isinstance(claims, str):
        try:
            parsed = orjson.loads(claims)
        except orjson.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            raise HostTypeError("jwtSign(): parameter 'claims' must be an object or the JSON text of one")
        payload = claims.encode("utf-8")
    elif isinstance(claims, dict) and a.BYTES_KEY not in claims:
        payload = orjson.dumps(claims)
    else:
        raise HostTypeError(f"jwtSign(): parameter 'claims' must be an object or a JSON string, got "
                            f"{a.describe(claims)}")
    key = a.string("jwtSign", args, 1, "key", max_len=MAX_TOKEN)
    options = _options("jwtSign", args, 2)
    alg = a.field("jwtSign", options, "algorithm", str, "a string") or "HS256"
    if alg not in jwk.ALGORITHMS:
        raise HostTypeError(f"jwtSign(): options.algorithm must be one of {', '.join(jwk.ALGORITHMS)}, got {alg!r}")
    kid = a.field("jwtSign", options, "kid", str, "a string")
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = f"{jwk.b64url(orjson.dumps(header))}.{jwk.b64url(payload)}"
    return f"{signing_input}.{jwk.b64url(_sign(ctx, alg, key, signing_input.encode('ascii')))}"


# ---------- webhooks, comparisons ----------

def verify_webhook_signature(ctx: CallContext, args: list[Any]) -> bool:
    a.arity("verifyWebhookSignature", args, 3)
    payload = a.data("verifyWebhookSignature", args, 0, "payload")
    secret = a.data("verifyWebhookSignature", args, 1, "secret")
    signature = a.string("verifyWebhookSignature", args, 2, "signature", max_len=1024).strip()
    if signature[:7].lower() == "sha256=":
        signature = signature[7:]
    try:
        given = bytes.fromhex(signature)
    except ValueError:
        return False
    expected = hmac.new(secret, payload, hashlib.sha256).digest()
    return len(given) == len(expected) and hmac.compare_digest(given, expected)


def timing_safe_equal(ctx: CallContext, args: list[Any]) -> bool:
    a.arity("timingSafeEqual", args, 2)
    x = a.data("timingSafeEqual", args, 0, "a")
    y = a.data("timingSafeEqual", args, 1, "b")
    return hmac.compare_digest(x, y)


TYPES = """\
type JwtAlgorithm = "HS256" | "HS384" | "HS512" | "RS256" | "ES256" | "EdDSA";
interface JwtVerifyOptions {
  /** Algorithms accepted (default ["HS256"]). HS* take a secret string or an "oct" JWK; RS256, ES256 and
   *  EdDSA take a PEM or JWK public key. */
  algorithms?: JwtAlgorithm[];
  /** Seconds of clock skew allowed for exp/nbf. */
  leeway?: number;
  issuer?: string;
  audience?: string;
}
interface JwtSignOptions { algorithm?: JwtAlgorithm; kid?: string }
type JwtClaims = { [claim: string]: unknown; sub?: string; exp?: number; nbf?: number; iat?: number };
"""

M = "zigttp:auth"
EXPORTS = (
    Export(M, "parseBearer", (Param("header", "string | undefined"),), "string | undefined",
           return_kind="optional", labels=("credential",), impl=parse_bearer,
           doc="The token of an `Authorization: Bearer <token>` header (prefix case-insensitive), or undefined."),
    Export(M, "jwtSign", (Param("claims", "JwtClaims | string"), Param("key", "string"),
                          Param("options", "JwtSignOptions", optional=True)), "string",
           capability="crypto", labels=("credential",), impl=jwt_sign,
           doc="A compact JWS over `claims` (default HS256 with a secret; RS256/ES256/EdDSA with a private key)."),
    Export(M, "jwtVerify", (Param("token", "string"), Param("key", "string"),
                            Param("options", "JwtVerifyOptions", optional=True)),
           "Result<JwtClaims, string>", return_kind="result", effect="read", capability="clock", failure="soft",
           labels=("credential", "validated"), impl=jwt_verify, module_scope=False,
           doc="Verifies signature, exp and nbf; the error is the reason (e.g. 'token expired')."),
    Export(M, "verifyWebhookSignature", (Param("payload", DATA), Param("secret", DATA),
                                         Param("signature", "string")), "boolean",
           capability="crypto", impl=verify_webhook_signature, js=BYTES_WRAPPER,
           doc="HMAC-SHA-256(secret, payload) against a hex signature (optional 'sha256=' prefix), constant time. "
               "Pass req.bytes() to check the exact body bytes."),
    Export(M, "timingSafeEqual", (Param("a", DATA), Param("b", DATA)), "boolean", impl=timing_safe_equal,
           js=BYTES_WRAPPER, doc="Constant-time equality (different lengths: false)."),
)
