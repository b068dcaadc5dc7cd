"""The certificate's bytes (RFC 8785 canonical JSON) and its detached Ed25519 signature.

Keys: the private key is a PEM PKCS#8 file (`openssl genpkey -algorithm
ed25519`), the public key a PEM SubjectPublicKeyInfo file (`openssl pkey -in
KEY -pubout`). proof.json.sig holds the 64-byte signature over proof.json's
bytes, base64 on one line.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from .inputs import InputError, canonical


def canonical_bytes(statement: dict[str, Any]) -> bytes:
    return canonical(statement, "the statement")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {what} {path}: {e.strerror or e}") from None


def sign(data: bytes, key_path: Path) -> str:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(_read(key_path, "the signing key"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError(f"{key_path}: not an unencrypted PEM PKCS#8 private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{key_path}: not an Ed25519 private key")
    return base64.b64encode(key.sign(data)).decode("ascii") + "\n"


def load_public_key(pubkey_path: Path) -> Any:
    """An Ed25519 public key from a PEM SubjectPublicKeyInfo file."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(_read(pubkey_path, "the public key"))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError(f"{pubkey_path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{pubkey_path}: not an Ed25519 public key")
    return key


def signature_holds(data: bytes, signature_path: Path, key: Any) -> bool:
    """Does the detached signature at `signature_path` (base64 on one line) hold for `data` under `key`?"""
    from cryptography.exceptions import InvalidSignature

    try:
        signature = base64.b64decode(_read(signature_path, "the signature").strip(), validate=True)
        key.verify(signature, data)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
